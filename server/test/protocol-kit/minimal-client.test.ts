/**
 * examples/minimal-client runs as a child process (plain Node, no phoenix.js) against the protocol
 * server's sample room and against the game server's real room, so the example cannot rot.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { LobbyEvent, Topic } from '@starcatch/shared';
import { afterEach, expect, test } from 'vitest';
import { startProtocolServer } from '../../src/protocol-kit/protocol-server.ts';
import { join as joinChannel } from '../conformance/frames.ts';
import { ClientSockets, join, push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { startTestServer } from '../support/test-server.ts';

const CLIENT = resolve(import.meta.dirname, '../../../examples/minimal-client/minimal-client.ts');
/** Far above the ~1 s a run takes on loopback. */
const RUN_TIMEOUT_MS = 15_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runClient(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('joins the sample room, chats, keeps presence, sends inputs and decodes snapshots', async () => {
  const server = await startProtocolServer();
  cleanups.push(() => server.close());
  // Bob is there first: Ada's presence must show him, and he must hear her chat.
  const bob = await RawSocket.open(server.wsUrl({ user: 'bob' }));
  cleanups.push(() => bob.ws.terminate());
  const heard: unknown[] = [];
  bob.ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) heard.push(JSON.parse(data.toString()));
  });
  bob.send(joinChannel('1', 'sample:demo', { nickname: 'bob' }));
  await waitFor(() => heard.length >= 1, { what: "bob's join reply" });

  const { code, stdout, stderr } = await runClient([
    '--url',
    server.socketUrl,
    '--name',
    'ada',
    '--say',
    'hi bob',
    '--snapshots',
    '10',
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines).toContain('joined sample:demo: slot 1, state_encoding binary');
  expect(lines).toContain('presence: ada, bob');
  expect(lines).toContain('chat: ada: hi bob');
  expect(lines).toContain('chat:send ok, message id 1');
  expect(lines.find((line) => line.startsWith('snapshot 10: '))).toMatch(
    /^snapshot 10: tick \d+, ack \d+, 4 players: 0@/,
  );
  expect(lines).toContain('inputs: sent 5, the server acknowledged up to 4');
  expect(lines.at(-1)).toBe('left; done');
  expect(heard).toContainEqual([
    null,
    null,
    'sample:demo',
    'chat:message',
    expect.objectContaining({ body: 'hi bob' }),
  ]);
});

test('plays a room of the game server with a real sign-in token', async () => {
  const server = await startTestServer();
  const sockets = new ClientSockets();
  cleanups.push(
    () => server.close(),
    () => sockets.disconnectAll(),
  );
  const host = await server.signIn('Host');
  const socket = await sockets.open(server.socketUrl, { params: { token: host.token } });
  const lobby = socket.channel(Topic.lobby);
  await join(lobby);
  const created = await push(lobby, LobbyEvent.createRoom, { name: 'Kit', max_players: 4 });
  const roomId = (created.response as { room: { id: string } }).room.id;
  const { token } = await server.signIn('Ada');

  const topic = Topic.room(roomId);
  const run = await runClient(['--url', server.socketUrl, '--token', token, '--topic', topic, '--snapshots', '10']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toContain(`joined ${topic}: slot 0, state_encoding binary`);
  expect(lines).toContain('presence: Ada');
  expect(lines).toContain('chat: Ada: hello from the minimal client');
  expect(lines.find((line) => line.startsWith('snapshot 10: '))).toMatch(
    /^snapshot 10: tick \d+, ack \d+, 1 players: 0@/,
  );
  expect(lines).toContainEqual(expect.stringMatching(/^inputs: sent 5, the server acknowledged up to [1-5]$/));
});
