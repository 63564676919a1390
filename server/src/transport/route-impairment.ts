import {
  type ImpairedLane,
  isUnimpaired,
  LaneKind,
  type LaneTimers,
  type NetworkConditions,
  NetworkImpairment,
  PlayerTransport,
} from '@starcatch/shared';

/** What a message on a game link is: it decides the lane (see `LaneKind`). */
export type GameMessageKind = 'snapshot' | 'event' | 'input';

const NODE_TIMERS: LaneTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A message in flight must never be what keeps the process alive.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The server's half of the simulated bad network (`NET_IMPAIR_LAG_MS`, `NET_IMPAIR_JITTER_MS`,
 * `NET_IMPAIR_LOSS`), for bots and tests: null when every setting is 0, so a normal server never
 * touches it.
 */
export function serverImpairment(conditions: NetworkConditions): NetworkImpairment | null {
  return isUnimpaired(conditions) ? null : new NetworkImpairment(conditions, { timers: NODE_TIMERS });
}

/**
 * One game link's messages through the simulated network, where the server sends snapshots and
 * events and receives inputs. Each path gets the lanes it really has: on WebRTC, snapshots and
 * inputs travel as datagrams (lost, reordered) and events as a stream; on the WebSocket everything
 * is one stream each way (late, never lost, never reordered).
 */
export class LinkImpairment {
  readonly #impairment: NetworkImpairment;
  readonly #lanes = new Map<string, ImpairedLane>();

  constructor(impairment: NetworkImpairment) {
    this.#impairment = impairment;
  }

  /** Sends through the lane of this direction, path and kind; `send` runs once the network carried it. */
  outbound(transport: PlayerTransport, kind: GameMessageKind, send: () => void): void {
    this.#lane('out', transport, kind).carry(send);
  }

  /** Receives through the lane of this path; `deliver` runs once the network carried it. */
  inbound(transport: PlayerTransport, deliver: () => void): void {
    this.#lane('in', transport, 'input').carry(deliver);
  }

  /** The link closed: what is in flight is lost with it. */
  dispose(): void {
    for (const lane of this.#lanes.values()) lane.dispose();
    this.#lanes.clear();
  }

  #lane(direction: 'in' | 'out', transport: PlayerTransport, kind: GameMessageKind): ImpairedLane {
    const laneKind = transport === PlayerTransport.webrtc && kind !== 'event' ? LaneKind.datagram : LaneKind.stream;
    // The WebSocket is one TCP stream per direction, shared by snapshots and events.
    const key = `${direction}:${transport}:${laneKind}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = this.#impairment.lane(laneKind);
      this.#lanes.set(key, lane);
    }
    return lane;
  }
}
