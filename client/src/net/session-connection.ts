import {
  type ChatMessage,
  type IceServerPayload,
  type NetworkImpairment,
  parseIceServers,
  type RoomSummary,
  Topic,
} from '@starcatch/shared';
import type { Channel } from 'phoenix';
import { EMPTY_CHAT } from '../state/chat-store.ts';
import { applyGameEvent, applySnapshot, EMPTY_MATCH } from '../state/match.ts';
import { NO_GAME_NET } from '../state/net-store.ts';
import type { Stores } from '../state/stores.ts';
import { ChannelRequestError } from './channel-request-error.ts';
import type { ChatFeed } from './chat-feed.ts';
import { GameSocket } from './game-socket.ts';
import { LobbyChannel } from './lobby-channel.ts';
import { type JoinedRoom, RoomChannel } from './room-channel.ts';
import type { SessionCheck } from './session-api.ts';
import type { NetTiming } from './timing.ts';
import { TransportSwitch } from './transport-switch.ts';
import { WebRtcLink } from './webrtc-link.ts';

export interface SessionConnectionOptions {
  readonly endpoint: string;
  readonly token: string;
  readonly userId: string;
  readonly stores: Pick<Stores, 'lobby' | 'room' | 'chat' | 'net' | 'game'>;
  /** False plays over the WebSocket only (`?rtc=off`). */
  readonly webrtc?: boolean;
  /**
   * ICE servers for the peer until the `user:<id>` join reply names the server's (it always does,
   * possibly none: loopback and LAN play need none).
   */
  readonly iceServers?: RTCIceServer[];
  /** `relay`: TURN candidates only (the `?relay=1` debug flag). */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  readonly timing: NetTiming;
  readonly checkSession: () => Promise<SessionCheck>;
  /** Epoch milliseconds with sub-millisecond precision. */
  readonly now: () => number;
  /** The server keeps refusing the token: the connection has closed itself. */
  readonly onRefused: () => void;
  /** The tab's simulated bad network (`?lag=…`, the F3 panel), under both game paths. */
  readonly impairment?: NetworkImpairment;
}

/** The session was closed (signed out, or the token was refused) before the lobby was joined. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/**
 * Everything networked for one signed-in token: its socket, the lobby channel, and the room
 * channel of the room the player is in (at most one).
 */
export class SessionConnection {
  readonly #options: SessionConnectionOptions;
  readonly #socket: GameSocket;
  readonly #lobby: LobbyChannel;
  readonly #ready: Promise<void>;
  #room: RoomChannel | null = null;
  #game: TransportSwitch | null = null;
  /** `user:<id>`, for WebRTC signaling; null with WebRTC off. */
  readonly #signaling: Channel | null;
  /**
   * The WebRTC path, negotiated from sign-in rather than on entering a room, so the DataChannels
   * are usually open by the time the player is in one; null with WebRTC off.
   */
  readonly #rtc: WebRtcLink | null;
  #rejectReady: (reason: Error) => void = () => {};
  #closed = false;
  #localIds = 0;

