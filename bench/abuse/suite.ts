import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { LobbyEvent, Topic } from '@starcatch/shared';
import { type Config, loadConfig } from '../../server/src/config.ts';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import { allowedCpus, onServerCpus, pinLoadSide, releaseLoadSide } from '../cluster/affinity.ts';
import {
  type ClusterFleet,
  type ClusterPlayer,
  type ProcessWindow,
  startClusterFleet,
} from '../cluster/bot-protocol.ts';
import { cpuPercents, readCpu } from '../cluster/measure.ts';
import { Resources, releaseOnSignal } from '../cluster/resources.ts';
import { nextMessage, stopChild } from '../support/child-process.ts';
import { probe } from '../support/http-probe.ts';
import { type Latency, latencyOf, sleep, sortedOf } from '../support/measure.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import { type RealServer, startRealServer } from '../support/real-server.ts';
import { type AbusePlan, type AbuseReport, type FromAbuser, JOINS_PER_CYCLE, type ToAbuser } from './abuse-protocol.ts';

/**
 * `node bench/run.ts --only abuse`: 8 werift players in one room of the production server, at its
 * production limits, each from its own client address (`X-Forwarded-For`, believed from 127.0.0.1
 * with `TRUSTED_PROXIES`), timed input → acknowledging snapshot in a quiet window and in a window
 * while one abusive client (`abuser.ts`, its own address) hammers every budget it can reach at 10×.
 * Rounds alternate the order (quiet then abused, abused then quiet, …). Server on the server CPUs,
 * bots and abuser on the load CPUs, as the cluster suite pins them.
 */
export interface AbuseOptions {
  readonly players: number;
  readonly rounds: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
  readonly openTimeoutMs: number;
}

export type Condition = 'quiet' | 'abused';

export interface AbuseRun extends Latency {
  readonly round: number;
  readonly condition: Condition;
  readonly players: number;
  readonly inputs: number;
  readonly ackedPercent: number;
  /** Per player. */
  readonly snapshotsPerSec: number;
  readonly missedPercent: number;
  readonly lostPlayers: number;
  readonly lostReasons: readonly string[];
  /** % of one core over the window. */
  readonly serverCpuPercent: number;
  /** The server's event-loop delay over the window (its /metrics), ms. */
  readonly serverLoopLagP99Ms: number | undefined;
  readonly botCpuPercent: number;
  readonly botLoopDelayP99Ms: number;
  readonly abuserCpuPercent: number;
  /** Whole machine minus server, bots and abuser. */
  readonly otherCpuPercent: number;
  /** Abused runs: what the abuser sent and got back, over the whole hammering (warm-up, window, drain). */
  readonly abuse?: AbuseReport;
  /** Abused runs: the server's own counters over the hammering (/metrics deltas), by series. */
  readonly serverCounts?: Readonly<Record<string, number>>;
  /** Abused runs: seconds until the server was back to the players' sockets and peers. */
  readonly settleSeconds?: number;
}

/** One budget the abuser aims at: where it comes from, its default, and the rate the abuser uses. */
export interface Budget {
  readonly limit: string;
  readonly variable: string;
  readonly value: string;
  /** What the abuser does against it (10× the budget), or why it cannot reach it. */
  readonly abuse: string;
}

export interface AbuseResult {
  readonly pinning: { readonly server: string | undefined; readonly load: string | undefined; readonly note: string };
  readonly budgets: readonly Budget[];
  readonly plan: Omit<AbusePlan, 'forwardedFor' | 'roomId'>;
  readonly runs: readonly AbuseRun[];
  /** Every window of a condition pooled (all rounds). */
  readonly quiet: Latency;
  readonly abused: Latency;
  readonly p50DeltaMs: number;
  readonly p99DeltaMs: number;
  /** abused − quiet p99 of each round on its own: how much the difference moves between rounds. */
  readonly p99DeltaPerRoundMs: readonly number[];
  readonly connectFailed: number;
  readonly connectErrors: readonly string[];
  readonly serverLogLines: number;
  readonly serverLogFirst: readonly string[];
  readonly failures: readonly string[];
  readonly seconds: number;
}

