import {
  DELIVERY_HEADER,
  deliveryCells,
  fmt,
  LATENCY_HEADER,
  latencyCells,
  type ReportTable,
  signed,
} from '../support/report-table.ts';
import type { AttackCount } from './abuse-protocol.ts';
import type { AbuseResult, AbuseRun } from './suite.ts';

/** The attacks in the order the tables list them, with the rate the plan aimed at (per second). */
function targets(result: AbuseResult): [string, number | undefined][] {
  const p = result.plan;
  return [
    ['sign-in', p.signInsPerSec],
    ['socket connect', p.connectsPerSec],
    ['malformed frame', undefined],
    ['oversize frame', undefined],
    ['room create', p.creators * p.createsPerCreatorPerSec],
    ['room join', p.joinsPerSec],
    ['chat push', p.chatPerSec],
    ['WebSocket input push', p.wsInputsPerSec],
    ['DataChannel message', p.dataChannelPerSec],
    ['offer (main tab, to flood again)', undefined],
    ['DataChannel peer closed', undefined],
    ['signaling offer', p.offersPerSec],
    ['signaling ICE', p.icePerSec],
  ];
}

/** Server-side drop counters that answer for attacks that get no reply. */
const SILENT: Readonly<Record<string, string>> = {
  'WebSocket input push': 'starcatch_dropped_messages_total{reason="websocket_input_rate"}',
  'DataChannel message': 'starcatch_dropped_messages_total{reason="datachannel_rate"}',
};

/** Every abused run's counts added up. */
export function pooledAttacks(runs: readonly AbuseRun[]): { attacks: Record<string, AttackCount>; seconds: number } {
  const attacks: Record<string, AttackCount> = {};
  let seconds = 0;
  for (const run of runs) {
    if (!run.abuse) continue;
    seconds += run.abuse.seconds;
    for (const [name, count] of Object.entries(run.abuse.attacks)) {
      const into = attacks[name] ?? { sent: 0, outcomes: {} };
      into.sent += count.sent;
      for (const [what, n] of Object.entries(count.outcomes)) into.outcomes[what] = (into.outcomes[what] ?? 0) + n;
      attacks[name] = into;
    }
  }
  return { attacks, seconds };
}

function serverCounts(runs: readonly AbuseRun[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) {
    for (const [series, n] of Object.entries(run.serverCounts ?? {})) counts[series] = (counts[series] ?? 0) + n;
  }
  return counts;
}

export function abuseTables(result: AbuseResult): ReportTable[] {
  const runs = result.runs;
  const abused = runs.filter((run) => run.abuse);
  const tables: ReportTable[] = [
    {
      title: `Abuse: ${runs[0]?.players ?? 8} players' input → acknowledging snapshot, quiet vs while one client abuses every budget at 10×`,
      notes: [
        'Production limits, TRUSTED_PROXIES=127.0.0.1; each player and the abuser from its own X-Forwarded-For address.',
        'werift players over WebRTC at 30 Hz (phases spread over the period, moved on every second). CPU: % of one core',
        'over the window. srv lag: the server’s event-loop delay p99. The floor of 30 Hz ticks with 20 Hz snapshots is',
        'p50 ≈ 27 ms, p99 ≈ 66 ms on any server.',
      ],
      header: [
        'round',
        'run',
        'players',
        'inputs',
        ...DELIVERY_HEADER,
        ...LATENCY_HEADER,
        'srv CPU %',
        'srv lag p99',
        'bots %',
        'bot lag p99',
        'abuser %',
        'other %',
        'lost',
      ],
      rows: runs.map((run) => [
        String(run.round),
        run.condition,
        String(run.players),
        String(run.inputs),
        ...deliveryCells(run),
        ...latencyCells(run),
        fmt(run.serverCpuPercent, 1),
        fmt(run.serverLoopLagP99Ms, 1),
        fmt(run.botCpuPercent, 1),
        fmt(run.botLoopDelayP99Ms, 1),
        run.abuse ? fmt(run.abuserCpuPercent, 1) : '',
        fmt(run.otherCpuPercent, 1),
        String(run.lostPlayers),
      ]),
    },
  ];
  const { attacks, seconds } = pooledAttacks(abused);
  const counts = serverCounts(abused);
  const rows: string[][] = [];
  for (const [name, target] of targets(result)) {
    const count = attacks[name];
    if (!count) continue;
    const answered = Object.entries(count.outcomes)
      .filter(([what]) => !what.startsWith('not sent'))
      .reduce((n, [, k]) => n + k, 0);
    const outcomes = Object.entries(count.outcomes).sort((a, b) => b[1] - a[1]);
    const silent = SILENT[name];
    let got = outcomes.map(([what, n]) => `${what} ${n}`).join(' · ');
    if (silent) {
      const dropped = counts[silent] ?? 0;
      got = `server dropped ${dropped} (${fmt((100 * dropped) / Math.max(1, count.sent), 1)} %)${got ? ` · ${got}` : ''}`;
    } else if (count.sent > answered && name !== 'DataChannel peer closed') {
      got += `${got ? ' · ' : ''}unanswered ${count.sent - answered}`;
    }
    rows.push([
      name,
      target === undefined ? '' : fmt(target, 1),
      count.sent > 0 ? String(count.sent) : '',
      count.sent > 0 ? fmt(count.sent / seconds, 1) : '',
      got,
    ]);
  }
  const dataChannelOpen = abused.map((run) => fmt(run.abuse?.dataChannelOpenPercent, 0)).join(' / ');
  const noticed = abused
    .map((run) =>
      Object.entries(run.abuse?.noticedDropped ?? {})
        .map(([path, n]) => `${path} ${n}`)
        .join(', '),
    )
    .join(' / ');
  tables.push({
    title: `Abuse: what the abuser sent and what came back (${abused.length} abused runs, ${fmt(seconds, 1)} s of hammering)`,
    notes: [
      'target/s: 10× the budget (from the server’s own config); sent/s: what the abuser got out. Outcomes are the',
      'replies (error reason), HTTP statuses with their code (HTTP 429 with no code: the connect budget), or close codes.',
      'Inputs get no reply: their drops are the server’s own count (/metrics). A socket is spent on a malformed or',
      `oversize frame only when the address is at its socket cap. Main tab’s DataChannel open: ${dataChannelOpen} % of the time;`,
      `game:notice dropped totals it was told: ${noticed || '–'}.`,
    ],
    header: ['attack', 'target/s', 'sent', 'sent/s', 'outcomes'],
    rows,
  });
  tables.push({
    title: 'Abuse: the server’s own counts over the hammering (/metrics deltas, abused runs together)',
    notes: ['Includes the players’ own traffic over the same time (their inputs are all accepted).'],
    header: ['series', 'count'],
    rows: Object.entries(counts)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([series, n]) => [series, String(n)]),
  });
  return tables;
}

