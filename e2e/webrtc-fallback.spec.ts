import type { Page } from '@playwright/test';
import { AdminPath } from '@starcatch/shared';
import { E2E_ADMIN_TOKEN } from './support/env.ts';
import {
  createRoomWithHandle,
  expect,
  joinRoomWithHandle,
  type Player,
  readState,
  sharedServerUrl,
  signedInPlayer,
  tab,
  test,
  uniqueNickname,
  userIdOf,
} from './support/fixtures.ts';

/** One change of what a page saw, stamped with the page's epoch clock. */
interface Seen<T> {
  readonly at: number;
  readonly value: T;
}

declare global {
  interface Window {
    /** Written by `recordInPage`: every change of the watched value, in order. */
    __seen?: Seen<string>[];
  }
}

/**
 * Records, inside the page every 5 ms, each change of what `pick` reads from `state()`:
 * Playwright round trips are far slower than a short WebSocket spell, so polling from the test
 * could miss it.
 */
async function recordInPage(page: Page, pick: 'ownTransport' | 'memberTransports', userId = ''): Promise<void> {
  await page.evaluate(
    ({ what, id }) => {
      const seen: { at: number; value: string }[] = [];
      window.__seen = seen;
      const read = (): string => {
        const state = window.__starcatch?.state();
        if (!state) return 'none';
        if (what === 'ownTransport') return String(state.net.transport);
        const member = state.room?.members.find((candidate) => candidate.id === id);
        return member ? member.transports.join(',') : 'absent';
      };
      setInterval(() => {
        const value = read();
        if (seen.at(-1)?.value !== value) seen.push({ at: performance.timeOrigin + performance.now(), value });
      }, 5);
    },
    { what: pick, id: userId },
  );
}

const seenIn = (page: Page): Promise<Seen<string>[]> => page.evaluate(() => window.__seen ?? []);

/** The values after the first change at or after `since`, in order, duplicates folded. */
const valuesSince = (seen: readonly Seen<string>[], since: number): string[] =>
  seen.filter((entry) => entry.at >= since).map((entry) => entry.value);

test.describe
  .serial('WebRTC fallback: the server drops a tab’s peer', () => {
    let ann: Player;
    let ben: Player;

    test.beforeAll(async ({ browser }) => {
      [ann, ben] = await Promise.all([
        signedInPlayer(browser, sharedServerUrl(), uniqueNickname('Ann')),
        signedInPlayer(browser, sharedServerUrl(), uniqueNickname('Ben')),
      ]);
    });

    test.afterAll(async () => {
      await Promise.all([ann, ben].map((player) => player?.context.close()));
    });

    test('the tab plays on over the WebSocket, then returns to WebRTC', async ({ request }) => {
      const room = await createRoomWithHandle(tab(ann), uniqueNickname('Fallback'), 4);
      expect(await joinRoomWithHandle(tab(ben), room.id)).toMatchObject({ ok: true });
      for (const player of [ann, ben]) {
        await expect
          .poll(async () => (await readState(tab(player))).net)
          .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
      }
      const annId = await userIdOf(ann);
      await recordInPage(tab(ann), 'ownTransport');
      await recordInPage(tab(ben), 'memberTransports', annId);
      await expect.poll(async () => (await seenIn(tab(ben))).at(-1)?.value).toBe('webrtc');
      const webSocketRttBefore = (await readState(tab(ann))).net.rttByTransport.websocket;

      const droppedAt = Date.now();
      const response = await request.post(AdminPath.closePeers(annId), {
        headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` },
      });
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual({ closed: 1 });

      // Ann's tab switches to the WebSocket, and her inputs are acknowledged over it meanwhile.
      await expect.poll(async () => valuesSince(await seenIn(tab(ann)), droppedAt)).toContain('websocket');
      await expect
        .poll(async () => (await readState(tab(ann))).net.rttByTransport.websocket, {
          message: 'an input sent over the WebSocket was acknowledged',
        })
        .not.toBe(webSocketRttBefore);

      // Then the client negotiates a new peer and goes back to WebRTC, with both channels open.
      await expect
        .poll(async () => (await readState(tab(ann))).net, { timeout: 20_000 })
        .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
      const annSaw = valuesSince(await seenIn(tab(ann)), droppedAt);
      expect(annSaw.slice(annSaw.indexOf('websocket'))).toEqual(['websocket', 'webrtc']);
      const ownSpell = (await seenIn(tab(ann))).filter((entry) => entry.at >= droppedAt);
      const fallbackMs = (ownSpell.at(-1)?.at ?? Number.NaN) - (ownSpell[0]?.at ?? Number.NaN);
      console.log(`Ann over the WebSocket for ${fallbackMs.toFixed(0)} ms after the server dropped her peer`);

      // The server routed her the same way, as Ben's member list shows: webrtc → websocket → webrtc.
      await expect.poll(async () => (await seenIn(tab(ben))).at(-1)?.value).toBe('webrtc');
      const benSaw = valuesSince(await seenIn(tab(ben)), droppedAt - 1000);
      expect(benSaw).toContain('websocket');
      expect(benSaw.slice(benSaw.indexOf('websocket'))).toEqual(['websocket', 'webrtc']);

      // Ben's own path was never touched.
      expect((await readState(tab(ben))).net).toMatchObject({ transport: 'webrtc' });
    });
  });
