/**
 * What a LongPoll client costs next to a WebSocket one, measured against the real server (a child
 * `node server/src/main.ts` on loopback, default LongPoll settings) with the official client
 * (phoenix.js 1.8, which polls with fetch in Node as browsers do with XHR):
 *
 * 1. idle: clients signed in and in the lobby, doing nothing; HTTP requests (LongPoll) and frames
 *    (WebSocket) per second per client, and the bytes of one idle poll;
 * 2. chat: lobby `chat:send` from one client to another for each pair of transports; the time from
 *    the push to the other client's `chat:message`, and to the sender's own `ok`.
 *
 *   node server/test/measure/longpoll-cost.ts [--idle-clients 20] [--idle-seconds 60] [--messages 60]
 *
 * The figures in docs/protocol.md ("LongPoll") come from this script.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiPath } from '@starcatch/shared';
import { type Channel, LongPoll, Socket } from 'phoenix';
import { freePort } from '../../../scripts/services/free-port.ts';

const { values } = parseArgs({
  options: {
    'idle-clients': { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '60' },
    messages: { type: 'string', default: '60' },
  },
});
const IDLE_CLIENTS = Number(values['idle-clients']);
const IDLE_SECONDS = Number(values['idle-seconds']);
const MESSAGES = Number(values.messages);
/** Between two chat messages of a pair: slow enough that each one finds the receiver idle. */
const MESSAGE_GAP_MS = 100;
const SETTLE_MS = 2_000;

type Transport = 'websocket' | 'longpoll';

// Every fetch phoenix.js makes (LongPoll in Node) goes through this counter.
const requests = { GET: 0, POST: 0, idlePollBytes: [] as number[] };
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const method = init?.method ?? 'GET';
  if (method === 'GET' || method === 'POST') requests[method]++;
  const response = await realFetch(input, init);
  if (method === 'GET') {
    const body = await response.clone().text();
    if (body.includes('"status":204')) requests.idlePollBytes.push(wireBytes(String(input), init, response, body));
  }
  return response;
};

/** Request line and headers, response status line, headers and body, as they go over HTTP/1.1. */
function wireBytes(url: string, init: RequestInit | undefined, response: Response, body: string): number {
  const { pathname, search } = new URL(url);
  const requestHeaders = Object.entries({
    host: '127.0.0.1:65535',
    connection: 'keep-alive',
    ...((init?.headers as Record<string, string> | undefined) ?? {}),
  });
  let bytes = `GET ${pathname}${search} HTTP/1.1\r\n`.length + 2;
  for (const [name, value] of requestHeaders) bytes += name.length + value.length + 4;
  bytes += 'HTTP/1.1 200 OK\r\n'.length + 2 + Buffer.byteLength(body);
  response.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4;
  });
  return bytes;
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const idle = await measureIdle(server.httpUrl, server.socketUrl);
    const chat: Record<string, Awaited<ReturnType<typeof measureChat>>> = {};
    for (const [from, to] of [
      ['websocket', 'websocket'],
      ['longpoll', 'websocket'],
      ['websocket', 'longpoll'],
      ['longpoll', 'longpoll'],
    ] as const) {
      chat[`${from} → ${to}`] = await measureChat(server.httpUrl, server.socketUrl, from, to);
    }
    console.log(JSON.stringify({ idle, chat }, null, 2));
  } finally {
    server.stop();
  }
}

