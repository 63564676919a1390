/**
 * Playing across nodes: a player whose socket is on node b plays in a room node a simulates. Over
 * WebRTC its peer is made on node a (signaling forwarded over Redis) so the game traffic goes
 * straight there; with WebRTC off, its inputs and snapshots are relayed through Redis.
 */
import { Direction, GameEvent, LobbyEvent, type RoomSummary, Topic } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { join, push } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { type ClusterProcess, health } from '../support/cluster-process.ts';
import type { GameBot, Path } from '../support/game-bot.ts';
import { clusterServices, useCluster } from './use-cluster.ts';

const SNAPSHOT_HZ = 20;
const RATE_WINDOW_MS = 2_000;

const cluster = useCluster(['play-a', 'play-b']);
const a = () => cluster.node(0);
const b = () => cluster.node(1);
const bot = (node: ClusterProcess): Promise<GameBot> => cluster.bot(node);

/** Creates a room through the lobby of a socket on `node`, so `node` simulates it. */
async function roomOn(node: ClusterProcess): Promise<string> {
  const host = await bot(node);
  const lobby = host.socket.channel(Topic.lobby);
  await join(lobby);
  const reply = await push(lobby, LobbyEvent.createRoom, { name: `Room on ${node.name}`, max_players: 8 });
  expect(reply.status).toBe('ok');
  return (reply.response as { room: RoomSummary }).room.id;
}

/** Snapshots that arrived on `path` during the last `RATE_WINDOW_MS`, per second. */
async function snapshotRate(player: GameBot, path: Path): Promise<number> {
  const before = player.snapshotsVia(path).length;
  await sleep(RATE_WINDOW_MS);
  return ((player.snapshotsVia(path).length - before) * 1000) / RATE_WINDOW_MS;
}

/** `waitFor` for a check that must ask a node over HTTP. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(clusterServices() !== null)('playing in a room hosted by another node', () => {
  it('over WebRTC: the peer lives on the host, inputs are acknowledged, snapshots come at 20 Hz', async () => {
    const roomId = await roomOn(a());
    const player = await bot(b());
    await player.joinRoom(roomId);
    await waitFor(() => player.eventsVia('websocket').some((event) => event.type === GameEvent.sync), {
      what: 'a sync relayed over the WebSocket',
      timeoutMs: 5_000,
    });

    await player.openPeer();
    // The peer was negotiated through node b but lives on node a, where the room is simulated.
    await until(async () => (await health(a())).peers === 1, 'the peer on node a');
    expect((await health(b())).peers).toBe(0);
    await waitFor(() => player.eventsVia('webrtc').some((event) => event.type === GameEvent.sync), {
      what: 'a sync on the events channel',
      timeoutMs: 5_000,
    });

    await player.playFor(30, Direction.right, 'webrtc');
    expect(player.rttSummary('webrtc').count).toBeGreaterThan(0);
    const rate = await snapshotRate(player, 'webrtc');
    expect(rate).toBeGreaterThanOrEqual(SNAPSHOT_HZ * 0.8);
    expect(rate).toBeLessThanOrEqual(SNAPSHOT_HZ * 1.2);
  });

  it('with WebRTC off: inputs and snapshots are relayed, and the ship moves', async () => {
    const roomId = await roomOn(a());
    const player = await bot(b());
    const reply = await player.joinRoom(roomId);
    expect(reply.state_encoding).toBe('binary');
    await waitFor(() => player.lastSnapshot !== undefined, { what: 'a relayed snapshot', timeoutMs: 5_000 });
    const start = player.shipIn(player.lastSnapshot);

    await player.playFor(30, Direction.right, 'websocket');
    const end = player.shipIn(player.lastSnapshot);
    expect(end?.x).toBeGreaterThan(start?.x ?? Number.POSITIVE_INFINITY);
    const rate = await snapshotRate(player, 'websocket');
    expect(rate).toBeGreaterThanOrEqual(SNAPSHOT_HZ * 0.8);
    expect(rate).toBeLessThanOrEqual(SNAPSHOT_HZ * 1.2);
  });

  it('moves the peer when the player enters a room hosted elsewhere', async () => {
    const roomOnA = await roomOn(a());
    const player = await bot(b());
    // Negotiated before any room: the peer is made on the socket's own node.
    await player.openPeer();
    expect((await health(b())).peers).toBe(1);
    const closed = () =>
      player.peer?.signals.some(
        (signal) => signal.event === 'webrtc:state' && (signal.payload as { reason?: string }).reason === 'peer_moved',
      );
    await player.joinRoom(roomOnA);
    await waitFor(() => closed() === true, { what: 'webrtc:state closed, peer_moved', timeoutMs: 5_000 });
    await until(async () => (await health(b())).peers === 0, 'the old peer on node b to close');
  });
});
