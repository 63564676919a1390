import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { abuseSummary, abuseTables } from './abuse/report.ts';
import { type AbuseResult, runAbuseSuite } from './abuse/suite.ts';
import { clusterSummary, clusterTables } from './cluster/report.ts';
import { type ClusterResult, runClusterSuite } from './cluster/suite.ts';
import { type LibraryVsRawResult, runLibraryVsRaw } from './connections/library-vs-raw.ts';
import { connectionsSummary, connectionsTables, libraryVsRawTables } from './connections/report.ts';
import { type ConnectionsResult, runConnectionsSuite } from './connections/suite.ts';
import {
  type FanoutComparison,
  type FanoutRun,
  MAX_OTHER_CPU_PERCENT,
  MIN_OFFERED_PERCENT,
  runFanoutSuite,
} from './fanout/suite.ts';
import type { MicroResult } from './micro/harness.ts';
import { runMicroSuite } from './micro/suite.ts';
import { netcodeSummary, netcodeTables } from './netcode/report.ts';
import { type NetcodeResult, runNetcodeSuite } from './netcode/suite.ts';
import { FANOUT_HEADER, fanoutCells, fmt, type ReportTable } from './support/report-table.ts';
import { compareWithLast, type SuiteComparison, saveBaseline, vsLastSummary, vsLastTables } from './support/vs-last.ts';
import { webRtcSummary, webRtcTables } from './webrtc/report.ts';
import { runWebRtcSuite, type WebRtcResult } from './webrtc/suite.ts';

/**
 * `pnpm bench`: runs the benchmark suites, prints a table per suite and writes every number to
 * bench/results/<timestamp>.json. Reports only; it never fails on a slow result.
 *
 *   --only SUITE          run one suite: micro | fanout | webrtc | netcode | connections | cluster | abuse
 *   --quick               shorter windows (smoke run, numbers are noisy)
 *   --profile             CPU-profile each fan-out server child into bench/results/profiles/
 *                         (and the WebRTC suite's server)
 *   --workers N           load-generator worker threads (default 2)
 *   --rounds N            fan-out rounds per scenario and server, order alternating (default 2);
 *                         also the cluster suite's fan-out rounds per topology, and the abuse
 *                         suite's rounds (quiet and abused, order alternating)
 *   --sockets N           sockets the connections suite requests (default 20000); its library-vs-raw
 *                         comparison ramps 10,000 per server (2,000 with --quick)
 *   --rtc-in-flight N     WebRTC negotiations the bots keep under way at once (default 8, a lobby's
 *                         pace; 32 or more is the burst of a node's players coming back at once)
 *   --save-baseline       also write this run's headline figures to bench/baseline.json (per suite run)
 *
 * Every suite's headline figures are then compared with the last run of it (bench/results/) and
 * with the baseline: the "vs last" tables (support/vs-last.ts).
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    sockets: { type: 'string', default: '20000' },
    'rtc-in-flight': { type: 'string', default: '8' },
    'save-baseline': { type: 'boolean', default: false },
  },
});
const SUITES = ['micro', 'fanout', 'webrtc', 'netcode', 'connections', 'cluster', 'abuse'];
if (values.only !== undefined && !SUITES.includes(values.only)) {
  throw new Error(`--only must be one of ${SUITES.join(', ')}, got ${values.only}`);
}
const runs = (suite: string): boolean => values.only === undefined || values.only === suite;
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1 || workers > 8) throw new Error('--workers must be 1 to 8');
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) throw new Error('--rounds must be 1 to 5');
const sockets = Number(values.sockets);
if (!Number.isInteger(sockets) || sockets < 1 || sockets > 40_000) throw new Error('--sockets must be 1 to 40000');

const resultsDir = new URL('./results/', import.meta.url);
const startedAt = new Date();
const log = (line: string): void => console.error(line);

const report: {
  startedAt: string;
  finishedAt?: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  micro?: MicroResult[];
  fanout?: { runs: FanoutRun[]; comparisons: FanoutComparison[] };
  webrtc?: WebRtcResult;
  netcode?: NetcodeResult;
  connections?: ConnectionsResult & { readonly library: LibraryVsRawResult };
  cluster?: ClusterResult;
  abuse?: AbuseResult;
  vsLast?: SuiteComparison[];
} = {
  startedAt: startedAt.toISOString(),
  machine: {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    availableParallelism: os.availableParallelism(),
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
  },
  options: { ...values, workers, rounds, sockets },
};

if (runs('micro')) {
  log('micro: codec and step…');
  const micro = runMicroSuite(
    values.quick
      ? { warmup: 20_000, iterations: 200_000, maxMs: 300 }
      : { warmup: 100_000, iterations: 2_000_000, maxMs: 2000 },
  );
  report.micro = micro;
  console.log('\nMicro-benchmarks (higher is better)');
  printTable(
    ['benchmark', 'ops/s', 'ns/op', 'ops', 'ms', 'capped'],
    micro.map((m) => [
      m.name,
      fmt(m.opsPerSec, 0),
      fmt(1e9 / m.opsPerSec, 1),
      String(m.ops),
      fmt(m.ms, 0),
      m.capped ? 'yes' : '',
    ]),
  );
}

/** ours ÷ raw ceilings of the fan-out suite. */
const FANOUT_MAX_CPU_RATIO = 1.05;
const FANOUT_MAX_P99_RATIO = 1.3;

