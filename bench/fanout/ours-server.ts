import type { AddressInfo } from 'node:net';
import {
  type ChannelHandler,
  DEFAULT_SOCKET_PATH,
  error,
  ok,
  type Payload,
  PhoenixSocket,
  type PubSub,
  Reason,
  webSocketTransport,
} from '@starcatch/phoenix';
import Fastify, { type FastifyInstance } from 'fastify';
import { webSocketUrl } from '../support/phoenix-frames.ts';
import { type BenchServer, FanoutChannel } from './bench-server.ts';

interface BenchAssigns {
  readonly user: string;
}

/** `room:*`: everyone may join; a `chat` push is broadcast to the room and answered ok. */
const roomChannel: ChannelHandler<BenchAssigns> = {
  join: () => ok({}),
  handleIn(event, payload, channel) {
    if (event !== FanoutChannel.event) return error({ reason: Reason.unknownEvent });
    // The V2 serializer already decoded the JSON; the payload goes out as it came in.
    channel.broadcast(FanoutChannel.event, payload as Payload);
    return ok({});
  },
};

/**
 * Our Phoenix library configured as an application would, on `pubsub` (in-memory by default; the
 * cluster suite's nodes pass a `RedisPubSub`), listening on loopback; resolves with its socket URL
 * once listening.
 */
export async function listenOursServer(
  pubsub?: PubSub,
): Promise<{ readonly http: FastifyInstance; readonly url: string }> {
  const socket = new PhoenixSocket<BenchAssigns>({
    connect: ({ params }) => ({ ok: true, assigns: { user: params.user ?? 'anonymous' } }),
    id: ({ user }) => `user_socket:${user}`,
    channels: { [FanoutChannel.pattern]: roomChannel },
    ...(pubsub && { pubsub }),
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<BenchAssigns>, { socket, path: DEFAULT_SOCKET_PATH });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = http.server.address() as AddressInfo;
  return { http, url: webSocketUrl(`ws://127.0.0.1:${port}${DEFAULT_SOCKET_PATH}`) };
}

/** The subject: our Phoenix library on Fastify, in-memory PubSub. */
export async function startOursServer(): Promise<BenchServer> {
  const { http, url } = await listenOursServer();
  return { url, close: () => http.close() };
}
