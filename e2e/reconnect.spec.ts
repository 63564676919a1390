import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  createRoomWithHandle,
  expect,
  joinRoomWithHandle,
  openAnotherTab,
  type Player,
  readState,
  sendChatWithHandle,
  signedInPlayer,
  test,
  uniqueNickname,
} from './support/fixtures.ts';
import { type RunningServer, startServer } from './support/server-process.ts';

test('a server restart: every tab reconnects and rejoins, chat history stays whole, nothing typed offline is lost', async ({
  browser,
}) => {
  // Measured at 15 s alone and 28 s beside another spec on two cores: three sign-ins, a Phaser boot
  // per room tab, the server's graceful stop and reconnect backoff of up to 3 s.
  test.setTimeout(60_000);
  // A server of its own: stopping the shared one would break the other specs.
  const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-restart-'));
  let server: RunningServer = await startServer({ dataDir });
  const players: Player[] = [];
  try {
    const [ann, ben, cat] = await Promise.all(
      ['Ann', 'Ben', 'Cat'].map((name) => signedInPlayer(browser, server.baseUrl, uniqueNickname(name))),
    );
    if (!ann || !ben || !cat) throw new Error('sign-in failed');
    players.push(ann, ben, cat);
    const [annTab, benTab, catTab] = [ann, ben, cat].map((player) => player.tabs[0] as Page) as [Page, Page, Page];
    const everyTab = [annTab, benTab, catTab];
    const inRoom = [annTab, benTab];

    // Ann and Ben share a room and talk; Cat stays in the lobby and talks there.
    const room = await createRoomWithHandle(annTab, uniqueNickname('Comet'), 4);
    expect(await joinRoomWithHandle(benTab, room.id)).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) {
      await sendChatWithHandle(i % 2 ? benTab : annTab, `before ${i}`);
      await sendChatWithHandle(catTab, `lobby before ${i}`);
    }
    await waitForBodies(inRoom, 'room', ['before 0', 'before 1', 'before 2']);
    await waitForBodies(everyTab, 'lobby', ['lobby before 0', 'lobby before 1', 'lobby before 2']);
    const before = await Promise.all(everyTab.map(chatIds));

    const banner = (page: Page) => page.getByRole('status').filter({ hasText: 'Connection lost' });
    await expect(banner(annTab)).toBeHidden();

    await server.stop();
    for (const page of everyTab) await expect(banner(page)).toBeVisible();
    for (const page of everyTab) expect((await readState(page)).net.status).toBe('reconnecting');
    await expect.poll(async () => (await readState(annTab)).room?.status).toBe('rejoining');

    // Typed while the server is down: shown as sending, not lost.
    await startSendInBackground(annTab, 'typed while down (room)');
    await startSendInBackground(catTab, 'typed while down (lobby)');
    await expect(annTab.locator('.chat-line--sending')).toContainText('typed while down (room)');

    // Same port and DATA_DIR (so the same secret): the tokens stay valid across the restart.
    server = await startServer({ dataDir, port: server.port });

    for (const page of everyTab) {
      await expect(banner(page)).toBeHidden();
      await expect.poll(async () => (await readState(page)).lobby.status).toBe('joined');
      expect((await readState(page)).net.status).toBe('open');
    }
    for (const page of inRoom) {
      await expect.poll(async () => (await readState(page)).room?.status).toBe('joined');
      expect((await readState(page)).room?.id).toBe(room.id);
      await expect(page).toHaveURL(new RegExp(`#/room/${room.id}$`));
    }
    expect((await readState(catTab)).room).toBeNull();

    // What was typed offline was delivered exactly once, or is shown as failed; never silently gone.
    const roomOutcome = await offlineOutcome(annTab, inRoom, 'room', 'typed while down (room)');
    const lobbyOutcome = await offlineOutcome(catTab, everyTab, 'lobby', 'typed while down (lobby)');
    console.log(`message typed while the server was down: room ${roomOutcome}, lobby ${lobbyOutcome}`);

    // Chat after the restart reaches everyone.
    await sendChatWithHandle(benTab, 'after restart');
    await sendChatWithHandle(catTab, 'lobby after restart');
    await waitForBodies(inRoom, 'room', ['after restart']);
    await waitForBodies(everyTab, 'lobby', ['lobby after restart']);

    // Nothing lost, nothing twice: every tab kept what it had, holds each id once, and the tabs agree.
    const after = await Promise.all(everyTab.map(chatIds));
    for (const [i, ids] of after.entries()) {
      for (const scope of ['room', 'lobby'] as const) {
        expect(ids[scope]).toEqual([...new Set(ids[scope])].sort((a, b) => a - b));
        expect(ids[scope]).toEqual(expect.arrayContaining(before[i]?.[scope] ?? []));
      }
    }
    expect(after[0]?.room).toEqual(after[1]?.room);
    expect(after[0]?.lobby).toEqual(after[2]?.lobby);
    expect(after[1]?.lobby).toEqual(after[2]?.lobby);

    // The server kept it all: a tab opened now gets the same history from its join replies.
    const fresh = await openAnotherTab(ben, `#/room/${room.id}`);
    await expect.poll(async () => (await readState(fresh)).room?.status).toBe('joined');
    await expect.poll(async () => (await chatIds(fresh)).room).toEqual(after[0]?.room);
    await expect.poll(async () => (await chatIds(fresh)).lobby).toEqual(after[2]?.lobby);
  } finally {
    await Promise.all(players.map((player) => player.context.close()));
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** The chat ids a tab holds, per chat. */
async function chatIds(page: Page): Promise<{ room: number[]; lobby: number[] }> {
  const { chat } = await readState(page);
  return { room: chat.room.map((m) => m.id), lobby: chat.lobby.map((m) => m.id) };
}

async function waitForBodies(
  pages: readonly Page[],
  scope: 'room' | 'lobby',
  bodies: readonly string[],
): Promise<void> {
  for (const page of pages) {
    await expect
      .poll(async () => (await readState(page)).chat[scope].map((m) => m.body))
      .toEqual(expect.arrayContaining([...bodies]));
  }
}

/** Calls `sendChat` without waiting for it (the server is down); the outcome shows in the state and page. */
async function startSendInBackground(page: Page, text: string): Promise<void> {
  await page.evaluate((body) => {
    void window.__starcatch?.actions.sendChat(body).catch(() => {});
  }, text);
}

/**
 * Waits for a message sent while the server was down to be settled, and checks it either arrived
 * exactly once in every tab of its chat, or is shown as failed (with Retry) in the sender's tab.
 */
async function offlineOutcome(
  sender: Page,
  tabs: readonly Page[],
  scope: 'room' | 'lobby',
  body: string,
): Promise<'delivered once' | 'reported as failed'> {
  await expect
    .poll(async () => (await readState(sender)).chat.pending.find((p) => p.body === body)?.status ?? 'settled')
    .not.toBe('sending');
  const failed = (await readState(sender)).chat.pending.find((p) => p.body === body);
  if (failed) {
    expect(failed.status).toBe('failed');
    const line = sender.locator('.chat-line--failed').filter({ hasText: body });
    await expect(line).toContainText(failed.error ?? '');
    await expect(line.getByRole('button', { name: 'Retry' })).toBeVisible();
    return 'reported as failed';
  }
  for (const page of tabs) {
    await expect.poll(async () => (await readState(page)).chat[scope].filter((m) => m.body === body).length).toBe(1);
  }
  return 'delivered once';
}
