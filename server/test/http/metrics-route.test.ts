/** `GET /metrics` on the real server: Prometheus text that follows the live sockets and peers. */
import { Direction } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { ClientSockets } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/** The value of a sample (`name` with its labels, as written), or undefined when it is missing. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  let server: TestServer;
  const sockets = new ClientSockets();
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await sockets.disconnectAll();
    await server.close();
  });

  const scrape = async (): Promise<string> => {
    const response = await fetch(`${server.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  it('reports process figures and counts the open sockets', async () => {
    const before = await scrape();
    expect(sample(before, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(before, 'starcatch_peers')).toBe(0);
    const idle = sample(before, 'starcatch_sockets') ?? Number.NaN;

    const { token } = await server.signIn('Gauge');
    await sockets.open(server.socketUrl, { params: { token } });
    await sockets.open(server.socketUrl, { params: { token } });
    expect(sample(await scrape(), 'starcatch_sockets')).toBe(idle + 2);

    await sockets.disconnectAll();
    await expect.poll(async () => sample(await scrape(), 'starcatch_sockets')).toBe(idle);
  });

  it('lists dropped messages by reason', async () => {
    const text = await scrape();
    for (const reason of ['datachannel_rate', 'websocket_input_rate', 'websocket_input_malformed', 'unroutable']) {
      expect(text).toContain(`starcatch_dropped_messages_total{reason="${reason}"} 0`);
    }
  });

  it('counts snapshots and inputs, and keeps the totals of a room that stopped', async () => {
    const roomId = server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Gauge', maxPlayers: 2 }).id;
    const bot = await GameBot.connect(server, sockets);
    await bot.joinRoom(roomId);
    await bot.playFor(15, Direction.right, 'websocket');
    await waitFor(() => bot.snapshotsVia('websocket').length >= 5, { what: 'snapshots' });
    const playing = await scrape();
    const sent = sample(playing, 'starcatch_snapshots_total{outcome="sent"}') ?? 0;
    const queued = sample(playing, 'starcatch_inputs_total{verdict="queued"}') ?? 0;
    expect(sent).toBeGreaterThanOrEqual(5);
    expect(queued).toBeGreaterThanOrEqual(1);
    expect(sample(playing, 'starcatch_snapshot_bytes_total')).toBeGreaterThan(0);
    expect(sample(playing, 'starcatch_rooms_simulating')).toBe(1);
    expect(sample(playing, 'starcatch_channels')).toBeGreaterThanOrEqual(1);
    expect(sample(playing, 'starcatch_socket_frames_in_total')).toBeGreaterThanOrEqual(15);
    expect(sample(playing, 'starcatch_socket_frames_out_total')).toBeGreaterThanOrEqual(5);
    expect(sample(playing, 'starcatch_tick_duration_seconds_count')).toBeGreaterThan(0);

    await bot.close();
    await sockets.disconnectAll();
    await expect.poll(async () => sample(await scrape(), 'starcatch_rooms_simulating')).toBe(0);
    const after = await scrape();
    expect(sample(after, 'starcatch_snapshots_total{outcome="sent"}')).toBeGreaterThanOrEqual(sent);
    expect(sample(after, 'starcatch_inputs_total{verdict="queued"}')).toBeGreaterThanOrEqual(queued);
  });
});
