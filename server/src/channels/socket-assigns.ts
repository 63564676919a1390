import type { User } from '@starcatch/shared';

/** What every channel of an authenticated socket knows: the signed-in user, and where from. */
export interface SocketAssigns {
  readonly user: User;
  /**
   * The client's address as the socket's `connect` saw it (`X-Forwarded-For` only from a trusted
   * proxy), for the per-address limits; unset on channels not opened by a client (tests, relays).
   */
  readonly address?: string;
}
