import { createSocket } from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  ApiPath,
  ChatEvent,
  Direction,
  ErrorCode,
  encodeInput,
  GameChannelEvent,
  type GameNoticePayload,
  type IceCandidatePayload,
  LobbyEvent,
  Topic,
  type WebRtcAnswer,
  WebRtcEvent,
  type WebRtcStatePayload,
} from '@starcatch/shared';
import WebSocket from 'ws';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import {
  addLoopbackCandidate,
  createLoopbackOffer,
  createLoopbackOfferer,
  type LoopbackOfferer,
  onLoopbackCandidate,
} from '../../server/test/support/loopback-offerer.ts';
import { bothOpen } from '../support/loopback-negotiation.ts';
import { sleep } from '../support/measure.ts';
import { PhoenixWire, type Reply } from '../support/phoenix-wire.ts';
import {
  type AbusePlan,
  type AbuseReport,
  type AttackCount,
  type FromAbuser,
  JOINS_PER_CYCLE,
  type ToAbuser,
} from './abuse-protocol.ts';

/**
 * Child-process entry: one abusive client, all from one address (`X-Forwarded-For`), hammering
 * every budget of the server at the rates of its `AbusePlan` (10× each budget) until told to stop;
 * then it reports what it sent and what came back, by outcome. Usage (from the suite only):
 * fork('abuser.ts', [httpUrl, socketEndpoint]).
 *
 * Identities, each signed in from the abuser's address: `main` (a tab in the players' room: chat,
 * WebSocket `input` pushes and a DataChannel flood, renegotiating whenever the server closes its
 * peer), `signaler` (offers and ICE candidates on its `user:<id>`, with one offer SDP reused),
 * `creators` (room creations, each at 10× the per-user budget, together at 10× the per-address
 * one) and `joiner` (room joins on one socket). Beside them a socket hammer opens sockets at 10×
 * the connect budget and holds them; when the server refuses one for the address's socket cap it
 * spends its oldest held socket on a malformed or an oversize frame (which closes that socket).
 */
const [httpUrl = '', socketEndpoint = ''] = process.argv.slice(2);
const send = (message: FromAbuser): void => {
  process.send?.(message, undefined, undefined, () => undefined);
};

const LIFETIME_MS = 10 * 60_000;
const HTTP_TIMEOUT_MS = 5_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;
const OPEN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;
/** Requests of one kind in flight at once; more are not sent (a stalled server must not pile them up here). */
const MAX_IN_FLIGHT = 64;
/** After a stop, how long answers still count. */
const SETTLE_MS = 2_000;
const STEERING = [Direction.up, Direction.right, Direction.down, Direction.left];

/** Frames that are no Phoenix message; each closes its socket with 1007. */
const MALFORMED: readonly (string | Buffer)[] = [
  '{"not": "an array"',
  '{"topic": "phoenix", "event": "heartbeat"}',
  '[null, "1", "phoenix"]',
  JSON.stringify([null, 'r'.repeat(256), 'phoenix', 'heartbeat', {}]),
  Buffer.from([0xff, 0x03, 0x00, 0x01, 0x02, 0x03]),
];

setTimeout(() => process.exit(3), LIFETIME_MS).unref();
process.on('disconnect', () => process.exit(0));

const attacks: Record<string, AttackCount> = {};
const noticedDropped: Record<string, number> = {};
const setupErrors: string[] = [];
const timers: NodeJS.Timeout[] = [];
const closers: (() => void)[] = [];
let counting = false;
let stopping = false;
let startedAt = 0;

function attack(name: string): AttackCount {
  let count = attacks[name];
  if (!count) {
    count = { sent: 0, outcomes: {} };
    attacks[name] = count;
  }
  return count;
}
function sent(name: string): void {
  if (counting) attack(name).sent++;
}
function outcome(name: string, what: string): void {
  if (!counting) return;
  const { outcomes } = attack(name);
  outcomes[what] = (outcomes[what] ?? 0) + 1;
}
function replyOutcome(reply: Reply): string {
  if (reply.status === 'ok') return 'ok';
  const reason = (reply.response as { reason?: unknown } | null)?.reason;
  return reply.status === 'error' && typeof reason === 'string' ? reason : reply.status;
}

/**
 * Calls `action` `perSec` times a second, on average, from now until the stop. A timer that fell
 * behind by more than a quarter second of actions drops the rest instead of bursting them.
 */
function every(perSec: number, action: () => void): void {
  if (!(perSec > 0)) return;
  const start = performance.now();
  let done = 0;
  const backlog = Math.max(1, Math.ceil(perSec / 4));
  const period = Math.max(5, Math.min(250, 1000 / perSec));
  timers.push(
    setInterval(() => {
      if (stopping) return;
      let due = Math.floor(((performance.now() - start) * perSec) / 1000) - done;
      if (due > backlog) {
        done += due - backlog;
        due = backlog;
      }
      for (; due > 0; due--) {
        done++;
        action();
      }
    }, period),
  );
}

