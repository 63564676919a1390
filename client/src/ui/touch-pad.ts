import type { SteeringSource } from '../game/steering.ts';
import { type StickPosition, TouchStick } from '../game/touch-stick.ts';
import { h } from './dom.ts';

/** How far (CSS pixels) the knob follows the finger from the stick's centre. */
const KNOB_TRAVEL_PX = 44;

export interface TouchPad extends SteeringSource {
  readonly element: HTMLElement;
  dispose(): void;
}

/**
 * The on-screen stick for touch screens, beside the arena rather than on it, so the thumb hides no
 * play: under the arena on a phone held upright, left of it on one held sideways (styles.css shows
 * it only where the main pointer is a finger). Wherever the thumb lands in the pad becomes the
 * stick's centre; the knob follows the finger and the ship steers the same eight ways as the keys.
 */
export function createTouchPad(): TouchPad {
  const knob = h('span', { className: 'touch-pad__knob' });
  const base = h('span', { className: 'touch-pad__base' }, knob);
  const element = h(
    'div',
    { className: 'touch-pad', attrs: { 'aria-hidden': 'true' } },
    base,
    h('span', { className: 'touch-pad__hint' }, 'Drag to steer'),
  );
  const stick = new TouchStick(element, { onChange: (position) => draw(position) });

  function draw(position: StickPosition): void {
    element.classList.toggle('is-active', position.active);
    if (!position.active) {
      base.style.removeProperty('left');
      base.style.removeProperty('top');
      knob.style.removeProperty('transform');
      return;
    }
    const pad = element.getBoundingClientRect();
    base.style.left = `${position.originX - pad.left}px`;
    base.style.top = `${position.originY - pad.top}px`;
    const dx = position.x - position.originX;
    const dy = position.y - position.originY;
    const scale = Math.min(1, KNOB_TRAVEL_PX / (Math.hypot(dx, dy) || 1));
    knob.style.transform = `translate(${dx * scale}px, ${dy * scale}px)`;
  }

  return {
    element,
    bits: () => stick.bits(),
    dispose() {
      stick.dispose();
    },
  };
}
