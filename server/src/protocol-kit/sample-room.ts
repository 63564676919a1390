import { type ChannelContext, type ChannelHandler, error, ok } from '@starcatch/phoenix';
import {
  ARENA_HEIGHT,
  ARENA_WIDTH,
  ChatEvent,
  type ChatMessage,
  DEFAULT_MAX_PLAYERS,
  decodeInput,
  ErrorCode,
  encodeSnapshot,
  GameChannelEvent,
  GameEvent,
  type GameEventMessage,
  isNewerSequence,
  PLAYER_COLORS,
  PlayerTransport,
  PresenceEvent,
  quantizePosition,
  quantizeVelocity,
  type RoomSummary,
  type ShipState,
  SNAPSHOT_RATE,
  type SnapshotPlayer,
  StateEncoding,
  stepShip,
  toWireTime,
  validateChatBody,
} from '@starcatch/shared';
import { readStatePayload, statePayload } from '../transport/websocket-route.ts';
import type { TestAssigns } from './test-channel.ts';

/** The slots of the two sample ships that circle the arena whoever is in the room. */
export const SAMPLE_SHIP_SLOTS = [DEFAULT_MAX_PLAYERS - 2, DEFAULT_MAX_PLAYERS - 1] as const;
/** Members take the slots below the sample ships. */
const MEMBER_SLOTS = SAMPLE_SHIP_SLOTS[0];
/** Chat messages a room keeps and sends in its join reply. */
const HISTORY_LIMIT = 20;
/** Snapshots wait while more than this is unsent to the member's socket (as the game server's 4 KiB). */
const MAX_BACKLOG_BYTES = 4_096;
/** Radius (units) and angular speed (rad/s) of the sample ships' circle around the arena's centre. */
const ORBIT_RADIUS = 300;
const ORBIT_SPEED = 0.5;

export interface SampleRoomOptions {
  /** Snapshots per second to each member; default SNAPSHOT_RATE (20), as the game. */
  readonly snapshotHz?: number;
}

interface Member {
  readonly channel: ChannelContext<TestAssigns>;
  readonly slot: number;
  readonly nickname: string;
  readonly color: string;
  ship: ShipState;
  /** The newest input seq taken from this member (0: none yet); its snapshots acknowledge it. */
  ackSeq: number;
  /** Direction bits of that input: the ship keeps thrusting that way until the next one. */
  bits: number;
}

interface Room {
  readonly name: string;
  readonly members: Map<ChannelContext<TestAssigns>, Member>;
  readonly history: ChatMessage[];
  nextMessageId: number;
  tick: number;
  timer: ReturnType<typeof setInterval> | undefined;
}

/**
 * `sample:<name>`: a stand-in for Starcatch's `room:<id>` with no game and no database, so a
 * client can practise the room's traffic against the protocol server.
 * - join params `{nickname?}` → ok `{room, slot, history, state_encoding}`, as the game's room reply
 *   (`room_full` once members hold slots 0-5); then `presence_state` (key: the `user` the socket
 *   connected with; meta `{nickname, color, online_at, transport}`) and a `game:event` `sync`;
 * - `chat:send {body}` → a `chat:message` broadcast `{id, user_id, nickname, body, inserted_at}`, then
 *   ok `{message}`; the last 20 come in the join reply's `history`;
 * - `input`: INPUT bytes (a binary push on V2, `{data: base64}` on V1), never replied to: the
 *   member's ship thrusts that way and its snapshots acknowledge the seq;
 * - `snapshot`: 20 times a second, SNAPSHOT bytes of every member's ship plus two sample ships
 *   circling the arena (slots 6 and 7), encoded with the game's codec, as a binary push on V2 or
 *   `{data: base64}` on V1 (what `state_encoding` says);
 * - `game:event` `player_joined` / `player_left` to the others when a member comes or goes.
 */
