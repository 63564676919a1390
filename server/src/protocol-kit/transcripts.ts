/**
 * Golden transcripts: one conformance case of docs/protocol.md as the frames a client sends and the
 * frames it must receive, recorded from the protocol server (`pnpm transcripts`) and replayed
 * against it by the tests, so the JSON in docs/transcripts/ cannot drift from the server. Only
 * Node's own WebSocket and `node:http` are used: a client author can read this file as the
 * reference replayer for their own test suite.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** A WebSocket frame: a JSON text frame, any other text frame verbatim, or bytes as spaced hex. */
export type TranscriptFrame = { readonly json: unknown } | { readonly text: string } | { readonly binary: string };

/** A plain HTTP request to the server (an upgrade attempt unless `upgrade` is false). */
export interface HttpProbe {
  readonly method?: string;
  /** Default `/socket/websocket`. */
  readonly path?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Offered in `Sec-WebSocket-Protocol`. */
  readonly protocols?: readonly string[];
  /** Send the WebSocket upgrade headers; default true. */
  readonly upgrade?: boolean;
}

export type TranscriptStep =
  /** Opens socket `open` at `/socket/websocket?<query>`; `protocol` is the subprotocol the server selected. */
  | {
      readonly open: string;
      readonly query: Readonly<Record<string, string>>;
      readonly protocols?: readonly string[];
      readonly protocol?: string;
    }
  /** An HTTP request and the status (and, for a refusal, the body; for a 101, the subprotocol) it gets. */
  | { readonly http: HttpProbe; readonly status: number; readonly body?: string; readonly protocol?: string | null }
  | { readonly send: string; readonly frames: readonly TranscriptFrame[] }
  /** The next frames socket `receive` gets, in order; then, with `close`, the server closes it so. */
  | {
      readonly receive: string;
      readonly frames: readonly TranscriptFrame[];
      readonly close?: { readonly code: number; readonly reason: string };
    }
  /** The client closes socket `close` (code 1000). */
  | { readonly close: string }
  | { readonly wait_ms: number };

/** Limits the protocol server must run with for this transcript (`pnpm protocol-server` flags). */
export interface TranscriptServer {
  /** `--idle-timeout-ms` */
  readonly idle_timeout_ms?: number;
  /** `--max-frame-bytes` */
  readonly max_frame_bytes?: number;
  /** `--allowed-origins` */
  readonly allowed_origins?: readonly string[];
}

export interface Transcript {
  readonly case: number;
  readonly title: string;
  /** Where docs/protocol.md describes the behaviour. */
  readonly doc: string;
  readonly server?: TranscriptServer;
  /** How to read the file. */
  readonly format: string;
  readonly steps: readonly TranscriptStep[];
}

export const TRANSCRIPT_FORMAT =
  'Run the steps in order against `pnpm protocol-server` (with the flags of `server`, if any). ' +
  'open: a WebSocket to /socket/websocket?<query>; send: these frames; receive: exactly these next ' +
  'frames, then the close if given; http: a bare request and its status. A frame is {json} (a text ' +
  'frame holding that JSON), {text} (verbatim) or {binary} (hex). Received frames of one topic ' +
  'arrive in the order listed; frames of different topics may interleave otherwise. In received ' +
  'frames "{{name}}" matches any string, the same one wherever the name repeats.';

/** What the recorder runs to produce a transcript: the client's side only. */
export type ScriptAction =
  | Extract<TranscriptStep, { open: string }>
  | { readonly http: HttpProbe }
  | Extract<TranscriptStep, { send: string }>
  /** A heartbeat on this socket, then everything up to its reply: proves nothing else arrived. */
  | { readonly sync: string }
  /** The next `count` frames of this socket (for frames caused by another socket or by a close). */
  | { readonly take: string; readonly count: number }
  /** Everything this socket receives until the server closes it. */
  | { readonly awaitClose: string }
  | { readonly close: string }
  | { readonly wait_ms: number };

