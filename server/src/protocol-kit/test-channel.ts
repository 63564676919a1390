import { type ChannelHandler, Event, error, ok, Reason, stop, type TerminateReason } from '@starcatch/phoenix';

/** Assigns of the protocol server's socket: who connected, from the `user` query param. */
export interface TestAssigns {
  readonly userId: string;
}

/** The one token the protocol server accepts (query param `token`, or phoenix.js's `authToken`). */
export const VALID_TOKEN = 'valid-token';

/** The socket id of a connection, what a kick names: every socket of one `user` shares it. */
export const socketIdOf = ({ userId }: TestAssigns): string => `user_socket:${userId}`;

export interface TestChannelOptions {
  /** Told every `terminate`, in order (the conformance tests check server-side cleanup with it). */
  readonly onTerminate?: (topic: string, reason: TerminateReason) => void;
  /** The `kick` event: disconnects every socket of this user (close 1001), after the ok reply. */
  readonly kick?: (assigns: TestAssigns) => void;
}

type TestChannelAssigns = TestAssigns & { trackedKey?: string };

/**
 * The `room:*` channel of the protocol server: each event drives one protocol path on demand, so a
 * client can meet every frame of docs/protocol.md without a game behind it.
 * - join params: `{reject: true}` → error reply `{reason: "unauthorized"}`; `{crash: true}` → the
 *   join throws (`join crashed`); `{reply: {...}}` → ok with that response; `{track: "key"}` →
 *   presence `{user}` tracked under that key after the join, then `presence_state`; `{push: "ev"}` →
 *   a push `ev {during: "join"}` made during the join;
 * - `echo` → ok reply with the payload; `error` → error reply; `noreply` → nothing;
 * - `crash` → the handler throws (`phx_error`); `stop` → ok reply, then `phx_close`;
 *   `stop_silent` → `phx_close` only; `kick` → ok reply, then every socket of this user closes 1001;
 * - `push` `{event, payload}` → a push to this client; `broadcast` / `broadcast_from`
 *   `{event, payload}` → a broadcast to the topic (`broadcast_from`: not to this client);
 * - binary payloads: `binary` → ok reply whose response is the same bytes; `push_binary` → a binary
 *   push `bin` of the bytes; `broadcast_binary` → a binary broadcast `bin` of the bytes;
 * - `update_presence` `{meta}` → presence update of the tracked key;
 * - broadcasts of `intercepted` reach each subscriber as a push with `for: <its user>` added;
 * - anything else → error reply `{reason: "unknown event"}`.
 */
export function createTestChannel(options: TestChannelOptions = {}): ChannelHandler<TestChannelAssigns> {
  return {
    join(_topic, params, channel) {
      const p = (params ?? {}) as { reject?: boolean; crash?: boolean; reply?: object; track?: string; push?: string };
      if (p.crash) throw new Error('join crashed on purpose');
      if (p.reject) return error({ reason: 'unauthorized' });
      if (p.track) channel.assigns.trackedKey = p.track;
      if (p.push) channel.push(p.push, { during: 'join' });
      return ok(p.reply ?? {});
    },

    afterJoin(channel) {
      const key = channel.assigns.trackedKey;
      if (key === undefined) return;
      channel.presence.track(key, { user: channel.assigns.userId });
      channel.push(Event.presenceState, channel.presence.list());
    },

    handleIn(event, payload, channel) {
      const p = (payload ?? {}) as { event?: string; payload?: object; meta?: object };
      const bytes = payload instanceof Uint8Array ? payload : undefined;
      switch (event) {
        case 'echo':
          return ok(payload as object);
        case 'error':
          return error({ reason: 'asked for an error' });
        case 'noreply':
          return undefined;
        case 'crash':
          throw new Error('handler crashed on purpose');
        case 'stop':
          return stop(ok({ stopping: true }));
        case 'stop_silent':
          channel.stop();
          return undefined;
        case 'kick': {
          const { kick } = options;
          // After the reply: it is written once this handler settles, the kick one turn later.
          if (kick) setImmediate(() => kick(channel.assigns));
          return ok();
        }
        case 'push':
          channel.push(p.event ?? 'pushed', p.payload ?? {});
          return undefined;
        case 'push_binary':
          channel.push('bin', bytes ?? new Uint8Array([1, 2]));
          return undefined;
        case 'broadcast':
          channel.broadcast(p.event ?? 'broadcasted', p.payload ?? {});
          return ok();
        case 'broadcast_from':
          channel.broadcastFrom(p.event ?? 'broadcasted', p.payload ?? {});
          return ok();
        case 'broadcast_binary':
          channel.broadcast('bin', bytes ?? new Uint8Array([1, 2]));
          return undefined;
        case 'binary':
          return ok(bytes ?? new Uint8Array());
        case 'update_presence':
          if (channel.assigns.trackedKey) channel.presence.update(channel.assigns.trackedKey, p.meta ?? {});
          return ok();
        default:
          return error({ reason: Reason.unknownEvent });
      }
    },

    intercept: ['intercepted'],
    handleOut(event, payload, channel) {
      channel.push(event, { ...(payload as object), for: channel.assigns.userId });
    },

    terminate(reason, channel) {
      options.onTerminate?.(channel.topic, reason);
      if (reason === 'leave') channel.push('you_left', {});
    },
  };
}
