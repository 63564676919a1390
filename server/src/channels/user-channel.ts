import { type ChannelContext, type ChannelHandler, error, ok, type Reply } from '@starcatch/phoenix';
import { ErrorCode, type IceServerPayload, topicSubject, type UserJoinReply, WebRtcEvent } from '@starcatch/shared';
import type { SignalingOutcome } from '../rtc/signaling-session.ts';
import { channelError } from './chat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** The WebRTC signaling of one `user:<id>` channel, whichever node its peer lives on. */
export interface SignalingEndpoint {
  offer(payload: unknown): Promise<SignalingOutcome>;
  ice(payload: unknown): Promise<SignalingOutcome>;
  close(): SignalingOutcome | Promise<SignalingOutcome>;
  dispose(): void;
}

/** Opens the signaling of one user channel; `push` sends to that channel's client. */
export interface OpenSignaling {
  (userId: string, connectionId: string, push: (event: string, payload: object) => void): SignalingEndpoint;
  /**
   * The ICE servers for `userId`'s browser, sent in each join reply (`ice_servers`); unset: none.
   * They ride on `openSignaling` (see `withIceServers`) so the socket that builds this channel
   * needs no option of its own for them.
   */
  readonly iceServers?: (userId: string) => IceServerPayload[];
}

/** `open` whose channels hand each browser `iceServers(userId)` in their join reply. */
export function withIceServers(open: OpenSignaling, iceServers: (userId: string) => IceServerPayload[]): OpenSignaling {
  return Object.assign((...args: Parameters<OpenSignaling>) => open(...args), { iceServers });
}

export interface UserChannelOptions {
  readonly openSignaling: OpenSignaling;
}

/**
 * `user:<id>`: private to that user (WebRTC signaling and notices). Anyone else is refused.
 * Each joined channel (so each socket) has its own signaling session and at most one peer. The
 * join reply tells the browser which ICE servers to use, with TURN credentials made for this join.
 */
export function createUserChannel({ openSignaling }: UserChannelOptions): ChannelHandler<SocketAssigns> {
  const sessions = new WeakMap<ChannelContext<SocketAssigns>, SignalingEndpoint>();
  const sessionOf = (channel: ChannelContext<SocketAssigns>): SignalingEndpoint => {
    let session = sessions.get(channel);
    if (!session) {
      session = openSignaling(channel.assigns.user.id, channel.connectionId, (event, payload) =>
        channel.push(event, payload),
      );
      sessions.set(channel, session);
    }
    return session;
  };

  return {
    join(topic, _params, channel) {
      if (topicSubject(topic) !== channel.assigns.user.id) {
        return error(channelError(ErrorCode.unauthorized, 'You can only join your own user channel.'));
      }
      const reply: UserJoinReply = { ice_servers: openSignaling.iceServers?.(channel.assigns.user.id) ?? [] };
      return ok(reply);
    },

    async handleIn(event, payload, channel) {
      switch (event) {
        case WebRtcEvent.offer:
          return reply(await sessionOf(channel).offer(payload));
        case WebRtcEvent.ice:
          return reply(await sessionOf(channel).ice(payload));
        case WebRtcEvent.close:
          return reply(await sessionOf(channel).close());
        default:
          return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
      }
    },

    terminate(_reason, channel) {
      sessions.get(channel)?.dispose();
      sessions.delete(channel);
    },
  };
}

function reply(outcome: SignalingOutcome): Reply {
  return outcome.ok ? ok({}) : error(outcome.error);
}
