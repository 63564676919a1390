import { ErrorCode, LobbyEvent, type RoomSummary, Topic, validateNewRoom } from '@starcatch/shared';
import type { Channel } from 'phoenix';
import type { ChatStore } from '../state/chat-store.ts';
import { EMPTY_LOBBY, type LobbyStore } from '../state/lobby-store.ts';
import { toOnlineUsers } from '../state/online-users.ts';
import { removeRoom, upsertRoom } from '../state/room-list.ts';
import { isRoomSummary, lobbyJoinReply, roomReply } from './channel-payloads.ts';
import { request } from './channel-request.ts';
import { ChannelRequestError } from './channel-request-error.ts';
import { ChatFeed } from './chat-feed.ts';
import type { GameSocket } from './game-socket.ts';
import { followPresence } from './presence-sync.ts';
import { refusalText } from './refusal-text.ts';
import type { NetTiming } from './timing.ts';

/** A join the server refused or never answered. */
export class JoinError extends Error {
  override readonly name = 'JoinError';
}

export interface LobbyChannelOptions {
  readonly socket: GameSocket;
  readonly lobby: LobbyStore;
  readonly chat: ChatStore;
  readonly userId: string;
  readonly timing: NetTiming;
  readonly now: () => number;
  readonly makeLocalId: () => string;
}

/**
 * The `lobby` channel: who is online (Presence), the room list (join reply, then the room
 * broadcasts), and the lobby chat. phoenix.js rejoins it after a drop; the rejoin asks for the
 * chat after the last message seen, and its reply replaces the room list.
 */
export class LobbyChannel {
  readonly #channel: Channel;
  readonly #lobby: LobbyStore;
  readonly #timing: NetTiming;
  readonly #joined: Promise<void>;
  readonly chat: ChatFeed;

  constructor(options: LobbyChannelOptions) {
    const { socket, lobby, timing } = options;
    this.#lobby = lobby;
    this.#timing = timing;
    this.#channel = socket.channel(Topic.lobby, () => {
      const lastSeen = this.chat.lastSeenId;
      return lastSeen === undefined ? {} : { last_seen_id: lastSeen };
    });
    this.chat = new ChatFeed({
      channel: this.#channel,
      scope: 'lobby',
      chat: options.chat,
      userId: options.userId,
      sendTimeoutMs: timing.chatSendTimeoutMs,
      now: options.now,
      makeLocalId: options.makeLocalId,
    });
    followPresence(this.#channel, (entries) => this.#lobby.setState({ online: toOnlineUsers(entries) }));
    this.#channel.on(LobbyEvent.roomCreated, (room: unknown) => this.#roomChanged(room));
    this.#channel.on(LobbyEvent.roomUpdated, (room: unknown) => this.#roomChanged(room));
    this.#channel.on(LobbyEvent.roomClosed, (payload: { id?: unknown } | undefined) => {
      const id = payload?.id;
      if (typeof id === 'string') this.#lobby.setState((state) => ({ rooms: removeRoom(state.rooms, id) }));
    });
    // A dropped socket errors the channel; phoenix.js rejoins it once the socket is back.
    this.#channel.onError(() => {
      this.chat.dropped();
      this.#lobby.setState({ status: 'joining' });
    });

    lobby.setState({ ...EMPTY_LOBBY, status: 'joining' });
    this.#joined = new Promise((resolve, reject) => {
      // These callbacks stay on the join push, so `ok` also fires after every rejoin.
      this.#channel
        .join(timing.pushTimeoutMs)
        .receive('ok', (reply: unknown) => {
          const { rooms, history } = lobbyJoinReply(reply);
          this.#lobby.setState({ status: 'joined', rooms });
          this.chat.joined(history);
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

  /** Opens a room (it is stored before the reply); resolves with it, not yet joined. */
  createRoom(name: string, maxPlayers: number): Promise<RoomSummary> {
    const checked = validateNewRoom(name, maxPlayers);
    if (!checked.ok) return Promise.reject(new ChannelRequestError(ErrorCode.invalidRoom, checked.message));
    return request(
      this.#channel,
      LobbyEvent.createRoom,
      { name: checked.name, max_players: checked.maxPlayers },
      this.#timing.pushTimeoutMs,
      roomReply,
    ).catch(inCreateWords);
  }

  /** Asks the server for a room to play in: the fullest one with a free slot, or a new one. */
  quickPlay(): Promise<RoomSummary> {
    // Quick play opens a room when none has a free slot, so it meets the same limits as creating one.
    return request(this.#channel, LobbyEvent.quickPlay, {}, this.#timing.pushTimeoutMs, roomReply).catch(inCreateWords);
  }

  leave(): void {
    this.chat.close();
    this.#channel.leave();
    this.#lobby.setState(EMPTY_LOBBY);
  }

  #roomChanged(room: unknown): void {
    if (isRoomSummary(room)) this.#lobby.setState((state) => ({ rooms: upsertRoom(state.rooms, room) }));
  }
}

/** Rejects with the player's words for a refused room creation (too fast, too many rooms, database down). */
function inCreateWords(error: unknown): never {
  if (!(error instanceof ChannelRequestError)) throw error;
  throw new ChannelRequestError(error.reason, refusalText('create_room', error.reason, error.message));
}
