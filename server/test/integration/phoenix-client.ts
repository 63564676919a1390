/**
 * The official `phoenix` client (npm 1.8.16) driven from Node against a real server: typed
 * declarations for what `@types/phoenix` (written for 1.6) lacks or types as `any`, and the
 * few operations every interop test needs (open a socket, join, push and await the reply).
 */
import { type Channel, Presence, type Push, Socket, type SocketConnectOption } from 'phoenix';
import { waitFor } from './wait-for.ts';

declare module 'phoenix' {
  interface Channel {
    /** The ref of the current `phx_join` push: every push of this join carries it as join_ref. */
    joinRef(): string | null;
  }
  interface Socket {
    /** The transport of the current connection (Node's WebSocket here), or null between connections. */
    readonly conn: { readonly protocol: string; readonly readyState: number } | null;
    /** The channels the socket still routes messages to; a closed channel is removed. */
    readonly channels: readonly Channel[];
  }
}

export type { Channel };
export { Presence, Socket };

/**
 * Client timers shrunk so rejoin and reconnect paths run in milliseconds. The defaults they replace:
 * push/join timeout 10 s, rejoin 1/2/5/10 s, reconnect 10 ms … 5 s, heartbeat 30 s.
 */
export const FAST_TIMERS = {
  /** Push and join timeout: far above a loopback round trip on a loaded CI machine; stray push timers end soon after their test. */
  timeout: 5_000,
  rejoinAfterMs: () => 50,
  reconnectAfterMs: () => 20,
} as const satisfies Partial<SocketConnectOption>;

export type SocketOptions = Partial<SocketConnectOption>;

/** A reply as phoenix.js reports it: the server's status, or the client-side `timeout`. */
export interface PushOutcome {
  readonly status: 'ok' | 'error' | 'timeout';
  readonly response: unknown;
}

/** A decoded inbound message as `socket.onMessage` sees it (V2 frame fields). */
export interface InboundMessage {
  readonly join_ref: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

/** Resolves with whichever of ok / error / timeout the push receives first. */
export function outcome(push: Push): Promise<PushOutcome> {
  return new Promise((resolve) => {
    push
      .receive('ok', (response: unknown) => resolve({ status: 'ok', response }))
      .receive('error', (response: unknown) => resolve({ status: 'error', response }))
      .receive('timeout', (response: unknown) => resolve({ status: 'timeout', response }));
  });
}

/** Joins and resolves with the join reply's response; rejects unless the reply is ok. */
export async function join(channel: Channel): Promise<unknown> {
  const result = await outcome(channel.join());
  if (result.status !== 'ok') {
    throw new Error(`join of "${channel.topic}" got ${result.status}: ${JSON.stringify(result.response)}`);
  }
  return result.response;
}

/** Pushes and resolves with the outcome (`timeoutMs` overrides the socket's push timeout). */
export function push(channel: Channel, event: string, payload: object, timeoutMs?: number): Promise<PushOutcome> {
  return outcome(channel.push(event, payload, timeoutMs));
}

/** Every payload of `event` the channel receives from now on, in order. */
export function recordEvents(channel: Channel, event: string): unknown[] {
  const payloads: unknown[] = [];
  channel.on(event, (payload: unknown) => {
    payloads.push(payload);
  });
  return payloads;
}

/** Every message the socket receives from now on, in order, after phoenix.js decoded it. */
export function recordMessages(socket: Socket): InboundMessage[] {
  const messages: InboundMessage[] = [];
  socket.onMessage((message: object) => {
    messages.push(message as InboundMessage);
  });
  return messages;
}

/** One presence entry's metas, as phoenix.js `Presence` holds them. */
export interface PresenceMeta {
  readonly phx_ref: string;
  readonly [field: string]: unknown;
}

/** Presence state as `key → metas`, the shape assertions compare. */
export type PresenceEntries = Record<string, readonly PresenceMeta[]>;

export function presenceEntries(presence: Presence): PresenceEntries {
  const entries: Record<string, readonly PresenceMeta[]> = {};
  presence.list((key: string, entry: unknown) => {
    entries[key] = (entry as { readonly metas: readonly PresenceMeta[] }).metas;
  });
  return entries;
}

/** Every state `onSync` reported, in order (phoenix.js calls it after each state and applied diff). */
export function recordSyncs(presence: Presence): PresenceEntries[] {
  const syncs: PresenceEntries[] = [];
  presence.onSync(() => {
    syncs.push(presenceEntries(presence));
  });
  return syncs;
}

/** What `connectSocket` needs of a phoenix.js socket, of any version from 1.5 on. */
interface ConnectingSocket<Ref> {
  onOpen(callback: () => void): Ref;
  onError(callback: () => void): Ref;
  off(refs: Ref[]): void;
  connect(): void;
}

/** Connects `socket`; resolves once open, rejects with `failure` on its first transport error. */
export function connectSocket<Ref, S extends ConnectingSocket<Ref>>(socket: S, failure: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const refs: Ref[] = [
      socket.onOpen(() => {
        socket.off(refs);
        resolve(socket);
      }),
      socket.onError(() => {
        socket.off(refs);
        reject(new Error(failure));
      }),
    ];
    socket.connect();
  });
}

