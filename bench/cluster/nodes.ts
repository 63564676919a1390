import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { ApiPath } from '@starcatch/shared';
import { METRICS_PATH } from '../../server/src/http/metrics-route.ts';
import { probe } from '../support/http-probe.ts';
import { readProcStats } from '../support/proc-stats.ts';
import { type RealServer, startRealServer } from '../support/real-server.ts';
import { type CpuPlan, onServerCpus } from './affinity.ts';
import { waitUntilGone } from './services.ts';

/**
 * Cluster nodes for the bench: the production server (`support/real-server.ts`) with REDIS_URL,
 * DATABASE_URL and a NODE_NAME, started on the server CPUs.
 */

/**
 * A room stays open 2 minutes empty, longer than its bots take to arrive. (Every bench player comes
 * from 127.0.0.1: `startRealServer` lifts the per-address budgets for nodes as for every suite.)
 */
export const BENCH_NODE_ENV: Readonly<Record<string, string>> = {
  EMPTY_ROOM_TIMEOUT_MS: '120000',
};

const NODES_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

export interface NodeOptions {
  readonly label: string;
  readonly nodeName: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** WORKERS for this server (default: unset, one process). */
  readonly workers?: number;
}

export async function startNode(plan: CpuPlan | undefined, options: NodeOptions): Promise<RealServer> {
  const server = await onServerCpus(plan, () =>
    startRealServer({
      label: options.label,
      env: {
        ...BENCH_NODE_ENV,
        REDIS_URL: options.redisUrl,
        DATABASE_URL: options.databaseUrl,
        NODE_NAME: options.nodeName,
        ...(options.workers !== undefined && { WORKERS: String(options.workers) }),
      },
    }),
  );
  // support/real-server.ts SIGKILLs the server when the bench process exits, but removes its data
  // directory only when it sees the exit, which a bench on its way out never does: do it then.
  const dataDir = environment(server.pid).DATA_DIR;
  if (dataDir?.includes('starcatch-bench-')) {
    const remove = (): void => {
      waitUntilGone(server.pid, 2_000);
      rmSync(dataDir, { recursive: true, force: true });
    };
    process.once('exit', remove);
    server.child.once('exit', () => process.off('exit', remove));
  }
  return server;
}

/** A process's environment from /proc (the same user's processes only). */
function environment(pid: number): Record<string, string> {
  try {
    return Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter((entry) => entry.includes('='))
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
}

/** Waits until the server's health check lists `count` live cluster nodes (a node sees itself too). */
export async function waitForClusterNodes(server: RealServer, count: number): Promise<void> {
  const deadline = Date.now() + NODES_TIMEOUT_MS;
  let seen = 0;
  while (Date.now() < deadline) {
    const { status, body } = await probe(`${server.httpUrl}${ApiPath.health}`);
    if (status === 200) {
      const nodes = (JSON.parse(body) as { nodes?: unknown }).nodes;
      seen = Array.isArray(nodes) ? nodes.length : 0;
      if (seen >= count) return;
    }
    const exited = server.exited();
    if (exited !== undefined) throw new Error(`server exited (${exited}) while waiting for the cluster to form`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the cluster did not reach ${count} nodes within ${NODES_TIMEOUT_MS} ms (seen: ${seen})`);
}

/** A process and its children (node:cluster workers): pids from /proc, the root first. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {}
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {}
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0 && tree.length < 1024) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Cumulative CPU (µs) of each pid; NaN for one that is gone. */
export function cpuOf(pids: readonly number[]): number[] {
  return pids.map((pid) => readProcStats(pid)?.cpuMicros ?? Number.NaN);
}

/** The PubSub counters a node exposes, by direction. */
export interface RedisCounters {
  readonly messagesOut: number;
  readonly messagesIn: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  /** Tabs on other nodes with a seat (WebSocket relay) or a peer (WebRTC) in this node's rooms. */
  readonly remoteSeats: number;
  readonly remotePeers: number;
  readonly clusterNodes: number;
}

/** Reads `/metrics`, keeping the labels `support/http-probe.ts`'s parser sums away; undefined when unreadable. */
export async function redisCounters(server: RealServer): Promise<RedisCounters | undefined> {
  const { status, body } = await probe(`${server.httpUrl}${METRICS_PATH}`);
  if (status !== 200) return undefined;
  const sample = (name: string, labels = ''): number => {
    for (const line of body.split('\n')) {
      if (!line.startsWith(name)) continue;
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match?.[1] === name && (match[2] ?? '') === labels) return Number(match[3]);
    }
    return Number.NaN;
  };
  return {
    messagesOut: sample('starcatch_redis_messages_total', '{direction="out"}'),
    messagesIn: sample('starcatch_redis_messages_total', '{direction="in"}'),
    bytesOut: sample('starcatch_redis_bytes_total', '{direction="out"}'),
    bytesIn: sample('starcatch_redis_bytes_total', '{direction="in"}'),
    remoteSeats: sample('starcatch_cluster_remote_tabs', '{kind="seats"}'),
    remotePeers: sample('starcatch_cluster_remote_tabs', '{kind="peers"}'),
    clusterNodes: sample('starcatch_cluster_nodes'),
  };
}