export function createSampleRoomChannel(options: SampleRoomOptions = {}): ChannelHandler<TestAssigns> {
  const snapshotHz = options.snapshotHz ?? SNAPSHOT_RATE;
  const intervalMs = 1000 / snapshotHz;
  const rooms = new Map<string, Room>();

  const summary = (room: Room): RoomSummary => ({
    id: room.name,
    name: room.name,
    max_players: MEMBER_SLOTS,
    players: new Set([...room.members.values()].map((member) => member.channel.assigns.userId)).size,
    state: 'playing',
  });

  const event = (room: Room, fields: Record<string, unknown>): GameEventMessage =>
    ({ ...fields, tick: room.tick }) as unknown as GameEventMessage;

  function sampleShips(room: Room): SnapshotPlayer[] {
    return SAMPLE_SHIP_SLOTS.map((slot, i) => {
      const angle = ((room.tick * intervalMs) / 1000) * ORBIT_SPEED + i * Math.PI;
      const speed = ORBIT_RADIUS * ORBIT_SPEED;
      return {
        slot,
        x: quantizePosition(ARENA_WIDTH / 2 + ORBIT_RADIUS * Math.cos(angle)),
        y: quantizePosition(ARENA_HEIGHT / 2 + ORBIT_RADIUS * Math.sin(angle)),
        vx: quantizeVelocity(-speed * Math.sin(angle)),
        vy: quantizeVelocity(speed * Math.cos(angle)),
        score: Math.floor((room.tick * intervalMs) / 5000),
      };
    });
  }

  function step(room: Room): void {
    room.tick++;
    for (const member of room.members.values()) member.ship = stepShip(member.ship, member.bits, intervalMs / 1000);
    const players = [
      ...[...room.members.values()].map(({ slot, ship }) => ({ slot, ...ship, score: 0 })),
      ...sampleShips(room),
    ].sort((a, b) => a.slot - b.slot);
    const serverTime = toWireTime(performance.now());
    for (const { channel, ackSeq } of room.members.values()) {
      if (channel.sendBacklog > MAX_BACKLOG_BYTES) continue;
      const bytes = encodeSnapshot({ tick: room.tick, ackSeq, serverTime, players });
      channel.push(GameChannelEvent.snapshot, statePayload(bytes, encodingOf(channel)));
    }
  }

  return {
    join(topic, params, channel) {
      const room = rooms.get(topic) ?? {
        name: topic.slice(topic.indexOf(':') + 1),
        members: new Map(),
        history: [],
        nextMessageId: 1,
        tick: 0,
        timer: undefined,
      };
      const taken = new Set([...room.members.values()].map((member) => member.slot));
      const slot = [...Array(MEMBER_SLOTS).keys()].find((candidate) => !taken.has(candidate));
      if (slot === undefined) return error({ reason: ErrorCode.roomFull, message: 'This sample room is full.' });
      const nickname = (params as { nickname?: unknown } | null)?.nickname;
      const { userId } = channel.assigns;
      room.members.set(channel, {
        channel,
        slot,
        nickname: typeof nickname === 'string' && nickname.length > 0 ? nickname.slice(0, 16) : userId,
        color: PLAYER_COLORS[slot % PLAYER_COLORS.length] ?? '#ffffff',
        ship: { x: 200 + 150 * slot, y: 200, vx: 0, vy: 0 },
        ackSeq: 0,
        bits: 0,
      });
      rooms.set(topic, room);
      room.timer ??= setInterval(() => step(room), intervalMs);
      return ok({
        room: summary(room),
        slot,
        history: room.history,
        state_encoding: encodingOf(channel),
      });
    },

    afterJoin(channel) {
      const room = rooms.get(channel.topic);
      const member = room?.members.get(channel);
      if (!room || !member) return;
      const { nickname, color, slot } = member;
      const { userId } = channel.assigns;
      channel.presence.track(userId, { nickname, color, online_at: Date.now(), transport: PlayerTransport.websocket });
      channel.push(PresenceEvent.state, channel.presence.list());
      const players = [...room.members.values()].map((other) => ({
        slot: other.slot,
        user_id: other.channel.assigns.userId,
        nickname: other.nickname,
        color: other.color,
        score: 0,
      }));
      const round = { phase: 'playing', round: 1, remaining_ms: 0 };
      // One tick per snapshot here: the ships step 1 / snapshotHz seconds at a time.
      const sync = { type: GameEvent.sync, round, stars: [], players, tick_hz: snapshotHz, snapshot_hz: snapshotHz };
      channel.push(GameChannelEvent.event, event(room, sync));
      const joined = { type: GameEvent.playerJoined, slot, user_id: userId, nickname, color };
      channel.broadcastFrom(GameChannelEvent.event, event(room, joined));
    },

    handleIn(name, payload, channel) {
      const room = rooms.get(channel.topic);
      const member = room?.members.get(channel);
      if (!room || !member) return undefined;
      if (name === GameChannelEvent.input) {
        const bytes = readStatePayload(payload);
        const decoded = bytes && decodeInput(bytes);
        if (decoded?.ok && (member.ackSeq === 0 || isNewerSequence(decoded.value.seq, member.ackSeq))) {
          member.ackSeq = decoded.value.seq;
          member.bits = decoded.value.bits;
        }
        return undefined;
      }
      if (name === ChatEvent.send) {
        const body = validateChatBody((payload as { body?: unknown } | null)?.body);
        if (!body.ok) return error({ reason: ErrorCode.invalidMessage, message: body.message });
        const message: ChatMessage = {
          id: room.nextMessageId++,
          user_id: channel.assigns.userId,
          nickname: member.nickname,
          body: body.body,
          inserted_at: new Date().toISOString(),
        };
        room.history.push(message);
        if (room.history.length > HISTORY_LIMIT) room.history.shift();
        channel.broadcast(ChatEvent.message, message);
        return ok({ message });
      }
      return error({ reason: ErrorCode.invalidRequest, message: `unknown event "${name}"` });
    },

    terminate(_reason, channel) {
      const room = rooms.get(channel.topic);
      const member = room?.members.get(channel);
      if (!room || !member) return;
      room.members.delete(channel);
      const left = { type: GameEvent.playerLeft, slot: member.slot, user_id: channel.assigns.userId };
      channel.broadcastFrom(GameChannelEvent.event, event(room, left));
      if (room.members.size > 0) return;
      clearInterval(room.timer);
      rooms.delete(channel.topic);
    },
  };
}

/** V1 sockets cannot carry binary: their `input` and `snapshot` travel as `{data: base64}`. */
function encodingOf(channel: ChannelContext<TestAssigns>): StateEncoding {
  return channel.supportsBinary ? StateEncoding.binary : StateEncoding.base64;
}
