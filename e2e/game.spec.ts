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
  tab,
  test,
  uniqueNickname,
  userIdOf,
} from './support/fixtures.ts';
import { holdAndMeasure, positionOf } from './support/ship-motion.ts';
import { CATCH_DEADLINE_MS, catchStarSeenByBoth, roundWaitMs, waitForStarRound } from './support/star-catch.ts';

/** The promise: a move in one tab shows in another within this. */
const MOVE_SEEN_DEADLINE_MS = 500;

test.describe
  .serial('playing: two tabs over WebRTC, one over the WebSocket', () => {
    let ann: Player;
    let ben: Player;
    let cal: Player;
    let roomId: string;

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
      const annId = await userIdOf(ann);
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
      const calId = await userIdOf(cal);
      const delay = await holdAndMeasure(tab(cal), tab(ann), calId);
      console.log(`move seen tab→tab from a WebSocket player: ${delay.toFixed(1)} ms`);
      expect(delay).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const { net } = await readState(tab(cal));
      console.log(`${cal.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      expect((await readState(tab(ann))).net.transport).toBe('webrtc');
    });

    test("a star collected by A raises A's score in both tabs", async () => {
      test.setTimeout(roundWaitMs() + CATCH_DEADLINE_MS + 20_000);
      const [a, b] = [tab(ann), tab(ben)];
      const annId = await userIdOf(ann);
      const round = await waitForStarRound(a);
      // The catch plays a sound in A's tab (its key presses unlock audio): that must not throw either.
      const errors: Error[] = [];
      const onError = (error: Error): void => {
        errors.push(error);
      };
      a.on('pageerror', onError);
      try {
        await catchStarSeenByBoth({ a, userId: annId, nickname: ann.nickname, b, round });
        expect(errors, 'errors thrown in A’s tab while it played').toEqual([]);
      } finally {
        a.off('pageerror', onError);
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
