import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import {
  type ChannelHandler,
  error,
  ok,
  type Payload,
  PhoenixSocket,
  webSocketTransport,
} from '../../server/src/phoenix/index.ts';
import type { BenchServer } from './bench-server.ts';

interface BenchAssigns {
  readonly user: string;
}

/** `room:*`: everyone may join; a `chat` push is broadcast to the room and answered ok. */
const roomChannel: ChannelHandler<BenchAssigns> = {
  join: () => ok({}),
  handleIn(event, payload, channel) {
    if (event !== 'chat') return error({ reason: 'unknown event' });
    // The V2 serializer already decoded the JSON; the payload goes out as it came in.
    channel.broadcast('chat', payload as Payload);
    return ok({});
  },
};

/** The subject: our Phoenix library on Fastify, configured as an application would. */
export async function startOursServer(): Promise<BenchServer> {
  const socket = new PhoenixSocket<BenchAssigns>({
    connect: ({ params }) => ({ ok: true, assigns: { user: params.user ?? 'anonymous' } }),
    id: ({ user }) => `user_socket:${user}`,
    channels: { 'room:*': roomChannel },
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<BenchAssigns>, { socket, path: '/socket' });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = http.server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/socket/websocket`,
    close: () => http.close(),
  };
}
