/**
 * The client authors' protocol server: its sample room (snapshots of the game's codec at 20 Hz,
 * inputs acknowledged, chat, presence, V1 base64) and `pnpm protocol-server --port`. The `room:*`
 * test channel is covered by the conformance suite and the golden transcripts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  decodeSnapshot,
  ErrorCode,
  encodeInput,
  GameEvent,
  type SnapshotMessage,
  StateEncoding,
} from '@starcatch/shared';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../../scripts/services/free-port.ts';
import { type ProtocolServer, startProtocolServer } from '../../src/protocol-kit/protocol-server.ts';
import { SAMPLE_SHIP_SLOTS } from '../../src/protocol-kit/sample-room.ts';
import { heartbeat, heartbeatReply, join, push, v1 } from '../conformance/frames.ts';
import { waitFor } from '../integration/wait-for.ts';
import { type RawFrame, RawSocket } from '../support/raw-socket.ts';

const servers: ProtocolServer[] = [];
const sockets: RawSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(): Promise<ProtocolServer> {
  const server = await startProtocolServer();
  servers.push(server);
  return server;
}

async function connect(server: ProtocolServer, query: Record<string, string | undefined>): Promise<RawSocket> {
  const socket = await RawSocket.open(server.wsUrl(query));
  sockets.push(socket);
  return socket;
}

/** A client binary push (kind 0), as docs/protocol.md §7 lays it out. */
function binaryPush(joinRef: string, ref: string, topic: string, event: string, payload: Uint8Array): Buffer {
  const fields = [joinRef, ref, topic, event].map((field) => Buffer.from(field));
  return Buffer.concat([Buffer.from([0, ...fields.map((field) => field.length)]), ...fields, payload]);
}

/** The event and payload of a server binary push (kind 0: three lengths, no ref). */
function serverPush(bytes: Buffer): { event: string; payload: Buffer } {
  expect(bytes[0]).toBe(0);
  const [joinRefLength = 0, topicLength = 0, eventLength = 0] = bytes.subarray(1, 4);
  const eventAt = 4 + joinRefLength + topicLength;
  return {
    event: bytes.subarray(eventAt, eventAt + eventLength).toString(),
    payload: bytes.subarray(eventAt + eventLength),
  };
}

/** Every SNAPSHOT a socket receives from now on, decoded with the game's codec. */
function collectSnapshots(socket: RawSocket, read: (frame: RawFrame) => Uint8Array | null): SnapshotMessage[] {
  const snapshots: SnapshotMessage[] = [];
  socket.ws.on('message', (data: Buffer, isBinary: boolean) => {
    const frame: RawFrame = isBinary
      ? { kind: 'binary', bytes: data }
      : { kind: 'text', json: JSON.parse(data.toString()), text: data.toString() };
    const bytes = read(frame);
    if (!bytes) return;
    const decoded = decodeSnapshot(bytes);
    if (!decoded.ok) throw new Error(decoded.error.message);
    snapshots.push(decoded.value);
  });
  return snapshots;
}

/** The next text frame, parsed; snapshots (binary on V2) in between are passed over. */
async function nextText(socket: RawSocket): Promise<unknown> {
  for (;;) {
    const frame = await socket.next();
    if (frame.kind === 'text') return frame.json;
  }
}

const binarySnapshot = (frame: RawFrame): Uint8Array | null => {
  if (frame.kind !== 'binary') return null;
  const { event, payload } = serverPush(frame.bytes);
  return event === 'snapshot' ? payload : null;
};

const base64Snapshot = (frame: RawFrame): Uint8Array | null => {
  const message = frame.kind === 'text' ? (frame.json as { event?: string; payload?: { data?: string } }) : null;
  return message?.event === 'snapshot' && message.payload?.data ? Buffer.from(message.payload.data, 'base64') : null;
};

