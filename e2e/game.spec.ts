import type { Page } from '@playwright/test';
import { INTERMISSION_SECONDS, SHIP_RADIUS, STAR_RADIUS } from '@starcatch/shared';
import { SOUND_STORAGE_KEY } from '../client/src/audio/sound-preference.ts';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  type Player,
  readState,
  reportProblems,
  sharedServerUrl,
  signedInPlayer,
  signInWithHandle,
  test,
  uniqueNickname,
} from './support/fixtures.ts';
import { caughtStar, holdAndMeasure, positionOf, scoreOf } from './support/ship-motion.ts';
import { flyToStars } from './support/star-pilot.ts';
import { readStarWatch, type StarWatch, startStarWatch, stopStarWatch } from './support/star-watch.ts';

/** The promise: a move in one tab shows in another within this. */
const MOVE_SEEN_DEADLINE_MS = 500;
/** Round time the star test needs left before it starts, so no round ends (and resets scores) under it. */
const MIN_ROUND_LEFT_MS = 25_000;
/** Longest wait for such a round: the rest of a round that is too short, then the intermission. */
const ROUND_WAIT_MS = MIN_ROUND_LEFT_MS + INTERMISSION_SECONDS * 1000 + 5_000;
/** The pilot's budget for one star; it takes about 2–5 s from anywhere in the arena. */
const CATCH_DEADLINE_MS = 20_000;
/**
 * A star is taken when ship and star overlap; the tab's position of the ship may be one snapshot
 * (50 ms, 16 units at full speed) older than the catch, hence the slack.
 */
const CAUGHT_STAR_DISTANCE = SHIP_RADIUS + STAR_RADIUS + 40;

function tab(player: Player): Page {
  const page = player.tabs[0];
  if (!page) throw new Error(`${player.nickname} has no tab`);
  return page;
}

