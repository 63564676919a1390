import type { SoundEffects } from '../audio/sound-effects.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/** The key that toggles sound anywhere on the room screen except in a text field. */
export const SOUND_TOGGLE_KEY = 'KeyM';

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/** A button that turns the game's sound on and off (also the M key), showing the current choice. */
export function createSoundToggle(sounds: SoundEffects, target: Window = window): Screen {
  const element = h('button', {
    className: 'button button--ghost sound-toggle',
    attrs: { type: 'button', title: 'Sound on or off (M)', 'aria-label': 'Sound', 'aria-keyshortcuts': 'M' },
  });
  function render(enabled: boolean): void {
    // The name stays "Sound" and `aria-pressed` carries the state, as screen readers expect of a toggle.
    element.textContent = enabled ? 'Sound: on' : 'Sound: off';
    element.setAttribute('aria-pressed', String(enabled));
    element.dataset.sound = enabled ? 'on' : 'off';
  }
  render(sounds.enabled);
  const unsubscribe = sounds.subscribe(render);
  element.addEventListener('click', () => sounds.toggle());
  const onKey = (event: KeyboardEvent): void => {
    if (event.code !== SOUND_TOGGLE_KEY || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    sounds.toggle();
  };
  target.addEventListener('keydown', onKey);
  return {
    element,
    dispose() {
      unsubscribe();
      target.removeEventListener('keydown', onKey);
    },
  };
}