const SNAPSHOT_HZ = 20;
/** The players' room holds them and the abuser's main tab; the joiner's tries at it are refused `room_full`. */
const ABUSER_TABS_IN_ROOM = 1;
const ABUSER_START_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 20_000;
/** Abuser's niceness: it shares the load CPUs with the bots, and must not be what delays them. */
const ABUSER_NICE = 19;

/** Every client address is a documentation address (RFC 5737): players, the room's host, and the abuser per round. */
const playerAddress = (i: number): string => `203.0.113.${i + 1}`;
const HOST_ADDRESS = '203.0.113.200';
const abuserAddress = (round: number): string => `198.51.100.${round}`;

/** The server: production limits (nothing lifted), with X-Forwarded-For believed from loopback. */
const SERVER_ENV: Readonly<Record<string, string>> = { TRUSTED_PROXIES: '127.0.0.1' };

export async function runAbuseSuite(options: AbuseOptions, log: (line: string) => void): Promise<AbuseResult> {
  const startedAt = performance.now();
  const resources = new Resources();
  const unregister = releaseOnSignal(resources, log, 'abuse');
  const plan = pinLoadSide();
  const failures: string[] = [];
  const config = loadConfig({ ...SERVER_ENV, HOST: '127.0.0.1', RTC_HOST_ADDRESSES: '127.0.0.1' }, {});
  const rates = abuseRates(config);
  const runs: AbuseRun[] = [];
  const rtts: Record<Condition, Float64Array[]> = { quiet: [], abused: [] };
  let server: RealServer | undefined;
  let connectFailed = 0;
  let connectErrors: readonly string[] = [];
  try {
    log(
      plan
        ? `abuse: server pinned to CPU ${plan.server}; bench, bots and abuser (nice ${ABUSER_NICE}) to CPU ${plan.load}`
        : 'abuse: not pinned (fewer than 2 CPUs, or no taskset)',
    );
    const started = await onServerCpus(plan, () =>
      startRealServer({ label: 'abuse', liftLimits: false, env: SERVER_ENV }),
    );
    server = started;
    resources.add('server', () => started.stop());

    const host = await signInGuest(started.httpUrl, 'AbuseHost', HOST_ADDRESS);
    const lobby = await PhoenixWire.open(started.socketEndpoint, host.token, { forwardedFor: HOST_ADDRESS });
    resources.add('lobby socket', () => lobby.close());
    await lobby.join(Topic.lobby);
    const created = await lobby.push(Topic.lobby, LobbyEvent.createRoom, {
      name: 'Abuse bench',
      max_players: options.players + ABUSER_TABS_IN_ROOM,
    });
    const roomId = (created.response as { room?: { id?: unknown } } | null)?.room?.id;
    if (created.status !== 'ok' || typeof roomId !== 'string') {
      throw new Error(`room:create: ${created.status} ${JSON.stringify(created.response)}`);
    }

    const fleet = await startClusterFleet(1, started.httpUrl, started.socketEndpoint);
    resources.add('bot process', () => fleet.stop());
    const players: ClusterPlayer[] = Array.from({ length: options.players }, (_, i) => ({
      roomId,
      nickname: 'Player',
      label: `P${i + 1}`,
      transport: 'webrtc' as const,
      phase: (i + 0.5) / options.players,
      forwardedFor: playerAddress(i),
    }));
    log(`abuse: ${options.players} players connecting (each from its own address)…`);
    const connected = await fleet.connect(players, options.players, options.openTimeoutMs);
    connectFailed = connected.failed;
    connectErrors = connected.errors;
    if (connected.connected === 0) throw new Error(`no player connected: ${connected.errors.join('; ')}`);
    await sleep(options.warmupMs);
    const baseline = await socketsAndPeers(started);

    for (let round = 1; round <= options.rounds; round++) {
      const order: Condition[] = round % 2 === 1 ? ['quiet', 'abused'] : ['abused', 'quiet'];
      for (const condition of order) {
        if (resources.closed) break;
        log(`abuse: round ${round}, ${condition}…`);
        const run =
          condition === 'quiet'
            ? await measureRun(round, condition, started, fleet, undefined, options, rtts)
            : await abusedRun(
                round,
                started,
                fleet,
                { ...rates, forwardedFor: abuserAddress(round), roomId },
                options,
                {
                  rtts,
                  baseline,
                  resources,
                  log,
                },
              );
        runs.push(run);
        log(
          `abuse: round ${round}, ${condition}: p50/p99 ${run.p50Ms.toFixed(1)}/${run.p99Ms.toFixed(1)} ms, ` +
            `server ${run.serverCpuPercent.toFixed(0)} % CPU` +
            (run.abuse ? `, abuser ${run.abuserCpuPercent.toFixed(0)} % CPU` : ''),
        );
      }
    }
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    failures.push(message);
    log(`abuse: FAILED: ${message}`);
  } finally {
    await resources.releaseAll(log, 'abuse');
    releaseLoadSide(plan);
    unregister();
  }
  const quiet = latencyOf(sortedOf(rtts.quiet));
  const abused = latencyOf(sortedOf(rtts.abused));
  const p99DeltaPerRoundMs: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const of = (condition: Condition): AbuseRun | undefined =>
      runs.find((run) => run.round === round && run.condition === condition);
    const [q, a] = [of('quiet'), of('abused')];
    if (q && a) p99DeltaPerRoundMs.push(a.p99Ms - q.p99Ms);
  }
  return {
    pinning: {
      server: plan?.server,
      load: plan?.load,
      note: plan
        ? `taskset: the server on CPU ${plan.server}; this bench process, the bot process and the abuser (nice ${ABUSER_NICE}) on CPU ${plan.load}` +
          ` (bench affinity restored to ${allowedCpus(process.pid) ?? '?'} afterwards)`
        : 'nothing pinned: fewer than 2 CPUs or taskset unavailable',
    },
    budgets: budgetsOf(config, rates),
    plan: rates,
    runs,
    quiet,
    abused,
    p50DeltaMs: abused.p50Ms - quiet.p50Ms,
    p99DeltaMs: abused.p99Ms - quiet.p99Ms,
    p99DeltaPerRoundMs,
    connectFailed,
    connectErrors,
    serverLogLines: server?.logged.count ?? 0,
    serverLogFirst: server?.logged.first ?? [],
    failures,
    seconds: (performance.now() - startedAt) / 1000,
  };
}

