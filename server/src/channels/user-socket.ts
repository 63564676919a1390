import { Topic } from '@starcatch/shared';
import type { SessionTokens } from '../auth/session-token.ts';
import { type Logger, PhoenixSocket } from '../phoenix/index.ts';
import { lobbyChannel } from './lobby-channel.ts';
import type { SocketAssigns } from './socket-assigns.ts';

export interface UserSocketOptions {
  readonly tokens: SessionTokens;
  readonly maxChannels: number;
  readonly logger: Logger;
}

/**
 * The game's socket: a session token (the `token` param, or phoenix.js `authToken`) is checked
 * before the upgrade; a bad or expired one is refused with HTTP 403.
 */
export function createUserSocket({ tokens, maxChannels, logger }: UserSocketOptions): PhoenixSocket<SocketAssigns> {
  return new PhoenixSocket<SocketAssigns>({
    connect({ params, authToken }) {
      const claims = tokens.verify(authToken ?? params.token);
      return claims ? { ok: true, assigns: { user: claims.user } } : { ok: false };
    },
    id: ({ user }) => `user_socket:${user.id}`,
    channels: {
      [Topic.lobby]: lobbyChannel,
    },
    maxChannels,
    logger,
  });
}