/** A request-answer attack: at most MAX_IN_FLIGHT unanswered at once, each outcome counted under `name`. */
function requests(name: string, perSec: number, request: () => Promise<string>): void {
  let inFlight = 0;
  every(perSec, () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      outcome(name, `not sent (${MAX_IN_FLIGHT} unanswered)`);
      return;
    }
    sent(name);
    inFlight++;
    request()
      .then(
        (what) => outcome(name, what),
        (cause: unknown) => outcome(name, `error: ${cause instanceof Error ? cause.message.slice(0, 40) : 'unknown'}`),
      )
      .finally(() => {
        inFlight--;
      });
  });
}

async function start(plan: AbusePlan): Promise<void> {
  const xff = plan.forwardedFor;
  const headers = { 'x-forwarded-for': xff };
  const roomTopic = Topic.room(plan.roomId);
  const setup = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (cause) {
      setupErrors.push(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
      return undefined;
    }
  };
  const openWire = async (nickname: string): Promise<{ wire: PhoenixWire; userId: string; token: string }> => {
    const { token, user } = await signInGuest(httpUrl, nickname, xff);
    const wire = await PhoenixWire.open(socketEndpoint, token, { forwardedFor: xff });
    closers.push(() => wire.close());
    return { wire, userId: user.id, token };
  };

  // --- Identities and their sockets (not counted: they set the attacks up). ---
  const main = await setup('main tab', async () => {
    const opened = await openWire('Abuser');
    await opened.wire.join(Topic.user(opened.userId));
    await opened.wire.join(roomTopic);
    return opened;
  });
  const signaler = await setup('signaler', async () => {
    const opened = await openWire('AbuserSig');
    await opened.wire.join(Topic.user(opened.userId));
    return opened;
  });
  const creators: PhoenixWire[] = [];
  for (let i = 0; i < plan.creators; i++) {
    const creator = await setup(`creator ${i + 1}`, async () => {
      const opened = await openWire(`AbuserRooms${i}`);
      await opened.wire.join(Topic.lobby);
      return opened.wire;
    });
    if (creator) creators.push(creator);
  }
  const joiner = await setup('joiner', () => openWire('AbuserJoins'));

  // The signaler's offers all reuse one real offer (the server makes a peer for each it accepts);
  // its candidates point at a UDP socket here that reads and drops whatever arrives.
  const template = createLoopbackOfferer();
  closers.push(() => void template.pc.close().catch(() => undefined));
  const offerSdp = await setup('template offer', () => createLoopbackOffer(template.pc));
  const sink = createSocket('udp4');
  sink.on('message', () => undefined);
  sink.on('error', () => undefined);
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  closers.push(() => sink.close());
  const sinkPort = sink.address().port;

  // --- The main tab's DataChannel peer, renegotiated whenever the server closes it. ---
  let seq = 0;
  const nextInput = (): Uint8Array => {
    seq++;
    return encodeInput({
      seq,
      bits: STEERING[(seq >> 5) % STEERING.length] ?? 0,
      clientTime: Math.floor(performance.now()),
    });
  };
  let peer: LoopbackOfferer | undefined;
  let negotiating: LoopbackOfferer | undefined;
  let openSince: number | undefined;
  let openMs = 0;
  const lostPeer = (which: LoopbackOfferer, why: string): void => {
    if (peer !== which) return;
    outcome('DataChannel peer closed', why);
    peer = undefined;
    if (openSince !== undefined && counting) openMs += performance.now() - Math.max(openSince, startedAt);
    openSince = undefined;
    void which.pc.close().catch(() => undefined);
  };
  if (main) {
    const userTopic = Topic.user(main.userId);
    let tail: Promise<unknown> = Promise.resolve();
    const serially = (step: () => Promise<unknown>): void => {
      tail = tail.then(step).catch(() => undefined);
    };
    main.wire.on(userTopic, WebRtcEvent.answer, (payload) => {
      const target = negotiating;
      if (target) serially(() => target.pc.setRemoteDescription(payload as WebRtcAnswer));
    });
    main.wire.on(userTopic, WebRtcEvent.ice, (payload) => {
      const target = negotiating ?? peer;
      if (target) serially(() => addLoopbackCandidate(target.pc, payload as IceCandidatePayload));
    });
    main.wire.on(userTopic, WebRtcEvent.state, (payload) => {
      const { state, reason } = payload as WebRtcStatePayload;
      if ((state === 'closed' || state === 'failed') && peer)
        lostPeer(peer, `webrtc:state ${state} ${reason ?? ''}`.trim());
    });
    main.wire.on(roomTopic, GameChannelEvent.notice, (payload) => {
      const { transport, dropped } = payload as GameNoticePayload;
      if (counting) noticedDropped[transport] = (noticedDropped[transport] ?? 0) + dropped;
    });
  }
  const negotiate = async (): Promise<void> => {
    if (!main) return;
    const userTopic = Topic.user(main.userId);
    const offerer = createLoopbackOfferer();
    negotiating = offerer;
    try {
      let held: IceCandidatePayload[] | null = [];
      onLoopbackCandidate(offerer.pc, (candidate) => {
        if (held) held.push(candidate);
        else void main.wire.push(userTopic, WebRtcEvent.ice, candidate);
      });
      const sdp = await createLoopbackOffer(offerer.pc);
      sent('offer (main tab, to flood again)');
      const offered = main.wire.push(userTopic, WebRtcEvent.offer, { sdp, type: 'offer' });
      for (const candidate of held) void main.wire.push(userTopic, WebRtcEvent.ice, candidate);
      held = null;
      const reply = await offered;
      outcome('offer (main tab, to flood again)', replyOutcome(reply));
      if (reply.status !== 'ok') throw new Error(`offer: ${replyOutcome(reply)}`);
      await bothOpen(offerer, OPEN_TIMEOUT_MS);
      peer = offerer;
      openSince = performance.now();
      for (const channel of [offerer.state, offerer.events]) {
        channel.stateChanged.subscribe((state) => {
          if (state === 'closed') lostPeer(offerer, `DataChannel ${channel.label} closed`);
        });
      }
    } catch (cause) {
      void offerer.pc.close().catch(() => undefined);
      throw cause;
    } finally {
      negotiating = undefined;
    }
  };
  if (main) await setup('main tab DataChannels', negotiate);
  closers.push(() => {
    if (peer) void peer.pc.close().catch(() => undefined);
  });

  // --- Go. ---
  counting = true;
  stopping = false;
  startedAt = performance.now();
  if (openSince !== undefined) openSince = startedAt;
  send({ type: 'started', setupErrors });

  // Sign-ins.
  requests('sign-in', plan.signInsPerSec, async () => {
    const response = await fetch(`${httpUrl}${ApiPath.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ nickname: 'Spam' }),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    return httpOutcome(response.status, await response.text());
  });

  // Socket connects, held; at the address's socket cap the oldest is spent on a bad frame.
  const held: WebSocket[] = [];
  let badFrames = 0;
  const spendHeld = (): void => {
    const ws = held.shift();
    if (!ws) return;
    const oversize = badFrames % 2 === 1;
    const name = oversize ? 'oversize frame' : 'malformed frame';
    const frame = oversize
      ? Buffer.alloc(plan.oversizeBytes, 0x20)
      : (MALFORMED[(badFrames >> 1) % MALFORMED.length] as string | Buffer);
    badFrames++;
    sent(name);
    const timer = setTimeout(() => {
      outcome(name, `no close within ${CLOSE_TIMEOUT_MS / 1000} s`);
      ws.terminate();
    }, CLOSE_TIMEOUT_MS);
    ws.once('close', (code) => {
      clearTimeout(timer);
      outcome(name, `closed ${code}`);
    });
    ws.send(frame, { binary: typeof frame !== 'string' && !oversize });
  };
  let connecting = 0;
  every(plan.connectsPerSec, () => {
    if (connecting >= MAX_IN_FLIGHT || held.length >= plan.holdSockets) {
      outcome('socket connect', 'not sent (in flight / holding enough)');
      return;
    }
    sent('socket connect');
    connecting++;
    let settled = false;
    const settle = (what: string): void => {
      if (settled) return;
      settled = true;
      connecting--;
      outcome('socket connect', what);
    };
    const ws = new WebSocket(`${socketEndpoint}/websocket?vsn=2.0.0&token=${encodeURIComponent(main?.token ?? '')}`, {
      headers,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    ws.on('error', (cause) => settle(`error: ${cause.message.slice(0, 40)}`));
    ws.on('unexpected-response', (request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 1024) body += chunk;
      });
      response.on('end', () => {
        const what = httpOutcome(response.statusCode ?? 0, body);
        settle(what);
        if (what.includes(ErrorCode.tooManyConnections)) spendHeld();
        request.destroy();
      });
      response.on('error', () => settle('error: response'));
    });
    ws.on('open', () => {
      settle('ok');
      if (stopping) {
        ws.terminate();
        return;
      }
      held.push(ws);
      ws.on('close', () => {
        const at = held.indexOf(ws);
        if (at >= 0) held.splice(at, 1);
      });
    });
  });
  closers.push(() => {
    for (const ws of held) ws.terminate();
  });

  // Room creations: each creator at 10× the per-user budget, together 10× the per-address one.
  let createdRooms = 0;
  const created: string[] = [];
  for (const creator of creators) {
    requests('room create', plan.createsPerCreatorPerSec, async () => {
      const reply = await creator.push(Topic.lobby, LobbyEvent.createRoom, {
        name: `Abuse ${++createdRooms}`,
        max_players: 2,
      });
      const id = (reply.response as { room?: { id?: unknown } } | null)?.room?.id;
      if (reply.status === 'ok' && typeof id === 'string') created.push(id);
      return replyOutcome(reply);
    });
  }

  // Room joins on one socket: a room of its own, the players' (full) room, a room that does not exist.
  if (joiner) {
    const joined = new Set<string>();
    let attempts = 0;
    requests('room join', plan.joinsPerSec, async () => {
      attempts++;
      if (attempts % JOINS_PER_CYCLE === 0 || joined.size >= plan.joinHold) {
        for (const topic of joined) joiner.wire.leave(topic);
        joined.clear();
      }
      const kind = attempts % 3;
      const roomId =
        kind === 0 && created.length > 0
          ? (created[(attempts / 3) % created.length] as string)
          : kind === 1
            ? plan.roomId
            : crypto.randomUUID();
      const topic = Topic.room(roomId);
      const reply = await joiner.wire.tryJoin(topic);
      if (reply.status === 'ok') joined.add(topic);
      return replyOutcome(reply);
    });
  }

  if (main) {
    // Chat in the players' room (what passes is stored and broadcast to them).
    let chats = 0;
    requests('chat push', plan.chatPerSec, async () =>
      replyOutcome(await main.wire.push(roomTopic, ChatEvent.send, { body: `spam ${++chats}` })),
    );
    // WebSocket `input` pushes: no reply; the server tells the tab what it dropped in `game:notice`.
    every(plan.wsInputsPerSec, () => {
      sent('WebSocket input push');
      main.wire.pushBinary(roomTopic, GameChannelEvent.input, nextInput());
    });
    // The DataChannel flood, on whatever peer is open; a closed one is renegotiated (as its budget allows).
    every(plan.dataChannelPerSec, () => {
      const channel = peer?.state;
      if (channel?.readyState !== 'open') return;
      try {
        channel.send(Buffer.from(nextInput().buffer));
        sent('DataChannel message');
      } catch {
        outcome('DataChannel message', 'send threw');
      }
    });
    void (async () => {
      while (!stopping) {
        if (!peer && !negotiating) {
          try {
            await negotiate();
          } catch {
            // Refused (the signaling budget) or never opened: wait a little, as a persistent client would.
            await sleep(1000);
          }
        }
        await sleep(100);
      }
    })();
  }

  if (signaler && offerSdp) {
    const userTopic = Topic.user(signaler.userId);
    requests('signaling offer', plan.offersPerSec, async () =>
      replyOutcome(await signaler.wire.push(userTopic, WebRtcEvent.offer, { sdp: offerSdp, type: 'offer' })),
    );
    requests('signaling ICE', plan.icePerSec, async () =>
      replyOutcome(
        await signaler.wire.push(userTopic, WebRtcEvent.ice, {
          candidate: `candidate:1 1 udp 2130706431 127.0.0.1 ${sinkPort} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
        }),
      ),
    );
  }

  stopReport = async (): Promise<AbuseReport> => {
    stopping = true;
    const seconds = (performance.now() - startedAt) / 1000;
    if (openSince !== undefined) openMs += performance.now() - Math.max(openSince, startedAt);
    for (const timer of timers) clearInterval(timer);
    // Answers to what was sent before the stop still count.
    await sleep(SETTLE_MS);
    counting = false;
    return {
      seconds,
      attacks,
      noticedDropped,
      dataChannelOpenPercent: (100 * openMs) / (seconds * 1000),
      heldAtEnd: held.length,
      setupErrors,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
    };
  };
}

let stopReport: (() => Promise<AbuseReport>) | undefined;
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function httpOutcome(status: number, body: string): string {
  if (status >= 200 && status < 300) return 'ok';
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {}
  return `HTTP ${status}${code ? ` ${code}` : ''}`;
}

process.on('message', (raw) => {
  const message = raw as ToAbuser;
  if (message.type === 'start') {
    start(message.plan).catch((cause: unknown) =>
      send({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) }),
    );
  } else if (message.type === 'stop') {
    const finish = async (): Promise<void> => {
      const report = stopReport ? await stopReport() : undefined;
      for (const close of closers) {
        try {
          close();
        } catch {}
      }
      if (report) send({ type: 'report', report });
      else send({ type: 'failed', message: 'stopped before it started' });
      setTimeout(() => process.exit(0), 200);
    };
    void finish();
  }
});

send({ type: 'ready' });