export interface CaseScript {
  readonly case: number;
  readonly title: string;
  readonly doc: string;
  readonly server?: TranscriptServer;
  readonly actions: readonly ScriptAction[];
}

/** `docs/transcripts/case-07.json` holds case 7. */
export const transcriptFile = (caseNumber: number): string => `case-${String(caseNumber).padStart(2, '0')}.json`;

const FRAME_TIMEOUT_MS = 2_000;
/** How long the recorder waits for stragglers before a heartbeat barrier. */
const QUIET_MS = 50;
const SOCKET_PATH = '/socket/websocket';

// --- a raw socket ---------------------------------------------------------------------------------

class FrameSocket {
  readonly ws: WebSocket;
  readonly v1: boolean;
  readonly #queue: TranscriptFrame[] = [];
  #waiter: (() => void) | null = null;
  #closed: { code: number; reason: string } | null = null;

  constructor(ws: WebSocket, v1: boolean) {
    this.ws = ws;
    this.v1 = v1;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (event: MessageEvent) => {
      this.#queue.push(toFrame(event.data));
      this.#wake();
    });
    ws.addEventListener('close', (event: CloseEvent) => {
      this.#closed = { code: event.code, reason: event.reason };
      this.#wake();
    });
  }

  static open(url: string, protocols: readonly string[] | undefined, v1: boolean): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols ? [...protocols] : []);
      const socket = new FrameSocket(ws, v1);
      ws.addEventListener('open', () => resolve(socket), { once: true });
      ws.addEventListener('error', () => reject(new Error(`WebSocket ${url} did not open`)), { once: true });
    });
  }

  send(frame: TranscriptFrame): void {
    if ('json' in frame) this.ws.send(JSON.stringify(frame.json));
    else if ('text' in frame) this.ws.send(frame.text);
    else this.ws.send(fromHex(frame.binary));
  }

  /** The next frame, or null once the socket is closed and drained. */
  async next(timeoutMs = FRAME_TIMEOUT_MS): Promise<TranscriptFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#queue.shift();
      if (frame) return frame;
      if (this.#closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
  }

  /** The next frame if one comes within `windowMs`, else null (also once closed and drained). */
  async poll(windowMs: number): Promise<TranscriptFrame | null> {
    return this.next(windowMs).catch(() => null);
  }

  get closeEvent(): { code: number; reason: string } | null {
    return this.#closed;
  }

  #wake(): void {
    this.#waiter?.();
  }
}

function toFrame(data: unknown): TranscriptFrame {
  if (typeof data !== 'string') return { binary: toHex(new Uint8Array(data as ArrayBuffer)) };
  try {
    return { json: JSON.parse(data) as unknown };
  } catch {
    return { text: data };
  }
}

export const toHex = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const fromHex = (spaced: string): Buffer => Buffer.from(spaced.replace(/\s+/g, ''), 'hex');

const isV1 = (query: Readonly<Record<string, string>>): boolean => !query.vsn?.startsWith('2.');

const heartbeat = (ref: string, v1: boolean): TranscriptFrame => ({
  json: v1
    ? { topic: 'phoenix', event: 'heartbeat', payload: {}, ref, join_ref: null }
    : [null, ref, 'phoenix', 'heartbeat', {}],
});

function isHeartbeatReply(frame: TranscriptFrame, ref: string): boolean {
  if (!('json' in frame)) return false;
  const json = frame.json as unknown[] | { topic?: unknown; event?: unknown; ref?: unknown };
  if (Array.isArray(json)) return json[1] === ref && json[2] === 'phoenix' && json[3] === 'phx_reply';
  return json.topic === 'phoenix' && json.event === 'phx_reply' && json.ref === ref;
}

// --- plain HTTP -----------------------------------------------------------------------------------

interface HttpOutcome {
  readonly status: number;
  readonly body: string;
  readonly protocol: string | null;
}

