import { median } from '../support/measure.ts';
import { fmt, type ReportTable } from '../support/report-table.ts';
import { CONTENDED_OTHER_CPU_PERCENT, CRITERIA, type WebRtcResult, type WebRtcStep } from './suite.ts';

/** The WebRTC ramp as two tables (load and latency per step; connects and memory per step) and a summary. */
export function webRtcTables(result: WebRtcResult): ReportTable[] {
  const floor = `floor (first step) p50 ${fmt(result.floorP50Ms, 1)} / p99 ${fmt(result.floorP99Ms, 1)} ms`;
  return [
    {
      title: `WebRTC game load (werift bots in separate processes, rooms of 8, 30 Hz inputs, 20 Hz snapshots; ${result.pinning})`,
      notes: [
        `Latency: input → acknowledging snapshot; ${floor}. Criteria: p99 ≤ floor + ${CRITERIA.p99OverFloorMs} ms, ` +
          `server CPU < ${CRITERIA.maxServerCpuPercent} %, delivery ≥ ${CRITERIA.minDeliveryPercent} %, no failed connects.`,
      ],
      header: [
        'players',
        'srv CPU %',
        'msg in/s',
        'msg out/s',
        'µs/msg',
        'p50 ms',
        'p99 ms',
        'p99−floor',
        'max ms',
        'acked %',
        'deliv %',
        'tick Hz',
        'missed %',
        'unacked',
        'bot CPU %',
        'bot lag p99',
        'other CPU %',
        'rcvbuf err',
        'result',
      ],
      rows: result.steps.map((s) => [
        String(s.players),
        fmt(s.serverCpuPercent, 1),
        fmt(s.messagesInPerSec, 0),
        fmt(s.messagesOutPerSec, 0),
        fmt(s.cpuMicrosPerMessage, 1),
        fmt(s.rttP50Ms, 1),
        fmt(s.rttP99Ms, 1),
        fmt(s.p99OverFloorMs, 1),
        fmt(s.rttMaxMs, 0),
        fmt(s.ackedPercent, 2),
        fmt(s.deliveryPercent, 2),
        fmt(s.serverTickHz, 1),
        fmt(s.missedPercent, 2),
        fmt(s.unackedAtSnapshot, 2),
        fmt(s.botCpuPercent, 1),
        fmt(s.botLoopDelayP99Ms, 1),
        fmt(s.otherCpuPercent, 1),
        String(s.udpRcvbufErrors),
        `${s.failures.length === 0 ? 'pass' : s.failures.join('; ')}${s.otherCpuPercent > CONTENDED_OTHER_CPU_PERCENT ? ' (contended)' : ''}${s.remeasured > 0 ? ` (retry ${s.remeasured})` : ''}`,
      ]),
    },
    {
      title: 'WebRTC connects, memory and the server event loop per step',
      notes: [
        `Connects: at most ${result.inFlight} negotiations in flight. RSS per peer: (RSS − ${fmt(result.baselineRssMiB, 1)} MiB ` +
          'before any peer) ÷ players; marginal: ΔRSS ÷ Δplayers from the previous step.',
      ],
      header: [
        'players',
        'new peers',
        'connect s',
        'peers/s',
        'srv CPU ms/connect',
        'setup p50 ms',
        'setup p99 ms',
        'failed',
        'RSS MiB',
        'KiB/peer',
        'marginal KiB/peer',
        'heap KiB/peer',
        'srv in/s',
        'max tick ms',
        'srv lag p99',
        'srv lag max',
        'GC %',
      ],
      rows: result.steps.map((s) => [
        String(s.players),
        String(s.newPeers),
        fmt(s.connectSeconds, 2),
        fmt(s.peersPerSecond, 1),
        fmt(s.serverCpuMsPerConnect, 2),
        fmt(s.setupP50Ms, 0),
        fmt(s.setupP99Ms, 0),
        String(s.connectFailed),
        fmt(s.serverRssMiB, 1),
        fmt(s.rssPerPeerKiB, 0),
        fmt(s.marginalRssPerPeerKiB, 0),
        fmt(s.heapPerPeerKiB, 0),
        fmt(s.serverCountedInPerSec, 0),
        fmt(s.serverMaxTickMs, 1),
        fmt(s.serverLoopLagP99Ms, 1),
        fmt(s.serverLoopLagMaxMs, 0),
        fmt(s.serverGcPercent, 1),
      ]),
    },
  ];
}

/** One paragraph: the headline figures of the run. */
export function webRtcSummary(result: WebRtcResult): string[] {
  const passed = result.steps.filter((s) => s.failures.length === 0);
  const last = passed.at(-1);
  const first = result.steps[0];
  // The slope between the first and the last passing step leaves out what costs the same at any load.
  const cpuPerSecond = (s: WebRtcStep): number => s.serverCpuPercent * 1e4;
  const messagesPerSecond = (s: WebRtcStep): number => s.messagesInPerSec + s.messagesOutPerSec;
  const marginal =
    first && last && last !== first
      ? (cpuPerSecond(last) - cpuPerSecond(first)) / (messagesPerSecond(last) - messagesPerSecond(first))
      : Number.NaN;
  const connectMs = median(result.steps.map((step) => step.serverCpuMsPerConnect));
  return [
    `Max players per process: ${result.maxPlayers} (stopped: ${result.stoppedBy}).`,
    `Marginal server CPU per DataChannel message, ${first?.players ?? '–'} → ${last?.players ?? '–'} players: ${fmt(marginal, 1)} µs.`,
    `At ${last?.players ?? '–'} players: ${fmt(last?.cpuMicrosPerMessage, 1)} µs server CPU per DataChannel message, ` +
      `${fmt(last?.rssPerPeerKiB, 0)} KiB RSS and ${fmt(last?.heapPerPeerKiB, 0)} KiB JS heap per peer; ` +
      `peers connected per second over the run: ${fmt(result.peersPerSecond, 1)}.`,
    `Server CPU per connect (median of the steps, game traffic of the players already there taken out): ${fmt(connectMs, 2)} ms, ` +
      `so one core connects at most ${fmt(1000 / connectMs, 0)} peers per second (the bots share this machine's cores).`,
    `UDP receive buffers: default ${result.udpBuffers.defaultBytes} B, max ${result.udpBuffers.maxBytes} B. ` +
      `Server log lines (warn+): ${result.serverLogLines}${result.metricsAvailable ? '' : '; no /metrics on this server'}.`,
    ...result.serverLogFirst.map((line) => `  server: ${line}`),
  ];
}
