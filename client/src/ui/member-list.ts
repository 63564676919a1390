import { PlayerTransport } from '@starcatch/shared';
import type { RoomMember } from '../state/room-members.ts';
import type { RoomState, RoomStore } from '../state/room-store.ts';
import { colorDot, h } from './dom.ts';
import type { Screen } from './screen.ts';

/** The players in the room, one row each however many tabs they have in it. */
export function createMemberList(room: RoomStore, youId: string): Screen {
  const count = h('span', { className: 'badge', attrs: { 'aria-label': 'players in the room' } });
  const list = h('ul', { className: 'online-list', attrs: { 'aria-label': 'Room members' } });
  const element = h(
    'section',
    { className: 'panel panel--members', attrs: { 'aria-labelledby': 'members-heading' } },
    h(
      'header',
      { className: 'panel__head' },
      h('h2', { className: 'panel__title', attrs: { id: 'members-heading' } }, 'Crew'),
      count,
    ),
    list,
  );

  let shown: RoomState['members'] | null = null;
  function render({ members }: RoomState): void {
    if (members === shown) return;
    shown = members;
    count.textContent = String(members.length);
    const before = new Set(Array.from(list.children, (row) => (row as HTMLElement).dataset.userId));
    list.replaceChildren(...members.map((member) => memberRow(member, member.id === youId, !before.has(member.id))));
  }

  render(room.getState());
  return { element, dispose: room.subscribe(render) };
}

function memberRow(member: RoomMember, isYou: boolean, isNew: boolean): HTMLLIElement {
  const row = h(
    'li',
    { className: `online-user${isYou ? ' online-user--you' : ''}${isNew ? ' is-new' : ''}` },
    colorDot(member.color),
    h('span', { className: 'online-user__name' }, member.nickname),
    member.tabs > 1
      ? h('span', { className: 'online-user__tabs', attrs: { title: `${member.tabs} tabs` } }, `×${member.tabs}`)
      : null,
    isYou ? h('span', { className: 'tag' }, 'you') : null,
    transportTag(member),
  );
  row.dataset.userId = member.id;
  return row;
}

/** Shows who plays over the WebSocket fallback, the path worth noticing; WebRTC is the norm. */
function transportTag(member: RoomMember): HTMLSpanElement | null {
  if (!member.transports.includes(PlayerTransport.websocket)) return null;
  return h('span', { className: 'tag tag--fallback', attrs: { title: 'Game traffic over the WebSocket' } }, 'ws');
}