/** 10× every budget, per second, from the server's own configuration. */
function abuseRates(config: Config): Omit<AbusePlan, 'forwardedFor' | 'roomId'> {
  const tenTimes = (perMinute: number): number => (10 * perMinute) / 60;
  const { addressLimits: a, roomLimits: r } = config;
  // Enough identities that 10× the per-user creation budget each adds up to 10× the per-address one.
  const creators = Math.max(1, Math.ceil(a.roomCreatesPerMinute / r.createsPerUserPerMinute));
  return {
    signInsPerSec: tenTimes(a.signInsPerMinute),
    connectsPerSec: tenTimes(a.socketConnectsPerMinute),
    holdSockets: 10 * a.maxSockets,
    creators,
    createsPerCreatorPerSec: tenTimes(r.createsPerUserPerMinute),
    joinsPerSec: tenTimes(r.joinsPerSocketPerMinute),
    joinHold: 10 * r.maxRoomsPerSocket,
    chatPerSec: tenTimes(config.roomPushLimits.chat.perMinute),
    wsInputsPerSec: tenTimes(config.roomPushLimits.input.perMinute),
    dataChannelPerSec: tenTimes(config.rtcDataLimit.perMinute),
    offersPerSec: tenTimes(config.rtcSignalingLimit.perMinute),
    icePerSec: tenTimes(config.rtcIceLimit.perMinute),
    oversizeBytes: 10 * config.socketMaxFrameBytes,
  };
}

