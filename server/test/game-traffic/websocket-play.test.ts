/**
 * Game traffic over the WebSocket only (no WebRTC): a bot on the official phoenix client joins a
 * room, pushes binary `input`s and reads binary `snapshot` pushes; a V1 socket gets base64 JSON.
 * Rounds are shrunk to 1.5 s so a finished round reaches the leaderboard within the test.
 */
import {
  ApiPath,
  Direction,
  decodeSnapshot,
  encodeInput,
  GameChannelEvent,
  GameEvent,
  type LeaderboardResponse,
  StateEncoding,
  Topic,
} from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { ClientSockets } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ROUND_SECONDS = 1.5;
/** Inputs timed for the RTT figures: ~3.3 s at 30 Hz. */
const RTT_INPUTS = 100;

let server: TestServer;
const sockets = new ClientSockets();
beforeAll(async () => {
  server = await startTestServer({ ROUND_SECONDS: String(ROUND_SECONDS), INTERMISSION_SECONDS: '0.5' });
});
afterEach(() => sockets.disconnectAll());
afterAll(() => server.close());

const openRoom = (maxPlayers = 8) => server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Arena', maxPlayers }).id;

/** Polls the leaderboard until the user appears (results are saved just after the round ends). */
async function leaderboardEntry(userId: string) {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const response = await fetch(`${server.httpUrl}${ApiPath.leaderboard}?limit=100`);
    const body = (await response.json()) as LeaderboardResponse;
    const entry = body.leaderboard.find((row) => row.user_id === userId);
    if (entry || Date.now() > deadline) return entry;
    await sleep(50);
  }
}

describe('game over the WebSocket', () => {
  it('acknowledges inputs in binary snapshots and moves the ship the way it is steered', async () => {
    const roomId = openRoom();
    const bot = await GameBot.connect(server, sockets);
    const reply = await bot.joinRoom(roomId);
    expect(reply.state_encoding).toBe(StateEncoding.binary);
    await waitFor(() => bot.snapshots.length > 0, { what: 'a first snapshot' });
    expect(bot.eventsVia('websocket')[0]).toMatchObject({ type: GameEvent.sync });
    const before = bot.shipIn(bot.lastSnapshot);

    await bot.playFor(10, Direction.right, 'websocket');

    const after = bot.shipIn(bot.lastSnapshot);
    expect(bot.lastSnapshot?.ackSeq).toBe(10);
    expect(after?.x).toBeGreaterThan(before?.x ?? Number.POSITIVE_INFINITY);
    expect(after?.y).toBe(before?.y);
    expect(bot.snapshotsVia('webrtc')).toEqual([]);
    expect(server.app.rooms.get(roomId)?.state).toBe('playing');
  });

  it('measures input → acknowledging snapshot over the WebSocket, and bytes down per player', async () => {
    const roomId = openRoom();
    const [bot, other] = [await GameBot.connect(server, sockets), await GameBot.connect(server, sockets)];
    await bot.joinRoom(roomId);
    await other.joinRoom(roomId);
    await waitFor(() => other.snapshots.length > 0, { what: 'snapshots for both' });

    const bytesBefore = { bot: bot.bytes.websocket, other: other.bytes.websocket };
    const startedAt = performance.now();
    await bot.playFor(RTT_INPUTS, Direction.down, 'websocket');
    const seconds = (performance.now() - startedAt) / 1000;

    const rtt = bot.rttSummary('websocket');
    expect(rtt.count).toBe(RTT_INPUTS);
    const down = (other.bytes.websocket - bytesBefore.other) / seconds;
    console.log(
      `WebSocket input → ack RTT over ${rtt.count} inputs: p50 ${rtt.p50.toFixed(1)} ms, p99 ${rtt.p99.toFixed(1)} ms; ` +
        `bytes down per player (2 players): ${down.toFixed(0)} B/s`,
    );
    // 20 snapshots of 37 bytes plus framing, and the odd event: far under the 3 KB/s budget.
    expect(down).toBeLessThan(3_000);
  });

  it('stores each finished round, and the leaderboard lists its players', async () => {
    const roomId = openRoom();
    const bot = await GameBot.connect(server, sockets, 'Leader');
    await bot.joinRoom(roomId);
    await waitFor(() => bot.eventsVia('websocket').some((event) => event.type === GameEvent.roundEnded), {
      what: 'the first round to end',
      timeoutMs: (ROUND_SECONDS + 2) * 1000,
    });
    expect(await leaderboardEntry(bot.user.id)).toMatchObject({ nickname: 'Leader', rounds: 1, stars: 0 });
    const refused = await fetch(`${server.httpUrl}${ApiPath.leaderboard}?limit=0`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('gives a V1 (JSON-only) socket base64 snapshots, and takes base64 inputs from it', async () => {
    const roomId = openRoom();
    const { token } = await server.signIn();
    const ws = await RawSocket.open(`${server.socketUrl}/websocket?vsn=1.0.0&token=${token}`);
    try {
      const topic = Topic.room(roomId);
      ws.send({ topic, event: 'phx_join', payload: {}, ref: '1', join_ref: '1' });
      const frames: { event: string; payload: Record<string, unknown> }[] = [];
      let input = 0;
      for (let i = 0; i < 200 && input < 5; i++) {
        const frame = (await ws.nextJson()) as { event: string; payload: Record<string, unknown> };
        frames.push(frame);
        if (frame.event === 'phx_reply') {
          expect(frame.payload).toMatchObject({ status: 'ok', response: { state_encoding: StateEncoding.base64 } });
        }
        if (frame.event === GameChannelEvent.snapshot && input < 5) {
          input++;
          const data = Buffer.from(encodeInput({ seq: input, bits: Direction.left, clientTime: 0 })).toString('base64');
          ws.send({ topic, event: GameChannelEvent.input, payload: { data }, ref: null, join_ref: '1' });
        }
      }
      let acked = 0;
      for (let i = 0; i < 100 && acked < 5; i++) {
        const frame = (await ws.nextJson()) as { event: string; payload: { data?: string } };
        if (frame.event !== GameChannelEvent.snapshot) continue;
        const decoded = decodeSnapshot(Buffer.from(frame.payload.data ?? '', 'base64'));
        expect(decoded.ok).toBe(true);
        if (decoded.ok) acked = decoded.value.ackSeq;
      }
      expect(acked).toBe(5);
      expect(frames.some((frame) => frame.event === GameChannelEvent.event)).toBe(true);
    } finally {
      ws.close();
    }
  });
});
