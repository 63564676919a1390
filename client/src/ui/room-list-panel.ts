import { MAX_PLAYERS_LIMIT, type RoomState, type RoomSummary } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import type { LobbyState, LobbyStore } from '../state/lobby-store.ts';
import { hasFreeSlot } from '../state/room-list.ts';
import { createCreateRoomForm } from './create-room-form.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

export interface RoomListPanelDeps {
  readonly lobby: LobbyStore;
  readonly actions: Pick<Actions, 'joinRoom' | 'createRoom'>;
}

const STATE_LABEL: Record<RoomState, string> = {
  waiting: 'Waiting',
  playing: 'Playing',
  intermission: 'Intermission',
};

/** The open rooms, newest first, each with a Join button; and the form that opens a new one. */
export function createRoomListPanel({ lobby, actions }: RoomListPanelDeps): Screen {
  const count = h('span', { className: 'badge', attrs: { 'aria-label': 'open rooms' } });
  const list = h('ul', { className: 'room-list', attrs: { 'aria-label': 'Rooms' } });
  const empty = h(
    'div',
    { className: 'room-list__empty' },
    h('p', { className: 'room-list__empty-title' }, 'No rooms are open.'),
    h('p', { className: 'room-list__empty-hint' }, 'Open one below, or press Quick play and others will find you.'),
  );
  const form = createCreateRoomForm({ createRoom: actions.createRoom });
  const element = h(
    'section',
    { className: 'panel panel--rooms', attrs: { 'aria-labelledby': 'rooms-heading' } },
    h(
      'header',
      { className: 'panel__head' },
      h('h2', { className: 'panel__title', attrs: { id: 'rooms-heading' } }, 'Rooms'),
      count,
    ),
    list,
    empty,
    form.element,
  );

  /** Join buttons pressed and still waiting, so a double click does not join twice. */
  const joining = new Set<string>();
  /** Rows by room id, kept while the room is unchanged so only new rooms animate in. */
  let rows = new Map<string, { room: RoomSummary; row: HTMLLIElement }>();
  let shown: LobbyState['rooms'] | null = null;

  function render(state: LobbyState): void {
    if (state.rooms === shown) return;
    const first = shown === null;
    shown = state.rooms;
    count.textContent = String(state.rooms.length);
    const next = new Map<string, { room: RoomSummary; row: HTMLLIElement }>();
    // Newest first: the server lists rooms in the order they opened.
    for (const room of [...state.rooms].reverse()) {
      const known = rows.get(room.id);
      const row = known?.room === room ? known.row : roomRow(room, !known && !first);
      next.set(room.id, { room, row });
    }
    rows = next;
    const wanted = [...next.values()].map(({ row }) => row);
    if (wanted.length !== list.children.length || wanted.some((row, i) => list.children[i] !== row)) {
      list.replaceChildren(...wanted);
    }
    empty.hidden = state.rooms.length > 0;
  }

  function roomRow(room: RoomSummary, isNew: boolean): HTMLLIElement {
    const full = !hasFreeSlot(room);
    const join = h(
      'button',
      { className: 'button button--join', attrs: { type: 'button', 'aria-label': `Join ${room.name}` } },
      full ? 'Full' : 'Join',
    );
    join.disabled = full || joining.has(room.id);
    join.addEventListener('click', () => {
      joining.add(room.id);
      join.disabled = true;
      // Entering the room moves the page there; a refusal comes back as a notice on the lobby.
      actions
        .joinRoom(room.id)
        .catch(() => {})
        .finally(() => joining.delete(room.id));
    });
    const row = h(
      'li',
      { className: `room-card${full ? ' room-card--full' : ''}${isNew ? ' is-new' : ''}` },
      h(
        'div',
        { className: 'room-card__main' },
        h('span', { className: 'room-card__name' }, room.name),
        h('span', { className: `state-badge state-badge--${room.state}` }, STATE_LABEL[room.state]),
      ),
      seats(room),
      join,
    );
    row.dataset.roomId = room.id;
    return row;
  }

  render(lobby.getState());
  const unsubscribe = lobby.subscribe(render);
  return {
    element,
    dispose() {
      unsubscribe();
      form.dispose();
    },
  };
}

/** Players out of seats, as a row of pips and a count. */
function seats(room: RoomSummary): HTMLElement {
  const max = Math.min(Math.max(room.max_players, 1), MAX_PLAYERS_LIMIT);
  const pips = h('span', { className: 'seats__pips', attrs: { 'aria-hidden': 'true' } });
  // Up to eight seats in a row; bigger rooms fold into two.
  pips.style.setProperty('--rows', max > 8 ? '2' : '1');
  for (let i = 0; i < max; i++) pips.append(h('span', { className: i < room.players ? 'pip pip--taken' : 'pip' }));
  return h(
    'span',
    { className: 'seats', attrs: { title: `${room.players} of ${room.max_players} players` } },
    pips,
    h('span', { className: 'seats__count' }, `${room.players}/${room.max_players}`),
  );
}
