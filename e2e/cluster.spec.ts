import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import * as postgres from '../scripts/services/postgres.ts';
import * as redis from '../scripts/services/redis.ts';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  onlineAmong,
  type Player,
  readState,
  sendChatWithHandle,
  signedInPlayer,
  tab,
  test,
  uniqueNickname,
  userIdOf,
} from './support/fixtures.ts';
import { type RunningServer, startServer } from './support/server-process.ts';
import { holdAndMeasure, positionOf } from './support/ship-motion.ts';
import { CATCH_DEADLINE_MS, catchStarSeenByBoth, roundWaitMs, waitForStarRound } from './support/star-catch.ts';

/** Shared by both nodes, so a token signed by one is valid on the other (the server wants ≥ 32 characters). */
const CLUSTER_SECRET = 'e2e-cluster-secret-key-0123456789abcdef';
/**
 * Redis and PostgreSQL (an `initdb`, a few seconds) and then two nodes (each migrates the database
 * and joins the cluster): generous, as both cores are shared with Chromium.
 */
const CLUSTER_START_TIMEOUT_MS = 90_000;
/**
 * B's first peer is made on node B; joining a room hosted on node A closes it (`peer_moved`) and the
 * tab offers again, to node A through node B's signaling: measured open 0.3–0.75 s after the join
 * (offer → open 140–230 ms) on two shared cores. The deadline leaves room for a loaded machine.
 */
const WEBRTC_AFTER_JOIN_DEADLINE_MS = 15_000;
/** The promise: a move in one tab shows in another within this, across nodes too. */
const MOVE_SEEN_DEADLINE_MS = 500;
/** How often the in-page recorders read `state()`: their times are the page's, not a poll's. */
const RECORD_INTERVAL_MS = 5;

/** Why this spec cannot run here, or null when redis-server and PostgreSQL are installed. */
function missingServices(): string | null {
  const missing: string[] = [];
  if (!redis.findOnPath('redis-server')) missing.push('redis-server (apt-get install redis-server)');
  if (!postgres.findPostgresBin()) missing.push('PostgreSQL (apt-get install postgresql)');
  return missing.length === 0 ? null : `the cluster spec needs ${missing.join(' and ')}`;
}

/** The epoch time (ms, sub-millisecond) in a page; every tab runs on this machine's clock. */
function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin + performance.now());
}

/** One change of a tab's game path, as `state().net` showed it, at an epoch time (ms) in the page. */
interface NetChange {
  readonly at: number;
  readonly transport: string | null;
  readonly events: boolean;
  readonly state: boolean;
}

/** Starts recording, inside `page`, every change of `state().net`'s transport and DataChannels. */
async function startNetTimeline(page: Page): Promise<void> {
  await page.evaluate((interval) => {
    const holder = window as unknown as { netTimeline?: { timer: number; changes: NetChange[] } };
    if (holder.netTimeline) clearInterval(holder.netTimeline.timer);
    const changes: NetChange[] = [];
    const look = (): void => {
      const net = window.__starcatch?.state().net;
      if (!net) return;
      const last = changes.at(-1);
      const { events, state } = net.dataChannels;
      if (last && last.transport === net.transport && last.events === events && last.state === state) return;
      changes.push({ at: performance.timeOrigin + performance.now(), transport: net.transport, events, state });
    };
    look();
    holder.netTimeline = { timer: window.setInterval(look, interval), changes };
  }, RECORD_INTERVAL_MS);
}

function readNetTimeline(page: Page): Promise<NetChange[]> {
  return page.evaluate(() => {
    const record = (window as unknown as { netTimeline?: { changes: NetChange[] } }).netTimeline;
    if (!record) throw new Error('no net timeline in this page: call startNetTimeline first');
    return record.changes;
  });
}

async function stopNetTimeline(page: Page): Promise<void> {
  await page.evaluate(() => {
    const holder = window as unknown as { netTimeline?: { timer: number } };
    if (holder.netTimeline) clearInterval(holder.netTimeline.timer);
    delete holder.netTimeline;
  });
}

/**
 * When both DataChannels of a peer made after the join were open: the first WebRTC state that
 * follows a WebSocket one. A peer still open from the lobby (made on the tab's own node, which
 * does not simulate the room) shows as `webrtc` at first and does not count.
 */
function webrtcOnNewPeer(changes: readonly NetChange[]): number | null {
  const fallback = changes.findIndex((change) => change.transport === 'websocket');
  if (fallback < 0) return null;
  const open = changes.slice(fallback).find((change) => change.transport === 'webrtc' && change.events && change.state);
  return open?.at ?? null;
}

/** A timeline as one line, times from `since`, for the log and for a failed poll's message. */
function describeTimeline(changes: readonly NetChange[], since: number): string {
  const channel = (open: boolean) => (open ? 'open' : 'closed');
  return changes
    .map(
      (change) =>
        `${(change.at - since).toFixed(0)} ms: ${change.transport ?? 'no room'} ` +
        `(events ${channel(change.events)}, state ${channel(change.state)})`,
    )
    .join(' → ');
}

const skipReason = missingServices();