function probe(baseUrl: string, http: HttpProbe): Promise<HttpOutcome> {
  const url = new URL(`${baseUrl.replace(/^ws/, 'http')}${http.path ?? SOCKET_PATH}`);
  for (const [name, value] of Object.entries(http.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { ...http.headers };
  if (http.upgrade !== false) {
    Object.assign(headers, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    });
  }
  if (http.protocols) headers['Sec-WebSocket-Protocol'] = http.protocols.join(', ');
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: http.method ?? 'GET', headers, agent: false });
    sent.on('upgrade', (response, socket) => {
      socket.destroy();
      const protocol = response.headers['sec-websocket-protocol'];
      resolve({ status: 101, body: '', protocol: typeof protocol === 'string' ? protocol : null });
    });
    sent.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, protocol: null }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

// --- recording ------------------------------------------------------------------------------------

/** Runs a script against the server at `baseUrl` (`ws://host:port`) and writes down what came back. */
export async function record(script: CaseScript, baseUrl: string): Promise<Transcript> {
  const sockets = new Map<string, FrameSocket>();
  const steps: TranscriptStep[] = [];
  let syncs = 0;
  const socketOf = (name: string): FrameSocket => {
    const socket = sockets.get(name);
    if (!socket) throw new Error(`case ${script.case}: socket "${name}" is not open`);
    return socket;
  };
  /** Appends to the previous step when it sent on the same socket, so a send reads as one step. */
  const sendStep = (name: string, frames: readonly TranscriptFrame[]): void => {
    const last = steps.at(-1);
    if (last && 'send' in last && last.send === name)
      steps[steps.length - 1] = { ...last, frames: [...last.frames, ...frames] };
    else steps.push({ send: name, frames });
  };
  try {
    for (const action of script.actions) {
      if ('open' in action) {
        const socket = await FrameSocket.open(socketUrl(baseUrl, action.query), action.protocols, isV1(action.query));
        sockets.set(action.open, socket);
        steps.push(action.protocols ? { ...action, protocol: socket.ws.protocol } : action);
      } else if ('http' in action) {
        const outcome = await probe(baseUrl, action.http);
        steps.push({
          http: action.http,
          status: outcome.status,
          ...(outcome.status === 101 ? { protocol: outcome.protocol } : { body: outcome.body }),
        });
      } else if ('send' in action) {
        for (const frame of action.frames) socketOf(action.send).send(frame);
        sendStep(action.send, action.frames);
      } else if ('sync' in action) {
        const socket = socketOf(action.sync);
        // Replies still on their way through a channel come first: sent now, the heartbeat's own
        // reply (answered by the socket itself) could overtake them, and the recording would show
        // an order the protocol does not promise.
        const frames: TranscriptFrame[] = [];
        for (let frame = await socket.poll(QUIET_MS); frame; frame = await socket.poll(QUIET_MS)) frames.push(frame);
        const ref = `hb${++syncs}`;
        const beat = heartbeat(ref, socket.v1);
        socket.send(beat);
        sendStep(action.sync, [beat]);
        for (;;) {
          const frame = await socket.next();
          if (!frame) throw new Error(`case ${script.case}: "${action.sync}" closed before its heartbeat reply`);
          frames.push(frame);
          if (isHeartbeatReply(frame, ref)) break;
        }
        // A reply slower than the quiet window still belongs here, wherever it lands beside the heartbeat's.
        for (let frame = await socket.poll(QUIET_MS); frame; frame = await socket.poll(QUIET_MS)) frames.push(frame);
        steps.push({ receive: action.sync, frames });
      } else if ('take' in action) {
        const frames: TranscriptFrame[] = [];
        for (let i = 0; i < action.count; i++) {
          const frame = await socketOf(action.take).next();
          if (!frame) throw new Error(`case ${script.case}: "${action.take}" closed after ${i} frames`);
          frames.push(frame);
        }
        steps.push({ receive: action.take, frames });
      } else if ('awaitClose' in action) {
        const socket = socketOf(action.awaitClose);
        const frames: TranscriptFrame[] = [];
        for (let frame = await socket.next(); frame; frame = await socket.next()) frames.push(frame);
        const close = socket.closeEvent;
        if (!close) throw new Error(`case ${script.case}: "${action.awaitClose}" did not close`);
        steps.push({ receive: action.awaitClose, frames, close });
        sockets.delete(action.awaitClose);
      } else if ('close' in action) {
        socketOf(action.close).ws.close();
        sockets.delete(action.close);
        steps.push(action);
      } else {
        await new Promise((resolve) => setTimeout(resolve, action.wait_ms));
        steps.push(action);
      }
    }
  } finally {
    for (const socket of sockets.values()) socket.ws.close();
  }
  const { actions: _, ...about } = script;
  return { ...about, format: TRANSCRIPT_FORMAT, steps: withPlaceholders(steps.map(byTopic)) };
}

