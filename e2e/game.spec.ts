import type { Page } from '@playwright/test';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  type Player,
  readState,
  sharedServerUrl,
  signedInPlayer,
  signInWithHandle,
  test,
  uniqueNickname,
} from './support/fixtures.ts';

/** The promise: a move in one tab shows in another within this. */
const MOVE_SEEN_DEADLINE_MS = 500;

function tab(player: Player): Page {
  const page = player.tabs[0];
  if (!page) throw new Error(`${player.nickname} has no tab`);
  return page;
}

/** A player's position as `page` sees it, or null while the page knows no position for them. */
async function positionOf(page: Page, userId: string): Promise<{ x: number; y: number } | null> {
  const { game } = await readState(page);
  const player = game.players.find((candidate) => candidate.id === userId);
  return player && (player.x !== 0 || player.y !== 0) ? { x: player.x, y: player.y } : null;
}

/**
 * Resolves in `page` with the epoch time (ms) at which it first saw `userId` leave `from`. Polls
 * every 5 ms inside the page, so the figure is not padded by Playwright round trips.
 */
function whenSeenMoving(page: Page, userId: string, from: { x: number; y: number }): Promise<number> {
  return page.evaluate(
    ({ id, start }) =>
      new Promise<number>((resolve) => {
        const timer = setInterval(() => {
          const player = window.__starcatch?.state().game.players.find((candidate) => candidate.id === id);
          if (player && Math.hypot(player.x - start.x, player.y - start.y) > 1) {
            clearInterval(timer);
            resolve(performance.timeOrigin + performance.now());
          }
        }, 5);
      }),
    { id: userId, start: from },
  );
}

/** Holds `key` in `page` (with nothing focused, so the chat box does not take it) and measures A → B. */
async function holdAndMeasure(mover: Page, watcher: Page, moverId: string, key: string): Promise<number> {
  await expect.poll(() => positionOf(watcher, moverId)).not.toBeNull();
  const from = (await positionOf(watcher, moverId)) as { x: number; y: number };
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
      const delay = await holdAndMeasure(tab(ann), tab(ben), annId, 'ArrowRight');
      console.log(`move seen tab→tab over WebRTC: ${delay.toFixed(1)} ms`);
      expect(delay).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const moved = await positionOf(tab(ann), annId);
      expect(moved?.x).not.toBe(own?.x);
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
      const delay = await holdAndMeasure(tab(cal), tab(ann), calId, 'ArrowDown');
      console.log(`move seen tab→tab from a WebSocket player: ${delay.toFixed(1)} ms`);
      expect(delay).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const { net } = await readState(tab(cal));
      console.log(`${cal.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      expect((await readState(tab(ann))).net.transport).toBe('webrtc');
    });
  });
