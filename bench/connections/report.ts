import type { LibraryVsRawResult } from './library-vs-raw.ts';
import type { ServerMemory } from './server-memory.ts';
import type { ConnectionsResult } from './suite.ts';

/** The issue's targets for this suite. */
export const MAX_KB_PER_CONNECTION = 10;
export const TARGET_SOCKETS = 20_000;

/** A table for the runner to print: a title, notes under it, a header and rows of cells. */
export interface ConnectionsTable {
  readonly title: string;
  readonly notes: readonly string[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const MIB = 2 ** 20;

export function connectionsTables(r: ConnectionsResult): ConnectionsTable[] {
  const details: Partial<Record<string, string>> = r.failureDetails;
  const failures = Object.entries(r.failures).map(
    ([kind, n]) => `${kind} ${n}${details[kind] ? ` (${details[kind]})` : ''}`,
  );
  const dropped = Object.entries(r.dropped).map(([code, n]) => `close ${code}: ${n}`);
  const { before, afterRamp, atEnd } = r.memory;
  return [
    {
      title: `Connection capacity (real server, idle sockets each joined to its own user:<id>, Phoenix V2 JSON, loopback)`,
      notes: [
        `${r.clientProcesses} client processes; ramp at ${fmt(r.options.ratePerSec, 0)}/s requested, at most ${r.options.maxInFlight} connects in flight; hold ${fmt(r.holdMs / 1000, 0)} s with a heartbeat every ${fmt(r.options.heartbeatMs / 1000, 0)} s. Join = TCP connect → join reply ok.`,
        `Failures: ${failures.length > 0 ? failures.join(', ') : 'none'}. Dropped while held: ${dropped.length > 0 ? dropped.join(', ') : 'none'}.`,
        `Server descriptors: limit ${fmt(r.fds.limit, 0)}, ${r.fds.baseline} open before the ramp; connection cap ${fmt(r.fds.connectionCap, 0)} (the limit less the descriptors kept for files and WebRTC peers), so room for ${fmt(r.fds.socketCapacity, 0)} sockets; ${fmt(r.fds.afterRamp, 0)} open after the ramp.`,
        `Join p99 by quarter of the ramp (by start time): ${r.joinP99ByQuarterMs.map((ms) => fmt(ms, 1)).join(' / ')} ms. Server event-loop delay p99 / max: ramp ${fmt(r.memory.afterRamp.loopDelayP99Ms, 1)} / ${fmt(r.memory.afterRamp.loopDelayMaxMs, 1)} ms, hold ${fmt(r.memory.atEnd.loopDelayP99Ms, 1)} / ${fmt(r.memory.atEnd.loopDelayMaxMs, 1)} ms; worst client process over the ramp ${fmt(r.generatorLoopDelayP99Ms, 1)} / ${fmt(r.generatorLoopDelayMaxMs, 1)} ms.`,
        `Server's own count at the end (starcatch_sockets, GET /metrics): ${r.serverReportedSockets === null ? 'unreadable (at the connection cap the scrape is refused like any other connection)' : fmt(r.serverReportedSockets, 0)}.`,
        `Heartbeats: ${fmt(r.heartbeatsSent, 0)} sent, ${fmt(r.heartbeatsAcked, 0)} answered; ${r.unexpectedFrames} other frames.`,
      ],
      header: [
        'requested',
        'connected',
        'failed',
        'alive at end',
        'ramp s',
        'rate/s',
        'join p50 ms',
        'p99 ms',
        'max ms',
        'srv CPU % ramp',
        'srv CPU % hold',
        'gen CPU % ramp',
        'other CPU %',
      ],
      rows: [
        [
          fmt(r.requested, 0),
          fmt(r.connected, 0),
          fmt(r.failed, 0),
          fmt(r.alive, 0),
          fmt(r.rampMs / 1000, 1),
          fmt(r.rampRatePerSec, 0),
          fmt(r.joinP50Ms, 1),
          fmt(r.joinP99Ms, 1),
          fmt(r.joinMaxMs, 1),
          fmt(r.serverCpuRampPercent, 1),
          fmt(r.serverCpuHoldPercent, 1),
          fmt(r.generatorCpuRampPercent, 1),
          fmt(r.otherCpuRampPercent, 1),
        ],
      ],
    },
    {
      title: 'Server memory (MiB; RSS from /proc, heap from V8, after a memory-reducing full GC unless noted)',
      notes: [],
      header: ['when', 'RSS', 'RSS before GC', 'heap used', 'external'],
      rows: [
        memoryRow('before the ramp', before),
        memoryRow('after the ramp', afterRamp),
        memoryRow('end of the hold', atEnd),
      ],
    },
  ];
}

/** Lines under the tables: per-connection figures and each target, met or missed, with the reason. */
export function connectionsSummary(r: ConnectionsResult): string[] {
  const m = r.memory;
  const kb = m.rssKbPerConnection;
  const beyondLimit = Math.max(0, r.requested - r.fds.socketCapacity);
  const unexplained = r.failed + (r.connected - r.alive) - beyondLimit;
  const lines = [
    `Per idle joined connection: ${fmt(kb, 2)} KB RSS, ${fmt(m.heapKbPerConnection, 2)} KB heap, ${fmt(m.externalKbPerConnection, 2)} KB external (÷ ${fmt(r.alive, 0)} sockets alive at the end); as running, before any forced GC: ${fmt(m.rssAsRunningKbPerConnection, 2)} KB RSS. Peak RSS ${fmt(m.peakRssBytes / MIB, 0)} MiB.`,
    `Target ≤ ${MAX_KB_PER_CONNECTION} KB per idle joined connection (RSS): ${kb <= MAX_KB_PER_CONNECTION ? 'met' : 'MISSED'}.`,
  ];
  const held =
    r.requested < TARGET_SOCKETS ? 'not measured' : r.alive >= TARGET_SOCKETS && r.failed === 0 ? 'met' : 'MISSED';
  let why = '';
  if (held === 'MISSED' && unexplained <= 0 && beyondLimit > 0) {
    why = ` — the server process's open-files limit (${fmt(r.fds.limit, 0)}) and the connection cap below it (${fmt(r.fds.connectionCap, 0)}, keeping descriptors for the database and WebRTC peers) leave room for ${fmt(r.fds.socketCapacity, 0)} sockets; every failure is a connection beyond that, which the server closed at once (the client sees a reset).`;
  } else if (held === 'MISSED') {
    why = ` — ${unexplained} failures or drops are not explained by the connection cap.`;
  }
  lines.push(
    `Target ${fmt(TARGET_SOCKETS, 0)} idle sockets with zero failures: ${held} (${fmt(r.alive, 0)} of ${fmt(r.requested, 0)} held to the end)${why}`,
    `Afterwards (all sockets closed): server ${r.afterwards.serverExited === null ? 'still running' : `EXITED (${r.afterwards.serverExited})`}, new join ${r.afterwards.freshJoinOk ? 'ok' : 'FAILED'}, health ${r.afterwards.healthOk ? 'ok' : 'FAILED'}.`,
  );
  return lines;
}

function memoryRow(when: string, memory: ServerMemory): string[] {
  return [
    when,
    fmt(memory.rss / MIB, 1),
    fmt(memory.rssBeforeGc / MIB, 1),
    fmt(memory.heapUsed / MIB, 1),
    fmt(memory.external / MIB, 1),
  ];
}

function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The library against the raw `ws` floor: every run, then each figure's medians and ratio. */
export function libraryVsRawTables(r: LibraryVsRawResult): ConnectionsTable[] {
  const { options } = r;
  return [
    {
      title: 'Idle sockets: the Phoenix library vs a raw ws server (each socket joins its own room:<id>, V2 JSON)',
      notes: [
        `${fmt(options.target, 0)} sockets per ramp at ${fmt(options.ratePerSec, 0)}/s, at most ${options.maxInFlight} connects in flight; ${options.rounds} round(s) alternating raw/ours; ${r.pinning}.`,
        'Memory as running: server RSS one second after the ramp minus before it, no GC forced. Join p99 by quarter: the attempts started in each quarter of the ramp.',
      ],
      header: [
        'server',
        'connected',
        'failed',
        'join p50 ms',
        'p99 ms',
        'max ms',
        'p99 by quarter ms',
        'srv µs/join',
        'RSS KiB/conn',
        'other CPU %',
      ],
      rows: r.runs.map((run) => [
        run.kind,
        fmt(run.connected, 0),
        fmt(run.failed, 0),
        fmt(run.joinP50Ms, 2),
        fmt(run.joinP99Ms, 1),
        fmt(run.joinMaxMs, 1),
        run.joinP99ByQuarterMs.map((ms) => fmt(ms, 1)).join(' / '),
        fmt(run.cpuMicrosPerJoin, 0),
        fmt(run.rssKibPerConnection, 2),
        fmt(run.otherCpuPercent, 0),
      ]),
    },
    {
      title: 'Idle sockets: library ÷ raw (medians over the rounds)',
      notes: [],
      header: ['figure', 'ours', 'raw', 'ours ÷ raw', 'target', 'verdict'],
      rows: r.figures.map((f) => [
        `${f.name} (${f.unit})`,
        fmt(f.ours, 2),
        fmt(f.raw, 2),
        `${fmt(f.ratio, 2)}×`,
        f.maxRatio === undefined ? '–' : `≤ ${fmt(f.maxRatio, 2)}×`,
        f.maxRatio === undefined ? '–' : f.ratio <= f.maxRatio ? 'met' : 'missed',
      ]),
    },
  ];
}
