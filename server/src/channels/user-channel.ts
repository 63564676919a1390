import { ErrorCode, topicSubject, WebRtcEvent } from '@starcatch/shared';
import { type ChannelContext, type ChannelHandler, error, ok, type Reply } from '../phoenix/index.ts';
import type { SignalingOutcome, SignalingSession } from '../rtc/signaling-session.ts';
import type { WebRtcSignaling } from '../rtc/webrtc-signaling.ts';
import { channelError } from './chat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

export interface UserChannelOptions {
  readonly webrtc: WebRtcSignaling;
}

/**
 * `user:<id>`: private to that user (WebRTC signaling and notices). Anyone else is refused.
 * Each joined channel (so each socket) has its own signaling session and at most one peer.
 */
export function createUserChannel({ webrtc }: UserChannelOptions): ChannelHandler<SocketAssigns> {
  const sessions = new WeakMap<ChannelContext<SocketAssigns>, SignalingSession>();
  const sessionOf = (channel: ChannelContext<SocketAssigns>): SignalingSession => {
    let session = sessions.get(channel);
    if (!session) {
      session = webrtc.openSession(channel.assigns.user.id, channel.connectionId, (event, payload) =>
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
      return ok({});
    },

    async handleIn(event, payload, channel) {
      switch (event) {
        case WebRtcEvent.offer:
          return reply(await sessionOf(channel).offer(payload));
        case WebRtcEvent.ice:
          return reply(await sessionOf(channel).ice(payload));
        case WebRtcEvent.close:
          return reply(sessionOf(channel).close());
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
