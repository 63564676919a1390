import { PresenceEvent, Topic } from '@starcatch/shared';
import { type Channel, Presence } from 'phoenix';
import { EMPTY_LOBBY, type LobbyStore } from '../state/lobby-store.ts';
import { type PresenceMeta, toOnlineUsers } from '../state/online-users.ts';
import type { GameSocket } from './game-socket.ts';

/** A join the server refused or never answered. */
export class JoinError extends Error {
  override readonly name = 'JoinError';
}

/**
 * The `lobby` channel: joins it, keeps the lobby store's online list in step with Presence, and
 * lets phoenix.js rejoin after a drop (Presence then resyncs from the fresh `presence_state`).
 */
export class LobbyChannel {
  readonly #channel: Channel;
  readonly #lobby: LobbyStore;
  readonly #joined: Promise<void>;

  constructor(socket: GameSocket, lobby: LobbyStore) {
    this.#lobby = lobby;
    this.#channel = socket.channel(Topic.lobby);
    const presence = new Presence(this.#channel, { events: PresenceEvent });
    presence.onSync(() => {
      const entries = presence.list((id: string, { metas }: { metas: PresenceMeta[] }) => [id, metas] as const);
      this.#lobby.setState({ online: toOnlineUsers(entries) });
    });
    // A dropped socket errors the channel; phoenix.js rejoins it once the socket is back.
    this.#channel.onError(() => this.#lobby.setState({ status: 'joining' }));

    lobby.setState({ ...EMPTY_LOBBY, status: 'joining' });
    this.#joined = new Promise((resolve, reject) => {
      // These callbacks stay on the join push, so `ok` also fires after every rejoin.
      this.#channel
        .join()
        .receive('ok', () => {
          this.#lobby.setState({ status: 'joined' });
          resolve();
        })
        .receive('error', (reply?: { reason?: string }) =>
          reject(new JoinError(`The lobby refused to let you in (${reply?.reason ?? 'no reason given'}).`)),
        )
        .receive('timeout', () => reject(new JoinError('The lobby did not answer in time. Still trying…')));
    });
    // Callers that never await `joined` must not see an unhandled rejection.
    this.#joined.catch(() => {});
  }

  /** Settles with the first join reply. */
  get joined(): Promise<void> {
    return this.#joined;
  }

  leave(): void {
    this.#channel.leave();
    this.#lobby.setState(EMPTY_LOBBY);
  }
}