function budgetsOf(config: Config, rates: Omit<AbusePlan, 'forwardedFor' | 'roomId'>): Budget[] {
  const perSec = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}/s`;
  const { addressLimits: a, roomLimits: r, roomPushLimits: push } = config;
  const bucket = (burst: number, perMinute: number): string => `${burst} at once, ${perMinute}/min`;
  return [
    {
      limit: 'sign-ins per address',
      variable: 'SIGN_INS_PER_ADDRESS_PER_MINUTE',
      value: `${a.signInsPerMinute}/min`,
      abuse: `POST /api/v1/session at ${perSec(rates.signInsPerSec)}`,
    },
    {
      limit: 'socket connects per address',
      variable: 'SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE',
      value: `${a.socketConnectsPerMinute}/min`,
      abuse: `upgrades at ${perSec(rates.connectsPerSec)}, every socket held`,
    },
    {
      limit: 'open sockets per address',
      variable: 'MAX_SOCKETS_PER_ADDRESS',
      value: String(a.maxSockets),
      abuse: `tries to hold ${rates.holdSockets}; at the cap spends its oldest on a bad frame`,
    },
    {
      limit: 'malformed / oversize frames',
      variable: 'SOCKET_MAX_FRAME_BYTES',
      value: `${config.socketMaxFrameBytes / 1024} KiB`,
      abuse: `one per held socket spent: malformed (5 kinds) and ${rates.oversizeBytes / 1024} KiB frames, alternately`,
    },
    {
      limit: 'room creations per user',
      variable: 'ROOM_CREATES_PER_USER_PER_MINUTE',
      value: `${r.createsPerUserPerMinute}/min`,
      abuse: `${rates.creators} identities, each at ${perSec(rates.createsPerCreatorPerSec)}`,
    },
    {
      limit: 'room creations per address',
      variable: 'ROOM_CREATES_PER_ADDRESS_PER_MINUTE',
      value: `${a.roomCreatesPerMinute}/min`,
      abuse: `those together: ${perSec(rates.creators * rates.createsPerCreatorPerSec)}`,
    },
    {
      limit: 'room joins per socket',
      variable: 'ROOM_JOINS_PER_SOCKET_PER_MINUTE',
      value: `${r.joinsPerSocketPerMinute}/min`,
      abuse: `joins at ${perSec(rates.joinsPerSec)} on one socket (own rooms, the full players' room, unknown rooms)`,
    },
    {
      limit: 'rooms per socket at once',
      variable: 'SOCKET_MAX_ROOMS',
      value: String(r.maxRoomsPerSocket),
      abuse: `tries to hold ${rates.joinHold}, leaving them all every ${JOINS_PER_CYCLE} attempts`,
    },
    {
      limit: 'chat per user',
      variable: 'ROOM_CHAT_BURST / _PER_MINUTE',
      value: bucket(push.chat.burst, push.chat.perMinute),
      abuse: `chat:send in the players' room at ${perSec(rates.chatPerSec)}`,
    },
    {
      limit: 'messages waiting per channel',
      variable: 'SOCKET_MAX_QUEUED_MESSAGES',
      value: String(config.socketMaxQueuedMessages),
      abuse: 'reached by the chat pushes while earlier ones wait for the database',
    },
    {
      limit: 'WebSocket inputs per user',
      variable: 'ROOM_INPUT_BURST / _PER_MINUTE',
      value: bucket(push.input.burst, push.input.perMinute),
      abuse: `binary input pushes in the players' room at ${perSec(rates.wsInputsPerSec)}`,
    },
    {
      limit: 'DataChannel messages per user',
      variable: 'RTC_DATA_BURST / _PER_MINUTE',
      value: `${bucket(config.rtcDataLimit.burst, config.rtcDataLimit.perMinute)}, ${config.rtcDataLimit.strikesPerMinute} strikes/min`,
      abuse: `inputs on state at ${perSec(rates.dataChannelPerSec)} while a peer is open; a closed peer is renegotiated`,
    },
    {
      limit: 'signaling (offers) per user',
      variable: 'RTC_SIGNALING_BURST / _PER_MINUTE',
      value: `${bucket(config.rtcSignalingLimit.burst, config.rtcSignalingLimit.perMinute)}, ${config.rtcSignalingLimit.strikesPerMinute} strikes/min`,
      abuse: `a second identity: webrtc:offer (one real SDP, reused) at ${perSec(rates.offersPerSec)}`,
    },
    {
      limit: 'ICE candidates per user',
      variable: 'RTC_ICE_BURST / _PER_MINUTE',
      value: bucket(config.rtcIceLimit.burst, config.rtcIceLimit.perMinute),
      abuse: `the same identity: webrtc:ice (a loopback host candidate) at ${perSec(rates.icePerSec)}`,
    },
    {
      limit: 'inputs per tab (simulation)',
      variable: 'GAME_INPUT_BURST / _PER_SECOND',
      value: `${config.game.inputBudget.burst} at once, ${config.game.inputBudget.perSecond}/s`,
      abuse: 'reached by what the two budgets above let through (up to 2 × their rate): not 10×',
    },
    {
      limit: 'open rooms / peers / channels / backlog',
      variable: 'MAX_OPEN_ROOMS, RTC_MAX_PEERS, SOCKET_MAX_CHANNELS, SOCKET_MAX_BACKLOG_BYTES',
      value: `${r.maxOpenRooms} / ${config.rtcPeerLimits.maxTotal} / ${config.socketMaxChannels} / ${config.socketMaxBacklogBytes / 2 ** 20} MiB`,
      abuse:
        'out of one address’s reach: the per-address creation budget, 4 peers per identity, 4 joinable topics, and too little broadcast to one socket stand in front of them',
    },
  ];
}

