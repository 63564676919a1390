/**
 * TURN for players whose UDP does not get through: a real coturn (Debian's package) on 127.0.0.1
 * with a shared secret, a server of this spec's own told about it (TURN_SECRET, TURN_URLS), and a
 * Chromium tab forced to `iceTransportPolicy: 'relay'` (the `?relay=1` debug flag), so its only
 * way to the server's peer is a relay allocated with the credentials from its `user:<id>` join
 * reply. The server's werift peer needs no TURN: its host candidate on 127.0.0.1 is reachable from
 * the relay (coturn runs with `--allow-loopback-peers`). Nothing leaves loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { TurnServer, turnServerInstalled } from '../server/test/support/turn-server.ts';
import {
  createRoomWithHandle,
  expect,
  readState,
  reportProblems,
  signInWithHandle,
  test,
  uniqueNickname,
} from './support/fixtures.ts';
import { type RunningServer, startServer } from './support/server-process.ts';

const TURN_SECRET = 'e2e-turn-shared-secret-0123456789';

/** What the tab passed to each RTCPeerConnection it made, and the path its latest one took. */
interface PeerPath {
  readonly config: { iceTransportPolicy?: string; iceServers?: { urls: string | string[]; username?: string }[] };
  readonly local: { candidateType?: string; address?: string; url?: string } | null;
  readonly remote: { candidateType?: string; address?: string } | null;
}

declare global {
  interface Window {
    /** Every RTCPeerConnection the page made, with its configuration (see `recordPeerConnections`). */
    __peers?: { pc: RTCPeerConnection; config: RTCConfiguration | undefined }[];
  }
}

/** Wraps RTCPeerConnection before the app loads, so the test can read each peer's config and stats. */
async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const peers: { pc: RTCPeerConnection; config: RTCConfiguration | undefined }[] = [];
    window.__peers = peers;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        peers.push({ pc: this, config });
      }
    };
  });
}

/** The latest peer's configuration and selected candidate pair (null before one is selected). */
function latestPeerPath(page: Page): Promise<PeerPath | null> {
  return page.evaluate(async () => {
    const entry = window.__peers?.at(-1);
    if (!entry) return null;
    const stats = await entry.pc.getStats();
    let pairId: string | undefined;
    stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
      if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
    });
    const pair = pairId === undefined ? undefined : stats.get(pairId);
    const candidate = (id: string | undefined) => {
      const found = id === undefined ? undefined : stats.get(id);
      return found ? { candidateType: found.candidateType, address: found.address, url: found.url } : null;
    };
    return {
      config: JSON.parse(JSON.stringify(entry.config ?? {})),
      local: candidate(pair?.localCandidateId),
      remote: candidate(pair?.remoteCandidateId),
    };
  });
}

/** A relay-only tab of a new context, signed in on `server`, its console lines kept. */
async function relayOnlyTab(
  browser: Browser,
  server: RunningServer,
  nickname: string,
): Promise<{ context: BrowserContext; page: Page; consoleLines: string[]; userId: string }> {
  const context = await browser.newContext({ baseURL: server.baseUrl });
  await recordPeerConnections(context);
  const page = await context.newPage();
  reportProblems(page, nickname);
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  await page.goto('/?debug=1&relay=1');
  await signInWithHandle(page, nickname);
  const { session } = await readState(page);
  if (!session.user) throw new Error(`${nickname} is not signed in`);
  return { context, page, consoleLines, userId: session.user.id };
}

/** Holds an arrow key until the tab sees its own ship move; fails if it never does. */
async function shipMoves(page: Page, userId: string): Promise<void> {
  const position = async () => (await readState(page)).game.players.find((player) => player.id === userId);
  await expect.poll(async () => (await position())?.x ?? 0).not.toBe(0);
  const before = await position();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const key of ['ArrowRight', 'ArrowLeft']) {
    await page.keyboard.down(key);
    await page.waitForTimeout(400);
    await page.keyboard.up(key);
    const after = await position();
    if (after && before && Math.hypot(after.x - before.x, after.y - before.y) > 1) return;
  }
  throw new Error(`the ship of ${userId} did not move`);
}

