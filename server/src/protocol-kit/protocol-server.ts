import type { AddressInfo } from 'node:net';
import {
  DEFAULT_SOCKET_PATH,
  PhoenixSocket,
  type PhoenixSocketOptions,
  type TerminateReason,
  TransportPath,
  v2JsonSerializer,
  type WebSocketTransportOptions,
  webSocketTransport,
} from '@starcatch/phoenix';
import Fastify, { type FastifyInstance } from 'fastify';
import { createSampleRoomChannel, type SampleRoomOptions } from './sample-room.ts';
import { createTestChannel, socketIdOf, type TestAssigns, VALID_TOKEN } from './test-channel.ts';
import type { TranscriptServer } from './transcripts.ts';

export type ProtocolServerOptions = Partial<Omit<WebSocketTransportOptions<TestAssigns>, 'socket'>> & {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Overrides of the socket definition (channels, logger…). */
  readonly socket?: Partial<PhoenixSocketOptions<TestAssigns>>;
  /** Told every `terminate` of the `room:*` test channel. */
  readonly onTerminate?: (topic: string, reason: TerminateReason) => void;
  readonly sampleRoom?: SampleRoomOptions;
};

export interface ProtocolServer {
  readonly http: FastifyInstance;
  readonly socket: PhoenixSocket<TestAssigns>;
  readonly port: number;
  /** `ws://<host>:<port>/socket`, the endpoint phoenix.js takes (it appends `/websocket`). */
  readonly socketUrl: string;
  /** `ws://<host>:<port>/socket/websocket?token=valid-token&vsn=2.0.0`, plus `query` (undefined removes a name). */
  wsUrl(query?: Record<string, string | undefined>): string;
  /** Closes every socket with 1012, then the listener. */
  close(): Promise<void>;
}

/**
 * The standalone protocol server of the client authors' kit (`pnpm protocol-server`): the Phoenix
 * library `@starcatch/phoenix` with two channels and no game or database behind them.
 * - Connect: `/socket/websocket?token=valid-token&vsn=2.0.0&user=<name>` (or phoenix.js's `authToken`
 *   subprotocol); any other token is refused with 403. `user` is the presence key and the socket id
 *   a kick names (default `anonymous`).
 * - `room:*`: the test channel, one protocol path per event (`test-channel.ts`): echo, errors,
 *   no reply, crash, stop, kick, pushes, broadcasts, binary echo, presence. The conformance tests
 *   and the golden transcripts run against it.
 * - `sample:*`: a room streaming sample snapshots encoded with the game's codec at 20 Hz, with
 *   presence, chat and inputs (`sample-room.ts`).
 * docs/protocol.md ("For client authors: the kit") describes it for client authors.
 */
export async function startProtocolServer(options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
  const {
    port: wantedPort = 0,
    host = '127.0.0.1',
    socket: socketOptions,
    onTerminate,
    sampleRoom,
    ...transportOptions
  } = options;
  const socket: PhoenixSocket<TestAssigns> = new PhoenixSocket<TestAssigns>({
    connect({ params, authToken }) {
      const token = authToken ?? params.token;
      if (token !== VALID_TOKEN) return { ok: false };
      return { ok: true, assigns: { userId: params.user ?? 'anonymous' } };
    },
    id: socketIdOf,
    channels: {
      'room:*': createTestChannel({ onTerminate, kick: (assigns) => socket.disconnect(socketIdOf(assigns)) }),
      'sample:*': createSampleRoomChannel(sampleRoom),
    },
    ...socketOptions,
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<TestAssigns>, { socket, path: DEFAULT_SOCKET_PATH, ...transportOptions });
  await http.listen({ port: wantedPort, host });
  const { port } = http.server.address() as AddressInfo;
  const socketUrl = `ws://${host.includes(':') ? `[${host}]` : host}:${port}${DEFAULT_SOCKET_PATH}`;
  return {
    http,
    socket,
    port,
    socketUrl,
    wsUrl(query = {}) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries({ token: VALID_TOKEN, vsn: v2JsonSerializer.vsn, ...query })) {
        if (value !== undefined) params.set(name, value);
      }
      return `${socketUrl}${TransportPath.websocket}?${params}`;
    },
    close: () => http.close(),
  };
}

/** The options a golden transcript's `server` field asks for (the CLI flags of the same names). */
export function transcriptServerOptions(server: TranscriptServer | undefined): ProtocolServerOptions {
  return {
    ...(server?.idle_timeout_ms !== undefined && { idleTimeoutMs: server.idle_timeout_ms }),
    ...(server?.max_frame_bytes !== undefined && { maxFrameSize: server.max_frame_bytes }),
    ...(server?.allowed_origins !== undefined && { checkOrigin: server.allowed_origins }),
  };
}