/** The players' window: latency from the bots, CPU of every process from /proc, the server's loop delay. */
async function measureRun(
  round: number,
  condition: Condition,
  server: RealServer,
  fleet: ClusterFleet,
  abuser: ChildProcess | undefined,
  options: AbuseOptions,
  rtts: Record<Condition, Float64Array[]>,
): Promise<AbuseRun> {
  const groups = {
    server: [server.pid],
    bots: fleet.pids,
    abuser: abuser?.pid === undefined ? [] : [abuser.pid],
  };
  // A scrape restarts prom-client's event-loop monitor: the next one covers the window.
  await server.metrics();
  const before = readCpu(groups);
  const measuring = fleet.measure(options.windowMs, options.drainMs);
  await sleep(options.windowMs);
  const after = readCpu(groups);
  const metrics = await server.metrics();
  const windows: ProcessWindow[] = await measuring;
  const cpu = cpuPercents(before, after);
  const percent = (name: string): number => cpu[name] ?? Number.NaN;
  const bots = windows.flatMap((w) => w.bots);
  const playing = bots.filter((bot) => !bot.lost);
  const sorted = sortedOf(bots.map((bot) => bot.rtts));
  rtts[condition].push(sorted);
  const sum = (pick: (bot: (typeof bots)[number]) => number): number => bots.reduce((n, bot) => n + pick(bot), 0);
  const lag = metrics?.get('nodejs_eventloop_lag_p99_seconds');
  const abuserCpu = abuser ? percent('abuser') : 0;
  return {
    round,
    condition,
    players: bots.length,
    inputs: sum((bot) => bot.inputs),
    ackedPercent: (100 * sorted.length) / sum((bot) => bot.inputs),
    snapshotsPerSec: sum((bot) => bot.snapshots) / (options.windowMs / 1000) / Math.max(1, playing.length),
    missedPercent: (100 * sum((bot) => bot.missedSnapshots)) / sum((bot) => bot.missedSnapshots + bot.snapshots),
    lostPlayers: bots.length - playing.length,
    lostReasons: bots.flatMap((bot) => (bot.lost ? [`${bot.label}: ${bot.lostReason ?? 'lost'}`] : [])),
    serverCpuPercent: percent('server'),
    serverLoopLagP99Ms: lag === undefined ? undefined : lag * 1000,
    botCpuPercent: percent('bots'),
    botLoopDelayP99Ms: Math.max(...windows.map((w) => w.loopDelayP99Ms)),
    abuserCpuPercent: abuserCpu,
    otherCpuPercent: percent('machine') - percent('server') - percent('bots') - abuserCpu,
    ...latencyOf(sorted),
  };
}

interface AbusedContext {
  readonly rtts: Record<Condition, Float64Array[]>;
  readonly baseline: { readonly sockets: number; readonly peers: number };
  readonly resources: Resources;
  readonly log: (line: string) => void;
}

