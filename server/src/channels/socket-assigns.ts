import type { User } from '@starcatch/shared';

/** What every channel of an authenticated socket knows: the signed-in user. */
export interface SocketAssigns {
  readonly user: User;
}