if (runs('fanout')) {
  const profileDir = values.profile ? new URL('./profiles/', resultsDir).pathname : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const fanout = await runFanoutSuite(
    {
      warmupMs: values.quick ? 1000 : 3000,
      measureMs: values.quick ? 3000 : 10_000,
      drainMs: 1500,
      workers,
      bodyBytes: 80,
      ...(profileDir ? { profileDir } : {}),
    },
    rounds,
    log,
  );
  report.fanout = fanout;
  console.log(`\nWebSocket fan-out (Phoenix V2 JSON, loopback; ${fanout.pinning})`);
  printTable(
    ['scenario', 'server', 'round', 'clients', ...FANOUT_HEADER, 'srv µs/deliv', 'gen CPU %', 'other CPU %', 'errors'],
    fanout.runs.map((r) => [
      r.scenario,
      r.server,
      String(r.round),
      String(r.clients),
      ...fanoutCells(r),
      fmt(r.serverCpuMicrosPerDelivery, 2),
      fmt(r.generatorCpuPercent, 1),
      fmt(r.otherCpuPercent, 1),
      String(r.errorReplies + r.closedEarly),
    ]),
  );
  console.log(
    `\nours ÷ raw (targets: CPU per delivery ≤ ${FANOUT_MAX_CPU_RATIO}, delivery p99 ≤ ${FANOUT_MAX_P99_RATIO})`,
  );
  console.log(
    `Clean runs pooled (raw+ours); * = a round with an unclean run (offered < ${MIN_OFFERED_PERCENT} % or other CPU > ${MAX_OTHER_CPU_PERCENT} %); noisy = a server had no clean run. Latency: median run.`,
  );
  printTable(
    ['scenario', 'CPU/deliv', 'per round', 'runs', 'deliv/s', 'p50', 'p99', 'CPU target', 'p99 target'],
    fanout.comparisons.map((c) => [
      c.scenario,
      `${fmt(c.cpuPerDeliveryRatio, 2)}×`,
      c.cpuPerDeliveryRatioPerRound.map((r) => `${fmt(r.ratio, 2)}${r.clean ? '' : '*'}`).join(' / '),
      `${c.pooledRuns.raw}+${c.pooledRuns.ours}`,
      `${fmt(c.deliveredPerSecRatio, 2)}×`,
      `${fmt(c.p50Ratio, 2)}×`,
      `${fmt(c.p99Ratio, 2)}×`,
      !c.reliable ? 'noisy' : c.cpuPerDeliveryRatio <= FANOUT_MAX_CPU_RATIO ? 'met' : 'MISSED',
      !c.reliable ? 'noisy' : c.p99Ratio <= FANOUT_MAX_P99_RATIO ? 'met' : 'MISSED',
    ]),
  );
  if (profileDir) console.log(`\nServer CPU profiles: ${profileDir}`);
}

if (runs('webrtc')) {
  const profileDir = values.profile ? new URL('./profiles/', resultsDir).pathname : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const webrtc = await runWebRtcSuite(
    {
      steps: values.quick ? [16, 48, 96] : [16, 48, 96, 152, 200, 248, 296, 344],
      warmupMs: values.quick ? 1500 : 3000,
      windowMs: values.quick ? 4000 : 8000,
      drainMs: 500,
      botProcesses: 2,
      inFlight: Number(values['rtc-in-flight']),
      openTimeoutMs: 15_000,
      ...(profileDir ? { profileDir } : {}),
    },
    log,
  );
  report.webrtc = webrtc;
  printReport(webRtcTables(webrtc), webRtcSummary(webrtc));
  if (profileDir) console.log(`\nServer CPU profile: ${profileDir}`);
}