/** Starts the abuser, waits out the warm-up, measures the players' window, stops it and lets the server settle. */
async function abusedRun(
  round: number,
  server: RealServer,
  fleet: ClusterFleet,
  plan: AbusePlan,
  options: AbuseOptions,
  context: AbusedContext,
): Promise<AbuseRun> {
  const abuser = fork(new URL('./abuser.ts', import.meta.url), [server.httpUrl, server.socketEndpoint], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const release = context.resources.add(`abuser (round ${round})`, () => stopChild(abuser, 'disconnect'));
  try {
    if (abuser.pid !== undefined) {
      try {
        setPriority(abuser.pid, ABUSER_NICE);
      } catch {}
    }
    await nextMessage(abuser, (m: FromAbuser) => m.type === 'ready', ABUSER_START_TIMEOUT_MS, 'abuser');
    const countersBefore = await labelledMetrics(server);
    const started = nextMessage(abuser, (m: FromAbuser) => m.type === 'started', ABUSER_START_TIMEOUT_MS, 'abuser');
    abuser.send({ type: 'start', plan } satisfies ToAbuser);
    const { setupErrors } = (await started) as Extract<FromAbuser, { type: 'started' }>;
    if (setupErrors.length > 0) context.log(`abuse: abuser setup: ${setupErrors.join('; ')}`);
    await sleep(options.warmupMs);
    const run = await measureRun(round, 'abused', server, fleet, abuser, options, context.rtts);
    const reported = nextMessage(abuser, (m: FromAbuser) => m.type === 'report', 30_000, 'abuser');
    abuser.send({ type: 'stop' } satisfies ToAbuser);
    const { report } = (await reported) as Extract<FromAbuser, { type: 'report' }>;
    const countersAfter = await labelledMetrics(server);
    await release();
    const settleStart = performance.now();
    const settled = await waitForBaseline(server, context.baseline);
    const settleSeconds = (performance.now() - settleStart) / 1000;
    if (!settled)
      context.log(
        `abuse: the server was not back to the players' sockets and peers after ${settleSeconds.toFixed(0)} s`,
      );
    return { ...run, abuse: report, serverCounts: counterDeltas(countersBefore, countersAfter), settleSeconds };
  } finally {
    await release();
  }
}

/** The server's sockets and peers (from /metrics). */
async function socketsAndPeers(server: RealServer): Promise<{ sockets: number; peers: number }> {
  const metrics = await server.metrics();
  return {
    sockets: metrics?.get('starcatch_sockets') ?? Number.NaN,
    peers: metrics?.get('starcatch_peers') ?? Number.NaN,
  };
}

/** Waits until the server holds no more sockets and peers than before the abuse (bounded); false on timeout. */
async function waitForBaseline(server: RealServer, baseline: { sockets: number; peers: number }): Promise<boolean> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const now = await socketsAndPeers(server);
    if (now.sockets <= baseline.sockets && now.peers <= baseline.peers) return true;
    await sleep(250);
  }
  return false;
}

/** Counters whose deltas say what the server refused or dropped. */
const COUNTERS = [
  'starcatch_dropped_messages_total',
  'starcatch_inputs_total',
  'starcatch_peers_closed_for_abuse_total',
  'starcatch_socket_frames_in_total',
  'starcatch_datachannel_messages_in_total',
];

/** `/metrics` samples by series (`name{labels}`), for the counters above. */
async function labelledMetrics(server: RealServer): Promise<Map<string, number> | undefined> {
  const { status, body } = await probe(`${server.httpUrl}/metrics`);
  if (status !== 200) return undefined;
  const series = new Map<string, number>();
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || !COUNTERS.includes(match[1])) continue;
    series.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return series;
}

function counterDeltas(
  before: Map<string, number> | undefined,
  after: Map<string, number> | undefined,
): Record<string, number> {
  const deltas: Record<string, number> = {};
  if (!before || !after) return deltas;
  for (const [name, value] of after) {
    const delta = value - (before.get(name) ?? 0);
    if (delta !== 0) deltas[name] = delta;
  }
  return deltas;
}

/** Snapshots a player should get per second, for the report. */
export const EXPECTED_SNAPSHOTS_PER_SEC = SNAPSHOT_HZ;
