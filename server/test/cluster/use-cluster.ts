import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { ClientSockets } from '../integration/phoenix-client.ts';
import { type ClusterProcess, freshDatabase, startClusterProcess } from '../support/cluster-process.ts';
import { GameBot } from '../support/game-bot.ts';
import { RedisServer } from '../support/redis-server.ts';

export interface Cluster {
  readonly redis: RedisServer;
  readonly databaseUrl: string;
  readonly nodes: ClusterProcess[];
  readonly sockets: ClientSockets;
  /** The node started `index`-th. */
  node(index: number): ClusterProcess;
  /** Starts one more node on the same Redis and database. */
  start(name: string): Promise<ClusterProcess>;
  /** A game bot signed in and connected to `node`, closed after the test. */
  bot(node: ClusterProcess): Promise<GameBot>;
}

/** Whether this machine can run the cluster tests (Redis and PostgreSQL installed). */
export const clusterServices = (): string | null => {
  if (inject('databaseUrl') === null) return 'PostgreSQL is not installed';
  if (inject('redisUrl') === null) return 'redis-server is not installed';
  return null;
};

/**
 * A cluster of real server processes for one test file: its own redis-server (PubSub channels are
 * global to a Redis, so files must not share one), a fresh PostgreSQL database and the named nodes.
 * Bots from `bot` and sockets opened through `sockets` are closed after each test.
 */
export function useCluster(names: readonly string[], env: Record<string, string> = {}): Cluster {
  let redis: RedisServer | undefined;
  let databaseUrl: string | undefined;
  const nodes: ClusterProcess[] = [];
  const sockets = new ClientSockets();
  const bots: GameBot[] = [];
  const start = async (name: string) => {
    if (!redis || !databaseUrl) throw new Error('the cluster starts in beforeAll');
    const node = await startClusterProcess(name, { REDIS_URL: redis.url, DATABASE_URL: databaseUrl, ...env });
    nodes.push(node);
    return node;
  };
  beforeAll(async () => {
    const serverUrl = inject('databaseUrl');
    if (serverUrl === null || inject('redisUrl') === null) return;
    redis = await RedisServer.start();
    databaseUrl = await freshDatabase(serverUrl);
    // One after the other: the first node creates the schema, the next finds it migrated.
    for (const name of names) await start(name);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((bot) => bot.close()));
    await sockets.disconnectAll();
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  }, 30_000);
  return {
    get redis() {
      if (!redis) throw new Error('no Redis');
      return redis;
    },
    get databaseUrl() {
      if (!databaseUrl) throw new Error('no database');
      return databaseUrl;
    },
    nodes,
    sockets,
    start,
    async bot(node) {
      const created = await GameBot.connect(node, sockets);
      bots.push(created);
      return created;
    },
    node(index) {
      const node = nodes[index];
      if (!node) throw new Error(`no node ${index}`);
      return node;
    },
  };
}