test.describe
  .serial('playing: two tabs over WebRTC, one over the WebSocket', () => {
    let ann: Player;
    let ben: Player;
    let cal: Player;
    let roomId: string;

    const idOf = async (player: Player): Promise<string> => {
      const { session } = await readState(tab(player));
      if (!session.user) throw new Error(`${player.nickname} is not signed in`);
      return session.user.id;
    };

    test.beforeAll(async ({ browser }) => {
      const [annName, benName, calName] = ['Ann', 'Ben', 'Cal'].map(uniqueNickname) as [string, string, string];
      [ann, ben] = await Promise.all([
        signedInPlayer(browser, sharedServerUrl(), annName),
        signedInPlayer(browser, sharedServerUrl(), benName),
      ]);
      const context = await browser.newContext({ baseURL: sharedServerUrl() });
      const page = await context.newPage();
      reportProblems(page, calName);
      await page.goto(`${DEBUG_PAGE}&rtc=off`);
      await signInWithHandle(page, calName);
      cal = { nickname: calName, context, tabs: [page] };
    });

    test.afterAll(async () => {
      await Promise.all([ann, ben, cal].map((player) => player?.context.close()));
    });

    test('two tabs in a room both play over WebRTC with both channels open', async () => {
      const room = await createRoomWithHandle(tab(ann), uniqueNickname('Arena'), 8);
      roomId = room.id;
      expect(await joinRoomWithHandle(tab(ben), roomId)).toMatchObject({ ok: true, room: { id: roomId } });
      for (const player of [ann, ben]) {
        await expect
          .poll(async () => (await readState(tab(player))).net)
          .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
        const { net } = await readState(tab(player));
        console.log(`${player.nickname}: offer → both DataChannels open ${net.rtcOpenMs?.toFixed(0)} ms`);
      }
    });

    test('a held key moves the ship, and the other tab sees it within 500 ms', async () => {
      const annId = await idOf(ann);
      const own = await positionOf(tab(ann), annId);
      const delay = await holdAndMeasure(tab(ann), tab(ben), annId);
      console.log(`move seen tab→tab over WebRTC: ${delay.toFixed(1)} ms`);
      expect(delay).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const moved = await positionOf(tab(ann), annId);
      expect(moved).not.toEqual(own);
      for (const player of [ann, ben]) {
        const { net } = await readState(tab(player));
        console.log(`${player.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      }
    });

    test('a tab with ?rtc=off plays over the WebSocket and the others see it', async () => {
      expect(await joinRoomWithHandle(tab(cal), roomId)).toMatchObject({ ok: true, room: { id: roomId } });
      await expect
        .poll(async () => (await readState(tab(cal))).net)
        .toMatchObject({ transport: 'websocket', dataChannels: { events: false, state: false } });
      const calId = await idOf(cal);
      const delay = await holdAndMeasure(tab(cal), tab(ann), calId);
      console.log(`move seen tab→tab from a WebSocket player: ${delay.toFixed(1)} ms`);
      expect(delay).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const { net } = await readState(tab(cal));
      console.log(`${cal.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      expect((await readState(tab(ann))).net.transport).toBe('webrtc');
    });

    test("a star collected by A raises A's score in both tabs", async () => {
      test.setTimeout(ROUND_WAIT_MS + CATCH_DEADLINE_MS + 20_000);
      const [a, b] = [tab(ann), tab(ben)];
      const annId = await idOf(ann);
      await expect
        .poll(
          async () => {
            const { round, stars } = (await readState(a)).game;
            return round.phase === 'playing' && (round.remainingMs ?? 0) > MIN_ROUND_LEFT_MS && stars.length > 0;
          },
          { timeout: ROUND_WAIT_MS, message: `a round with ${MIN_ROUND_LEFT_MS} ms left and stars on the field` },
        )
        .toBe(true);
      const { round } = (await readState(a)).game;
      // The catch plays a sound in A's tab (its key presses unlock audio): that must not throw either.
      const errors: Error[] = [];
      const onError = (error: Error): void => {
        errors.push(error);
      };
      a.on('pageerror', onError);
      const before = { a: await scoreOf(a, annId), b: await scoreOf(b, annId) };
      await Promise.all([startStarWatch(a, annId, before.a), startStarWatch(b, annId, before.b)]);
      try {
        const run = await flyToStars(a, annId, before.a, CATCH_DEADLINE_MS);
        console.log(`${ann.nickname} caught a star ${run.elapsedMs} ms after the first key (targets ${run.targets})`);
        expect((await readState(a)).game.round.round, 'the round ended while the ship flew').toBe(round.round);

        const seenByA = await readStarWatch(a);
        const caught = caughtStar(seenByA);
        expect(caught.distance, `star ${caught.id} is where A's ship was when its score rose`).toBeLessThan(
          CAUGHT_STAR_DISTANCE,
        );
        for (const page of [a, b]) {
          await expect
            .poll(async () => (await readState(page)).game.stars.map((star) => star.id))
            .not.toContain(caught.id);
        }
        await expect.poll(async () => (await readStarWatch(b)).rise).not.toBeNull();
        expect(await scoreOf(a, annId)).toBeGreaterThanOrEqual(before.a + 1);
        expect(await scoreOf(b, annId)).toBeGreaterThanOrEqual(before.b + 1);

        const seenByB = await readStarWatch(b);
        const riseA = seenByA.rise as NonNullable<StarWatch['rise']>;
        const riseB = seenByB.rise as NonNullable<StarWatch['rise']>;
        const goneIn = (watch: StarWatch) => watch.stars.find((star) => star.id === caught.id)?.goneAt ?? null;
        const goneA = goneIn(await readStarWatch(a));
        const goneB = goneIn(seenByB);
        const sinceA = (at: number | null) => (at === null ? '?' : `${(at - riseA.at).toFixed(1)} ms`);
        console.log(
          `relative to A's tab showing the new score: B shows it ${sinceA(riseB.at)}; ` +
            `star ${caught.id} leaves A ${sinceA(goneA)}, B ${sinceA(goneB)}`,
        );
        expect(round.round, 'the round ended before B saw the score').toBe((await readState(b)).game.round.round);
        expect(errors, 'errors thrown in A’s tab while it played').toEqual([]);
      } finally {
        a.off('pageerror', onError);
        await Promise.all([stopStarWatch(a), stopStarWatch(b)]);
      }
    });

    test('M and the sound button turn sound off and on, and the choice is remembered', async () => {
      const page = tab(cal);
      const toggle = page.locator('.sound-toggle');
      const stored = () => page.evaluate((key) => localStorage.getItem(key), SOUND_STORAGE_KEY);
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('KeyM');
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      expect(await stored()).toBe('off');
      // Typing an "m" into the chat box is a letter, not a toggle.
      const chatBox = page.getByPlaceholder('Message your crew…');
      await chatBox.press('KeyM');
      await expect(chatBox).toHaveValue('m');
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      await chatBox.fill('');
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      expect(await stored()).toBe('on');
    });
  });
