import { randomUUID } from 'node:crypto';
import type { Logger } from '@starcatch/phoenix';
import { ErrorCode, WebRtcEvent, type WebRtcStatePayload } from '@starcatch/shared';
import { z } from 'zod';
import type { OpenSignaling, SignalingEndpoint } from '../channels/user-channel.ts';
import type { SignalingOutcome, SignalingSession } from '../rtc/signaling-session.ts';
import type { WebRtcSignaling } from '../rtc/webrtc-signaling.ts';
import { ClusterMessage } from './cluster-messages.ts';
import type { ClusterNodes } from './cluster-nodes.ts';
import type { NodeBus } from './node-bus.ts';

const SessionRequest = z.object({
  key: z.string(),
  userId: z.string(),
  connectionId: z.string(),
  payload: z.unknown(),
});
const SessionPush = z.object({
  key: z.string(),
  connectionId: z.string(),
  event: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
const SessionKey = z.object({ key: z.string() });

const UNREACHABLE: SignalingOutcome = {
  ok: false,
  error: {
    reason: ErrorCode.webrtcUnavailable,
    message: 'the server holding your peer did not answer; stay on the WebSocket',
  },
};

interface HostedSession {
  readonly node: string;
  readonly session: SignalingSession;
}

/**
 * WebRTC signaling in a cluster. A tab's peer must live on the node that simulates its room, so its
 * DataChannel traffic goes straight there and never through Redis. The tab's `user:<id>` channel
 * stays on its socket's node; this forwards its offers, candidates and closes to the node that
 * holds the peer and brings that node's pushes back. When the tab enters a room hosted elsewhere,
 * its current peer is closed with `webrtc:state {state: "closed", reason: "peer_moved"}` and the
 * client's next offer is forwarded to the room's host.
 */
export class ClusterSignaling {
  readonly #bus: NodeBus;
  readonly #webrtc: WebRtcSignaling;
  readonly #logger: Logger;
  /** This node's user channels, by socket. */
  readonly #routers = new Map<string, SignalingRouter>();
  /** Peers held here for user channels of other nodes, by session key. */
  readonly #hosted = new Map<string, HostedSession>();

  /** Where a socket's peer belongs when its user channel opens: the host of its room, if any. */
  readonly #hostFor: (connectionId: string) => string | undefined;

  constructor(
    bus: NodeBus,
    webrtc: WebRtcSignaling,
    nodes: ClusterNodes,
    hostFor: (connectionId: string) => string | undefined,
    logger: Logger,
  ) {
    this.#bus = bus;
    this.#hostFor = hostFor;
    this.#webrtc = webrtc;
    this.#logger = logger;
    bus.onRequest(ClusterMessage.rtcOffer, (body, from) => this.#hostedSession(body, from).offer(body.payload));
    bus.onRequest(ClusterMessage.rtcIce, (body, from) => this.#hostedSession(body, from).ice(body.payload));
    bus.onRequest(ClusterMessage.rtcClose, (body, from) => this.#hostedSession(body, from).close());
    bus.onMessage(ClusterMessage.rtcEnd, (body) => {
      const parsed = SessionKey.safeParse(body);
      if (parsed.success) this.#endHosted(parsed.data.key);
    });
    bus.onMessage(ClusterMessage.rtcPush, (body) => {
      const parsed = SessionPush.safeParse(body);
      if (!parsed.success) return;
      const { key, connectionId, event, payload } = parsed.data;
      this.#routers.get(connectionId)?.deliver(key, event, payload);
    });
    nodes.onDown((node) => this.#nodeDown(node));
  }

  /** Peers held here for other nodes' tabs. */
  get hostedCount(): number {
    return this.#hosted.size;
  }

  readonly open: OpenSignaling = (userId, connectionId, push) => {
    const router = new SignalingRouter({
      bus: this.#bus,
      webrtc: this.#webrtc,
      userId,
      connectionId,
      target: this.#hostFor(connectionId) ?? this.#bus.node,
      push,
      disposed: () => {
        if (this.#routers.get(connectionId) === router) this.#routers.delete(connectionId);
      },
    });
    this.#routers.set(connectionId, router);
    return router;
  };

  /** The socket's room is simulated on `node`: its peer belongs there. */
  follow(connectionId: string, node: string): void {
    this.#routers.get(connectionId)?.follow(node);
  }

  /** Closes the peers held for other nodes (shutdown). */
  dispose(): void {
    for (const key of [...this.#hosted.keys()]) this.#endHosted(key);
  }

  #hostedSession(body: Record<string, unknown>, from: string): SignalingSession {
    const request = SessionRequest.parse(body);
    let hosted = this.#hosted.get(request.key);
    if (!hosted) {
      const session = this.#webrtc.openSession(request.userId, request.connectionId, (event, payload) =>
        this.#bus.send(from, ClusterMessage.rtcPush, {
          key: request.key,
          connectionId: request.connectionId,
          event,
          payload: { ...payload },
        }),
      );
      hosted = { node: from, session };
      this.#hosted.set(request.key, hosted);
    }
    return hosted.session;
  }

  #endHosted(key: string): void {
    const hosted = this.#hosted.get(key);
    if (!hosted) return;
    this.#hosted.delete(key);
    hosted.session.dispose();
  }

  #nodeDown(node: string): void {
    let closed = 0;
    for (const [key, hosted] of this.#hosted) {
      if (hosted.node !== node) continue;
      this.#endHosted(key);
      closed++;
    }
    if (closed > 0) this.#logger.info({ node, closed }, 'closed the peers held for a node that died');
    for (const router of this.#routers.values()) router.nodeDown(node);
  }
}

interface SignalingRouterOptions {
  readonly bus: NodeBus;
  readonly webrtc: WebRtcSignaling;
  readonly userId: string;
  readonly connectionId: string;
  /** The node to hold the peer at first. */
  readonly target: string;
  readonly push: (event: string, payload: object) => void;
  disposed(): void;
}

/** One user channel's signaling: handled here, or forwarded to the node that will hold its peer. */
class SignalingRouter implements SignalingEndpoint {
  readonly #options: SignalingRouterOptions;
  /** The node that holds (or will hold) the peer. */
  #target: string;
  /** Names the session on the target node; a new one per move, so late messages of the old one are ignored. */
  #key = randomUUID();
  #local: SignalingSession | undefined;
  /** Whether the client has offered since the last move: only then is there a peer to move. */
  #negotiated = false;

  constructor(options: SignalingRouterOptions) {
    this.#options = options;
    this.#target = options.target;
  }

  offer(payload: unknown): Promise<SignalingOutcome> {
    this.#negotiated = true;
    return this.#isLocal ? this.#session().offer(payload) : this.#forward(ClusterMessage.rtcOffer, payload);
  }

  ice(payload: unknown): Promise<SignalingOutcome> {
    return this.#isLocal ? this.#session().ice(payload) : this.#forward(ClusterMessage.rtcIce, payload);
  }

  async close(): Promise<SignalingOutcome> {
    return this.#isLocal ? this.#session().close() : this.#forward(ClusterMessage.rtcClose, {});
  }

  dispose(): void {
    this.#end();
    this.#options.disposed();
  }

  follow(node: string): void {
    if (node === this.#target) return;
    const hadPeer = this.#negotiated;
    this.#end();
    this.#target = node;
    this.#key = randomUUID();
    this.#negotiated = false;
    // Tells the client to offer again; the offer now goes to `node`.
    if (hadPeer) this.#pushState({ state: 'closed', reason: ErrorCode.peerMoved });
  }

  /** The node holding this channel's peer died: the client's next offer is handled here. */
  nodeDown(node: string): void {
    if (node !== this.#target) return;
    this.#target = this.#options.bus.node;
    this.#key = randomUUID();
    if (this.#negotiated) this.#pushState({ state: 'closed', reason: ErrorCode.peerMoved });
    this.#negotiated = false;
  }

  /** A push from the node holding the peer. */
  deliver(key: string, event: string, payload: object): void {
    if (key === this.#key) this.#options.push(event, payload);
  }

  get #isLocal(): boolean {
    return this.#target === this.#options.bus.node;
  }

  #session(): SignalingSession {
    this.#local ??= this.#options.webrtc.openSession(
      this.#options.userId,
      this.#options.connectionId,
      this.#options.push,
    );
    return this.#local;
  }

  async #forward(kind: string, payload: unknown): Promise<SignalingOutcome> {
    const { bus, userId, connectionId } = this.#options;
    try {
      return (await bus.request(this.#target, kind, {
        key: this.#key,
        userId,
        connectionId,
        payload,
      })) as SignalingOutcome;
    } catch {
      return UNREACHABLE;
    }
  }

  #end(): void {
    this.#local?.dispose();
    this.#local = undefined;
    if (!this.#isLocal) this.#options.bus.send(this.#target, ClusterMessage.rtcEnd, { key: this.#key });
  }

  #pushState(payload: WebRtcStatePayload): void {
    this.#options.push(WebRtcEvent.state, payload);
  }
}