async function measureIdle(httpUrl: string, socketUrl: string) {
  const longPoll = await Promise.all(
    Array.from({ length: IDLE_CLIENTS }, () => signedInLobby(httpUrl, socketUrl, 'longpoll')),
  );
  const webSocket = await Promise.all(
    Array.from({ length: IDLE_CLIENTS }, () => signedInLobby(httpUrl, socketUrl, 'websocket')),
  );
  let frames = 0;
  for (const { socket } of webSocket) {
    socket.onMessage(() => {
      frames++;
    });
  }
  await sleep(SETTLE_MS);
  requests.GET = 0;
  requests.POST = 0;
  requests.idlePollBytes.length = 0;
  frames = 0;
  await sleep(IDLE_SECONDS * 1000);
  const result = {
    clients: IDLE_CLIENTS,
    seconds: IDLE_SECONDS,
    longPollRequestsPerClientPerSecond: round((requests.GET + requests.POST) / IDLE_CLIENTS / IDLE_SECONDS, 4),
    longPollGets: requests.GET,
    longPollPosts: requests.POST,
    idlePollWireBytes: median(requests.idlePollBytes),
    // Server → client frames; phoenix.js sends as many heartbeats the other way.
    webSocketFramesInPerClientPerSecond: round(frames / IDLE_CLIENTS / IDLE_SECONDS, 4),
  };
  for (const { socket } of [...longPoll, ...webSocket]) socket.disconnect();
  await sleep(SETTLE_MS);
  return result;
}

async function measureChat(httpUrl: string, socketUrl: string, from: Transport, to: Transport) {
  const sender = await signedInLobby(httpUrl, socketUrl, from);
  const receiver = await signedInLobby(httpUrl, socketUrl, to);
  const sentAt = new Map<string, number>();
  const delivered: number[] = [];
  const acked: number[] = [];
  receiver.channel.on('chat:message', (message: { body: string }) => {
    const at = sentAt.get(message.body);
    if (at !== undefined) delivered.push(performance.now() - at);
  });
  await sleep(SETTLE_MS);
  for (let i = 0; i < MESSAGES; i++) {
    const body = `${from}-${to}-${i}`;
    const at = performance.now();
    sentAt.set(body, at);
    sender.channel.push('chat:send', { body }).receive('ok', () => acked.push(performance.now() - at));
    await sleep(MESSAGE_GAP_MS + Math.random() * 50);
  }
  await sleep(SETTLE_MS);
  sender.socket.disconnect();
  receiver.socket.disconnect();
  return { delivered: summary(delivered), ownReply: summary(acked) };
}

async function signedInLobby(httpUrl: string, socketUrl: string, transport: Transport) {
  const response = await fetch(`${httpUrl}${ApiPath.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname: `cost${Math.floor(Math.random() * 1e6)}` }),
  });
  const { token } = (await response.json()) as { token: string };
  const socket = new Socket(socketUrl, {
    authToken: token,
    ...(transport === 'longpoll' && { transport: LongPoll }),
  });
  socket.connect();
  const channel: Channel = socket.channel('lobby');
  await new Promise<void>((resolve, reject) => {
    channel
      .join()
      .receive('ok', () => resolve())
      .receive('error', reject)
      .receive('timeout', () => reject(new Error('lobby join timed out')));
  });
  return { socket, channel };
}

function summary(samples: readonly number[]) {
  return { count: samples.length, p50: round(percentile(samples, 50), 1), p95: round(percentile(samples, 95), 1) };
}

function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const median = (samples: readonly number[]): number => percentile(samples, 50);
const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The production entry point on a free loopback port, limits lifted for one address full of clients. */
async function startServer(): Promise<{ httpUrl: string; socketUrl: string; stop(): void }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'starcatch-longpoll-cost-'));
  const child: ChildProcess = fork(new URL('../../src/main.ts', import.meta.url), [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SIGN_INS_PER_ADDRESS_PER_MINUTE: '100000',
      SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE: '100000',
      MAX_SOCKETS_PER_ADDRESS: '100000',
      ROOM_CHAT_BURST: '100000',
      ROOM_CHAT_PER_MINUTE: '1000000',
    },
    stdio: 'inherit',
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const healthy = await realFetch(`${httpUrl}${ApiPath.health}`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) throw new Error('the server did not start');
    await sleep(100);
  }
  return {
    httpUrl,
    socketUrl: `ws://127.0.0.1:${port}/socket`,
    stop() {
      child.kill('SIGTERM');
      child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    },
  };
}

await main();
