import {
  DELIVERY_HEADER,
  deliveryCells,
  FANOUT_HEADER,
  fanoutCells,
  fmt,
  LATENCY_HEADER,
  latencyCells,
  type ReportTable,
  signed,
} from '../support/report-table.ts';
import { isClean, MAX_OTHER_CPU_PERCENT, MIN_OFFERED_PERCENT } from './fanout.ts';
import type { GroupFigures, LatencyPhase } from './latency.ts';
import type { RedisTraffic } from './measure.ts';
import type { ClusterResult } from './suite.ts';

/** The WebSocket fallback's target: a remote player's p99 at most this much above the host's. */
export const WEBSOCKET_P99_BUDGET_MS = 5;

const label = (phase: LatencyPhase): string => (phase.transport === 'webrtc' ? 'WebRTC' : 'WebSocket');

export function clusterTables(result: ClusterResult): ReportTable[] {
  const tables: ReportTable[] = [];
  const latency = result.latency;
  if (latency) {
    const phases = latency.phases;
    const group = (phase: LatencyPhase, g: GroupFigures): string[] => [
      label(phase),
      g.role === 'host' ? 'host (node A)' : 'remote (node B)',
      String(g.bots),
      String(g.inputs),
      ...deliveryCells(g),
      ...latencyCells(g),
      g.role === 'remote' ? signed(phase.p50DeltaMs, 1) : '',
      g.role === 'remote' ? signed(phase.p99DeltaMs, 1) : '',
      String(g.lost),
    ];
    tables.push({
      title: 'Cluster 1: input → acknowledging snapshot, socket on the room’s host vs on another node',
      notes: [
        'One room of 8 created on node A (A simulates it): 4 bots with their socket on A, 4 on node B, all playing at once',
        '(30 Hz inputs). WebRTC: B’s peers are made on A (room joined first, then the offer, forwarded by B). WebSocket:',
        'B’s inputs and snapshots are relayed through Redis. Δ = remote − host of the same window. The floor of 30 Hz ticks',
        'with 20 Hz snapshots is p50 ≈ 27 ms, p99 ≈ 66 ms on any server (see the WebRTC suite).',
      ],
      header: [
        'transport',
        'group',
        'bots',
        'inputs',
        ...DELIVERY_HEADER,
        ...LATENCY_HEADER,
        'Δp50 ms',
        'Δp99 ms',
        'lost',
      ],
      rows: phases.flatMap((phase) => [group(phase, phase.host), group(phase, phase.remote)]),
    });
    tables.push({
      title: 'Cluster 1: per bot',
      notes: [
        'phase: where in the 33 ms input period the bot starts sending; every second all phases move on by 0.618 of the',
        'period. A<n> and B<n> always share one: each host bot has a remote twin.',
        'over WS: snapshots that came over the WebSocket in the window (0 for a WebRTC bot whose peer held).',
      ],
      header: [
        'transport',
        'bot',
        'role',
        'phase',
        'inputs',
        'acked %',
        'snap/s',
        'over WS',
        'missed %',
        'unacked',
        ...LATENCY_HEADER,
        'lost',
      ],
      rows: phases.flatMap((phase) =>
        phase.bots.map((bot) => [
          label(phase),
          bot.label,
          bot.role,
          fmt(bot.phase, 3),
          String(bot.inputs),
          fmt(bot.ackedPercent, 2),
          fmt(bot.snapshotsPerSec, 1),
          String(bot.snapshotsOverSocket),
          fmt(bot.missedPercent, 2),
          fmt(bot.unackedAtSnapshot, 2),
          ...latencyCells(bot),
          bot.lost ?? '',
        ]),
      ),
    });
    tables.push({
      title: 'Cluster 1: the windows’ machine',
      notes: [
        'CPU as % of one core over the window. seats / peers on A: B’s tabs with a relayed seat / a WebRTC peer on A',
        '(starcatch_cluster_remote_tabs). setup: sign-in → room joined (and, for WebRTC, both DataChannels open).',
      ],
      header: [
        'transport',
        'node A %',
        'node B %',
        'Redis %',
        'bots %',
        'bot lag p99',
        'other %',
        'seats on A',
        'peers on A',
        'setup p50',
        'setup p99',
        'failed',
      ],
      rows: phases.map((phase) => [
        label(phase),
        fmt(phase.nodeACpuPercent, 1),
        fmt(phase.nodeBCpuPercent, 1),
        fmt(phase.redisCpuPercent, 1),
        fmt(phase.botCpuPercent, 1),
        fmt(phase.botLoopDelayP99Ms, 1),
        fmt(phase.otherCpuPercent, 1),
        fmt(phase.remoteSeatsOnHost, 0),
        fmt(phase.remotePeersOnHost, 0),
        fmt(phase.setupP50Ms, 0),
        fmt(phase.setupP99Ms, 0),
        String(phase.connectFailed),
      ]),
    });
  }

  const fanout = result.fanout;
  if (fanout) {
    tables.push({
      title: 'Cluster 2: WebSocket fan-out, 1 node without Redis vs 2 nodes sharing one Redis (Phoenix V2 JSON)',
      notes: [
        'Each room’s clients split half and half: two load generators at once (one thread each); on 1 node both',
        'connect to fanout/ours-server.ts, on 2 nodes each half to its own node (the same server with RedisPubSub).',
        'srv = every server process; µs/deliv = CPU over the window ÷ deliveries; +Redis adds redis-server’s own CPU.',
        'skew: how far apart the two halves opened their windows (the CPU window is their overlap).',
      ],
      header: [
        'scenario',
        'nodes',
        'round',
        'clients',
        ...FANOUT_HEADER,
        'Redis %',
        'srv µs/deliv',
        '+Redis µs/deliv',
        'gen CPU %',
        'other CPU %',
        'skew ms',
        'errors',
      ],
      rows: fanout.runs.map((r) => [
        r.scenario,
        r.topology,
        String(r.round),
        String(r.clients),
        ...fanoutCells(r),
        fmt(r.redisCpuPercent, 1),
        fmt(r.serverMicrosPerDelivery, 2),
        r.topology === '2 nodes' ? fmt(r.totalMicrosPerDelivery, 2) : '',
        fmt(r.generatorCpuPercent, 1),
        fmt(r.otherCpuPercent, 1),
        fmt(r.windowSkewMs, 0),
        String(r.errors),
      ]),
    });
    tables.push({
      title: 'Cluster 2: 2 nodes ÷ 1 node, CPU per delivery',
      notes: [
        `Clean runs pooled (offered ≥ ${MIN_OFFERED_PERCENT} %, other CPU ≤ ${MAX_OTHER_CPU_PERCENT} %, no errors); * = a round with an unclean`,
        'run; noisy = a topology had no clean run (all pooled). p99: median run.',
      ],
      header: [
        'scenario',
        '1 node µs',
        '2 nodes µs',
        '+Redis µs',
        'srv ratio',
        '+Redis ratio',
        'per round (srv / +Redis)',
        'runs',
        'p99 1 node',
        'p99 2 nodes',
        '',
      ],
      rows: fanout.comparisons.map((c) => [
        c.scenario,
        fmt(c.oneNodeMicros, 2),
        fmt(c.twoNodeServerMicros, 2),
        fmt(c.twoNodeTotalMicros, 2),
        `${fmt(c.serverRatio, 2)}×`,
        `${fmt(c.totalRatio, 2)}×`,
        c.perRound.map((r) => `${fmt(r.server, 2)}/${fmt(r.total, 2)}${r.clean ? '' : '*'}`).join('  '),
        `${c.pooledRuns.one}+${c.pooledRuns.two}`,
        fmt(c.oneNodeP99Ms, 2),
        fmt(c.twoNodeP99Ms, 2),
        c.reliable ? '' : 'noisy',
      ]),
    });
  }

  const workers = result.workers;
  if (workers) {
    tables.push({
      title: 'Cluster 3: server CPU per WebRTC player, WORKERS=2 vs WORKERS=1 (same Redis + PostgreSQL setup)',
      notes: [
        'Production server; werift bots in rooms of 8, 30 Hz inputs. srv = primary + workers (one process for WORKERS=1);',
        'per process: primary first. ms/s per player = server CPU ms per second ÷ players; +Redis adds redis-server.',
        'rooms per node: from the room leases in Redis.',
      ],
      header: [
        'WORKERS',
        'players',
        'rooms per node',
        'srv CPU %',
        'per process %',
        'ms/s per player',
        'Redis %',
        '+Redis ms/s',
        ...LATENCY_HEADER,
        'acked %',
        'deliv %',
        'lost',
        'bot CPU %',
        'bot lag p99',
        'other CPU %',
        'setup p50/p99',
        'failed',
      ],
      rows: workers.map((w) => [
        String(w.workers),
        String(w.players),
        Object.values(w.roomsPerNode).join('/'),
        fmt(w.serverCpuPercent, 1),
        w.processCpuPercents.map((p) => fmt(p, 1)).join(' / '),
        fmt(w.serverCpuMsPerPlayer, 2),
        fmt(w.redisCpuPercent, 1),
        fmt(w.totalCpuMsPerPlayer, 2),
        ...latencyCells(w),
        fmt(w.ackedPercent, 2),
        fmt(w.deliveryPercent, 2),
        String(w.lostPlayers),
        fmt(w.botCpuPercent, 1),
        fmt(w.botLoopDelayP99Ms, 1),
        fmt(w.otherCpuPercent, 1),
        `${fmt(w.setupP50Ms, 0)}/${fmt(w.setupP99Ms, 0)}`,
        String(w.connectFailed),
      ]),
    });
  }

  if (latency) {
    const idle = latency.idle;
    const row = (name: string, traffic: RedisTraffic, players: number, remote: number, subtract: boolean) => {
      const net = (pick: (t: RedisTraffic) => number): number => pick(traffic) - (subtract ? pick(idle) : 0);
      const out = net((t) => t.messagesOutPerSec);
      const bytesOut = net((t) => t.bytesOutPerSec);
      return [
        name,
        players === 0 ? '' : `${players} (${remote})`,
        fmt(out, 1),
        fmt(
          net((t) => t.messagesInPerSec),
          1,
        ),
        fmt(bytesOut, 0),
        fmt(
          net((t) => t.bytesInPerSec),
          0,
        ),
        players === 0 ? '' : fmt(out / players, 2),
        players === 0 ? '' : fmt(bytesOut / players, 0),
        remote === 0 ? '' : fmt(out / remote, 2),
        fmt(out >= 0.5 ? bytesOut / out : Number.NaN, 0),
        fmt(
          net((t) => t.commandsPerSec),
          1,
        ),
      ];
    };
    tables.push({
      title: 'Cluster 4: Redis traffic per room (one room of 8, 4 players remote), idle traffic subtracted',
      notes: [
        'From the nodes’ starcatch_redis_messages_total / _bytes_total at the window edges, both nodes summed:',
        'out = published into Redis, in = delivered by Redis to a node. Idle = two nodes, no room (presence heartbeats),',
        'shown as measured; the room rows are the window less idle. cmds/s: every command Redis processed (INFO stats:',
        'PubSub, room leases, room directory). Per player: ÷ the room’s 8 players; per remote: ÷ its 4 players on B.',
      ],
      header: [
        'room',
        'players (remote)',
        'msg out/s',
        'msg in/s',
        'B out/s',
        'B in/s',
        'out/s per player',
        'B/s per player',
        'out/s per remote',
        'B per msg',
        'cmds/s',
      ],
      rows: [
        row('idle (no room)', idle, 0, 0, false),
        ...latency.phases.map((phase) =>
          row(
            phase.transport === 'webrtc' ? 'all WebRTC' : 'remote on WebSocket',
            phase.redis,
            phase.players,
            phase.remote.bots,
            true,
          ),
        ),
      ],
    });
  }
  return tables;
}

