import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  onlineAmong,
  type Player,
  readState,
  reportProblems,
  sendChatWithHandle,
  sharedServerUrl,
  signedInPlayer,
  signInWithHandle,
  tab,
  test,
  uniqueNickname,
  userIdOf,
} from './support/fixtures.ts';
import { type RunningServer, startServer } from './support/server-process.ts';

/**
 * The client's `longPollFallbackMs` (2.5 s) plus its first LongPoll round trips: the blocked tab is
 * on LongPoll well within this.
 */
const FALLBACK_DEADLINE_MS = 10_000;
/** A chat message reaches the other tab within this, whichever transport each tab uses. */
const CHAT_DEADLINE_MS = 1_000;

/** Time from `from` sending a lobby message to `to` having it, as the receiving tab stamped it. */
async function chatDelay(from: Page, to: Page, body: string): Promise<number> {
  const { message, sentAt } = await sendChatWithHandle(from, body);
  await expect
    .poll(async () => (await readState(to)).chat.lobby.map((entry) => entry.id), { timeout: CHAT_DEADLINE_MS * 5 })
    .toContain(message.id);
  const received = (await readState(to)).chat.lobby.find((entry) => entry.id === message.id);
  if (!received) throw new Error(`message ${message.id} vanished`);
  return received.receivedAt - sentAt;
}

/**
 * A signed-in player whose browser cannot use WebSockets: Playwright takes over every WebSocket to
 * /socket/websocket and neither connects it to the server nor answers it, as a proxy that swallows
 * WebSockets would. Plain HTTP, LongPoll included, goes through.
 */
async function blockedPlayer(browser: Browser, baseURL: string, nickname: string): Promise<Player> {
  const context = await browser.newContext({ baseURL });
  await context.routeWebSocket(/\/socket\/websocket/, () => {});
  const page = await context.newPage();
  reportProblems(page, nickname);
  await page.goto(DEBUG_PAGE);
  await signInWithHandle(page, nickname);
  return { nickname, context, tabs: [page] };
}

test.describe
  .serial('LongPoll fallback: a tab whose WebSocket is blocked', () => {
    let lena: Player;
    let walt: Player;

    test.beforeAll(async ({ browser }) => {
      [lena, walt] = await Promise.all([
        blockedPlayer(browser, sharedServerUrl(), uniqueNickname('Lena')),
        signedInPlayer(browser, sharedServerUrl(), uniqueNickname('Walt')),
      ]);
    });

    test.afterAll(async () => {
      await Promise.all([lena, walt].map((player) => player?.context.close()));
    });

    test('the blocked tab falls back to LongPoll and both players see each other online', async () => {
      await expect
        .poll(async () => (await readState(tab(lena))).net, { timeout: FALLBACK_DEADLINE_MS })
        .toMatchObject({ status: 'open', socketTransport: 'longpoll' });
      await expect.poll(async () => (await readState(tab(walt))).net).toMatchObject({ socketTransport: 'websocket' });
      const both = [lena.nickname, walt.nickname].sort();
      for (const player of [lena, walt]) {
        await expect.poll(() => onlineAmong(tab(player), both)).toEqual(both);
      }
    });

    test('they chat both ways', async () => {
      const toWalt = await chatDelay(tab(lena), tab(walt), 'hello from behind the proxy');
      const toLena = await chatDelay(tab(walt), tab(lena), 'hello back over long polling');
      console.log(`lobby chat LongPoll tab → WebSocket tab: ${toWalt.toFixed(1)} ms`);
      console.log(`lobby chat WebSocket tab → LongPoll tab: ${toLena.toFixed(1)} ms`);
      expect(toWalt).toBeLessThan(CHAT_DEADLINE_MS);
      expect(toLena).toBeLessThan(CHAT_DEADLINE_MS);
    });

    test('the blocked tab plays over WebRTC, negotiated over LongPoll, and the other tab sees it move', async () => {
      const room = await createRoomWithHandle(tab(lena), uniqueNickname('Proxy'), 4);
      expect(await joinRoomWithHandle(tab(walt), room.id)).toMatchObject({ ok: true, room: { id: room.id } });
      for (const player of [lena, walt]) {
        await expect
          .poll(async () => (await readState(tab(player))).net, { timeout: 15_000 })
          .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
      }
      // The offer, answer and ICE candidates went over the only socket the tab has: LongPoll.
      expect((await readState(tab(lena))).net.socketTransport).toBe('longpoll');

      const lenaId = await userIdOf(lena);
      const seenBy = async (page: Page) =>
        (await readState(page)).game.players.find((player) => player.id === lenaId) ?? null;
      await expect.poll(() => seenBy(tab(walt))).not.toBeNull();
      const before = await seenBy(tab(walt));
      const page = tab(lena);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.down('ArrowRight');
      try {
        await expect
          .poll(async () => {
            const now = await seenBy(tab(walt));
            return now && before ? Math.hypot(now.x - before.x, now.y - before.y) : 0;
          })
          .toBeGreaterThan(1);
      } finally {
        await page.keyboard.up('ArrowRight');
      }
      const { net } = await readState(tab(lena));
      console.log(
        `${lena.nickname}: rtt (input → ack) over ${net.transport} with a LongPoll socket: ${net.rtt?.toFixed(1)} ms`,
      );
      expect(net.transport).toBe('webrtc');
    });
  });

test('after a server restart the blocked tab comes back over LongPoll and the other stays on its WebSocket', async ({
  browser,
}) => {
  test.setTimeout(60_000);
  // A server of its own: stopping the shared one would break the other specs.
  const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-longpoll-'));
  let server: RunningServer = await startServer({ dataDir, label: 'longpoll-restart' });
  const players: Player[] = [];
  try {
    const [lena, walt] = await Promise.all([
      blockedPlayer(browser, server.baseUrl, uniqueNickname('Lena')),
      signedInPlayer(browser, server.baseUrl, uniqueNickname('Walt')),
    ]);
    players.push(lena, walt);
    for (const [player, socketTransport] of [
      [lena, 'longpoll'],
      [walt, 'websocket'],
    ] as const) {
      await expect
        .poll(async () => (await readState(tab(player))).net, { timeout: FALLBACK_DEADLINE_MS })
        .toMatchObject({ status: 'open', socketTransport });
    }

    await server.stop();
    for (const player of players) {
      await expect.poll(async () => (await readState(tab(player))).net.status).toBe('reconnecting');
    }
    // Same port and DATA_DIR (so the same secret): the tokens stay valid across the restart.
    server = await startServer({ dataDir, port: server.port, label: 'longpoll-restart' });

    // phoenix.js would move the WebSocket tab to LongPoll on its first failed attempt; the client
    // keeps a WebSocket that once worked (GameSocket), so only the blocked tab polls.
    for (const [player, socketTransport] of [
      [lena, 'longpoll'],
      [walt, 'websocket'],
    ] as const) {
      await expect.poll(async () => (await readState(tab(player))).lobby.status, { timeout: 15_000 }).toBe('joined');
      expect((await readState(tab(player))).net).toMatchObject({ status: 'open', socketTransport });
    }
    const both = [lena.nickname, walt.nickname].sort();
    for (const player of players) await expect.poll(() => onlineAmong(tab(player), both)).toEqual(both);
    expect(await chatDelay(tab(walt), tab(lena), 'after the restart')).toBeLessThan(CHAT_DEADLINE_MS);
  } finally {
    await Promise.all(players.map((player) => player.context.close()));
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
