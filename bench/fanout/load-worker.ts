import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { clock } from '../support/measure.ts';
import {
  decodeFrame,
  Event,
  encodeFrame,
  isReply,
  joinFrame,
  replyStatus,
  SOCKET_TOPIC,
  withV2Query,
} from '../support/phoenix-frames.ts';
import { FanoutChannel } from './bench-server.ts';
import type { FromWorker, LoadWorkerConfig, ToWorker } from './load-protocol.ts';

/**
 * One load-generator thread: owns a share of the clients, each a Phoenix V2 socket joined to its
 * room. After `start` every client pushes `chat` at a steady rate with its send time in the
 * payload; every socket records the latency of the broadcasts it receives.
 */
const config = workerData as LoadWorkerConfig;
const port = parentPort;
if (!port) throw new Error('load-worker.ts must run as a worker thread');

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const HEARTBEAT_MS = 30_000;
/** Scheduler resolution; at 20 msg/s (50 ms apart) a 2 ms tick keeps sends close to schedule. */
const TICK_MS = 2;
/** A client that fell behind sends at most this many overdue pushes in one tick. */
const MAX_CATCH_UP = 2;

interface Client {
  readonly ws: WebSocket;
  readonly topic: string;
  readonly joinRef: string;
  nextRef: number;
  nextSendAt: number;
}

const body = 'x'.repeat(config.bodyBytes);
const period = 1000 / config.ratePerClient;
const clients: Client[] = [];
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.NEGATIVE_INFINITY;
let counting = false;
let finished = false;
let sent = 0;
let delivered = 0;
let errorReplies = 0;
let closedEarly = 0;
let latencies = new Float64Array(4096);

function record(latency: number): void {
  if (delivered === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[delivered++] = latency;
}

function onFrame(text: string): void {
  const frame = decodeFrame(text);
  if (frame[3] === FanoutChannel.event) {
    if (!counting) return;
    const sentAt = (frame[4] as { t: number }).t;
    if (sentAt >= windowStart && sentAt < windowEnd) record(clock() - sentAt);
  } else if (isReply(frame) && replyStatus(frame) !== 'ok') {
    errorReplies++;
  }
}

function connect(room: number, user: string): Promise<Client> {
  const topic = FanoutChannel.topic(room);
  const ws = new WebSocket(withV2Query(config.url, { user }));
  const client: Client = { ws, topic, joinRef: '1', nextRef: 2, nextSendAt: 0 };
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(joinFrame(client.joinRef, topic));
    });
    const onJoin = (data: WebSocket.RawData): void => {
      const frame = decodeFrame(data.toString());
      if (frame[1] !== client.joinRef || !isReply(frame)) return;
      ws.off('message', onJoin);
      const status = replyStatus(frame);
      if (status !== 'ok') {
        reject(new Error(`join of ${topic} answered ${String(status)}`));
        return;
      }
      ws.on('message', (message) => onFrame(message.toString()));
      ws.on('close', () => {
        if (!finished) closedEarly++;
      });
      resolve(client);
    };
    ws.on('message', onJoin);
  });
}

function push(client: Client, topic: string, event: string, payload: object): void {
  const ref = String(client.nextRef++);
  client.ws.send(encodeFrame(topic === SOCKET_TOPIC ? null : client.joinRef, ref, topic, event, payload));
}

function run(startAt: number): void {
  const sendEnd = startAt + config.warmupMs + config.measureMs;
  windowStart = startAt + config.warmupMs;
  windowEnd = sendEnd;
  counting = true;
  // Spread the clients evenly over one period so the load is smooth, not bursts.
  clients.forEach((client, i) => {
    client.nextSendAt = startAt + (period * (i + Math.random())) / clients.length;
  });
  const heartbeat = setInterval(() => {
    for (const client of clients) push(client, SOCKET_TOPIC, Event.heartbeat, {});
  }, HEARTBEAT_MS);

  const ticker = setInterval(() => {
    const now = clock();
    if (now >= sendEnd) {
      clearInterval(ticker);
      setTimeout(finish, config.drainMs, heartbeat);
      return;
    }
    for (const client of clients) {
      for (let n = 0; n < MAX_CATCH_UP && client.nextSendAt <= now; n++) {
        const t = clock();
        if (t >= sendEnd) break;
        push(client, client.topic, FanoutChannel.event, { t, body });
        if (t >= windowStart) sent++;
        client.nextSendAt += period;
      }
      // Overdue beyond the catch-up allowance: skip ahead rather than burst (the count stays honest).
      if (client.nextSendAt <= now) client.nextSendAt = now + period;
    }
  }, TICK_MS);
}

function finish(heartbeat: NodeJS.Timeout): void {
  clearInterval(heartbeat);
  finished = true;
  counting = false;
  for (const client of clients) client.ws.terminate();
  const trimmed = latencies.slice(0, delivered);
  post({ type: 'done', sent, delivered, latencies: trimmed, errorReplies, closedEarly }, [trimmed.buffer]);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') run(message.startAt);
});

const setupTimer = setTimeout(() => {
  post({ type: 'failed', message: `connect/join did not finish in ${config.setupTimeoutMs} ms` });
}, config.setupTimeoutMs);

try {
  for (const c of await Promise.all(config.clients.map((c) => connect(c.room, c.user)))) clients.push(c);
  clearTimeout(setupTimer);
  post({ type: 'ready' });
} catch (cause) {
  clearTimeout(setupTimer);
  post({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
}
