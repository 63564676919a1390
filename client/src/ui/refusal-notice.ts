import type { RoomState, RoomStore } from '../state/room-store.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/** Why the player is back in the lobby instead of the room they asked for, until they dismiss it. */
export function createRefusalNotice(room: RoomStore): Screen {
  const text = h('span', { className: 'refusal__text' });
  const close = h('button', { className: 'refusal__close', attrs: { type: 'button', 'aria-label': 'Dismiss' } }, '×');
  const element = h(
    'div',
    { className: 'refusal', attrs: { role: 'alert' } },
    h('strong', { className: 'refusal__title' }, 'Could not enter the room.'),
    text,
    close,
  );
  let dismissed: RoomState['refusal'] = null;
  close.addEventListener('click', () => {
    dismissed = room.getState().refusal;
    element.hidden = true;
  });

  function render({ refusal }: RoomState): void {
    element.hidden = refusal === null || refusal === dismissed;
    if (refusal === null) return;
    // The server's message says why in words fit for players ("This room is full (8 players).").
    text.textContent = refusal.message;
    element.dataset.reason = refusal.reason;
  }

  render(room.getState());
  return { element, dispose: room.subscribe(render) };
}
