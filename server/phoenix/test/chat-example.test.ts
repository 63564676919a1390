/**
 * The README's example, run as a reader would run it: `node examples/chat-server.ts` in its own
 * process, on the built package, driven by the official phoenix client over real WebSockets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Channel, Socket } from 'phoenix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = resolve(import.meta.dirname, '..');
let server: ChildProcess;
let endpoint: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  const child = spawn(process.execPath, ['examples/chat-server.ts'], {
    cwd: packageRoot,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  endpoint = line.replace('chat server on ', '');
}, 20_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  server.kill();
  if (server.exitCode === null) await once(server, 'exit');
});

function connect(token: string): Socket {
  const socket = new Socket(endpoint, { params: { token }, reconnectAfterMs: () => 60_000 });
  sockets.push(socket);
  socket.connect();
  return socket;
}

function reply(push: ReturnType<Channel['push']>): Promise<{ status: string; response: unknown }> {
  return new Promise((done) => {
    for (const status of ['ok', 'error', 'timeout'] as const)
      push.receive(status, (response) => done({ status, response }));
  });
}

/** The next `event` on the channel whose payload passes `accept` (any payload by default). */
function next(channel: Channel, event: string, accept: (payload: unknown) => boolean = () => true): Promise<unknown> {
  return new Promise((done) => {
    const ref = channel.on(event, (payload) => {
      if (!accept(payload)) return;
      channel.off(event, ref);
      done(payload);
    });
  });
}

describe('examples/chat-server.ts', () => {
  it('joins with a token, shows presence, broadcasts shouts and hides muted senders per listener', async () => {
    const alice = connect('alice').channel('room:lobby');
    const aliceState = next(alice, 'presence_state');
    expect(await reply(alice.join())).toEqual({ status: 'ok', response: { you: 'alice' } });
    expect(Object.keys((await aliceState) as object)).toEqual(['alice']);

    const bob = connect('bob').channel('room:lobby');
    // Alice's own arrival comes as a diff too: wait for the one that brings Bob.
    const bobArrives = next(alice, 'presence_diff', (diff) => 'bob' in (diff as { joins: object }).joins);
    await reply(bob.join());
    expect(Object.keys(((await bobArrives) as { joins: object }).joins)).toEqual(['bob']);

    const heard = next(bob, 'shout');
    expect((await reply(alice.push('shout', { body: 'hello' }))).status).toBe('ok');
    expect(await heard).toEqual({ from: 'alice', body: 'hello' });

    // Bob mutes Alice: her next shout reaches Alice herself but not Bob, who still hears his own.
    await reply(bob.push('mute', { body: 'alice' }));
    const bobHears: unknown[] = [];
    bob.on('shout', (payload) => {
      bobHears.push(payload);
    });
    const aliceHearsHerself = next(alice, 'shout');
    await reply(alice.push('shout', { body: 'anyone?' }));
    expect(await aliceHearsHerself).toEqual({ from: 'alice', body: 'anyone?' });
    const bobHearsHimself = next(bob, 'shout');
    await reply(bob.push('shout', { body: 'quiet here' }));
    await bobHearsHimself;
    expect(bobHears).toEqual([{ from: 'bob', body: 'quiet here' }]);

    expect(await reply(bob.push('dance', {}))).toEqual({ status: 'error', response: { reason: 'bad message' } });
  });

  it('refuses an unknown room on join and a bad token before the upgrade', async () => {
    const socket = connect('carol');
    expect(await reply(socket.channel('room:elsewhere').join())).toEqual({
      status: 'error',
      response: { reason: 'unknown room' },
    });

    const upgrade = request(`${endpoint.replace('ws', 'http')}/websocket?vsn=2.0.0&token=not%20valid`, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).end();
    const [response] = (await once(upgrade, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(403);
  });
});
