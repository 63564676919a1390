/**
 * Failures in a cluster of real processes: a node killed with SIGKILL (its users leave everyone's
 * presence, its rooms move to a survivor, players on the survivor stay in the room and get a
 * `sync`), and Redis restarted during play (no crash, no phantom leave, traffic resumes).
 */
import { Direction, GameEvent, LobbyEvent, type RoomSummary, Topic } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { join, Presence, presenceEntries, push, recordEvents } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { type ClusterProcess, health } from '../support/cluster-process.ts';
import type { GameBot } from '../support/game-bot.ts';
import { clusterServices, useCluster } from './use-cluster.ts';

/** The documented bound: a dead node's presences leave every other node within 5 s. */
const PRESENCE_BOUND_MS = 5_000;
/** The documented bound: another node takes a dead node's rooms over within 10 s. */
const TAKEOVER_BOUND_MS = 10_000;

const cluster = useCluster(['fail-a', 'fail-b']);
const bot = (node: ClusterProcess): Promise<GameBot> => cluster.bot(node);

async function lobbyOf(player: GameBot) {
  const channel = player.socket.channel(Topic.lobby);
  const presence = new Presence(channel);
  await join(channel);
  return { channel, presence };
}

async function createRoom(player: GameBot, name: string): Promise<string> {
  const { channel } = await lobbyOf(player);
  const reply = await push(channel, LobbyEvent.createRoom, { name, max_players: 8 });
  expect(reply.status).toBe('ok');
  return (reply.response as { room: RoomSummary }).room.id;
}

const syncs = (player: GameBot) => player.events.filter((event) => event.value.type === GameEvent.sync).length;

describe.skipIf(clusterServices() !== null)('cluster failures', () => {
  it('Redis restarted during play: no crash, no phantom leave, and the relayed game resumes', async () => {
    const a = cluster.node(0);
    const b = cluster.node(1);
    const host = await bot(a);
    const roomId = await createRoom(host, 'Through a Redis restart');
    const player = await bot(b);
    const watcher = await lobbyOf(player);
    await waitFor(() => presenceEntries(watcher.presence)[host.user.id] !== undefined, {
      what: 'the host in the watcher presence',
      timeoutMs: PRESENCE_BOUND_MS,
    });
    const diffs = recordEvents(watcher.channel, 'presence_diff');
    await player.joinRoom(roomId);
    await player.playFor(10, Direction.up, 'websocket');

    await cluster.redis.stop('kill');
    await sleep(500);
    await cluster.redis.restart();

    // Both nodes are up and the relayed game answers inputs again.
    const deadline = Date.now() + TAKEOVER_BOUND_MS;
    for (;;) {
      try {
        await player.playFor(5, Direction.down, 'websocket');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    expect((await health(a)).node).toBe('fail-a');
    expect((await health(b)).node).toBe('fail-b');
    // Nobody left: no diff told the watcher the host went away.
    const phantom = diffs.some((diff) => Object.keys((diff as { leaves: object }).leaves).includes(host.user.id));
    expect(phantom).toBe(false);
  });

  it('a node killed with SIGKILL: its users leave, its room moves, players elsewhere stay and get a sync', async () => {
    const doomed = await cluster.start('fail-c');
    const survivor = cluster.node(1);
    const host = await bot(doomed);
    const roomId = await createRoom(host, 'Hosted by the doomed node');
    const player = await bot(survivor);
    const watcher = await lobbyOf(player);
    await waitFor(() => presenceEntries(watcher.presence)[host.user.id] !== undefined, {
      what: 'the doomed node user in presence',
      timeoutMs: PRESENCE_BOUND_MS,
    });
    await player.joinRoom(roomId);
    await player.playFor(10, Direction.up, 'websocket');
    const syncsBefore = syncs(player);

    const killedAt = Date.now();
    await doomed.kill();
    await waitFor(() => presenceEntries(watcher.presence)[host.user.id] === undefined, {
      what: "the killed node's user to leave presence",
      timeoutMs: PRESENCE_BOUND_MS + 1_000,
    });
    const presenceGoneMs = Date.now() - killedAt;
    await waitFor(() => syncs(player) > syncsBefore, {
      what: 'a sync from the new host',
      timeoutMs: TAKEOVER_BOUND_MS,
    });
    const takeoverMs = Date.now() - killedAt;
    console.log(`node killed: presence gone after ${presenceGoneMs} ms, room taken over after ${takeoverMs} ms`);
    expect(player.room?.state).toBe('joined');
    await player.playFor(10, Direction.left, 'websocket');
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
  });
});
