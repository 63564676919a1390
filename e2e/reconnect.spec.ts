import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBUG_PAGE, expect, readState, signInWithHandle, test, uniqueNickname } from './support/fixtures.ts';
import { startServer } from './support/server-process.ts';

test('the reconnecting banner shows while the server restarts, and the lobby comes back', async ({ browser }) => {
  // A server of its own: stopping the shared one would break the other specs.
  const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-restart-'));
  let server = await startServer({ dataDir });
  const context = await browser.newContext({ baseURL: server.baseUrl });
  try {
    const page = await context.newPage();
    const nickname = uniqueNickname('Nova');
    await page.goto(DEBUG_PAGE);
    await signInWithHandle(page, nickname);
    const banner = page.getByRole('status').filter({ hasText: 'Reconnecting' });
    await expect(banner).toBeHidden();
    const userId = (await readState(page)).session.user?.id;

    await server.stop();
    await expect(banner).toBeVisible();
    expect((await readState(page)).net.status).toBe('reconnecting');

    // Same port and DATA_DIR (so the same secret): the token stays valid across the restart.
    server = await startServer({ dataDir, port: server.port });
    await expect(banner).toBeHidden();
    await expect.poll(async () => (await readState(page)).lobby.status).toBe('joined');
    const state = await readState(page);
    expect(state.net.status).toBe('open');
    expect(state.session.user?.id).toBe(userId);
    expect(state.lobby.online.map((user) => user.nickname)).toContain(nickname);
    await expect(page.getByRole('list', { name: 'Online players' }).getByText(nickname)).toBeVisible();
  } finally {
    await context.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
