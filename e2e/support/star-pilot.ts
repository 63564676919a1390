import type { Page } from '@playwright/test';
import { bitsFromStick, Direction } from '@starcatch/shared';
import { readState } from './fixtures.ts';
import { routeToNearestStar } from './star-route.ts';

/** How often the pilot reads the tab and re-aims: a few snapshots (50 ms apart) per correction. */
export const PILOT_STEP_MS = 60;
/**
 * Within this route length of the star the pilot stops flying and nudges: it lets the ship come to
 * rest, then taps the keys briefly towards the star. The tab's position lags the keys by a round
 * trip and a snapshot; flying at full speed on it can orbit a star (3–25% of 400 simulated
 * approaches with 130–300 ms of lag), while nudging from rest caught all 400 with up to 600 ms.
 */
const NUDGE_RANGE = 160;
/** A tap lasts this long per world unit to the star, within the bounds below. */
const NUDGE_MS_PER_UNIT = 1.6;
const NUDGE_MIN_MS = 40;
const NUDGE_MAX_MS = 200;
/** A ship is at rest when it moved less than this between two readings. */
const AT_REST_UNITS = 0.5;
/** If a tap moved nothing (pressed into a wall) the pilot tries again after this. */
const NUDGE_RETRY_MS = 1000;

/** The arrow key for each direction bit. */
const KEY_FOR: ReadonlyArray<readonly [number, string]> = [
  [Direction.up, 'ArrowUp'],
  [Direction.down, 'ArrowDown'],
  [Direction.left, 'ArrowLeft'],
  [Direction.right, 'ArrowRight'],
];

/**
 * How the pilot steers: holds the direction `bits` (a `Direction` mask; 0 lets go) the way a player
 * would. `keyboardHelm` (the default) holds arrow keys; `touchHelm` (touch-helm.ts) drags a finger
 * on the touch pad.
 */
export interface Helm {
  hold(bits: number): Promise<void>;
}

/** Steers with real arrow key presses: exactly the keys for the bits held are down. */
export function keyboardHelm(page: Page): Helm {
  const held = new Set<string>();
  return { hold: (bits) => holdOnly(page, held, bits) };
}

export interface PilotRun {
  /** From the start of the flight until the tab showed the player's score above `above`. */
  readonly elapsedMs: number;
  /** The ids of the stars steered at, in order (a star taken by someone else changes the target). */
  readonly targets: readonly number[];
}

/**
 * Flies `userId`'s ship in `page` with real key presses (or another `helm`, such as the touch pad)
 * until the tab shows their score above `above`: every PILOT_STEP_MS it reads the ship and the
 * stars from `state()`, plans a route round the walls to the nearest reachable star, and holds the
 * direction that points along it (tapping it near the star, see NUDGE_RANGE). Throws after
 * `limitMs`, saying where the ship was and what it was after. Focus is taken off any text field
 * first, so the chat box does not swallow the keys.
 */
export async function flyToStars(
  page: Page,
  userId: string,
  above: number,
  limitMs: number,
  helm: Helm = keyboardHelm(page),
): Promise<PilotRun> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const targets: number[] = [];
  const started = Date.now();
  let last = 'no position yet';
  let previous: { x: number; y: number } | null = null;
  let nudgedAt = Number.NEGATIVE_INFINITY;
  let movedSinceNudge = true;
  try {
    for (;;) {
      const { game } = await readState(page);
      const you = game.players.find((player) => player.id === userId);
      if (you && you.score > above) return { elapsedMs: Date.now() - started, targets };
      if (Date.now() - started > limitMs) {
        throw new Error(
          `No star caught within ${limitMs} ms: the ship was at ${last}, stars steered at: [${targets.join(', ')}], ` +
            `round ${game.round.round} ${game.round.phase}, ${game.stars.length} stars on the field`,
        );
      }
      const ship = you && (you.x !== 0 || you.y !== 0) ? { x: you.x, y: you.y } : null;
      const route = ship ? routeToNearestStar(ship, game.stars) : null;
      const moving =
        ship !== null && previous !== null && Math.hypot(ship.x - previous.x, ship.y - previous.y) >= AT_REST_UNITS;
      if (moving) movedSinceNudge = true;
      const atRest = ship !== null && previous !== null && !moving;
      previous = ship;
      if (ship) last = `(${ship.x.toFixed(0)}, ${ship.y.toFixed(0)})`;
      if (route && targets.at(-1) !== route.star.id) targets.push(route.star.id);

      if (!ship || !route) {
        await helm.hold(0);
      } else {
        const bits = bitsFromStick(route.aim.x - ship.x, route.aim.y - ship.y);
        if (route.length > NUDGE_RANGE) {
          await helm.hold(bits);
        } else if (atRest && (movedSinceNudge || Date.now() - nudgedAt > NUDGE_RETRY_MS)) {
          // The tab shows the ship still only once the last tap's movement has come and gone.
          const distance = Math.hypot(route.aim.x - ship.x, route.aim.y - ship.y);
          await helm.hold(bits);
          await sleep(Math.min(NUDGE_MAX_MS, Math.max(NUDGE_MIN_MS, distance * NUDGE_MS_PER_UNIT)));
          await helm.hold(0);
          nudgedAt = Date.now();
          movedSinceNudge = false;
        } else {
          await helm.hold(0);
        }
      }
      await sleep(PILOT_STEP_MS);
    }
  } finally {
    await helm.hold(0);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Presses and releases arrow keys so that exactly those for `bits` are down. */
async function holdOnly(page: Page, held: Set<string>, bits: number): Promise<void> {
  for (const [bit, key] of KEY_FOR) {
    const wanted = (bits & bit) !== 0;
    if (wanted && !held.has(key)) {
      await page.keyboard.down(key);
      held.add(key);
    } else if (!wanted && held.has(key)) {
      await page.keyboard.up(key);
      held.delete(key);
    }
  }
}
