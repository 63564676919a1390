import { Direction } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { type StickPosition, TouchStick } from '../src/game/touch-stick.ts';

/** A surface with just what the stick uses: events and a style. */
function surface(): HTMLElement {
  return Object.assign(new EventTarget(), { style: {} }) as unknown as HTMLElement;
}

function pointer(type: string, fields: { x: number; y: number; id?: number; kind?: string }): Event {
  return Object.assign(new Event(type), {
    pointerId: fields.id ?? 1,
    pointerType: fields.kind ?? 'touch',
    clientX: fields.x,
    clientY: fields.y,
  });
}

describe('TouchStick', () => {
  it('steers from where the finger came down towards where it is, past a dead zone', () => {
    const target = surface();
    const stick = new TouchStick(target);
    target.dispatchEvent(pointer('pointerdown', { x: 100, y: 100 }));
    target.dispatchEvent(pointer('pointermove', { x: 105, y: 100 }));
    expect(stick.bits()).toBe(0);
    target.dispatchEvent(pointer('pointermove', { x: 160, y: 40 }));
    expect(stick.bits()).toBe(Direction.right | Direction.up);
    target.dispatchEvent(pointer('pointerup', { x: 160, y: 40 }));
    expect(stick.bits()).toBe(0);
  });

  it('ignores the mouse and a second finger', () => {
    const target = surface();
    const stick = new TouchStick(target);
    target.dispatchEvent(pointer('pointerdown', { x: 0, y: 0, kind: 'mouse' }));
    target.dispatchEvent(pointer('pointermove', { x: 100, y: 0, kind: 'mouse' }));
    expect(stick.bits()).toBe(0);
    target.dispatchEvent(pointer('pointerdown', { x: 100, y: 100, id: 1 }));
    target.dispatchEvent(pointer('pointerdown', { x: 0, y: 0, id: 2 }));
    target.dispatchEvent(pointer('pointermove', { x: 100, y: 200, id: 2 }));
    expect(stick.bits()).toBe(0);
    target.dispatchEvent(pointer('pointermove', { x: 100, y: 200, id: 1 }));
    expect(stick.bits()).toBe(Direction.down);
  });

  it('tells a view where the finger is, from touch down to lift', () => {
    const target = surface();
    const seen: StickPosition[] = [];
    new TouchStick(target, { onChange: (position) => seen.push(position) });
    target.dispatchEvent(pointer('pointerdown', { x: 50, y: 60 }));
    target.dispatchEvent(pointer('pointermove', { x: 10, y: 60 }));
    target.dispatchEvent(pointer('pointerup', { x: 10, y: 60 }));
    expect(seen).toEqual([
      { active: true, originX: 50, originY: 60, x: 50, y: 60, bits: 0 },
      { active: true, originX: 50, originY: 60, x: 10, y: 60, bits: Direction.left },
      { active: false, originX: 50, originY: 60, x: 10, y: 60, bits: 0 },
    ]);
  });
});
