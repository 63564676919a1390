import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import {
  type ChannelHandler,
  error,
  ok,
  type Payload,
  PhoenixSocket,
  RedisPubSub,
  webSocketTransport,
} from '../../server/src/phoenix/index.ts';

/**
 * Child-process entry: the fan-out suite's `ours` server (`fanout/ours-server.ts`: PhoenixSocket +
 * Fastify + webSocketTransport, one `room:*` channel whose `chat` broadcasts and replies ok) built
 * with a `RedisPubSub`, as one node of a cluster. Same channel, same options; only the PubSub differs.
 * Usage (from the cluster suite only): fork('fanout-node.ts', [redisUrl, nodeId]). Sends
 * `{type: 'ready', url}` once listening, and exits when its IPC channel closes.
 */
interface BenchAssigns {
  readonly user: string;
}

const [redisUrl = '', nodeId = 'fanout-node'] = process.argv.slice(2);
const send = (message: { type: 'ready'; url: string } | { type: 'failed'; message: string }): void => {
  process.send?.(message, undefined, undefined, () => undefined);
};

const roomChannel: ChannelHandler<BenchAssigns> = {
  join: () => ok({}),
  handleIn(event, payload, channel) {
    if (event !== 'chat') return error({ reason: 'unknown event' });
    channel.broadcast('chat', payload as Payload);
    return ok({});
  },
};

// Orphan guard: a child whose parent died without stopping it exits after a bounded time.
setTimeout(() => process.exit(3), 15 * 60_000).unref();

try {
  const pubsub = await RedisPubSub.connect({ url: redisUrl, nodeId });
  const socket = new PhoenixSocket<BenchAssigns>({
    connect: ({ params }) => ({ ok: true, assigns: { user: params.user ?? 'anonymous' } }),
    id: ({ user }) => `user_socket:${user}`,
    channels: { 'room:*': roomChannel },
    pubsub,
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<BenchAssigns>, { socket, path: '/socket' });
  await http.listen({ port: 0, host: '127.0.0.1' });
  process.on('disconnect', () => {
    const force = setTimeout(() => process.exit(0), 3000);
    void http
      .close()
      .then(() => pubsub.close())
      .finally(() => {
        clearTimeout(force);
        process.exit(0);
      });
  });
  const { port } = http.server.address() as AddressInfo;
  send({ type: 'ready', url: `ws://127.0.0.1:${port}/socket/websocket` });
} catch (cause) {
  send({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
  process.exit(1);
}