if (runs('netcode')) {
  const netcode = await runNetcodeSuite(
    {
      warmupMs: values.quick ? 2000 : 3000,
      windowMs: values.quick ? 5000 : 12_000,
      openTimeoutMs: 15_000,
      rateCosts: {
        simulationSeconds: values.quick ? 20 : 120,
        warmupMs: values.quick ? 1500 : 3000,
        windowMs: values.quick ? 4000 : 8000,
        openTimeoutMs: 15_000,
      },
    },
    log,
  );
  report.netcode = netcode;
  printReport(netcodeTables(netcode), netcodeSummary(netcode));
}

if (runs('connections')) {
  const connections = await runConnectionsSuite(
    {
      target: values.quick ? Math.min(sockets, 2000) : sockets,
      ratePerSec: 500,
      maxInFlight: 256,
      perProcess: 5000,
      // Past the server's 60 s idle timeout after the last join, so a socket whose heartbeats went
      // unanswered would have been closed. --quick does not wait for that.
      holdMs: values.quick ? 5000 : 70_000,
      timeoutMs: 10_000,
      heartbeatMs: 30_000,
    },
    log,
  );
  // Then the library alone against the raw ws floor, at the ramp of 1,000 connects/s.
  const library = await runLibraryVsRaw(
    {
      target: values.quick ? 2000 : 10_000,
      ratePerSec: 1000,
      maxInFlight: 256,
      perProcess: 5000,
      timeoutMs: 10_000,
      rounds: values.quick ? 1 : Number(values.rounds),
    },
    log,
  );
  report.connections = { ...connections, library };
  printReport([...connectionsTables(connections), ...libraryVsRawTables(library)], connectionsSummary(connections));
}

// Last: it pins this process and its children to CPUs (and restores the affinity when done).
if (runs('cluster')) {
  const cluster = await runClusterSuite(
    {
      latency: {
        warmupMs: values.quick ? 1500 : 3000,
        windowMs: values.quick ? 5000 : 20_000,
        drainMs: 500,
        idleMs: values.quick ? 3000 : 10_000,
        openTimeoutMs: 15_000,
        botsPerNode: 4,
      },
      fanout: {
        warmupMs: values.quick ? 1000 : 3000,
        measureMs: values.quick ? 3000 : 10_000,
        drainMs: 1500,
        bodyBytes: 80,
        rounds: values.quick ? 1 : rounds,
      },
      workers: {
        players: 64,
        roomSize: 8,
        warmupMs: values.quick ? 1500 : 3000,
        windowMs: values.quick ? 4000 : 15_000,
        drainMs: 500,
        botProcesses: 2,
        inFlight: 8,
        openTimeoutMs: 15_000,
      },
    },
    log,
  );
  report.cluster = cluster;
  printReport(clusterTables(cluster), clusterSummary(cluster));
}

// Pins too (server apart from bots and abuser), and restores the affinity when done.
if (runs('abuse')) {
  const abuse = await runAbuseSuite(
    {
      players: 8,
      rounds,
      warmupMs: values.quick ? 1500 : 3000,
      windowMs: values.quick ? 5000 : 15_000,
      drainMs: 500,
      openTimeoutMs: 15_000,
    },
    log,
  );
  report.abuse = abuse;
  printReport(abuseTables(abuse), abuseSummary(abuse));
}

report.finishedAt = new Date().toISOString();
mkdirSync(resultsDir, { recursive: true });
const file = new URL(
  `./${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}.json`,
  resultsDir,
);
const baselineFile = new URL('./baseline.json', import.meta.url);
report.vsLast = compareWithLast(report, SUITES, resultsDir, file.pathname.split('/').pop() ?? '', baselineFile);
printReport(vsLastTables(report.vsLast), vsLastSummary(report.vsLast));
if (values['save-baseline']) {
  const saved = saveBaseline(report, SUITES, baselineFile);
  console.log(`\nBaseline written to ${baselineFile.pathname} for: ${saved.join(', ') || 'nothing (no figures)'}`);
}
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nResults written to ${file.pathname}`);

/** A suite's tables, each with its title and notes, then its summary lines. */
function printReport(tables: readonly ReportTable[], summary: readonly string[]): void {
  for (const table of tables) {
    console.log(`\n${table.title}`);
    for (const note of table.notes) console.log(note);
    printTable(table.header, table.rows);
  }
  console.log('');
  for (const line of summary) console.log(line);
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
