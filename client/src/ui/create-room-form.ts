import { DEFAULT_MAX_PLAYERS, MAX_PLAYERS_LIMIT, ROOM_NAME_MAX_LENGTH } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/** Name and size in, a new room out; the player is taken into it once it is joined. */
export function createCreateRoomForm({ createRoom }: Pick<Actions, 'createRoom'>): Screen {
  let disposed = false;
  const name = h('input', {
    className: 'text-input text-input--compact',
    attrs: {
      id: 'room-name',
      name: 'name',
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: String(ROOM_NAME_MAX_LENGTH),
      placeholder: 'e.g. Nebula Nine',
    },
  });
  const size = h('select', { className: 'select-input', attrs: { id: 'room-size', name: 'max_players' } });
  for (let n = 1; n <= MAX_PLAYERS_LIMIT; n++) {
    const option = h('option', { attrs: { value: String(n) } }, n === 1 ? '1 (solo)' : String(n));
    if (n === DEFAULT_MAX_PLAYERS) option.selected = true;
    size.append(option);
  }
  const error = h('p', { className: 'form-error form-error--compact', attrs: { role: 'alert' } });
  const button = h('button', { className: 'button button--secondary', attrs: { type: 'submit' } }, 'Create room');
  const element = h(
    'form',
    { className: 'create-room', attrs: { 'aria-labelledby': 'create-room-heading', novalidate: '' } },
    h('h3', { className: 'create-room__title', attrs: { id: 'create-room-heading' } }, 'Open a room'),
    h(
      'div',
      { className: 'create-room__fields' },
      h(
        'div',
        { className: 'create-room__field create-room__field--name' },
        h('label', { className: 'field-label', attrs: { for: 'room-name' } }, 'Room name'),
        name,
      ),
      h(
        'div',
        { className: 'create-room__field' },
        h('label', { className: 'field-label', attrs: { for: 'room-size' } }, 'Max players'),
        size,
      ),
      button,
    ),
    error,
  );

  element.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    setBusy(true);
    error.textContent = '';
    // Success navigates to the room; this form goes away with the lobby.
    createRoom(name.value, Number(size.value)).then(
      () => setBusy(false),
      (reason: unknown) => {
        setBusy(false);
        if (disposed) return;
        error.textContent = reason instanceof Error ? reason.message : String(reason);
        name.focus();
      },
    );
  });

  function setBusy(busy: boolean): void {
    if (disposed) return;
    button.disabled = busy;
    button.textContent = busy ? 'Opening…' : 'Create room';
  }

  return {
    element,
    dispose() {
      disposed = true;
    },
  };
}
