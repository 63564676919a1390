/**
 * A ship's position and score as a tab sees them, and timing a held key from one tab to another:
 * shared by the game, cluster and netcode specs.
 */
import { expect, type Page } from '@playwright/test';
import { ARENA_MAP, isFreeSpot, SHIP_RADIUS } from '@starcatch/shared';
import { readState } from './fixtures.ts';
import type { StarWatch } from './star-watch.ts';

/** How long a watcher waits to see a held key move a ship before the wait fails. */
const MOVE_WAIT_MS = 5_000;
/** A key is chosen so the ship can run this far (world units) without touching a wall. */
const FREE_RUN = 60;
/** How often a page polls its own state while timing a move (ms). */
const RECORD_INTERVAL_MS = 5;

/** A player's position as `page` sees it, or null while the page knows no position for them. */
export async function positionOf(page: Page, userId: string): Promise<{ x: number; y: number } | null> {
  const { game } = await readState(page);
  const player = game.players.find((candidate) => candidate.id === userId);
  return player && (player.x !== 0 || player.y !== 0) ? { x: player.x, y: player.y } : null;
}

export async function scoreOf(page: Page, userId: string): Promise<number> {
  const { game } = await readState(page);
  const player = game.players.find((candidate) => candidate.id === userId);
  if (!player) throw new Error(`the tab lists no player ${userId}`);
  return player.score;
}

/** The star nearest to where the tab saw the player when their score rose: the one they took. */
export function caughtStar(watch: StarWatch): { id: number; distance: number } {
  const { rise } = watch;
  if (!rise) throw new Error('the score never rose in this tab');
  let best: { id: number; distance: number } | null = null;
  for (const star of watch.stars) {
    const distance = Math.hypot(star.x - rise.x, star.y - rise.y);
    if (best === null || distance < best.distance) best = { id: star.id, distance };
  }
  if (!best) throw new Error('the tab showed no stars at all');
  return best;
}

/** An arrow key that moves a ship at `from` FREE_RUN units without touching a wall (the arena has room everywhere). */
export function freeKey(from: { x: number; y: number }): string {
  const keys = [
    ['ArrowRight', 1, 0],
    ['ArrowLeft', -1, 0],
    ['ArrowDown', 0, 1],
    ['ArrowUp', 0, -1],
  ] as const;
  for (const [key, dx, dy] of keys) {
    let clear = true;
    for (let run = 10; run <= FREE_RUN && clear; run += 10) {
      clear = isFreeSpot(ARENA_MAP, from.x + dx * run, from.y + dy * run, SHIP_RADIUS);
    }
    if (clear) return key;
  }
  throw new Error(`no free direction from (${from.x.toFixed(0)}, ${from.y.toFixed(0)})`);
}

/**
 * Resolves in `page` with the epoch time (ms) at which it first saw `userId` leave `from`; rejects
 * after MOVE_WAIT_MS saying where the page last saw them. Polls inside the page, so the figure is
 * not padded by Playwright round trips.
 */
export function whenSeenMoving(page: Page, userId: string, from: { x: number; y: number }): Promise<number> {
  return page.evaluate(
    ({ id, start, interval, limit }) =>
      new Promise<number>((resolve, reject) => {
        const began = performance.now();
        const timer = setInterval(() => {
          const player = window.__starcatch?.state().game.players.find((candidate) => candidate.id === id);
          if (player && Math.hypot(player.x - start.x, player.y - start.y) > 1) {
            clearInterval(timer);
            resolve(performance.timeOrigin + performance.now());
          } else if (performance.now() - began > limit) {
            clearInterval(timer);
            const seen = player ? `(${player.x.toFixed(1)}, ${player.y.toFixed(1)})` : 'not listed';
            reject(new Error(`not seen moving within ${limit} ms: last seen at ${seen}`));
          }
        }, interval);
      }),
    { id: userId, start: from, interval: RECORD_INTERVAL_MS, limit: MOVE_WAIT_MS },
  );
}

/**
 * Holds a key that moves `moverId`'s ship in `mover` (with nothing focused, so the chat box does not
 * take it) and resolves with how long after the key event `watcher` showed the ship moving.
 */
export async function holdAndMeasure(mover: Page, watcher: Page, moverId: string): Promise<number> {
  await expect
    .poll(() => positionOf(watcher, moverId), { message: 'the watcher sees the mover’s ship' })
    .not.toBeNull();
  const from = (await positionOf(watcher, moverId)) as { x: number; y: number };
  const key = freeKey(from);
  const seen = whenSeenMoving(watcher, moverId, from);
  await mover.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // Timed from the key event in the page: Playwright's own delivery of the key is not the game's delay.
  await mover.evaluate((code) => {
    const record = window as unknown as { pressedAt?: number };
    delete record.pressedAt;
    const listener = (event: KeyboardEvent) => {
      if (event.code !== code) return;
      window.removeEventListener('keydown', listener, true);
      record.pressedAt = performance.timeOrigin + performance.now();
    };
    window.addEventListener('keydown', listener, true);
  }, key);
  await mover.keyboard.down(key);
  try {
    const seenAt = await seen;
    const pressedAt = await mover.evaluate(() => (window as unknown as { pressedAt?: number }).pressedAt);
    if (pressedAt === undefined) throw new Error('the key never reached the page');
    return seenAt - pressedAt;
  } finally {
    await mover.keyboard.up(key);
  }
}
