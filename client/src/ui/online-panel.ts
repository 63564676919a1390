import type { LobbyState, LobbyStore } from '../state/lobby-store.ts';
import type { OnlineUser } from '../state/online-users.ts';
import { colorDot, h } from './dom.ts';
import type { Screen } from './screen.ts';

/** Who is online: one row per player, however many tabs they have open. */
export function createOnlinePanel(lobby: LobbyStore, youId: string | undefined): Screen {
  const count = h('span', { className: 'badge', attrs: { 'aria-label': 'players online' } });
  const list = h('ul', { className: 'online-list', attrs: { 'aria-label': 'Online players' } });
  const empty = h('p', { className: 'panel__empty' });
  const element = h(
    'section',
    { className: 'panel panel--online', attrs: { 'aria-labelledby': 'online-heading' } },
    h(
      'header',
      { className: 'panel__head' },
      h('h2', { className: 'panel__title', attrs: { id: 'online-heading' } }, 'Online'),
      count,
    ),
    list,
    empty,
  );

  let shown: LobbyState | null = null;
  function render(state: LobbyState): void {
    // The lobby store also changes with the room list; only presence and status matter here.
    if (state.online === shown?.online && state.status === shown.status) return;
    shown = state;
    count.textContent = String(state.online.length);
    const before = new Set(Array.from(list.children, (row) => (row as HTMLElement).dataset.userId));
    const first = before.size === 0 && state.status !== 'joined';
    list.replaceChildren(
      ...state.online.map((user) => onlineRow(user, user.id === youId, !first && !before.has(user.id))),
    );
    empty.textContent = state.online.length === 0 ? emptyLine(state) : '';
    empty.hidden = state.online.length > 0;
  }

  render(lobby.getState());
  return { element, dispose: lobby.subscribe(render) };
}

function onlineRow(user: OnlineUser, isYou: boolean, isNew: boolean): HTMLLIElement {
  const row = h(
    'li',
    { className: `online-user${isYou ? ' online-user--you' : ''}${isNew ? ' is-new' : ''}` },
    colorDot(user.color),
    h('span', { className: 'online-user__name' }, user.nickname),
    user.tabs > 1
      ? h('span', { className: 'online-user__tabs', attrs: { title: `${user.tabs} tabs` } }, `×${user.tabs}`)
      : null,
    isYou ? h('span', { className: 'tag' }, 'you') : null,
  );
  row.dataset.userId = user.id;
  row.title = `Online since ${new Date(user.onlineSince).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  return row;
}

function emptyLine(state: LobbyState): string {
  return state.status === 'joined' ? 'Nobody is here yet.' : 'Looking for pilots…';
}