/**
 * Only each topic's order is promised (see `replay`), so a received step is written topic by topic
 * (by name, the socket's own `phoenix` last), each in arrival order: the same file on every run.
 */
function byTopic(step: TranscriptStep): TranscriptStep {
  if (!('receive' in step)) return step;
  const key = (frame: TranscriptFrame): string => {
    const topic = topicOf(frame);
    return topic === null ? '2' : topic === 'phoenix' ? '1' : `0${topic}`;
  };
  const frames = step.frames
    .map((frame, index) => ({ frame, index, key: key(frame) }))
    .sort((a, b) => (a.key === b.key ? a.index - b.index : a.key < b.key ? -1 : 1))
    .map(({ frame }) => frame);
  return { ...step, frames };
}

/** Presence refs are random per run: each distinct one becomes `{{phx_ref_N}}`. */
function withPlaceholders(steps: TranscriptStep[]): TranscriptStep[] {
  const names = new Map<string, string>();
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string' && (key === 'phx_ref' || key === 'phx_ref_prev')) {
      let name = names.get(value);
      if (!name) {
        name = `{{phx_ref_${names.size + 1}}}`;
        names.set(value, name);
      }
      return name;
    }
    if (Array.isArray(value)) return value.map((item) => rewrite(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([field, item]) => [field, rewrite(item, field)]));
    }
    return value;
  };
  return steps.map((step) =>
    'receive' in step
      ? { ...step, frames: step.frames.map((frame) => ('json' in frame ? { json: rewrite(frame.json) } : frame)) }
      : step,
  );
}

// --- replaying ------------------------------------------------------------------------------------

/** Replays a transcript against the server at `baseUrl`; throws at the first difference. */
export async function replay(transcript: Transcript, baseUrl: string): Promise<void> {
  const sockets = new Map<string, FrameSocket>();
  const bindings = new Map<string, string>();
  const fail = (index: number, message: string): never => {
    throw new Error(`case ${transcript.case}, step ${index + 1}: ${message}`);
  };
  const socketOf = (index: number, name: string): FrameSocket =>
    sockets.get(name) ?? fail(index, `socket "${name}" is not open`);
  try {
    for (const [index, step] of transcript.steps.entries()) {
      if ('open' in step) {
        const socket = await FrameSocket.open(socketUrl(baseUrl, step.query), step.protocols, isV1(step.query));
        sockets.set(step.open, socket);
        if (step.protocol !== undefined && socket.ws.protocol !== step.protocol) {
          fail(index, `subprotocol "${socket.ws.protocol}", expected "${step.protocol}"`);
        }
      } else if ('http' in step) {
        const outcome = await probe(baseUrl, step.http);
        if (outcome.status !== step.status) fail(index, `HTTP ${outcome.status}, expected ${step.status}`);
        if (step.body !== undefined && outcome.body !== step.body) fail(index, `body ${JSON.stringify(outcome.body)}`);
        if (step.protocol !== undefined && outcome.protocol !== step.protocol) {
          fail(index, `subprotocol ${outcome.protocol}, expected ${step.protocol}`);
        }
      } else if ('send' in step) {
        for (const frame of step.frames) socketOf(index, step.send).send(frame);
      } else if ('receive' in step) {
        const socket = socketOf(index, step.receive);
        // The server orders the frames of each topic, not those of different topics (a heartbeat
        // reply can overtake a channel's reply): each frame must be the next one listed for its topic.
        const waiting = [...step.frames];
        while (waiting.length > 0) {
          const actual = await socket.next().catch((error: Error) => fail(index, error.message));
          if (!actual) return fail(index, `"${step.receive}" closed, expected ${JSON.stringify(waiting[0])}`);
          const next = waiting.findIndex((expected) => topicOf(expected) === topicOf(actual));
          const expected = waiting[next];
          if (!expected || !framesMatch(expected, actual, bindings)) {
            const wanted = expected ? JSON.stringify(expected) : `none on topic ${JSON.stringify(topicOf(actual))}`;
            fail(index, `"${step.receive}" got ${JSON.stringify(actual)}, expected ${wanted}`);
          }
          waiting.splice(next, 1);
        }
        if (step.close) {
          const after = await socket.next().catch((error: Error) => fail(index, error.message));
          if (after) fail(index, `"${step.receive}" got ${JSON.stringify(after)}, expected the close`);
          const { code, reason } = socket.closeEvent ?? { code: 0, reason: '' };
          if (code !== step.close.code || reason !== step.close.reason) {
            fail(index, `closed ${code} "${reason}", expected ${step.close.code} "${step.close.reason}"`);
          }
          sockets.delete(step.receive);
        }
      } else if ('close' in step) {
        socketOf(index, step.close).ws.close();
        sockets.delete(step.close);
      } else {
        await new Promise((resolve) => setTimeout(resolve, step.wait_ms));
      }
    }
  } finally {
    for (const socket of sockets.values()) socket.ws.close();
  }
}

