import { type ChannelError, type RoomSummary, StateEncoding, Topic } from '@starcatch/shared';
import type { Channel } from 'phoenix';
import type { ChatStore } from '../state/chat-store.ts';
import { dropScope } from '../state/pending-chat.ts';
import { toRoomMembers } from '../state/room-members.ts';
import { NO_ROOM, type RoomStore } from '../state/room-store.ts';
import { roomJoinReply } from './channel-payloads.ts';
import { ChannelRequestError, NO_REPLY_MESSAGE } from './channel-request-error.ts';
import { ChatFeed } from './chat-feed.ts';
import type { GameSocket } from './game-socket.ts';
import { followPresence } from './presence-sync.ts';
import { refusalText } from './refusal-text.ts';
import type { NetTiming } from './timing.ts';
import { WebSocketLink } from './websocket-link.ts';

export interface RoomChannelOptions {
  readonly socket: GameSocket;
  readonly roomId: string;
  readonly room: RoomStore;
  readonly chat: ChatStore;
  readonly userId: string;
  readonly timing: NetTiming;
  readonly now: () => number;
  readonly makeLocalId: () => string;
  /**
   * The server turned down a rejoin after a reconnect (the room closed, or filled up meanwhile):
   * the channel has left by then and the room store says why.
   */
  readonly onEvicted: (refusal: ChannelError) => void;
}

/** A joined room, as `joinRoom` resolves. */
export interface JoinedRoom {
  readonly room: RoomSummary;
  readonly slot: number;
}

/**
 * One `room:<id>` channel: joins it, keeps the room store's members in step with Presence and the
 * room chat with the channel. A refused join is final: phoenix.js would retry it forever, so the
 * channel leaves and the reason goes to the room store. A dropped socket is not: phoenix.js
 * rejoins, asking for the chat after the last message seen.
 */
export class RoomChannel {
  readonly roomId: string;
  readonly chat: ChatFeed;
  /** Game traffic on this channel: the WebSocket path. */
  readonly game: WebSocketLink;
  readonly #channel: Channel;
  readonly #room: RoomStore;
  readonly #joined: Promise<JoinedRoom>;
  #wasJoined = false;
  #ended = false;
  /** Rejects the first join if the channel ends before its reply. */
  #abandonJoin: (error: ChannelRequestError) => void = () => {};

  constructor(options: RoomChannelOptions) {
    const { socket, roomId, room, chat, timing } = options;
    this.roomId = roomId;
    this.#room = room;
    room.setState({ ...NO_ROOM, status: 'joining', roomId });
    chat.setState((state) => ({ room: [], pending: dropScope(state.pending, 'room') }));

    this.#channel = socket.channel(Topic.room(roomId), () => {
      const lastSeen = this.chat.lastSeenId;
      return lastSeen === undefined ? {} : { last_seen_id: lastSeen };
    });
    this.game = new WebSocketLink(this.#channel, (callback) => socket.ping(callback));
    this.chat = new ChatFeed({
      channel: this.#channel,
      scope: 'room',
      chat,
      userId: options.userId,
      sendTimeoutMs: timing.chatSendTimeoutMs,
      now: options.now,
      makeLocalId: options.makeLocalId,
    });
    followPresence(this.#channel, (entries) => {
      if (!this.#ended) this.#room.setState({ members: toRoomMembers(entries) });
    });
    this.#channel.onError(() => {
      this.chat.dropped();
      if (!this.#ended && this.#wasJoined) this.#room.setState({ status: 'rejoining' });
    });

    this.#joined = new Promise<JoinedRoom>((resolve, reject) => {
      this.#abandonJoin = reject;
      this.#channel
        .join(timing.pushTimeoutMs)
        .receive('ok', (reply: unknown) => {
          if (this.#ended) return;
          const joined = roomJoinReply(reply);
          if (joined === null) {
            const error = new ChannelRequestError('bad_reply', 'The room sent an answer we could not read.');
            reject(error);
            this.#refused(error.toChannelError(), options.onEvicted);
            return;
          }
          const encoding = (reply as { state_encoding?: unknown } | null)?.state_encoding;
          this.game.encoding = encoding === StateEncoding.base64 ? StateEncoding.base64 : StateEncoding.binary;
          this.#wasJoined = true;
          this.#room.setState({ status: 'joined', summary: joined.room, slot: joined.slot, refusal: null });
          this.chat.joined(joined.history);
          resolve({ room: joined.room, slot: joined.slot });
        })
        .receive('error', (reply: unknown) => {
          if (this.#ended) return;
          const refused = ChannelRequestError.fromReply(reply, 'The room refused to let you in.');
          // Joining too fast, or already in another room: our words; full, closed, unknown: the server's.
          const error = new ChannelRequestError(
            refused.reason,
            refusalText('join_room', refused.reason, refused.message),
          );
          // Settled with the server's reason before the channel ends (ending rejects as `closed`).
          reject(error);
          this.#refused(error.toChannelError(), options.onEvicted);
        })
        .receive('timeout', () => {
          // After a drop phoenix.js keeps rejoining by itself; only a first join gives up.
          if (this.#ended || this.#wasJoined) return;
          const error = new ChannelRequestError('timeout', NO_REPLY_MESSAGE);
          reject(error);
          this.#refused(error.toChannelError(), () => {});
        });
    });
    this.#joined.catch(() => {});
  }

  /** Settles with the first join: the room and slot, or why not. */
  get joined(): Promise<JoinedRoom> {
    return this.#joined;
  }

  /** Leaves the room (the player asked to, or the session is closing). */
  leave(): void {
    if (this.#ended) return;
    this.#end();
    this.#room.setState(NO_ROOM);
  }

  #refused(refusal: ChannelError, evicted: (refusal: ChannelError) => void): void {
    const wasJoined = this.#wasJoined;
    if (wasJoined)
      console.warn(`[starcatch] the room refused to take this tab back: ${refusal.reason} (${refusal.message})`);
    this.#end();
    this.#room.setState({ ...NO_ROOM, refusal });
    if (wasJoined) evicted(refusal);
  }

  #end(): void {
    this.#ended = true;
    // A no-op once the join has settled; otherwise the caller learns the room was left first.
    this.#abandonJoin(new ChannelRequestError('closed', 'Left the room before it answered.'));
    this.chat.close();
    this.#channel.leave();
  }
}
