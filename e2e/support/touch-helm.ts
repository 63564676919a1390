/**
 * Steering with a finger on the touch pad, through Chromium's own touch input (CDP
 * `Input.dispatchTouchEvent`), so the page gets the pointer events a phone's touch screen makes.
 * Playwright's `page.touchscreen` only taps; a stick needs a finger held down and dragged. The
 * context must have `hasTouch`.
 */
import type { CDPSession, Page } from '@playwright/test';
import { Direction } from '@starcatch/shared';
import type { Helm } from './star-pilot.ts';

/** The touch pad's element: `ui/touch-pad.ts`. */
export const TOUCH_PAD = '.touch-pad';
/** How far (CSS pixels) the finger is dragged from where it came down: well past the stick's 14 px dead zone. */
const DRAG_PX = 60;

/** Where to drag the finger for a direction mask: one step per axis, scaled to DRAG_PX. */
function dragFor(bits: number): { dx: number; dy: number } {
  const x = (bits & Direction.right ? 1 : 0) - (bits & Direction.left ? 1 : 0);
  const y = (bits & Direction.down ? 1 : 0) - (bits & Direction.up ? 1 : 0);
  const length = Math.hypot(x, y) || 1;
  return { dx: (x / length) * DRAG_PX, dy: (y / length) * DRAG_PX };
}

/** The centre of the touch pad in viewport coordinates; throws while it is not on screen. */
export async function touchPadCentre(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator(TOUCH_PAD).boundingBox();
  if (!box || box.width === 0) throw new Error('no touch pad on the page');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * A `Helm` for the star pilot that holds a finger on the touch pad: it comes down at the pad's
 * centre and is dragged towards the direction held; `hold(0)` lifts it. `release` lifts it too
 * and ends the CDP session.
 */
export async function touchHelm(page: Page): Promise<Helm & { release(): Promise<void> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  let down: { x: number; y: number } | null = null;
  let heldBits = 0;
  const touch = (type: 'touchStart' | 'touchMove', x: number, y: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: [{ x, y, id: 1 }] });
  const lift = async (): Promise<void> => {
    if (down === null) return;
    down = null;
    heldBits = 0;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  return {
    async hold(bits) {
      if (bits === heldBits && (bits === 0 || down !== null)) return;
      if (bits === 0) return lift();
      if (down === null) {
        down = await touchPadCentre(page);
        await touch('touchStart', down.x, down.y);
      }
      const { dx, dy } = dragFor(bits);
      await touch('touchMove', down.x + dx, down.y + dy);
      heldBits = bits;
    },
    async release() {
      await lift();
      await cdp.detach().catch(() => {});
    },
  };
}
