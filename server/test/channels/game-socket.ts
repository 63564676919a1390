import { LocalPubSub, type PhoenixSocket } from '@starcatch/phoenix';
import type { User } from '@starcatch/shared';
import { SessionTokens } from '../../src/auth/session-token.ts';
import { LocalRooms } from '../../src/channels/local-rooms.ts';
import { lobbyRoomBroadcasts } from '../../src/channels/room-broadcasts.ts';
import { RoomHost } from '../../src/channels/room-host.ts';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import { createUserSocket } from '../../src/channels/user-socket.ts';
import { RoomSimulations } from '../../src/game/room-simulations.ts';
import { DEFAULT_SIMULATION_SETTINGS } from '../../src/game/simulation-settings.ts';
import { createRateLimits } from '../../src/limits/rate-limits.ts';
import { DEFAULT_ROOM_LIMITS, type RoomPushLimits } from '../../src/limits/room-limits.ts';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { WebRtcSignaling } from '../../src/rtc/webrtc-signaling.ts';
import { weriftPeerFactory } from '../../src/rtc/werift-peer.ts';
import { SqliteDatabase } from '../../src/storage/sqlite-database.ts';
import { Storage } from '../../src/storage/storage.ts';
import { PlayerLinks } from '../../src/transport/player-links.ts';

export const ada: User = { id: 'u-ada', nickname: 'Ada', color: '#ff6b6b' };
export const bo: User = { id: 'u-bo', nickname: 'Bo', color: '#4d96ff' };
export const cy: User = { id: 'u-cy', nickname: 'Cy', color: '#6bcb77' };

export interface GameSocket {
  readonly socket: PhoenixSocket<SocketAssigns>;
  readonly rooms: RoomRegistry;
  readonly storage: Storage;
  readonly games: RoomSimulations;
  /** Stops the room simulations and timers, and closes the storage. */
  dispose(): Promise<void>;
}

/** The game's socket and channels on in-memory SQLite, for ChannelTest-style tests. */
export async function gameSocket(
  options: { emptyRoomTimeoutMs?: number; roomPushLimits?: Partial<RoomPushLimits> } = {},
): Promise<GameSocket> {
  const storage = await Storage.open(new SqliteDatabase(':memory:'));
  const pubsub = new LocalPubSub(console);
  const rooms = new RoomRegistry({
    emptyRoomTimeoutMs: options.emptyRoomTimeoutMs ?? 60_000,
    listener: lobbyRoomBroadcasts(pubsub),
  });
  const webrtc = new WebRtcSignaling({
    createPeer: weriftPeerFactory({ iceServers: [], portRange: undefined, hostAddresses: ['127.0.0.1'] }),
    signalingLimit: { burst: 10, perMinute: 30, strikesPerMinute: 20 },
    iceLimit: { burst: 60, perMinute: 240, strikesPerMinute: 20 },
    logger: console,
  });
  const games = new RoomSimulations({
    settings: DEFAULT_SIMULATION_SETTINGS,
    phaseChanged: (roomId, phase) => rooms.setState(roomId, phase),
    roundFinished: () => {},
    tickFailed: (_roomId, error) => console.error(error),
  });
  // No per-address limits: every test client comes from one address.
  const limits = createRateLimits({
    roomPush: {
      input: options.roomPushLimits?.input ?? { burst: 90, perMinute: 4_800, strikesPerMinute: 90 },
      chat: options.roomPushLimits?.chat ?? { burst: 5, perMinute: 30, strikesPerMinute: 5 },
    },
    rooms: DEFAULT_ROOM_LIMITS,
    dataChannel: { burst: 90, perMinute: 4_800, strikesPerMinute: 300 },
  });
  const links = new PlayerLinks({
    games,
    peers: webrtc.peers,
    dataChannelLimit: limits.dataChannel,
    snapshotMaxBufferedBytes: 4_096,
    noticeIntervalMs: 1_000,
    logger: console,
  });
  const socket = createUserSocket({
    tokens: new SessionTokens('a-secret-of-at-least-thirty-two-chars', 60),
    storage,
    maxPlayersLimit: 16,
    maxChannels: 10,
    logger: console,
    rooms: new LocalRooms(new RoomHost({ rooms, games, links })),
    openSignaling: (userId, connectionId, push) => webrtc.openSession(userId, connectionId, push),
    limits,
    pubsub,
  });
  return {
    socket,
    rooms,
    storage,
    games,
    async dispose() {
      links.dispose();
      games.dispose();
      rooms.dispose();
      await storage.close();
    },
  };
}
