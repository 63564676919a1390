/**
 * Game traffic over WebRTC against the real server: a werift bot with both DataChannels open gets
 * its snapshots on `state` and its events on `events`, and nothing game-related on the WebSocket;
 * when its peer closes it falls back to the room channel, and its presence meta follows.
 */
import { Direction, GameEvent, WebRtcEvent } from '@starcatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { push } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { GameBot, type Path } from '../support/game-bot.ts';
import { useRtcServer } from './rtc-server.ts';

/** Inputs timed for the RTT figures: ~3.3 s at 30 Hz. */
const RTT_INPUTS = 100;
/** Long enough for 10 snapshots at 20 Hz. */
const SNAPSHOT_WINDOW_MS = 500;

const rtc = useRtcServer();
const bots: GameBot[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.close()));
});

async function bot(): Promise<GameBot> {
  const created = await GameBot.connect(rtc.server, rtc.sockets);
  bots.push(created);
  return created;
}

const openRoom = () => rtc.server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Arena', maxPlayers: 8 }).id;

/** The `transport` of the user's latest meta in the presence diffs a bot has seen. */
function transportSeen(observer: GameBot, userId: string): unknown {
  const joins = observer.presenceDiffs.filter((diff) => diff.joins[userId]);
  return joins.at(-1)?.joins[userId]?.metas.at(-1)?.transport;
}

function syncsVia(player: GameBot, path: Path): number {
  return player.eventsVia(path).filter((event) => event.type === GameEvent.sync).length;
}

describe('game over the DataChannels', () => {
  it('moves a player onto WebRTC when its peer opens, and back to the WebSocket when it closes', async () => {
    const roomId = openRoom();
    const player = await bot();
    const watcher = await bot();
    await player.joinRoom(roomId);
    await watcher.joinRoom(roomId);
    await waitFor(() => player.snapshotsVia('websocket').length > 0, { what: 'snapshots on the WebSocket' });

    await player.openPeer();
    await waitFor(() => syncsVia(player, 'webrtc') === 1, { what: 'a sync on the events channel' });
    await waitFor(() => transportSeen(watcher, player.user.id) === 'webrtc', { what: `presence transport 'webrtc'` });
    const webSocketSnapshots = player.snapshotsVia('websocket').length;
    const before = player.shipIn(player.lastSnapshot);

    await player.playFor(10, Direction.up, 'webrtc');
    await sleep(SNAPSHOT_WINDOW_MS);

    expect(player.snapshotsVia('webrtc').length).toBeGreaterThanOrEqual(10);
    expect(player.snapshotsVia('websocket')).toHaveLength(webSocketSnapshots);
    expect(player.lastSnapshot?.ackSeq).toBe(10);
    expect(player.shipIn(player.lastSnapshot)?.y).toBeLessThan(before?.y ?? Number.NEGATIVE_INFINITY);
    // The other player, still on the WebSocket, sees the same ship move.
    expect(
      watcher
        .snapshotsVia('websocket')
        .at(-1)
        ?.players.find((p) => p.slot === player.slot)?.y,
    ).toBe(player.shipIn(player.lastSnapshot)?.y);

    // The client closes its peer (webrtc:close): the game goes back to the room channel.
    const userChannel = player.userChannel;
    if (!userChannel) throw new Error('openPeer joins the user channel');
    expect(await push(userChannel, WebRtcEvent.close, {})).toEqual({ status: 'ok', response: {} });
    await waitFor(() => syncsVia(player, 'websocket') === 2, { what: 'a sync on the WebSocket after the switch' });
    await waitFor(() => transportSeen(watcher, player.user.id) === 'websocket', {
      what: `presence transport 'websocket'`,
    });
    const webRtcSnapshots = player.snapshotsVia('webrtc').length;

    await player.playFor(5, Direction.down, 'websocket');
    await sleep(SNAPSHOT_WINDOW_MS);
    expect(player.snapshotsVia('webrtc')).toHaveLength(webRtcSnapshots);
    expect(player.snapshotsVia('websocket').at(-1)?.ackSeq).toBe(15);
  });

  it('uses a peer that is already open when the tab joins the room, from the first message', async () => {
    const player = await bot();
    await player.openPeer();
    await player.joinRoom(openRoom());
    await waitFor(() => player.snapshotsVia('webrtc').length >= 5, { what: 'snapshots on the state channel' });
    expect(player.eventsVia('webrtc')[0]).toMatchObject({ type: GameEvent.sync });
    expect(player.eventsVia('websocket')).toEqual([]);
    expect(player.snapshotsVia('websocket')).toEqual([]);
  });

  it('measures input → acknowledging snapshot over the DataChannel, and bytes down per player (2 and 8)', async () => {
    const roomId = openRoom();
    const player = await bot();
    const other = await bot();
    await player.openPeer();
    await player.joinRoom(roomId);
    await other.joinRoom(roomId);
    await waitFor(() => player.snapshotsVia('webrtc').length > 0 && other.snapshots.length > 0);

    const start = { at: performance.now(), player: { ...player.bytes }, other: { ...other.bytes } };
    await player.playFor(RTT_INPUTS, Direction.right, 'webrtc');
    const seconds = (performance.now() - start.at) / 1000;
    const rtt = player.rttSummary('webrtc');
    expect(rtt.count).toBe(RTT_INPUTS);
    const twoPlayers = {
      webrtc: (player.bytes.webrtc - start.player.webrtc) / seconds,
      webrtcSocket: (player.bytes.websocket - start.player.websocket) / seconds,
      websocket: (other.bytes.websocket - start.other.websocket) / seconds,
    };
    console.log(
      `DataChannel input → ack RTT over ${rtt.count} inputs: p50 ${rtt.p50.toFixed(1)} ms, p99 ${rtt.p99.toFixed(1)} ms`,
    );

    // Six more players on the WebSocket make eight.
    const more = await Promise.all(Array.from({ length: 6 }, () => bot()));
    for (const extra of more) await extra.joinRoom(roomId);
    await waitFor(() => more.every((extra) => extra.snapshots.length > 0));
    const eight = { at: performance.now(), player: player.bytes.webrtc, other: other.bytes.websocket };
    await sleep(2_000);
    const eightSeconds = (performance.now() - eight.at) / 1000;
    const eightPlayers = {
      webrtc: (player.bytes.webrtc - eight.player) / eightSeconds,
      websocket: (other.bytes.websocket - eight.other) / eightSeconds,
    };
    console.log(
      `bytes down per player: 2 players: DataChannels ${twoPlayers.webrtc.toFixed(0)} B/s ` +
        `(+ ${twoPlayers.webrtcSocket.toFixed(0)} B/s on its WebSocket), WebSocket ${twoPlayers.websocket.toFixed(0)} B/s; ` +
        `8 players: DataChannels ${eightPlayers.webrtc.toFixed(0)} B/s, WebSocket ${eightPlayers.websocket.toFixed(0)} B/s`,
    );
    expect(eightPlayers.webrtc).toBeLessThan(3_000);
    expect(eightPlayers.websocket).toBeLessThan(4_000);
  });
});