export function abuseSummary(result: AbuseResult): string[] {
  const lines = [
    `Abuse: ${result.pinning.note}.`,
    `Players' input → ack, pooled over ${result.runs.filter((r) => r.condition === 'quiet').length} quiet and ` +
      `${result.runs.filter((r) => r.condition === 'abused').length} abused windows: quiet p50 / p99 ${fmt(result.quiet.p50Ms, 1)} / ` +
      `${fmt(result.quiet.p99Ms, 1)} ms, abused ${fmt(result.abused.p50Ms, 1)} / ${fmt(result.abused.p99Ms, 1)} ms ` +
      `(Δ ${signed(result.p50DeltaMs, 1)} / ${signed(result.p99DeltaMs, 1)} ms; Δp99 per round ${result.p99DeltaPerRoundMs.map((d) => signed(d, 1)).join(', ')}).`,
  ];
  const abused = result.runs.filter((run) => run.abuse);
  const quiet = result.runs.filter((run) => run.condition === 'quiet');
  const mean = (runs: readonly AbuseRun[], pick: (run: AbuseRun) => number): number =>
    runs.reduce((n, run) => n + pick(run), 0) / Math.max(1, runs.length);
  lines.push(
    `Server CPU: quiet ${fmt(
      mean(quiet, (r) => r.serverCpuPercent),
      1,
    )} %, abused ${fmt(
      mean(abused, (r) => r.serverCpuPercent),
      1,
    )} % of a core ` +
      `(abuser ${fmt(
        mean(abused, (r) => r.abuserCpuPercent),
        1,
      )} %, its loop delay p99 ${abused.map((r) => fmt(r.abuse?.loopDelayP99Ms, 1)).join(' / ')} ms; ` +
      `settled back to the players' sockets and peers in ${abused.map((r) => fmt(r.settleSeconds, 1)).join(' / ')} s).`,
  );
  lines.push('Budgets (the server’s defaults) and what the abuser aims at each:');
  for (const b of result.budgets) lines.push(`  ${b.variable} = ${b.value} (${b.limit}): ${b.abuse}`);
  const lost = result.runs.flatMap((run) => run.lostReasons.map((why) => `${run.condition} r${run.round} ${why}`));
  if (lost.length > 0) lines.push(`Players lost: ${lost.slice(0, 5).join('; ')}`);
  if (result.connectFailed > 0)
    lines.push(`Players that failed to connect: ${result.connectFailed} (${result.connectErrors.join('; ')})`);
  const setup = abused.flatMap((run) => run.abuse?.setupErrors ?? []);
  if (setup.length > 0) lines.push(`Abuser setup errors: ${setup.slice(0, 5).join('; ')}`);
  if (result.serverLogLines > 0) {
    lines.push(
      `Server logged ${result.serverLogLines} warning/error lines; first: ${result.serverLogFirst.slice(0, 2).join(' | ')}`,
    );
  }
  for (const failure of result.failures) lines.push(`FAILED: ${failure}`);
  lines.push(`Abuse suite: ${fmt(result.seconds, 0)} s.`);
  return lines;
}