  constructor(options: SessionConnectionOptions) {
    this.#options = options;
    const { stores } = options;
    this.#socket = new GameSocket({
      endpoint: options.endpoint,
      token: options.token,
      net: stores.net,
      timing: options.timing,
      checkSession: options.checkSession,
      onRefused: () => {
        this.close(new ConnectionClosedError('The server refused the session token.'));
        options.onRefused();
      },
      ...(options.impairment && { impairment: options.impairment }),
    });
    this.#lobby = new LobbyChannel({
      socket: this.#socket,
      lobby: stores.lobby,
      chat: stores.chat,
      userId: options.userId,
      timing: options.timing,
      now: options.now,
      makeLocalId: this.#makeLocalId,
    });
    const closed = new Promise<never>((_, reject) => {
      this.#rejectReady = reject;
    });
    this.#signaling = options.webrtc === false ? null : this.#socket.channel(Topic.user(options.userId));
    this.#rtc =
      this.#signaling === null
        ? null
        : new WebRtcLink({
            signaling: this.#signaling,
            timing: options.timing,
            iceServers: options.iceServers ?? [],
            ...(options.iceTransportPolicy && { iceTransportPolicy: options.iceTransportPolicy }),
            ...(options.impairment && { impairment: options.impairment }),
          });
    this.#rtc?.changes.add(() => this.#publishRtc());
    // The first offer waits for the join reply, which names the ICE servers (TURN credentials made
    // for this user); every rejoin brings fresh ones for the attempts after it.
    this.#signaling?.join(options.timing.pushTimeoutMs).receive('ok', (reply: unknown) => {
      if (this.#closed || this.#rtc === null) return;
      this.#rtc.setIceServers(parseIceServers(reply).map(toRtcIceServer));
      this.#rtc.start();
    });
    this.#ready = Promise.race([this.#lobby.joined, closed]);
    this.#ready.catch(() => {});
    this.#socket.connect();
  }

  /** Resolves once the lobby is joined; rejects if the join fails or the connection closes first. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Enters a room, leaving the current one first; a second call for the same room shares the first. */
  joinRoom(roomId: string): Promise<JoinedRoom> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#room?.roomId === roomId) return this.#room.joined;
    this.#room?.leave();
    const room = new RoomChannel({
      socket: this.#socket,
      roomId,
      room: this.#options.stores.room,
      chat: this.#options.stores.chat,
      userId: this.#options.userId,
      timing: this.#options.timing,
      now: this.#options.now,
      makeLocalId: this.#makeLocalId,
      onEvicted: () => this.#forget(room),
    });
    this.#room = room;
    this.#startGame(room);
    room.joined.catch(() => this.#forget(room));
    return room.joined;
  }

  leaveRoom(): void {
    this.#room?.leave();
    this.#room = null;
    this.#stopGame();
  }

  /** The game traffic of the room the player is in; null outside a room. */
  get gameLink(): TransportSwitch | null {
    return this.#game;
  }

  createRoom(name: string, maxPlayers: number): Promise<RoomSummary> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#lobby.createRoom(name, maxPlayers);
  }

  quickPlay(): Promise<RoomSummary> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#lobby.quickPlay();
  }

  /** Chat goes to the room while the player is in (or entering) one, else to the lobby. */
  sendChat(text: string): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#currentChat().send(text);
  }

  retryChat(localId: string): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#feedOf(localId).retry(localId);
  }

  discardChat(localId: string): void {
    if (!this.#closed) this.#feedOf(localId).discard(localId);
  }

  close(reason: Error = new ConnectionClosedError('Signed out.')): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectReady(reason);
    this.leaveRoom();
    this.#lobby.leave();
    this.#rtc?.close();
    this.#signaling?.leave();
    this.#socket.stop();
    this.#options.stores.chat.setState(EMPTY_CHAT);
  }

  readonly #makeLocalId = (): string => `m${++this.#localIds}`;

  #currentChat(): ChatFeed {
    return this.#room?.chat ?? this.#lobby.chat;
  }

  #feedOf(localId: string): ChatFeed {
    const entry = this.#options.stores.chat.getState().pending.find((pending) => pending.localId === localId);
    return entry?.scope === 'room' && this.#room ? this.#room.chat : this.#lobby.chat;
  }

  #forget(room: RoomChannel): void {
    if (this.#room !== room) return;
    this.#room = null;
    this.#stopGame();
  }

  #startGame(room: RoomChannel): void {
    this.#stopGame();
    const { stores } = this.#options;
    const game = new TransportSwitch(room.game, this.#rtc, stores.net, {
      pingIntervalMs: this.#options.timing.networkPingIntervalMs,
    });
    game.onEvent((event) =>
      stores.game.setState((state) => ({ match: applyGameEvent(state.match, event, performance.now()) })),
    );
    game.onSnapshot((snapshot) => stores.game.setState((state) => ({ match: applySnapshot(state.match, snapshot) })));
    this.#game = game;
  }

  #stopGame(): void {
    this.#game?.close();
    this.#game = null;
    this.#options.stores.game.setState({ match: EMPTY_MATCH });
    this.#options.stores.net.setState(NO_GAME_NET);
    this.#publishRtc();
  }

  /** The DataChannels are reported in and out of rooms; `transport` only in one (TransportSwitch). */
  #publishRtc(): void {
    const rtc = this.#rtc;
    if (rtc === null || this.#game !== null) return;
    this.#options.stores.net.setState({ dataChannels: rtc.channels, rtcOpenMs: rtc.lastOpenMs });
  }
}

function toRtcIceServer(server: IceServerPayload): RTCIceServer {
  return { ...server, urls: typeof server.urls === 'string' ? server.urls : [...server.urls] };
}

function closedError(): ChannelRequestError {
  return new ChannelRequestError('closed', 'You are signed out.');
}
