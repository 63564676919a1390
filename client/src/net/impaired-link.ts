import {
  type ImpairedLane,
  LaneKind,
  type LaneTimers,
  type NetworkConditions,
  NetworkImpairment,
  NO_IMPAIRMENT,
  parseNetworkConditions,
} from '@starcatch/shared';

/**
 * The tab's half of the simulated bad network, at the transport boundary: BELOW the game link, so
 * everything above it (the transport switch, prediction, interpolation) sees what a real bad
 * network would do to it. Two wrappers, one per path:
 * - `impairedWebSocketClass` is handed to phoenix.js as its `transport`: every frame of the socket
 *   (game pushes, heartbeats, chat) goes through one stream lane each way, as over TCP;
 * - `impairDataChannel` wraps each DataChannel the WebRTC link creates: `state` (unordered, no
 *   retransmits) as datagram lanes, `events` (reliable, ordered) as stream lanes.
 * Conditions come from the page address (`?lag=150&jitter=20&loss=5`) and the F3 panel changes
 * them live. Switched off (all zero), a lane passes messages straight through.
 */

const BROWSER_TIMERS: LaneTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

/** A tab's impairment with the browser's timers; starts with `conditions` (none by default). */
export function createTabImpairment(conditions: NetworkConditions = NO_IMPAIRMENT): NetworkImpairment {
  return new NetworkImpairment(conditions, { timers: BROWSER_TIMERS });
}

/**
 * `?lag=…&jitter=…&loss=…` of the page address (ms, ms, percent), or none. A bad value is said on
 * the console and ignored rather than breaking the page.
 */
export function conditionsFromSearch(search: string): NetworkConditions {
  const params = new URLSearchParams(search);
  if (!params.has('lag') && !params.has('jitter') && !params.has('loss')) return NO_IMPAIRMENT;
  const parsed = parseNetworkConditions({
    lag: params.get('lag'),
    jitter: params.get('jitter'),
    loss: params.get('loss'),
  });
  if (parsed.ok) return parsed.conditions;
  console.warn(`[starcatch] ignoring ?lag/jitter/loss: ${parsed.message}`);
  return NO_IMPAIRMENT;
}

/**
 * A WebSocket class for phoenix.js's `transport` option whose instances carry their frames through
 * `impairment`: sends on one stream lane, received messages on another. The close event follows the
 * received messages on their lane, so it never overtakes a message the server sent before closing.
 */
export function impairedWebSocketClass(impairment: NetworkImpairment): typeof WebSocket {
  return class ImpairedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const outbound = impairment.lane(LaneKind.stream);
      const inbound = impairment.lane(LaneKind.stream);
      const send = this.send.bind(this);
      this.send = (data) => outbound.carry(() => this.readyState === WebSocket.OPEN && send(data));
      interceptHandler(this, 'onmessage', inbound);
      interceptHandler(this, 'onclose', inbound, () => {
        outbound.dispose();
        // Whatever was still on the way in arrives first, then the lane is done.
        inbound.carry(() => inbound.dispose());
      });
    }
  };
}

/**
 * Puts a DataChannel's traffic through `impairment`: `send` and `onmessage` of this instance are
 * wrapped, everything else is the channel's own. Returns the same channel.
 */
export function impairDataChannel(channel: RTCDataChannel, impairment: NetworkImpairment): RTCDataChannel {
  const unreliable = !channel.ordered && channel.maxRetransmits === 0;
  const kind = unreliable ? LaneKind.datagram : LaneKind.stream;
  const outbound = impairment.lane(kind);
  const inbound = impairment.lane(kind);
  const send = channel.send.bind(channel) as (data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>) => void;
  channel.send = (data: string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>) => {
    if (data instanceof Blob) throw new TypeError('the game never sends Blobs');
    outbound.carry(() => channel.readyState === 'open' && send(data));
  };
  interceptHandler(channel, 'onmessage', inbound);
  channel.addEventListener('close', () => {
    outbound.dispose();
    inbound.dispose();
  });
  return channel;
}

/**
 * Replaces the `name` handler property of `target` with one that passes each event through `lane`
 * to whatever handler is set when it arrives (a handler removed meanwhile gets nothing).
 */
function interceptHandler(
  target: EventTarget,
  name: 'onmessage' | 'onclose',
  lane: ImpairedLane,
  after?: () => void,
): void {
  let handler: unknown = null;
  const native = findSetter(Object.getPrototypeOf(target) as object, name);
  native?.call(target, (event: Event) => {
    lane.carry(() => {
      if (typeof handler === 'function') (handler as (this: EventTarget, event: Event) => unknown).call(target, event);
    });
    after?.();
  });
  Object.defineProperty(target, name, {
    configurable: true,
    get: () => handler,
    set: (value: unknown) => {
      handler = value;
    },
  });
}

/** The accessor's setter of `name` somewhere up the prototype chain (DOM handlers are accessors). */
function findSetter(prototype: object | null, name: string): ((this: unknown, value: unknown) => void) | undefined {
  for (let current = prototype; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(current, name);
    if (descriptor?.set) return descriptor.set as (this: unknown, value: unknown) => void;
  }
  return undefined;
}