/** The topic a frame belongs to (from its JSON, or from a binary frame's header); null for raw text. */
export function topicOf(frame: TranscriptFrame): string | null {
  if ('text' in frame) return null;
  if ('json' in frame) {
    const json = frame.json as unknown[] | { topic?: unknown } | null;
    const topic = Array.isArray(json) ? json[2] : json?.topic;
    return typeof topic === 'string' ? topic : null;
  }
  // A server frame (docs/protocol.md §7): push 0, len(join_ref), len(topic)…; reply 1, len(join_ref),
  // len(ref), len(topic)…; broadcast 2, len(topic)…
  const bytes = fromHex(frame.binary);
  const [kind, a = 0, b = 0, c = 0] = bytes;
  const [start, length] = kind === 2 ? [3, a] : kind === 1 ? [5 + a + b, c] : [4 + a, b];
  return bytes.subarray(start, start + length).toString('utf8');
}

function socketUrl(baseUrl: string, query: Readonly<Record<string, string>>): string {
  return `${baseUrl}${SOCKET_PATH}?${new URLSearchParams(query)}`;
}

function framesMatch(expected: TranscriptFrame, actual: TranscriptFrame, bindings: Map<string, string>): boolean {
  if ('binary' in expected) return 'binary' in actual && actual.binary === toHex(fromHex(expected.binary));
  if ('text' in expected) return 'text' in actual && actual.text === expected.text;
  return 'json' in actual && valuesMatch(expected.json, actual.json, bindings);
}

const PLACEHOLDER = /^\{\{\w+\}\}$/;

/** Deep equality, where a `{{name}}` string matches any string, the same one every time. */
export function valuesMatch(expected: unknown, actual: unknown, bindings: Map<string, string>): boolean {
  if (typeof expected === 'string' && PLACEHOLDER.test(expected)) {
    if (typeof actual !== 'string') return false;
    const bound = bindings.get(expected);
    if (bound !== undefined) return bound === actual;
    // Distinct names stand for distinct values, as the recorder named them.
    if ([...bindings.values()].includes(actual)) return false;
    bindings.set(expected, actual);
    return true;
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => valuesMatch(item, actual[i], bindings))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    if (keys.length !== Object.keys(actual).length) return false;
    return keys.every(
      (key) =>
        Object.hasOwn(actual, key) &&
        valuesMatch((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], bindings),
    );
  }
  return expected === actual;
}
