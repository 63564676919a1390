/**
 * One star caught in one tab and checked in another: the star test of the game, cluster and netcode
 * specs. The pilot (star-pilot.ts) flies, both tabs record (star-watch.ts), then what both tabs must
 * show is asserted here.
 */
import { expect, type Page } from '@playwright/test';
import { INTERMISSION_SECONDS, SHIP_RADIUS, STAR_RADIUS } from '@starcatch/shared';
import { readState } from './fixtures.ts';
import { caughtStar, scoreOf } from './ship-motion.ts';
import { flyToStars } from './star-pilot.ts';
import { readStarWatch, type StarWatch, startStarWatch, stopStarWatch } from './star-watch.ts';

/** Round time a star test needs left before it starts, so no round ends (and resets scores) under it. */
export const MIN_ROUND_LEFT_MS = 25_000;
/** The pilot's budget for one star; it takes about 2–5 s from anywhere in the arena. */
export const CATCH_DEADLINE_MS = 20_000;
/**
 * A star is taken when ship and star overlap; the tab's position of the ship may be one snapshot
 * (50 ms, 16 units at full speed) older than the catch, hence the slack.
 */
const CAUGHT_STAR_DISTANCE = SHIP_RADIUS + STAR_RADIUS + 40;

/** Longest wait for a round with `minLeftMs` left: the rest of a round that is too short, then the intermission. */
export function roundWaitMs(minLeftMs = MIN_ROUND_LEFT_MS): number {
  return minLeftMs + INTERMISSION_SECONDS * 1000 + 5_000;
}

/** Waits until `page` shows a round in play with more than `minLeftMs` left and stars on the field; its number. */
export async function waitForStarRound(page: Page, minLeftMs = MIN_ROUND_LEFT_MS): Promise<number> {
  await expect
    .poll(
      async () => {
        const { round, stars } = (await readState(page)).game;
        return round.phase === 'playing' && (round.remainingMs ?? 0) > minLeftMs && stars.length > 0;
      },
      { timeout: roundWaitMs(minLeftMs), message: `a round with ${minLeftMs} ms left and stars on the field` },
    )
    .toBe(true);
  return (await readState(page)).game.round.round;
}

export interface StarCatchOptions {
  /** The pilot's tab and player. */
  readonly a: Page;
  readonly userId: string;
  readonly nickname: string;
  /** The tab that watches. */
  readonly b: Page;
  /** The round the catch must happen in (`waitForStarRound`). */
  readonly round: number;
  /** How the log names the two tabs. */
  readonly names?: { readonly a: string; readonly b: string };
}

/**
 * Flies the player's ship in tab A until their score rises, with both tabs recording, then checks
 * that the star taken is where A's ship was, that it leaves both tabs, that the score rises in
 * both, and that all of it happened in `round`. Logs how long B took to show it after A.
 */
export async function catchStarSeenByBoth(options: StarCatchOptions): Promise<void> {
  const { a, b, userId, round } = options;
  const names = options.names ?? { a: "A's tab", b: "B's tab" };
  const before = { a: await scoreOf(a, userId), b: await scoreOf(b, userId) };
  await Promise.all([startStarWatch(a, userId, before.a), startStarWatch(b, userId, before.b)]);
  try {
    const run = await flyToStars(a, userId, before.a, CATCH_DEADLINE_MS);
    console.log(`${options.nickname} caught a star ${run.elapsedMs} ms after the first key (targets ${run.targets})`);
    expect((await readState(a)).game.round.round, 'the round ended while the ship flew').toBe(round);

    const seenByA = await readStarWatch(a);
    const caught = caughtStar(seenByA);
    expect(caught.distance, `star ${caught.id} is where A's ship was when its score rose`).toBeLessThan(
      CAUGHT_STAR_DISTANCE,
    );
    for (const page of [a, b]) {
      await expect
        .poll(async () => (await readState(page)).game.stars.map((star) => star.id), {
          message: `star ${caught.id} leaves the tab`,
        })
        .not.toContain(caught.id);
    }
    await expect
      .poll(async () => (await readStarWatch(b)).rise, { message: "A's score rises in B's tab" })
      .not.toBeNull();
    expect(await scoreOf(a, userId)).toBeGreaterThanOrEqual(before.a + 1);
    expect(await scoreOf(b, userId)).toBeGreaterThanOrEqual(before.b + 1);

    const seenByB = await readStarWatch(b);
    const riseA = seenByA.rise as NonNullable<StarWatch['rise']>;
    const riseB = seenByB.rise as NonNullable<StarWatch['rise']>;
    const goneIn = (watch: StarWatch) => watch.stars.find((star) => star.id === caught.id)?.goneAt ?? null;
    const goneA = goneIn(await readStarWatch(a));
    const goneB = goneIn(seenByB);
    const sinceA = (at: number | null) => (at === null ? '?' : `${(at - riseA.at).toFixed(1)} ms`);
    console.log(
      `relative to ${names.a} showing the new score: ${names.b} shows it ${sinceA(riseB.at)}; ` +
        `star ${caught.id} leaves A ${sinceA(goneA)}, B ${sinceA(goneB)}`,
    );
    expect(round, 'the round ended before B saw the score').toBe((await readState(b)).game.round.round);
  } finally {
    await Promise.all([stopStarWatch(a), stopStarWatch(b)]);
  }
}
