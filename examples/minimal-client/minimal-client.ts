/**
 * A minimal Starcatch client in plain Node (22.18+): no phoenix.js, only the global `WebSocket`.
 * It joins a room, chats, keeps the room's presence, sends inputs and decodes snapshots, speaking
 * the wire protocol of docs/protocol.md (V2 frames, binary pushes, the INPUT and SNAPSHOT layouts).
 *
 *   pnpm protocol-server &                  # the kit's server: token valid-token, room sample:demo
 *   node examples/minimal-client/minimal-client.ts --name ada --say "hello"
 *
 * Against the game server: --url ws://127.0.0.1:4000/socket --token <POST /api/v1/session token>
 * --topic room:<id>. It exits 0 after --snapshots snapshots, or 1 on any error.
 */
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:4100/socket' },
    token: { type: 'string', default: 'valid-token' },
    topic: { type: 'string', default: 'sample:demo' },
    name: { type: 'string', default: 'ada' },
    say: { type: 'string', default: 'hello from the minimal client' },
    snapshots: { type: 'string', default: '20' },
  },
});

type Frame = [string | null, string | null, string, string, unknown];
type Meta = { phx_ref: string; nickname?: string };
type Metas = Record<string, { metas: Meta[] }>;
/** The payload fields this client reads, whichever event carries them. */
type Payload = { status: string; response: unknown; joins: Metas; leaves: Metas; nickname: string; body: string };

const query = new URLSearchParams({ token: opt.token, vsn: '2.0.0', user: opt.name });
const ws = new WebSocket(`${opt.url}/websocket?${query}`);
ws.binaryType = 'arraybuffer';
const fail = (why: string): never => {
  console.error(`error: ${why}`);
  process.exit(1);
};

// --- frames: one ref counter per socket; replies are matched by ref --------------------------------
let nextRef = 0;
let joinRef: string | null = null;
const pending = new Map<string, (status: string, response: unknown) => void>();

function send(topic: string, event: string, payload: unknown, ref = String(++nextRef)): string {
  ws.send(JSON.stringify([topic === 'phoenix' ? null : joinRef, ref, topic, event, payload]));
  return ref;
}

function request(topic: string, event: string, payload: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ref = send(topic, event, payload);
    const timer = setTimeout(() => reject(new Error(`${event}: no reply in 10 s`)), 10_000);
    pending.set(ref, (status, response) => {
      clearTimeout(timer);
      pending.delete(ref);
      if (status === 'ok') resolve(response);
      else reject(new Error(`${event}: ${status} ${JSON.stringify(response)}`));
    });
  });
}

// --- binary frames (V2): 0 push = kind, 3 lengths (join_ref, topic, event), strings, payload -------
const utf8 = new TextEncoder();
function sendBinaryPush(topic: string, event: string, payload: Uint8Array): void {
  const fields = [joinRef ?? '', String(++nextRef), topic, event].map((field) => utf8.encode(field));
  const header = [0, ...fields.map((field) => field.length)];
  const frame = new Uint8Array(header.length + fields.reduce((n, f) => n + f.length, 0) + payload.length);
  frame.set(header);
  let at = header.length;
  for (const field of [...fields, payload]) {
    frame.set(field, at);
    at += field.length;
  }
  ws.send(frame);
}

function readServerBinary(bytes: Uint8Array): { event: string; payload: Uint8Array } | null {
  if (bytes[0] !== 0) return null; // only pushes matter here (1 = reply, 2 = broadcast)
  const [joinRefLength = 0, topicLength = 0, eventLength = 0] = bytes.subarray(1, 4);
  const eventStart = 4 + joinRefLength + topicLength;
  const event = new TextDecoder().decode(bytes.subarray(eventStart, eventStart + eventLength));
  return { event, payload: bytes.subarray(eventStart + eventLength) };
}

// --- the game's codec: INPUT is 11 bytes, SNAPSHOT 15 + 11 per player (little-endian) -------------
let seq = 0;
function encodeInput(bits: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(11));
  view.setUint8(0, 1); // codec version
  view.setUint8(1, 1); // kind: INPUT
  view.setUint32(2, ++seq, true);
  view.setUint8(6, bits); // 1 up, 2 down, 4 left, 8 right
  view.setUint32(7, Math.floor(performance.now()) >>> 0, true);
  return new Uint8Array(view.buffer);
}

function decodeSnapshot(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== 1 || view.getUint8(1) !== 2) fail('not a version 1 SNAPSHOT');
  const count = view.getUint8(14);
  if (bytes.length !== 15 + 11 * count) fail(`a SNAPSHOT of ${count} players cannot be ${bytes.length} bytes`);
  const players = Array.from({ length: count }, (_, i) => {
    const at = 15 + 11 * i;
    const [x, y] = [view.getUint16(at + 1, true) / 32, view.getUint16(at + 3, true) / 32];
    const [vx, vy] = [view.getInt16(at + 5, true) / 64, view.getInt16(at + 7, true) / 64];
    return { slot: view.getUint8(at), x, y, vx, vy };
  });
  return { tick: view.getUint32(2, true), ack: view.getUint32(6, true), players };
}