describe('the sample room', () => {
  test('streams SNAPSHOTs of the game codec at 20 Hz, with two sample ships, and acknowledges inputs (V2)', async () => {
    const server = await start();
    const ada = await connect(server, { user: 'ada' });
    ada.send(join('1', 'sample:t', { nickname: 'Ada' }));
    expect(await nextText(ada)).toEqual([
      '1',
      '1',
      'sample:t',
      'phx_reply',
      {
        status: 'ok',
        response: {
          room: { id: 't', name: 't', max_players: 6, players: 1, state: 'playing' },
          slot: 0,
          history: [],
          state_encoding: StateEncoding.binary,
        },
      },
    ]);
    const state = (await nextText(ada)) as unknown[];
    expect(state.slice(0, 4)).toEqual(['1', null, 'sample:t', 'presence_state']);
    expect(state[4]).toEqual({
      ada: {
        metas: [
          {
            nickname: 'Ada',
            color: expect.any(String),
            online_at: expect.any(Number),
            transport: 'websocket',
            phx_ref: expect.any(String),
          },
        ],
      },
    });
    const sync = (await nextText(ada)) as [unknown, unknown, unknown, string, { type: string; players: unknown[] }];
    expect(sync[3]).toBe('game:event');
    expect(sync[4]).toMatchObject({ type: GameEvent.sync, players: [{ slot: 0, user_id: 'ada', nickname: 'Ada' }] });

    const snapshots = collectSnapshots(ada, binarySnapshot);
    const startedAt = Date.now();
    await waitFor(() => snapshots.length >= 10, { what: '10 snapshots' });
    // 20 Hz: 10 snapshots take about half a second.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    const first = snapshots[0];
    expect(first?.ackSeq).toBe(0);
    expect(first?.players.map((player) => player.slot)).toEqual([0, ...SAMPLE_SHIP_SLOTS]);
    for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]?.tick).toBe((snapshots[i - 1]?.tick ?? 0) + 1);
    expect(first?.players.find((player) => player.slot === SAMPLE_SHIP_SLOTS[0])?.vy).not.toBe(0);

    ada.send(binaryPush('1', '2', 'sample:t', 'input', encodeInput({ seq: 1, bits: 8, clientTime: 5 })));
    await waitFor(() => snapshots.at(-1)?.ackSeq === 1, { what: 'the ack of input 1' });
    const before = snapshots.length;
    await waitFor(() => snapshots.length >= before + 4, { what: 'four more snapshots' });
    const ship = (snapshot: SnapshotMessage | undefined) => snapshot?.players.find((player) => player.slot === 0);
    expect(ship(snapshots.at(-1))?.x).toBeGreaterThan(ship(first)?.x ?? Number.POSITIVE_INFINITY);
    expect(ship(snapshots.at(-1))?.vx).toBeGreaterThan(0);
  });

  test('speaks base64 to V1 sockets, both ways, as state_encoding says', async () => {
    const server = await start();
    const godot = await connect(server, { user: 'godot', vsn: undefined });
    godot.send(v1('sample:v1', 'phx_join', {}, '1', '1'));
    const reply = (await godot.nextJson()) as { payload: { response: { state_encoding: string } } };
    expect(reply.payload.response.state_encoding).toBe(StateEncoding.base64);
    const snapshots = collectSnapshots(godot, base64Snapshot);
    await waitFor(() => snapshots.length >= 2, { what: 'base64 snapshots' });
    const data = Buffer.from(encodeInput({ seq: 7, bits: 1, clientTime: 5 })).toString('base64');
    godot.send(v1('sample:v1', 'input', { data }, null, '1'));
    await waitFor(() => snapshots.at(-1)?.ackSeq === 7, { what: 'the ack of input 7' });
  });

  test('broadcasts chat, keeps history and presence, and tells members who comes and goes', async () => {
    const server = await start();
    const ada = await connect(server, { user: 'ada' });
    ada.send(join('1', 'sample:c', { nickname: 'Ada' }));
    await nextText(ada); // reply
    await nextText(ada); // presence_state
    await nextText(ada); // sync
    await nextText(ada); // own join diff
    const adaText: unknown[] = [];
    ada.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) adaText.push(JSON.parse(data.toString()));
    });

    ada.send(push('1', '2', 'sample:c', 'chat:send', { body: 'hi' }));
    await waitFor(() => adaText.length >= 2, { what: 'the chat broadcast and reply' });
    const message = { id: 1, user_id: 'ada', nickname: 'Ada', body: 'hi', inserted_at: expect.any(String) };
    expect(adaText.slice(0, 2)).toEqual([
      [null, null, 'sample:c', 'chat:message', message],
      ['1', '2', 'sample:c', 'phx_reply', { status: 'ok', response: { message } }],
    ]);

    const bob = await connect(server, { user: 'bob' });
    bob.send(join('1', 'sample:c'));
    const bobReply = (await nextText(bob)) as [
      unknown,
      unknown,
      unknown,
      unknown,
      { response: { slot: number; history: unknown[] } },
    ];
    expect(bobReply[4].response.slot).toBe(1);
    expect(bobReply[4].response.history).toEqual([message]);
    await vi.waitFor(() =>
      expect(adaText).toContainEqual([
        null,
        null,
        'sample:c',
        'game:event',
        expect.objectContaining({ type: GameEvent.playerJoined, slot: 1, user_id: 'bob', nickname: 'bob' }),
      ]),
    );
    bob.ws.close();
    await vi.waitFor(() =>
      expect(adaText).toContainEqual([
        null,
        null,
        'sample:c',
        'game:event',
        expect.objectContaining({ type: GameEvent.playerLeft, slot: 1, user_id: 'bob' }),
      ]),
    );

    ada.send(push('1', '3', 'sample:c', 'chat:send', { body: '' }));
    await vi.waitFor(() =>
      expect(adaText).toContainEqual([
        '1',
        '3',
        'sample:c',
        'phx_reply',
        { status: 'error', response: { reason: ErrorCode.invalidMessage, message: expect.any(String) } },
      ]),
    );
  });

  test('holds six members; the seventh is refused room_full', async () => {
    const server = await start();
    for (let i = 0; i < 6; i++) {
      const member = await connect(server, { user: `m${i}` });
      member.send(join('1', 'sample:full'));
      expect(((await nextText(member)) as [unknown, unknown, unknown, unknown, { status: string }])[4].status).toBe(
        'ok',
      );
    }
    const late = await connect(server, { user: 'late' });
    late.send(join('1', 'sample:full'));
    expect(await nextText(late)).toEqual([
      '1',
      '1',
      'sample:full',
      'phx_reply',
      { status: 'error', response: { reason: ErrorCode.roomFull, message: expect.any(String) } },
    ]);
  });
});

describe('pnpm protocol-server', () => {
  const main = resolve(import.meta.dirname, '../../src/protocol-kit/main.ts');

  test('--port N serves the protocol server on that port until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [main, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      expect(first).toBe(`protocol server (no game, no database) listening on ws://127.0.0.1:${port}/socket`);
      const socket = await RawSocket.open(`ws://127.0.0.1:${port}/socket/websocket?token=valid-token&vsn=2.0.0`);
      sockets.push(socket);
      socket.send(heartbeat('1'));
      expect(await socket.nextJson()).toEqual(heartbeatReply('1'));
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect((await socket.closed).code).toBe(1012);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
