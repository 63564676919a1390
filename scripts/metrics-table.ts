/**
 * `pnpm metrics:table`: writes the metrics tables of docs/operations.md from real scrapes. Starts a
 * lone server and a cluster node (on a throwaway Redis and PostgreSQL, as `pnpm cluster` does),
 * gives each a little traffic, scrapes `GET /metrics` of both and rewrites the section between the
 * `metrics-table` markers. `--check` writes nothing and exits 1 when the document is out of date.
 * `server/test/http/operator-metrics.test.ts` fails when a game metric is missing from the table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiPath } from '@starcatch/shared';
import { METRICS_PATH } from '../server/src/http/metrics-route.ts';
import {
  currentSection,
  type MetricFamily,
  parseExposition,
  renderMetricsSection,
  replaceSection,
} from './metrics/exposition.ts';
import * as postgres from './services/postgres.ts';
import * as redis from './services/redis.ts';

const root = resolve(import.meta.dirname, '..');
const DOCUMENT = join(root, 'docs', 'operations.md');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const check = process.argv.includes('--check');

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

const cleanups: (() => Promise<void> | void)[] = [];
try {
  const dataRoot = mkdtempSync(join(tmpdir(), 'starcatch-metrics-'));
  cleanups.push(() => rmSync(dataRoot, { recursive: true, force: true }));
  const [redisService, postgresService] = await Promise.all([redis.start(), postgres.start()]);
  cleanups.push(redisService.stop, postgresService.stop);

  const single = await startServer('single', { DATA_DIR: join(dataRoot, 'single') });
  const node = await startServer('cluster-node', {
    DATA_DIR: join(dataRoot, 'node'),
    REDIS_URL: redisService.url,
    DATABASE_URL: postgresService.url,
    SECRET_KEY: 'metrics-table-secret-key-0123456789abcdef',
    NODE_NAME: 'metrics-node',
  });
  await Promise.all([exercise(single.url), exercise(node.url)]);
  const [singleFamilies, clusterFamilies] = await Promise.all([scrape(single.url), scrape(node.url)]);

  const section = renderMetricsSection(singleFamilies, clusterFamilies);
  const document = readFileSync(DOCUMENT, 'utf8');
  if (check) {
    if (currentSection(document) !== section) {
      console.error('docs/operations.md: the metrics tables are out of date; run `pnpm metrics:table`');
      process.exitCode = 1;
    } else {
      console.log('docs/operations.md: the metrics tables match /metrics');
    }
  } else {
    writeFileSync(DOCUMENT, replaceSection(document, section));
    const count = new Set([...singleFamilies.keys(), ...clusterFamilies.keys()]).size;
    console.log(`docs/operations.md: ${count} metrics written`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}

/** `node server/src/main.ts` on a free loopback port; resolves once it listens. */
async function startServer(name: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      RTC_HOST_ADDRESSES: '127.0.0.1',
      SIGN_INS_PER_ADDRESS_PER_MINUTE: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stop(child));
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('\n')}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolveUrl(match[1]);
    });
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Some sign-ins and reads, so that the process has allocated and collected garbage before the scrape. */
async function exercise(url: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const response = await fetch(`${url}${ApiPath.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: `metrics${i}` }),
    });
    if (response.status !== 201) throw new Error(`sign-in on ${url}: ${response.status}`);
    await Promise.all([ApiPath.rooms, ApiPath.leaderboard, ApiPath.health].map((path) => fetch(`${url}${path}`)));
  }
}

/** The families of one scrape. Labels no sample showed (nothing in flight at the time) come from prom-client. */
async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const response = await fetch(`${url}${METRICS_PATH}`);
  if (response.status !== 200) throw new Error(`GET ${url}${METRICS_PATH}: ${response.status}`);
  const families = parseExposition(await response.text());
  const declared = defaultMetricLabels();
  for (const [name, family] of families) {
    const labels = declared.get(name);
    if (family.labels.length === 0 && labels && labels.length > 0) families.set(name, { ...family, labels });
  }
  return families;
}

/** The label names prom-client declares for its default metrics (the server's copy of prom-client). */
function defaultMetricLabels(): Map<string, readonly string[]> {
  const promClient = createRequire(join(root, 'server', 'package.json'))('prom-client') as {
    Registry: new () => { getMetricsAsArray(): { name: string; labelNames?: readonly string[] }[] };
    collectDefaultMetrics(options: { register: unknown }): void;
  };
  const register = new promClient.Registry();
  promClient.collectDefaultMetrics({ register });
  return new Map(register.getMetricsAsArray().map((metric) => [metric.name, metric.labelNames ?? []]));
}
