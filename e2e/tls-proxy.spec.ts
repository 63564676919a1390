/**
 * Behind a reverse proxy with TLS: Debian's nginx runs the shipped `deploy/nginx/starcatch.conf`
 * (only ports, certificate paths and the upstream's port rewritten) with a self-signed certificate
 * on loopback, in front of a server of this spec's own started as an operator would
 * (`TRUSTED_PROXIES=127.0.0.1`, `ADMIN_PORT`, `ADMIN_TOKEN`). Two tabs sign in over https://, chat,
 * and play over wss://; a tab without WebSockets does the same over LongPoll through the proxy.
 * Nothing is installed here: where nginx or openssl is missing the spec is skipped, except under CI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  onlineAmong,
  readState,
  reportProblems,
  sendChatWithHandle,
  signInWithHandle,
  test,
  uniqueNickname,
} from './support/fixtures.ts';
import { httpsFetch, missingProxyTools, NginxProxy } from './support/nginx-proxy.ts';
import { type RunningServer, startServer } from './support/server-process.ts';

const ADMIN_TOKEN = 'tls-proxy-spec-admin-token-0123456789';
/** nginx's own 404 page, as opposed to the server's JSON `{"error": {"code": "not_found"}}`. */
const NGINX_NOT_FOUND = /<center>nginx[^<]*<\/center>/;

interface ProxiedTab {
  readonly nickname: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every WebSocket URL the page opened, in order. */
  readonly sockets: string[];
}

const missing = missingProxyTools();