/**
 * Two nodes of one cluster (their own Redis and PostgreSQL, not the shared e2e server). Ann's tab
 * is on node A, Ben's on node B. The tests run in order on the same tabs.
 */
test.describe
  .serial('a cluster of two nodes: a player on each', () => {
    // Where the services are missing the spec cannot run; CI installs them, so there it must fail.
    test.skip(skipReason !== null && !process.env.CI, skipReason ?? '');
    // The list reporter does not print a skip's reason, so say it once here.
    if (skipReason !== null && !process.env.CI && !process.env.TEST_WORKER_INDEX) {
      console.log(`cluster.spec.ts skipped: ${skipReason}`);
    }

    const services: redis.RunningService[] = [];
    const dataDirs: string[] = [];
    /** Every node that started, so afterAll stops it even when the next one failed to. */
    const nodes: RunningServer[] = [];
    let nodeA: RunningServer;
    let nodeB: RunningServer;
    let ann: Player;
    let ben: Player;
    let roomId: string;

    test.beforeAll(async () => {
      test.setTimeout(CLUSTER_START_TIMEOUT_MS);
      const started = await Promise.allSettled([redis.start(), postgres.start()]);
      for (const service of started) if (service.status === 'fulfilled') services.push(service.value);
      for (const service of started) if (service.status === 'rejected') throw service.reason;
      const [redisService, postgresService] = services as [redis.RunningService, redis.RunningService];
      const node = async (name: string): Promise<RunningServer> => {
        // Each node keeps its own DATA_DIR; what they share is Redis, PostgreSQL and the secret.
        const dataDir = await mkdtemp(join(tmpdir(), `starcatch-${name}-`));
        dataDirs.push(dataDir);
        const server = await startServer({
          dataDir,
          label: name,
          env: {
            REDIS_URL: redisService.url,
            DATABASE_URL: postgresService.url,
            SECRET_KEY: CLUSTER_SECRET,
            NODE_NAME: name,
          },
        });
        nodes.push(server);
        return server;
      };
      // One after the other, as the server's cluster tests do: the first node creates the schema,
      // the next finds it migrated (two nodes migrating an empty database at once collide).
      nodeA = await node('e2e-a');
      nodeB = await node('e2e-b');
    });

    test.afterAll(async () => {
      await Promise.all([ann, ben].map((player) => player?.context.close()));
      await Promise.all(nodes.map((node) => node.stop()));
      await Promise.all(services.map((service) => service.stop()));
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    test.afterEach(async ({}, testInfo) => {
      if (testInfo.status === testInfo.expectedStatus) return;
      // What each node logged, for telling a server fault from a test's.
      for (const [name, node] of [
        ['e2e-a', nodeA],
        ['e2e-b', nodeB],
      ] as const) {
        if (node) await testInfo.attach(`${name} log`, { body: node.output.join('\n'), contentType: 'text/plain' });
      }
    });

    test('each signs in on their own node, sees the other online, and chat goes both ways', async ({ browser }) => {
      const names = ['Ann', 'Ben'].map(uniqueNickname) as [string, string];
      [ann, ben] = await Promise.all([
        signedInPlayer(browser, nodeA.baseUrl, names[0]),
        signedInPlayer(browser, nodeB.baseUrl, names[1]),
      ]);
      expect(new URL(tab(ann).url()).origin).toBe(nodeA.baseUrl);
      expect(new URL(tab(ben).url()).origin).toBe(nodeB.baseUrl);

      // Presence crosses Redis: each node lists the other node's player.
      for (const page of [tab(ann), tab(ben)]) {
        await expect
          .poll(async () => (await onlineAmong(page, names)).sort(), { message: 'both players listed online' })
          .toEqual([...names].sort());
      }

      for (const [from, to] of [
        [ann, ben],
        [ben, ann],
      ] as const) {
        const { message, sentAt } = await sendChatWithHandle(tab(from), `hello from ${from.nickname}`);
        await expect
          .poll(async () => (await readState(tab(to))).chat.lobby.map((entry) => entry.id), {
            message: `${from.nickname}'s lobby message reaches ${to.nickname}'s tab on the other node`,
          })
          .toContain(message.id);
        const received = (await readState(tab(to))).chat.lobby.find((entry) => entry.id === message.id);
        expect(received?.body).toBe(`hello from ${from.nickname}`);
        console.log(
          `lobby chat ${from.nickname} → ${to.nickname} across nodes: ${((received?.receivedAt ?? 0) - sentAt).toFixed(1)} ms`,
        );
      }
    });

    test('B joins the room A made on node A: same round, each sees the other’s ship, both on WebRTC', async () => {
      const [a, b] = [tab(ann), tab(ben)];
      const [annId, benId] = await Promise.all([userIdOf(ann), userIdOf(ben)]);
      // The room is created on node A, so node A simulates it.
      const room = await createRoomWithHandle(a, uniqueNickname('Nebula'), 4);
      roomId = room.id;

      await startNetTimeline(b);
      try {
        const requestedAt = await pageNow(b);
        expect(await joinRoomWithHandle(b, roomId)).toMatchObject({ ok: true, room: { id: roomId } });
        const joinedAt = await pageNow(b);
        // The poll's value is the timeline itself, so a failure shows what B's transport did.
        await expect
          .poll(
            async () => {
              const changes = await readNetTimeline(b);
              return webrtcOnNewPeer(changes) === null ? describeTimeline(changes, requestedAt) : 'open';
            },
            {
              timeout: WEBRTC_AFTER_JOIN_DEADLINE_MS,
              message: `B's DataChannels to node A open within ${WEBRTC_AFTER_JOIN_DEADLINE_MS} ms of the join`,
            },
          )
          .toBe('open');
        const changes = await readNetTimeline(b);
        const openAt = webrtcOnNewPeer(changes) as number;
        console.log(
          `${ben.nickname} (node B) in room on node A: joined ${(joinedAt - requestedAt).toFixed(0)} ms after asking; ` +
            `WebRTC to node A open ${(openAt - joinedAt).toFixed(0)} ms after the join ` +
            `(offer → open ${(await readState(b)).net.rtcOpenMs?.toFixed(0)} ms); ` +
            `timeline: ${describeTimeline(changes, requestedAt)}`,
        );
      } finally {
        await stopNetTimeline(b);
      }
      await expect
        .poll(async () => (await readState(a)).net, { message: 'A plays over WebRTC on its own node' })
        .toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });

      for (const page of [a, b]) {
        await expect
          .poll(async () => (await readState(page)).room?.members.map((member) => member.nickname).sort(), {
            message: 'both players are members of the room',
          })
          .toEqual([ann.nickname, ben.nickname].sort());
        for (const id of [annId, benId]) {
          await expect.poll(() => positionOf(page, id), { message: `ship ${id} shows in the tab` }).not.toBeNull();
        }
      }
      const round = async (page: Page) => {
        const { game } = await readState(page);
        return `round ${game.round.round} ${game.round.phase}`;
      };
      await expect
        .poll(async () => (await round(a)) === (await round(b)), { message: 'both tabs show the same round' })
        .toBe(true);
      // Still on the peer made on node A: the game traffic did not fall back after opening.
      expect((await readState(b)).net).toMatchObject({
        transport: 'webrtc',
        dataChannels: { events: true, state: true },
      });
    });

    test('over WebRTC both ways: each sees the other move', async () => {
      const [a, b] = [tab(ann), tab(ben)];
      const [annId, benId] = await Promise.all([userIdOf(ann), userIdOf(ben)]);
      const aToB = await holdAndMeasure(a, b, annId);
      const bToA = await holdAndMeasure(b, a, benId);
      console.log(`move seen across nodes over WebRTC: A → B ${aToB.toFixed(1)} ms, B → A ${bToA.toFixed(1)} ms`);
      expect(aToB).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      expect(bToA).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      for (const [player, page] of [
        [ann, a],
        [ben, b],
      ] as const) {
        const { net } = await readState(page);
        console.log(`${player.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      }
    });

    test("a star caught by A raises A's score in both tabs and leaves both", async () => {
      test.setTimeout(roundWaitMs() + CATCH_DEADLINE_MS + 20_000);
      const [a, b] = [tab(ann), tab(ben)];
      const annId = await userIdOf(ann);
      const round = await waitForStarRound(a);
      const names = { a: "A's tab (node A)", b: "B's tab (node B)" };
      await catchStarSeenByBoth({ a, userId: annId, nickname: ann.nickname, b, round, names });
      expect((await readState(b)).net.transport, 'B stayed on WebRTC').toBe('webrtc');
    });

    test('B on ?rtc=off plays over the WebSocket relayed between nodes: each sees the other move', async () => {
      const [a, b] = [tab(ann), tab(ben)];
      const [annId, benId] = await Promise.all([userIdOf(ann), userIdOf(ben)]);
      // The same tab, reloaded without WebRTC: it resumes B's session on node B and rejoins by the room's link.
      await b.goto(`${DEBUG_PAGE}&rtc=off#/room/${roomId}`);
      expect(new URL(b.url()).origin).toBe(nodeB.baseUrl);
      await expect
        .poll(async () => (await readState(b)).room?.status, { message: 'B is back in the room' })
        .toBe('joined');
      await expect
        .poll(async () => (await readState(b)).net, { message: 'B plays over the WebSocket' })
        .toMatchObject({ transport: 'websocket', dataChannels: { events: false, state: false } });

      const aToB = await holdAndMeasure(a, b, annId);
      const bToA = await holdAndMeasure(b, a, benId);
      console.log(
        `move seen across nodes, B on the relayed WebSocket: A → B ${aToB.toFixed(1)} ms, B → A ${bToA.toFixed(1)} ms`,
      );
      expect(aToB).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      expect(bToA).toBeLessThan(MOVE_SEEN_DEADLINE_MS);
      const { net } = await readState(b);
      console.log(`${ben.nickname}: rtt (input → ack) over ${net.transport}: ${net.rtt?.toFixed(1)} ms`);
      expect((await readState(a)).net.transport).toBe('webrtc');
    });
  });
