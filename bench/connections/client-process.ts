import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Topic } from '@starcatch/shared';
import { SessionTokens } from '../../server/src/auth/session-token.ts';
import { clock } from '../support/measure.ts';
import type { ClientProcessConfig, FromClient, RampReport, ToClient } from './client-protocol.ts';
import { type FailureKind, type HoldCounters, IdleSocket } from './idle-socket.ts';

/**
 * One load-generator process of the connections suite (forked by the suite; its config is argv[2]
 * as JSON). A process of its own per share of sockets because each has its own open-files limit.
 * On `start` it opens its sockets at a steady pace with bounded concurrency, then keeps them idle
 * with heartbeats until `finish`.
 */
const config = JSON.parse(process.argv[2] ?? '') as ClientProcessConfig;
const send = (message: FromClient): void => {
  process.send?.(message);
};

/** Scheduler tick: at a few hundred connects/s per process, 2 ms keeps starts close to schedule. */
const TICK_MS = 2;
/** Token lifetime: far longer than any run. */
const TOKEN_TTL_SECONDS = 3600;
/** A process left behind by a dead suite ends on its own. */
const MAX_LIFETIME_MS = 10 * 60_000;

const tokens = new SessionTokens(config.secretKey, TOKEN_TTL_SECONDS);
const counters: HoldCounters = { heartbeatsSent: 0, heartbeatsAcked: 0, unexpectedFrames: 0, dropped: new Map() };
const sockets: IdleSocket[] = [];

function tokenFor(n: number): { token: string; topic: string } {
  const id = `bench${n}`;
  const topic = config.channel === 'room' ? Topic.room(id) : Topic.user(id);
  return { token: tokens.sign({ id, nickname: id.slice(0, 16), color: '#7fdbff' }), topic };
}

function ramp(startAt: number): Promise<RampReport> {
  const interval = 1000 / config.ratePerSec;
  const joinMs = new Float64Array(config.count);
  const joinStartedMs = new Float64Array(config.count);
  let joined = 0;
  const failures: Partial<Record<FailureKind, number>> = {};
  const failureDetails: Partial<Record<FailureKind, string>> = {};
  let started = 0;
  let settled = 0;
  let inFlight = 0;
  // A join that waited on this process's own event loop is the generator's delay, not the server's.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return new Promise((resolve) => {
    const launch = (n: number): void => {
      inFlight++;
      const launchedAt = clock() - startAt;
      const { token, topic } = tokenFor(config.firstUser + n);
      void IdleSocket.open({
        url: config.url,
        token,
        topic,
        timeoutMs: config.timeoutMs,
        heartbeatMs: config.heartbeatMs,
        counters,
      }).then((outcome) => {
        inFlight--;
        settled++;
        if (outcome.ok) {
          sockets.push(outcome.socket);
          joinStartedMs[joined] = launchedAt;
          joinMs[joined++] = outcome.ms;
        } else {
          failures[outcome.kind] = (failures[outcome.kind] ?? 0) + 1;
          failureDetails[outcome.kind] ??= outcome.detail;
        }
        if (settled === config.count) {
          loopDelay.disable();
          resolve({
            loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
            loopDelayMaxMs: loopDelay.max / 1e6,
            joinMs: joinMs.slice(0, joined),
            joinStartedMs: joinStartedMs.slice(0, joined),
            failures,
            failureDetails,
            finishedAt: clock(),
          });
        }
      });
    };
    const ticker = setInterval(() => {
      const now = clock();
      while (started < config.count && inFlight < config.maxInFlight && startAt + started * interval <= now) {
        launch(started++);
      }
      if (started === config.count) clearInterval(ticker);
    }, TICK_MS);
  });
}

function finish(): void {
  let alive = 0;
  for (const socket of sockets) if (socket.isOpen) alive++;
  send({
    type: 'finished',
    alive,
    heartbeatsSent: counters.heartbeatsSent,
    heartbeatsAcked: counters.heartbeatsAcked,
    unexpectedFrames: counters.unexpectedFrames,
    dropped: Object.fromEntries([...counters.dropped].map(([code, n]) => [String(code), n])),
  });
  for (const socket of sockets) socket.terminate();
}

process.on('message', (raw) => {
  const message = raw as ToClient;
  if (message.type === 'start') {
    ramp(message.startAt).then(
      (report) => send({ type: 'ramped', ...report }),
      (cause: unknown) => send({ type: 'failed', message: String(cause) }),
    );
  } else if (message.type === 'finish') finish();
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
send({ type: 'ready' });
