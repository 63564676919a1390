import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  type ChannelHandler,
  error,
  ok,
  PhoenixSocket,
  type PhoenixSocketOptions,
  stop,
  type TerminateReason,
  type WebSocketTransportOptions,
  webSocketTransport,
} from '../../src/phoenix/index.ts';

/** Assigns of the protocol test socket: who connected, from the `user` param. */
export interface TestAssigns {
  readonly userId: string;
}

/** The tokens the protocol test socket accepts (param `token` or `authToken`). */
export const VALID_TOKEN = 'valid-token';

/**
 * Events of the `room:*` test channel, each exercising one protocol path:
 * - join params `{reject: true}` → error reply `{reason: "unauthorized"}`; `{crash: true}` → join throws;
 *   `{reply: {...}}` → ok with that reply; `{track: "key"}` → presence tracked after join + presence_state.
 * - `echo` → ok reply with the payload; `error` → error reply; `noreply` → nothing;
 * - `crash` → throws (phx_error); `stop` → ok reply then phx_close; `stop_silent` → phx_close only;
 * - `push` `{event, payload}` → a push to this client; `push_binary` → binary push of the payload bytes;
 * - `broadcast` / `broadcast_from` `{event, payload}` → broadcast to the topic;
 * - `binary` (binary payload) → ok reply whose response is the same bytes;
 * - `update_presence` `{meta}` → presence update of the tracked key.
 */
export const testRoomChannel: ChannelHandler<TestAssigns & { trackedKey?: string }> = {
  join(_topic, params, channel) {
    const p = (params ?? {}) as { reject?: boolean; crash?: boolean; reply?: object; track?: string; push?: string };
    if (p.crash) throw new Error('join crashed on purpose');
    if (p.reject) return error({ reason: 'unauthorized' });
    if (p.track) channel.assigns.trackedKey = p.track;
    if (p.push) channel.push(p.push, { during: 'join' });
    return ok(p.reply ?? {});
  },

  afterJoin(channel) {
    const key = channel.assigns.trackedKey;
    if (key === undefined) return;
    channel.presence.track(key, { user: channel.assigns.userId });
    channel.push('presence_state', channel.presence.list());
  },

  handleIn(event, payload, channel) {
    const p = (payload ?? {}) as { event?: string; payload?: object; meta?: object };
    switch (event) {
      case 'echo':
        return ok(payload as object);
      case 'error':
        return error({ reason: 'asked for an error' });
      case 'noreply':
        return undefined;
      case 'crash':
        throw new Error('handler crashed on purpose');
      case 'stop':
        return stop(ok({ stopping: true }));
      case 'stop_silent':
        channel.stop();
        return undefined;
      case 'push':
        channel.push(p.event ?? 'pushed', p.payload ?? {});
        return undefined;
      case 'push_binary':
        channel.push('bin', payload instanceof Uint8Array ? payload : new Uint8Array([1, 2]));
        return undefined;
      case 'broadcast':
        channel.broadcast(p.event ?? 'broadcasted', p.payload ?? {});
        return ok();
      case 'broadcast_from':
        channel.broadcastFrom(p.event ?? 'broadcasted', p.payload ?? {});
        return ok();
      case 'binary':
        return ok(payload instanceof Uint8Array ? payload : new Uint8Array());
      case 'update_presence':
        if (channel.assigns.trackedKey) channel.presence.update(channel.assigns.trackedKey, p.meta ?? {});
        return ok();
      default:
        return error({ reason: 'unknown event' });
    }
  },

  intercept: ['intercepted'],
  handleOut(event, payload, channel) {
    channel.push(event, { ...(payload as object), for: channel.assigns.userId });
  },

  terminate(reason: TerminateReason, channel) {
    terminations.push({ topic: channel.topic, reason });
    if (reason === 'leave') channel.push('you_left', {});
  },
};

/** Every `terminate` call of the test channel, in order, so tests can check server-side cleanup. */
export const terminations: { topic: string; reason: TerminateReason }[] = [];

export interface ProtocolTestServer {
  readonly http: FastifyInstance;
  readonly socket: PhoenixSocket<TestAssigns>;
  /** `ws://127.0.0.1:<port>/socket` */
  readonly socketUrl: string;
  /** `ws://127.0.0.1:<port>/socket/websocket?token=valid-token&vsn=2.0.0&user=<user>` */
  wsUrl(query?: Record<string, string | undefined>): string;
  close(): Promise<void>;
}

/**
 * A Fastify server with only the protocol library and a test channel, no game: the subject of
 * the conformance and client-interop tests.
 */
export async function startProtocolTestServer(
  options: Partial<Omit<WebSocketTransportOptions<TestAssigns>, 'socket'>> & {
    socket?: Partial<PhoenixSocketOptions<TestAssigns>>;
  } = {},
): Promise<ProtocolTestServer> {
  const { socket: socketOptions, ...transportOptions } = options;
  const socket = new PhoenixSocket<TestAssigns>({
    connect({ params, authToken }) {
      const token = authToken ?? params.token;
      if (token !== VALID_TOKEN) return { ok: false };
      return { ok: true, assigns: { userId: params.user ?? 'anonymous' } };
    },
    id: ({ userId }) => `user_socket:${userId}`,
    channels: { 'room:*': testRoomChannel },
    ...socketOptions,
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<TestAssigns>, { socket, path: '/socket', ...transportOptions });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = http.server.address() as AddressInfo;
  const socketUrl = `ws://127.0.0.1:${port}/socket`;
  return {
    http,
    socket,
    socketUrl,
    wsUrl(query = {}) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries({ token: VALID_TOKEN, vsn: '2.0.0', ...query })) {
        if (value !== undefined) params.set(name, value);
      }
      return `${socketUrl}/websocket?${params}`;
    },
    close: () => http.close(),
  };
}