export function clusterSummary(result: ClusterResult): string[] {
  const lines: string[] = [];
  for (const phase of result.latency?.phases ?? []) {
    const verdict =
      phase.transport === 'websocket'
        ? `target Δp99 ≤ ${WEBSOCKET_P99_BUDGET_MS} ms: ${phase.p99DeltaMs <= WEBSOCKET_P99_BUDGET_MS ? 'met' : 'MISSED'}`
        : 'expected: the same within noise';
    lines.push(
      `Host vs remote, ${label(phase)}: p50 ${fmt(phase.host.p50Ms, 1)} vs ${fmt(phase.remote.p50Ms, 1)} ms ` +
        `(Δ ${signed(phase.p50DeltaMs, 1)}), p99 ${fmt(phase.host.p99Ms, 1)} vs ${fmt(phase.remote.p99Ms, 1)} ms ` +
        `(Δ ${signed(phase.p99DeltaMs, 1)}); ${verdict}.`,
    );
  }
  for (const c of result.fanout?.comparisons ?? []) {
    lines.push(
      `Fan-out ${c.scenario}: CPU per delivery 2 nodes ÷ 1 node = ${fmt(c.serverRatio, 2)}× (servers), ` +
        `${fmt(c.totalRatio, 2)}× with Redis; p99 ${fmt(c.oneNodeP99Ms, 2)} → ${fmt(c.twoNodeP99Ms, 2)} ms` +
        `${c.reliable ? '' : ' (noisy: no clean run on one side)'}.`,
    );
  }
  const [one, two] = result.workers ?? [];
  if (one && two) {
    lines.push(
      `WORKERS=2 vs WORKERS=1 at ${two.players} players: ${fmt(two.serverCpuMsPerPlayer, 2)} vs ` +
        `${fmt(one.serverCpuMsPerPlayer, 2)} ms CPU per player-second (${fmt(two.serverCpuMsPerPlayer / one.serverCpuMsPerPlayer, 2)}×; ` +
        `with Redis ${fmt(two.totalCpuMsPerPlayer / one.totalCpuMsPerPlayer, 2)}×), p99 ${fmt(two.p99Ms, 1)} vs ${fmt(one.p99Ms, 1)} ms.`,
    );
  }
  const latency = result.latency;
  if (latency) {
    for (const phase of latency.phases) {
      const out = phase.redis.messagesOutPerSec - latency.idle.messagesOutPerSec;
      lines.push(
        `Redis, ${phase.transport === 'webrtc' ? 'all-WebRTC room' : 'room with remote WebSocket players'}: ` +
          `${fmt(out, 1)} messages/s published per room (${fmt(out / phase.remote.bots, 1)} per remote player) over an idle ` +
          `${fmt(latency.idle.messagesOutPerSec, 1)}/s.`,
      );
    }
    if (latency.serverLogLines > 0) {
      lines.push(
        `Cluster nodes logged ${latency.serverLogLines} warning/error lines: ${latency.serverLogFirst.join(' | ')}`,
      );
    }
  }
  for (const w of result.workers ?? []) {
    if (w.connectErrors.length > 0) lines.push(`WORKERS=${w.workers} connect errors: ${w.connectErrors.join(' | ')}`);
    if (w.serverLogLines > 0) {
      lines.push(`WORKERS=${w.workers} server logged ${w.serverLogLines} lines: ${w.serverLogFirst.join(' | ')}`);
    }
  }
  for (const phase of latency?.phases ?? []) {
    if (phase.connectErrors.length > 0)
      lines.push(`${label(phase)} connect errors: ${phase.connectErrors.join(' | ')}`);
  }
  const unclean = result.fanout?.runs.filter((run) => !isClean(run)).length ?? 0;
  if (unclean > 0) lines.push(`${unclean} fan-out run(s) not clean (see offered % / other CPU % / errors).`);
  lines.push(`Pinning: ${result.pinning.note}.`);
  for (const failure of result.failures) lines.push(`FAILED: ${failure}`);
  lines.push(`Suite time ${fmt(result.seconds, 0)} s.`);
  return lines;
}
