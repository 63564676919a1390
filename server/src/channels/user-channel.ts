import { ErrorCode, topicSubject } from '@starcatch/shared';
import { type ChannelHandler, error, ok } from '../phoenix/index.ts';
import { channelError } from './chat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** `user:<id>`: private to that user (WebRTC signaling and notices). Anyone else is refused. */
export const userChannel: ChannelHandler<SocketAssigns> = {
  join(topic, _params, channel) {
    if (topicSubject(topic) !== channel.assigns.user.id) {
      return error(channelError(ErrorCode.unauthorized, 'You can only join your own user channel.'));
    }
    return ok({});
  },

  handleIn(event) {
    return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
  },
};
