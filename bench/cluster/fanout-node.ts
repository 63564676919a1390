import { RedisPubSub } from '@starcatch/phoenix';
import { listenOursServer } from '../fanout/ours-server.ts';

/**
 * Child-process entry: the fan-out suite's `ours` server (`fanout/ours-server.ts`: PhoenixSocket +
 * Fastify + webSocketTransport, one `room:*` channel whose `chat` broadcasts and replies ok) built
 * with a `RedisPubSub`, as one node of a cluster. Same channel, same options; only the PubSub differs.
 * Usage (from the cluster suite only): fork('fanout-node.ts', [redisUrl, nodeId]). Sends
 * `{type: 'ready', url}` once listening, and exits when its IPC channel closes.
 */
const [redisUrl = '', nodeId = 'fanout-node'] = process.argv.slice(2);
const send = (message: { type: 'ready'; url: string } | { type: 'failed'; message: string }): void => {
  process.send?.(message, undefined, undefined, () => undefined);
};

// Orphan guard: a child whose parent died without stopping it exits after a bounded time.
setTimeout(() => process.exit(3), 15 * 60_000).unref();

try {
  const pubsub = await RedisPubSub.connect({ url: redisUrl, nodeId });
  const { http, url } = await listenOursServer(pubsub);
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
  send({ type: 'ready', url });
} catch (cause) {
  send({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
  process.exit(1);
}