// --- presence: buffer diffs until the state, then joins before leaves, by phx_ref ------------------
let presence: Record<string, Meta[]> | null = null;
const buffered: { joins: Metas; leaves: Metas }[] = [];
function applyDiff({ joins, leaves }: { joins: Metas; leaves: Metas }): void {
  if (!presence) return void buffered.push({ joins, leaves });
  for (const [key, { metas }] of Object.entries(joins)) {
    const refs = new Set(metas.map((meta) => meta.phx_ref));
    presence[key] = [...(presence[key] ?? []).filter((meta) => !refs.has(meta.phx_ref)), ...metas];
  }
  for (const [key, { metas }] of Object.entries(leaves)) {
    const refs = new Set(metas.map((meta) => meta.phx_ref));
    const left = (presence[key] ?? []).filter((meta) => !refs.has(meta.phx_ref));
    if (left.length > 0) presence[key] = left;
    else delete presence[key];
  }
}
let shown = '';
const showPresence = (): void => {
  const names = Object.entries(presence ?? {}).map(([key, metas]) => metas[0]?.nickname ?? key);
  const line = `presence: ${names.sort().join(', ')}`;
  if (line === shown) return; // one key per user, however many tabs: print changes only
  shown = line;
  console.log(line);
};

// --- the session --------------------------------------------------------------------------------
const wanted = Number(opt.snapshots);
let snapshots = 0;
let finished = false;
function onSnapshot(bytes: Uint8Array): void {
  const { tick, ack, players } = decodeSnapshot(bytes);
  if (++snapshots === 1 || snapshots === wanted) {
    const ships = players.map((p) => `${p.slot}@(${p.x},${p.y}) v(${p.vx},${p.vy})`).join(' ');
    console.log(`snapshot ${snapshots}: tick ${tick}, ack ${ack}, ${players.length} players: ${ships}`);
  }
  if (snapshots % 2 === 0 && seq < 10) sendBinaryPush(opt.topic, 'input', encodeInput(8)); // thrust right
  if (snapshots >= wanted && !finished) void finish(ack);
}

async function finish(ack: number): Promise<void> {
  finished = true;
  console.log(`inputs: sent ${seq}, the server acknowledged up to ${ack}`);
  await request(opt.topic, 'phx_leave', {});
  console.log('left; done');
  ws.close(1000);
  process.exit(0);
}

ws.addEventListener('message', ({ data }: MessageEvent) => {
  if (typeof data !== 'string') {
    // Snapshots come as binary pushes on V2 (a V1 socket would get {data: base64} instead).
    const push = readServerBinary(new Uint8Array(data as ArrayBuffer));
    if (push?.event === 'snapshot') onSnapshot(push.payload);
    return;
  }
  const [, ref, topic, event, payload] = JSON.parse(data) as Frame;
  const body = payload as Payload;
  if (event === 'phx_reply' && ref !== null) pending.get(ref)?.(body.status, body.response);
  else if (topic !== opt.topic) return;
  else if (event === 'presence_state') {
    presence = Object.fromEntries(Object.entries(payload as Metas).map(([key, { metas }]) => [key, metas]));
    for (const diff of buffered.splice(0)) applyDiff(diff);
    showPresence();
  } else if (event === 'presence_diff') {
    applyDiff(body);
    if (presence) showPresence();
  } else if (event === 'chat:message') console.log(`chat: ${body.nickname}: ${body.body}`);
  else if (event === 'phx_error' || (event === 'phx_close' && !finished)) fail(`${topic} ended: ${event}`);
});
ws.addEventListener('close', ({ code }: CloseEvent) => finished || fail(`socket closed with ${code}`));
ws.addEventListener('error', () => fail(`cannot open ${opt.url}`));

async function session(): Promise<void> {
  // A heartbeat every 30 s keeps the socket inside the server's 60 s idle timeout; an unanswered one
  // means the connection is dead.
  let beat: string | null = null;
  setInterval(() => {
    if (beat !== null) fail('heartbeat unanswered');
    beat = send('phoenix', 'heartbeat', {});
    pending.set(beat, () => (beat = null));
  }, 30_000).unref();
  joinRef = String(nextRef + 1); // a join's ref is also its join_ref
  const reply = (await request(opt.topic, 'phx_join', { nickname: opt.name })) as Record<string, unknown>;
  console.log(`joined ${opt.topic}: slot ${reply.slot}, state_encoding ${reply.state_encoding}`);
  const sent = (await request(opt.topic, 'chat:send', { body: opt.say })) as { message: { id: number } };
  console.log(`chat:send ok, message id ${sent.message.id}`);
}
ws.addEventListener('open', () => session().catch((error: Error) => fail(error.message)));
