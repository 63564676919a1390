import type { Page } from '@playwright/test';

/** How often the in-page watcher reads `state()`: often enough that its times are the page's, not a poll's. */
const WATCH_INTERVAL_MS = 5;

/** A star as one tab saw it: where it was, and the epoch time (ms) it left the tab's `stars`. */
export interface WatchedStar {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly goneAt: number | null;
}

/** The first moment a tab showed the watched player's score above the baseline. */
export interface ScoreRise {
  /** Epoch time (ms) in the page. */
  readonly at: number;
  readonly score: number;
  /** The player's position in that tab at that moment (the newest snapshot's). */
  readonly x: number;
  readonly y: number;
}

export interface StarWatch {
  readonly rise: ScoreRise | null;
  readonly stars: readonly WatchedStar[];
}

interface WatchRecord {
  timer: number;
  rise: ScoreRise | null;
  stars: Record<number, { id: number; x: number; y: number; goneAt: number | null }>;
}

/**
 * Starts recording, inside `page`, every star the tab shows and when each one goes, and when
 * `userId`'s score first exceeds `above`. Read it with `readStarWatch`, stop it with `stopStarWatch`.
 * Recording in the page keeps Playwright's round trips out of the times.
 */
export async function startStarWatch(page: Page, userId: string, above: number): Promise<void> {
  await page.evaluate(
    ({ id, baseline, interval }) => {
      const holder = window as unknown as { starWatch?: WatchRecord };
      if (holder.starWatch) clearInterval(holder.starWatch.timer);
      const record: WatchRecord = { timer: 0, rise: null, stars: {} };
      const look = (): void => {
        const game = window.__starcatch?.state().game;
        if (!game) return;
        const now = performance.timeOrigin + performance.now();
        const present = new Set(game.stars.map((star) => star.id));
        for (const star of game.stars) record.stars[star.id] ??= { id: star.id, x: star.x, y: star.y, goneAt: null };
        for (const star of Object.values(record.stars)) {
          if (star.goneAt === null && !present.has(star.id)) star.goneAt = now;
        }
        const player = game.players.find((candidate) => candidate.id === id);
        if (record.rise === null && player && player.score > baseline) {
          record.rise = { at: now, score: player.score, x: player.x, y: player.y };
        }
      };
      look();
      record.timer = window.setInterval(look, interval);
      holder.starWatch = record;
    },
    { id: userId, baseline: above, interval: WATCH_INTERVAL_MS },
  );
}

export function readStarWatch(page: Page): Promise<StarWatch> {
  return page.evaluate(() => {
    const record = (window as unknown as { starWatch?: WatchRecord }).starWatch;
    if (!record) throw new Error('no star watch in this page: call startStarWatch first');
    return { rise: record.rise, stars: Object.values(record.stars) };
  });
}

export async function stopStarWatch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const holder = window as unknown as { starWatch?: WatchRecord };
    if (holder.starWatch) clearInterval(holder.starWatch.timer);
    delete holder.starWatch;
  });
}
