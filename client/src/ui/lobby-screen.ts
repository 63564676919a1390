import type { LobbyState, LobbyStore } from '../state/lobby-store.ts';
import type { OnlineUser } from '../state/online-users.ts';
import type { SessionStore } from '../state/session-store.ts';
import { colorDot, h, paintPlayerColor } from './dom.ts';
import type { Screen } from './screen.ts';

export interface LobbyScreenDeps {
  readonly session: SessionStore;
  readonly lobby: LobbyStore;
}

/** The lobby: a greeting and who is online. Rooms and chat take their places here later. */
export function createLobbyScreen({ session, lobby }: LobbyScreenDeps): Screen {
  const you = session.getState().user;
  const nickname = h('span', { className: 'welcome__name' }, you?.nickname ?? '');
  if (you) paintPlayerColor(nickname, you.color);
  const status = h('p', { className: 'welcome__status' });

  const count = h('span', { className: 'badge', attrs: { 'aria-label': 'players online' } });
  const list = h('ul', { className: 'online-list', attrs: { 'aria-label': 'Online players' } });
  const empty = h('p', { className: 'panel__empty' });

  const element = h(
    'section',
    { className: 'screen screen--lobby' },
    h(
      'header',
      { className: 'welcome' },
      h('h1', { className: 'welcome__title' }, 'Welcome aboard, ', nickname),
      status,
    ),
    h(
      'div',
      { className: 'lobby-grid' },
      h(
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
      ),
    ),
  );

  function render(state: LobbyState): void {
    const youId = session.getState().user?.id;
    status.textContent = statusLine(state);
    count.textContent = String(state.online.length);
    list.replaceChildren(...state.online.map((user) => onlineRow(user, user.id === youId)));
    empty.textContent = state.online.length === 0 ? emptyLine(state) : '';
    empty.hidden = state.online.length > 0;
  }

  render(lobby.getState());
  const unsubscribe = lobby.subscribe(render);
  return { element, dispose: unsubscribe };
}

function onlineRow(user: OnlineUser, isYou: boolean): HTMLLIElement {
  const row = h(
    'li',
    { className: isYou ? 'online-user online-user--you' : 'online-user' },
    colorDot(user.color),
    h('span', { className: 'online-user__name' }, user.nickname),
    isYou ? h('span', { className: 'tag' }, 'you') : null,
  );
  row.dataset.userId = user.id;
  row.title = `Online since ${new Date(user.onlineSince).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  return row;
}

function statusLine(state: LobbyState): string {
  if (state.status === 'joined') {
    const others = state.online.length - 1;
    if (others <= 0) return 'You are the only pilot here right now.';
    return others === 1 ? 'One other pilot is online.' : `${others} other pilots are online.`;
  }
  return 'Docking with the lobby…';
}

function emptyLine(state: LobbyState): string {
  return state.status === 'joined' ? 'Nobody is here yet.' : 'Looking for pilots…';
}
