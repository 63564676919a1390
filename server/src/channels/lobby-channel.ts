import { PresenceEvent, type PresenceMetaFields } from '@starcatch/shared';
import { type ChannelHandler, error, ok, Reason } from '../phoenix/index.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** `lobby`: every signed-in player; presence says who is online (one key per user, one meta per tab). */
export const lobbyChannel: ChannelHandler<SocketAssigns> = {
  join() {
    return ok({});
  },

  afterJoin(channel) {
    const { user } = channel.assigns;
    const meta: PresenceMetaFields = { nickname: user.nickname, color: user.color, online_at: Date.now() };
    channel.presence.track(user.id, meta);
    channel.push(PresenceEvent.state, channel.presence.list());
  },

  handleIn(event) {
    return error({ reason: Reason.unknownEvent, event });
  },
};