/**
 * The sockets a test opens, so `disconnectAll` in `afterEach` stops every one of them,
 * including sockets that never opened and would otherwise keep reconnecting.
 */
export class ClientSockets {
  readonly #sockets = new Set<Socket>();

  /** A socket with `FAST_TIMERS` (overridable), not yet connected. */
  create(endpoint: string, options: SocketOptions = {}): Socket {
    const socket = new Socket(endpoint, { ...FAST_TIMERS, ...options });
    this.#sockets.add(socket);
    return socket;
  }

  /** Connects and resolves once open; rejects on the first transport error (e.g. HTTP 403). */
  open(endpoint: string, options: SocketOptions = {}): Promise<Socket> {
    return connectSocket(this.create(endpoint, options), `socket to ${endpoint} failed to open`);
  }

  /** Disconnects one socket and resolves once its WebSocket has closed. */
  disconnect(socket: Socket): Promise<void> {
    this.#sockets.delete(socket);
    return new Promise((resolve) => {
      // phoenix.js confirms a teardown by polling readyState every 150 ms; the close event is quicker.
      if (socket.conn?.readyState === WebSocket.OPEN) socket.onClose(() => resolve());
      socket.disconnect(() => resolve());
    });
  }

  async disconnectAll(): Promise<void> {
    await Promise.all([...this.#sockets].map((socket) => this.disconnect(socket)));
  }
}

/** What a socket reported since `watchSocket`: opens, close codes, transport errors. */
export interface SocketEvents {
  opens: number;
  readonly closeCodes: number[];
  errors: number;
}

export function watchSocket(socket: Socket): SocketEvents {
  const seen: SocketEvents = { opens: 0, closeCodes: [], errors: 0 };
  socket.onOpen(() => {
    seen.opens++;
  });
  socket.onClose((event: { readonly code: number }) => {
    seen.closeCodes.push(event.code);
  });
  socket.onError(() => {
    seen.errors++;
  });
  return seen;
}

/** Resolves once the channel is joined under a join_ref other than `previousJoinRef`. */
export async function rejoined(channel: Channel, previousJoinRef: string | null): Promise<string> {
  await waitFor(() => channel.state === 'joined' && channel.joinRef() !== previousJoinRef, {
    what: `"${channel.topic}" to rejoin after join_ref ${previousJoinRef}`,
  });
  const joinRef = channel.joinRef();
  if (joinRef === null) throw new Error('a joined channel has a join_ref');
  return joinRef;
}

/** The bytes of an ArrayBuffer payload, or a failure naming what arrived instead. */
export function bytesOf(payload: unknown): number[] {
  if (!(payload instanceof ArrayBuffer)) {
    throw new Error(`expected an ArrayBuffer, got ${JSON.stringify(payload)}`);
  }
  return [...new Uint8Array(payload)];
}