test.describe
  .serial('behind nginx with TLS', () => {
    test.skip(missing !== null && !process.env.CI, `${missing}: the TLS proxy spec needs Debian's nginx and openssl`);

    let server: RunningServer;
    let proxy: NginxProxy;
    let dataDir: string;
    const tabs: ProxiedTab[] = [];

    test.beforeAll(async () => {
      if (missing !== null) throw new Error(`${missing}; CI needs it`);
      dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-tls-'));
      server = await startServer({
        dataDir,
        label: 'tls-server',
        // As docs/operations.md has it: the proxy's address trusted, operator routes off the game port.
        env: { TRUSTED_PROXIES: '127.0.0.1', ADMIN_PORT: '0', ADMIN_TOKEN },
      });
      proxy = await NginxProxy.start({ upstreamPort: server.port });
    });

    test.afterAll(async () => {
      await Promise.all(tabs.map((tab) => tab.context.close()));
      await proxy?.stop();
      await server?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    /** A new context on the proxy's https:// URL, accepting its self-signed certificate. */
    async function proxiedTab(browser: Browser, nickname: string, blockWebSocket = false): Promise<ProxiedTab> {
      const context = await browser.newContext({ baseURL: proxy.url, ignoreHTTPSErrors: true });
      if (blockWebSocket) await context.routeWebSocket(/\/socket\/websocket/, () => {});
      const page = await context.newPage();
      reportProblems(page, nickname);
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      const tab = { nickname, context, page, sockets };
      tabs.push(tab);
      return tab;
    }

    test('plain HTTP is redirected; /metrics and the admin routes are not served; the client address is nginx’s', async () => {
      const redirect = await fetch(`http://127.0.0.1:${proxy.httpPort}/rooms/abc?x=1`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('https://127.0.0.1/rooms/abc?x=1');

      const health = await httpsFetch(proxy.httpsPort, '/api/v1/health');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

      // The public server block answers these itself (nginx's page, not the server's JSON), in any spelling.
      for (const path of ['/metrics', '/metrics?format=text', '/%6Detrics', '//metrics']) {
        const answer = await httpsFetch(proxy.httpsPort, path);
        expect(answer.status, path).toBe(404);
        expect(answer.body, path).toMatch(NGINX_NOT_FOUND);
      }
      for (const path of ['/api/v1/admin/users/u1/disconnect', '/api/v1/admin/users/u1/webrtc/close']) {
        const answer = await httpsFetch(proxy.httpsPort, path, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        expect(answer.status, path).toBe(404);
        expect(answer.body, path).toMatch(NGINX_NOT_FOUND);
      }

      // A client at 127.0.0.2 that claims to be someone else: nginx sets X-Forwarded-For to the
      // address it saw, and the server, trusting 127.0.0.1 (nginx), counts the request as 127.0.0.2.
      const probe = `xff-${Math.random().toString(36).slice(2, 8)}`;
      const spoofed = await httpsFetch(proxy.httpsPort, `/api/v1/health?probe=${probe}`, {
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      expect(spoofed.status).toBe(200);
      const logged = (): { remoteAddress?: string } | undefined => {
        for (const line of server.output) {
          if (!line.startsWith('{') || !line.includes(probe)) continue;
          const entry = JSON.parse(line) as { req?: { url?: string; remoteAddress?: string } };
          if (entry.req?.url?.includes(probe)) return entry.req;
        }
        return undefined;
      };
      await expect.poll(() => logged()?.remoteAddress).toBe('127.0.0.2');
    });

    test('two tabs sign in over https://, chat, and play over wss://', async ({ browser }) => {
      const [vega, rigel] = await Promise.all([
        proxiedTab(browser, uniqueNickname('Vega')),
        proxiedTab(browser, uniqueNickname('Rigel')),
      ]);
      // One signs in through the form, the other through the debug handle.
      await vega.page.goto(DEBUG_PAGE);
      await vega.page.getByLabel('Nickname').fill(vega.nickname);
      await vega.page.getByRole('button', { name: 'Play' }).click();
      await expect(vega.page.getByRole('heading', { name: `Welcome aboard, ${vega.nickname}` })).toBeVisible();
      await rigel.page.goto(DEBUG_PAGE);
      await signInWithHandle(rigel.page, rigel.nickname);

      const both = [vega.nickname, rigel.nickname].sort();
      for (const tab of [vega, rigel]) {
        expect(tab.page.url()).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${proxy.httpsPort}/`));
        expect(await tab.page.evaluate(() => window.isSecureContext)).toBe(true);
        await expect
          .poll(async () => (await readState(tab.page)).net)
          .toMatchObject({
            status: 'open',
            socketTransport: 'websocket',
          });
        await expect.poll(() => onlineAmong(tab.page, both)).toEqual(both);
        // The Phoenix socket went through the proxy, over TLS.
        expect(tab.sockets.length).toBeGreaterThan(0);
        for (const url of tab.sockets) {
          expect(url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${proxy.httpsPort}/socket/websocket\\?`));
        }
      }

      // Lobby chat both ways.
      const hello = await sendChatWithHandle(vega.page, 'hello over wss');
      await expect
        .poll(async () => (await readState(rigel.page)).chat.lobby.map((entry) => entry.id))
        .toContain(hello.message.id);
      const back = await sendChatWithHandle(rigel.page, 'and back through nginx');
      await expect
        .poll(async () => (await readState(vega.page)).chat.lobby.map((entry) => entry.id))
        .toContain(back.message.id);

      // A room, then a ship that moves and is seen moving in the other tab.
      const room = await createRoomWithHandle(vega.page, uniqueNickname('Proxied'), 4);
      expect(await joinRoomWithHandle(rigel.page, room.id)).toMatchObject({ ok: true, room: { id: room.id } });
      const vegaId = (await readState(vega.page)).session.user?.id;
      if (!vegaId) throw new Error('Vega is not signed in');
      for (const tab of [vega, rigel]) {
        await expect
          .poll(async () => (await readState(tab.page)).game.players.map((player) => player.id), { timeout: 15_000 })
          .toContain(vegaId);
        await expect.poll(async () => (await readState(tab.page)).net.transport, { timeout: 15_000 }).not.toBeNull();
      }
      const seenBy = async (tab: ProxiedTab) =>
        (await readState(tab.page)).game.players.find((player) => player.id === vegaId) ?? null;
      await expect.poll(async () => (await seenBy(rigel))?.x ?? 0).not.toBe(0);
      const start = await seenBy(rigel);
      await vega.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      let moved = 0;
      for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowDown']) {
        await vega.page.keyboard.down(key);
        await vega.page.waitForTimeout(500);
        await vega.page.keyboard.up(key);
        const now = await seenBy(rigel);
        moved = start && now ? Math.hypot(now.x - start.x, now.y - start.y) : 0;
        if (moved > 1) break;
      }
      expect(moved, 'Rigel saw Vega’s ship move').toBeGreaterThan(1);
      const { net } = await readState(vega.page);
      // WebRTC (straight to the server over UDP, negotiated over wss://) or the WebSocket: both are fine.
      expect(['webrtc', 'websocket']).toContain(net.transport);
      expect(net.rtt).not.toBeNull();
      console.log(`behind nginx: Vega plays over ${net.transport}, input → ack ${net.rtt?.toFixed(0)} ms`);
      for (const tab of [vega, rigel]) {
        for (const url of tab.sockets) expect(url).toMatch(/^wss:\/\//);
      }
    });

    test('a tab without WebSockets falls back to LongPoll through the proxy and chats', async ({ browser }) => {
      const lena = await proxiedTab(browser, uniqueNickname('Lena'), true);
      const walt = await proxiedTab(browser, uniqueNickname('Walt'));
      for (const tab of [lena, walt]) {
        await tab.page.goto(DEBUG_PAGE);
        await signInWithHandle(tab.page, tab.nickname);
      }
      await expect
        .poll(async () => (await readState(lena.page)).net, { timeout: 15_000 })
        .toMatchObject({ status: 'open', socketTransport: 'longpoll' });
      const both = [lena.nickname, walt.nickname].sort();
      await expect.poll(() => onlineAmong(walt.page, both)).toEqual(both);
      const sent = await sendChatWithHandle(lena.page, 'long polling through nginx');
      await expect
        .poll(async () => (await readState(walt.page)).chat.lobby.map((entry) => entry.id))
        .toContain(sent.message.id);
      const reply = await sendChatWithHandle(walt.page, 'heard you');
      await expect
        .poll(async () => (await readState(lena.page)).chat.lobby.map((entry) => entry.id))
        .toContain(reply.message.id);
    });
  });