test.describe
  .serial('TURN: a relay-only tab plays through coturn', () => {
    test.skip(!turnServerInstalled() && !process.env.CI, 'coturn (turnserver) is not installed');

    let turn: TurnServer;
    const dirs: string[] = [];
    const servers: RunningServer[] = [];
    const contexts: BrowserContext[] = [];

    /** A server of this spec's own with TURN_SECRET (right or wrong) and TURN_URLS pointing at coturn. */
    async function serverWithTurn(secret: string, label: string): Promise<RunningServer> {
      const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-turn-'));
      dirs.push(dataDir);
      const server = await startServer({
        dataDir,
        label,
        env: { TURN_SECRET: secret, TURN_URLS: turn.url, TURN_TTL_SECONDS: '600' },
      });
      servers.push(server);
      return server;
    }

    test.beforeAll(async () => {
      turn = await TurnServer.start({ secret: TURN_SECRET });
    });

    test.afterAll(async () => {
      await Promise.all(contexts.map((context) => context.close()));
      await Promise.all(servers.map((server) => server.stop()));
      await turn?.stop();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    test('both DataChannels open through the relay, and the game plays over WebRTC', async ({ browser }) => {
      const server = await serverWithTurn(TURN_SECRET, 'turn-server');
      const { context, page, userId } = await relayOnlyTab(browser, server, uniqueNickname('Relay'));
      contexts.push(context);

      await createRoomWithHandle(page, uniqueNickname('Relayed'), 4);
      await expect
        .poll(async () => (await readState(page)).net)
        .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
      const { net } = await readState(page);
      console.log(`relay-only tab: offer → both DataChannels open ${net.rtcOpenMs?.toFixed(0)} ms`);

      // The peer was made relay-only, with the TURN credentials of this user from the join reply...
      const path = await latestPeerPath(page);
      expect(path?.config.iceTransportPolicy).toBe('relay');
      const turnEntry = path?.config.iceServers?.find((server) => JSON.stringify(server.urls).includes(turn.url));
      expect(turnEntry?.username).toMatch(new RegExp(`^\\d+:${userId}$`));
      // ...and its selected pair is our relay on coturn, talking to the server's loopback host candidate.
      expect(path?.local).toMatchObject({ candidateType: 'relay', address: '127.0.0.1' });
      expect(path?.remote?.address).toBe('127.0.0.1');
      await expect
        .poll(() => turn.output)
        .toMatch(new RegExp(`user <\\d+:${userId}>: incoming packet ALLOCATE processed, success`));

      // Playing: the ship moves, inputs are acknowledged over WebRTC, and the server routes this tab over it.
      await shipMoves(page, userId);
      await expect.poll(async () => (await readState(page)).net.rttByTransport.webrtc).toBeGreaterThan(0);
      await expect
        .poll(async () => (await readState(page)).room?.members.find((member) => member.id === userId)?.transports)
        .toEqual(['webrtc']);
      // The server checked the secret at start.
      await expect
        .poll(() => server.output.join('\n'))
        .toContain(`TURN: ${turn.url} accepts the credentials made from TURN_SECRET`);
    });

    test('a wrong TURN_SECRET: the tab plays over the WebSocket, and both the console and the server log say why', async ({
      browser,
    }) => {
      const server = await serverWithTurn('not-the-turn-servers-secret', 'turn-wrong-secret');
      const { context, page, consoleLines, userId } = await relayOnlyTab(browser, server, uniqueNickname('NoRelay'));
      contexts.push(context);

      await createRoomWithHandle(page, uniqueNickname('Unrelayed'), 4);
      await expect.poll(async () => (await readState(page)).net.transport).toBe('websocket');
      await shipMoves(page, userId);
      await expect.poll(async () => (await readState(page)).net.rttByTransport.websocket).toBeGreaterThan(0);

      const refused = new RegExp(
        `^warning: \\[starcatch\\] ICE server ${turn.url.replace(/[?.]/g, '\\$&')} refused our credentials \\(401 [^)]*\\): no relay, so WebRTC may not connect; playing over the WebSocket meanwhile`,
      );
      await expect.poll(() => consoleLines.filter((line) => refused.test(line)).length).toBe(1);
      const { net } = await readState(page);
      expect(net).toMatchObject({ transport: 'websocket', dataChannels: { events: false, state: false } });
      await expect
        .poll(() => server.output.join('\n'))
        .toMatch(
          /TURN: turn:127\.0\.0\.1:\d+\?transport=udp refused the credentials made from TURN_SECRET \(401 [^)]*\): TURN_SECRET must equal the TURN server's static-auth-secret/,
        );
    });
  });
