import { MAX_PLAYERS_LIMIT } from '../room.ts';
import { ARENA_HEIGHT, ARENA_WIDTH, POSITION_SCALE, SHIP_MAX_SPEED, VELOCITY_SCALE } from './constants.ts';
import { DIRECTION_MASK } from './input.ts';

/**
 * The binary codec of the `state` DataChannel (and of the `input` / `snapshot` binary pushes on the
 * WebSocket fallback). Little-endian. Byte 0 is the codec version, byte 1 the message kind.
 *
 * INPUT, client → server, 11 bytes, one per client tick:
 *   0 u8 version · 1 u8 kind (1) · 2 u32 seq · 6 u8 direction bits · 7 u32 client time
 *
 * INPUT with history (kind 3), client → server, 12 + n bytes: the same fields, then the inputs sent
 * before this one, so that a lost message costs nothing (the server takes whatever it has not seen):
 *   0 u8 version · 1 u8 kind (3) · 2 u32 seq · 6 u8 direction bits · 7 u32 client time ·
 *   11 u8 n (0 to MAX_INPUT_HISTORY), then n × u8 direction bits of inputs seq−1, seq−2, … seq−n
 * Seqs are consecutive and never 0: the one before seq 1 is 2^32−1. A server that predates kind 3
 * refuses it as an unknown kind; this one takes both kinds, so older clients keep working.
 *
 * SNAPSHOT, server → client, 15 + 11 × players bytes (103 for 8 players, 191 for 16):
 *   0 u8 version · 1 u8 kind · 2 u32 tick · 6 u32 ack seq · 10 u32 server time · 14 u8 player count,
 *   then per player: u8 slot · u16 x · u16 y · i16 vx · i16 vy · u16 score
 *
 * Times are whole milliseconds modulo 2^32 (see `toWireTime`), 4 bytes instead of a float64's 8:
 * both are only ever compared with nearby readings of the same clock, where the wrap is harmless.
 * The client time is the client's monotonic clock (`performance.now()`), the server time the
 * server's when it built the snapshot. Seq starts at 1; an ack of 0 means no input applied yet.
 *
 * Positions are 1/32 unit in uint16 (0 to 2047.97, the arena is 1600×1000), velocities 1/64 unit/s
 * in int16. The simulation keeps its state on that grid, so a snapshot of it is lossless.
 */
export const STATE_CODEC_VERSION = 1;

export const StateMessageKind = {
  input: 1,
  snapshot: 2,
  /** An input that also carries the previous few (input redundancy). */
  inputWithHistory: 3,
} as const;
export type StateMessageKind = (typeof StateMessageKind)[keyof typeof StateMessageKind];

export interface InputMessage {
  /** uint32, +1 per input; the server acknowledges it in snapshots. */
  readonly seq: number;
  /** `Direction` bits held during this client tick. */
  readonly bits: number;
  /** Client clock, ms mod 2^32. */
  readonly clientTime: number;
  /**
   * Direction bits of the inputs sent just before this one, newest first (seq−1, seq−2, …); at most
   * MAX_INPUT_HISTORY. Empty or absent: a plain 11-byte INPUT.
   */
  readonly earlier?: readonly number[];
}

export interface SnapshotPlayer {
  readonly slot: number;
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
  readonly score: number;
}

export interface SnapshotMessage {
  /** The server tick this state belongs to; also the key for dropping stale snapshots. */
  readonly tick: number;
  /** The receiver's last applied input seq: prediction replays the inputs after it. */
  readonly ackSeq: number;
  /** Server clock, ms mod 2^32. */
  readonly serverTime: number;
  readonly players: readonly SnapshotPlayer[];
}

export const INPUT_MESSAGE_BYTES = 11;
/** The header of an INPUT with history; each earlier input adds one byte. */
export const INPUT_HISTORY_HEADER_BYTES = 12;
/** Earlier inputs one message may carry: 8 ticks (267 ms at 30 Hz) of consecutive losses. */
export const MAX_INPUT_HISTORY = 8;
export const SNAPSHOT_HEADER_BYTES = 15;
export const SNAPSHOT_PLAYER_BYTES = 11;
const ACK_OFFSET = 6;

/** The encoded size of a snapshot with `playerCount` players. */
export function snapshotByteLength(playerCount: number): number {
  return SNAPSHOT_HEADER_BYTES + SNAPSHOT_PLAYER_BYTES * playerCount;
}

/** The largest quantised values a valid message may carry. */
const MAX_X = ARENA_WIDTH * POSITION_SCALE;
const MAX_Y = ARENA_HEIGHT * POSITION_SCALE;
const MAX_VELOCITY = SHIP_MAX_SPEED * VELOCITY_SCALE;
const MAX_SCORE = 0xffff;

// --- encoding -------------------------------------------------------------------------------------

function clampInt(value: number, min: number, max: number): number {
  // NaN (a bug upstream) encodes as the minimum rather than as garbage.
  if (Number.isNaN(value)) return min;
  return Math.min(Math.max(Math.round(value), min), max);
}

function writeU16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
}

function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
}

function ensureRoom(target: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || offset + length > target.length) {
    throw new RangeError(`need ${length} bytes at offset ${offset}, target has ${target.length}`);
  }
}

/** The encoded size of an input: 11 bytes plain, 12 + n with n earlier inputs. */
export function inputByteLength(input: InputMessage): number {
  const earlier = Math.min(input.earlier?.length ?? 0, MAX_INPUT_HISTORY);
  return earlier === 0 ? INPUT_MESSAGE_BYTES : INPUT_HISTORY_HEADER_BYTES + earlier;
}

/**
 * Writes an input message at `offset` and returns its length: kind 1 without earlier inputs, kind 3
 * with them (beyond MAX_INPUT_HISTORY they are left out). Counters and times wrap to uint32; bits
 * outside the four directions are dropped.
 */
export function encodeInputInto(input: InputMessage, target: Uint8Array, offset = 0): number {
  const length = inputByteLength(input);
  ensureRoom(target, offset, length);
  const withHistory = length > INPUT_MESSAGE_BYTES;
  target[offset] = STATE_CODEC_VERSION;
  target[offset + 1] = withHistory ? StateMessageKind.inputWithHistory : StateMessageKind.input;
  writeU32(target, offset + 2, input.seq >>> 0);
  target[offset + 6] = input.bits & DIRECTION_MASK;
  writeU32(target, offset + 7, input.clientTime >>> 0);
  if (withHistory) {
    const earlier = input.earlier ?? [];
    const count = length - INPUT_HISTORY_HEADER_BYTES;
    target[offset + 11] = count;
    for (let i = 0; i < count; i++)
      target[offset + INPUT_HISTORY_HEADER_BYTES + i] = (earlier[i] ?? 0) & DIRECTION_MASK;
  }
  return length;
}

/** An input message in a buffer of its own, ready for `send`. */
export function encodeInput(input: InputMessage): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(inputByteLength(input));
  encodeInputInto(input, bytes);
  return bytes;
}

/** The seq sent before `seq`: seqs skip 0, so the one before 1 is 2^32−1. */
export function previousInputSeq(seq: number): number {
  return seq >>> 0 === 1 ? 0xffffffff : (seq - 1) >>> 0;
}

/**
 * Every input a message stands for, oldest first: its earlier inputs (seq−n … seq−1, with the
 * message's client time, the only one it has) and then itself. A plain INPUT is just itself.
 */
export function unpackInputs(message: InputMessage): InputMessage[] {
  const earlier = message.earlier ?? [];
  const inputs: InputMessage[] = [];
  let seq = message.seq >>> 0;
  for (const bits of earlier) {
    seq = previousInputSeq(seq);
    inputs.push({ seq, bits, clientTime: message.clientTime });
  }
  inputs.reverse();
  inputs.push({ seq: message.seq, bits: message.bits, clientTime: message.clientTime });
  return inputs;
}

/**
 * Writes a snapshot at `offset` and returns its length. Values are rounded to the grid and clamped
 * to what the decoder accepts (positions to the arena, velocities to ±SHIP_MAX_SPEED, scores to
 * uint16). Throws RangeError on more than MAX_PLAYERS_LIMIT players, a slot out of range or a
 * target too small: those are bugs in the caller, not data to clamp.
 *
 * For the fan-out, encode once into a scratch buffer, copy it per receiver and patch each copy with
 * `setSnapshotAck`; the copy matters because transports may hold on to a sent buffer.
 */
export function encodeSnapshotInto(snapshot: SnapshotMessage, target: Uint8Array, offset = 0): number {
  const count = snapshot.players.length;
  if (count > MAX_PLAYERS_LIMIT)
    throw new RangeError(`a snapshot holds at most ${MAX_PLAYERS_LIMIT} players, got ${count}`);
  const length = snapshotByteLength(count);
  ensureRoom(target, offset, length);
  target[offset] = STATE_CODEC_VERSION;
  target[offset + 1] = StateMessageKind.snapshot;
  writeU32(target, offset + 2, snapshot.tick >>> 0);
  writeU32(target, offset + ACK_OFFSET, snapshot.ackSeq >>> 0);
  writeU32(target, offset + 10, snapshot.serverTime >>> 0);
  target[offset + 14] = count;
  let at = offset + SNAPSHOT_HEADER_BYTES;
  for (const player of snapshot.players) {
    if (!Number.isInteger(player.slot) || player.slot < 0 || player.slot >= MAX_PLAYERS_LIMIT) {
      throw new RangeError(`slot must be a whole number from 0 to ${MAX_PLAYERS_LIMIT - 1}, got ${player.slot}`);
    }
    target[at] = player.slot;
    writeU16(target, at + 1, clampInt(player.x * POSITION_SCALE, 0, MAX_X));
    writeU16(target, at + 3, clampInt(player.y * POSITION_SCALE, 0, MAX_Y));
    writeU16(target, at + 5, clampInt(player.vx * VELOCITY_SCALE, -MAX_VELOCITY, MAX_VELOCITY));
    writeU16(target, at + 7, clampInt(player.vy * VELOCITY_SCALE, -MAX_VELOCITY, MAX_VELOCITY));
    writeU16(target, at + 9, clampInt(player.score, 0, MAX_SCORE));
    at += SNAPSHOT_PLAYER_BYTES;
  }
  return length;
}

/** A snapshot in a buffer of its own, ready for `send`. */
export function encodeSnapshot(snapshot: SnapshotMessage): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(snapshotByteLength(snapshot.players.length));
  encodeSnapshotInto(snapshot, bytes);
  return bytes;
}

/** Overwrites the ack seq of an encoded snapshot (the only per-receiver field) in place. */
export function setSnapshotAck(encoded: Uint8Array, ackSeq: number): void {
  ensureRoom(encoded, 0, SNAPSHOT_HEADER_BYTES);
  writeU32(encoded, ACK_OFFSET, ackSeq >>> 0);
}

// --- decoding -------------------------------------------------------------------------------------

/** Why a `state` message was rejected. Decoders never throw and never read past the data. */
export const StateCodecError = {
  /** Not an ArrayBuffer or a typed-array view (e.g. a text frame on the binary channel). */
  notBinary: 'not_binary',
  /** Shorter than its header or than its player count requires. */
  truncated: 'truncated',
  /** Longer than its header and player count say. */
  trailingBytes: 'trailing_bytes',
  /** A codec version this build does not speak: client and server are out of date with each other. */
  unsupportedVersion: 'unsupported_version',
  unknownKind: 'unknown_kind',
  /** A valid kind, but not the one this side receives (e.g. a snapshot sent to the server). */
  wrongKind: 'wrong_kind',
  /** More players than any room can have. */
  badCount: 'bad_count',
  /** A field outside its valid range (direction bits, slot, position, velocity). */
  outOfRange: 'out_of_range',
  duplicateSlot: 'duplicate_slot',
} as const;
export type StateCodecError = (typeof StateCodecError)[keyof typeof StateCodecError];

export interface StateDecodeError {
  readonly code: StateCodecError;
  readonly message: string;
}

export type StateDecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: StateDecodeError };

function fail(code: StateCodecError, message: string): { readonly ok: false; readonly error: StateDecodeError } {
  return { ok: false, error: { code, message } };
}

const KIND_NAMES: Readonly<Record<number, string>> = {
  [StateMessageKind.input]: 'input',
  [StateMessageKind.snapshot]: 'snapshot',
  [StateMessageKind.inputWithHistory]: 'input with history',
};

/**
 * A view of the data plus the checks shared by every kind: binary, version, kind (one of `kinds`),
 * minimum length (`headerBytes` of the kind found).
 */
function openMessage(
  data: unknown,
  kinds: readonly StateMessageKind[],
  headerBytes: (kind: StateMessageKind) => number,
):
  | { readonly ok: true; readonly view: DataView; readonly kind: StateMessageKind }
  | { readonly ok: false; readonly error: StateDecodeError } {
  const kind = kinds[0] as StateMessageKind;
  let view: DataView;
  if (data instanceof ArrayBuffer) view = new DataView(data);
  else if (ArrayBuffer.isView(data)) view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  else return fail(StateCodecError.notBinary, `state message must be binary, got ${typeof data}`);
  const name = KIND_NAMES[kind] ?? String(kind);
  if (view.byteLength < 2)
    return fail(StateCodecError.truncated, `${name} message of ${view.byteLength} bytes has no header`);
  const version = view.getUint8(0);
  if (version !== STATE_CODEC_VERSION) {
    return fail(
      StateCodecError.unsupportedVersion,
      `state codec version ${version} is not supported (this build speaks ${STATE_CODEC_VERSION}); reload the page`,
    );
  }
  const actual = view.getUint8(1);
  const actualName = KIND_NAMES[actual];
  if (actualName === undefined) return fail(StateCodecError.unknownKind, `unknown state message kind ${actual}`);
  const found = kinds.find((candidate) => candidate === actual);
  if (found === undefined)
    return fail(StateCodecError.wrongKind, `expected a ${name} message, got a ${actualName} message`);
  const needed = headerBytes(found);
  if (view.byteLength < needed) {
    return fail(StateCodecError.truncated, `${actualName} header needs ${needed} bytes, got ${view.byteLength}`);
  }
  return { ok: true, view, kind: found };
}

/** Reads and checks an input message, plain or with history (server side). */
export function decodeInput(data: ArrayBuffer | ArrayBufferView): StateDecodeResult<InputMessage> {
  const opened = openMessage(data, [StateMessageKind.input, StateMessageKind.inputWithHistory], (kind) =>
    kind === StateMessageKind.input ? INPUT_MESSAGE_BYTES : INPUT_HISTORY_HEADER_BYTES,
  );
  if (!opened.ok) return opened;
  const { view } = opened;
  const count = opened.kind === StateMessageKind.input ? 0 : view.getUint8(11);
  if (count > MAX_INPUT_HISTORY) {
    return fail(StateCodecError.badCount, `input claims ${count} earlier inputs, at most ${MAX_INPUT_HISTORY} fit`);
  }
  const expected = opened.kind === StateMessageKind.input ? INPUT_MESSAGE_BYTES : INPUT_HISTORY_HEADER_BYTES + count;
  if (view.byteLength < expected) {
    return fail(
      StateCodecError.truncated,
      `input with ${count} earlier inputs needs ${expected} bytes, got ${view.byteLength}`,
    );
  }
  if (view.byteLength > expected) {
    return fail(StateCodecError.trailingBytes, `input message is ${expected} bytes, got ${view.byteLength}`);
  }
  const bits = view.getUint8(6);
  if (bits > DIRECTION_MASK) return fail(StateCodecError.outOfRange, `direction bits ${bits} exceed ${DIRECTION_MASK}`);
  const value = { seq: view.getUint32(2, true), bits, clientTime: view.getUint32(7, true) };
  if (opened.kind === StateMessageKind.input) return { ok: true, value };
  const earlier: number[] = [];
  for (let i = 0; i < count; i++) {
    const held = view.getUint8(INPUT_HISTORY_HEADER_BYTES + i);
    if (held > DIRECTION_MASK) {
      return fail(
        StateCodecError.outOfRange,
        `earlier input ${i + 1}: direction bits ${held} exceed ${DIRECTION_MASK}`,
      );
    }
    earlier.push(held);
  }
  return { ok: true, value: { ...value, earlier } };
}

/** Reads and checks a snapshot (client side). */
export function decodeSnapshot(data: ArrayBuffer | ArrayBufferView): StateDecodeResult<SnapshotMessage> {
  const opened = openMessage(data, [StateMessageKind.snapshot], () => SNAPSHOT_HEADER_BYTES);
  if (!opened.ok) return opened;
  const { view } = opened;
  const count = view.getUint8(14);
  if (count > MAX_PLAYERS_LIMIT) {
    return fail(StateCodecError.badCount, `snapshot claims ${count} players, at most ${MAX_PLAYERS_LIMIT} exist`);
  }
  const expected = snapshotByteLength(count);
  if (view.byteLength < expected) {
    return fail(
      StateCodecError.truncated,
      `snapshot of ${count} players needs ${expected} bytes, got ${view.byteLength}`,
    );
  }
  if (view.byteLength > expected) {
    return fail(
      StateCodecError.trailingBytes,
      `snapshot of ${count} players is ${expected} bytes, got ${view.byteLength}`,
    );
  }
  const players: SnapshotPlayer[] = [];
  let seen = 0;
  for (let i = 0, at = SNAPSHOT_HEADER_BYTES; i < count; i++, at += SNAPSHOT_PLAYER_BYTES) {
    const slot = view.getUint8(at);
    if (slot >= MAX_PLAYERS_LIMIT) return fail(StateCodecError.outOfRange, `player ${i}: slot ${slot} is out of range`);
    if (seen & (1 << slot)) return fail(StateCodecError.duplicateSlot, `player ${i}: slot ${slot} appears twice`);
    seen |= 1 << slot;
    const x = view.getUint16(at + 1, true);
    const y = view.getUint16(at + 3, true);
    if (x > MAX_X || y > MAX_Y) {
      return fail(
        StateCodecError.outOfRange,
        `player ${i}: position (${x}, ${y})/${POSITION_SCALE} is outside the arena`,
      );
    }
    const vx = view.getInt16(at + 5, true);
    const vy = view.getInt16(at + 7, true);
    if (Math.abs(vx) > MAX_VELOCITY || Math.abs(vy) > MAX_VELOCITY) {
      return fail(
        StateCodecError.outOfRange,
        `player ${i}: velocity (${vx}, ${vy})/${VELOCITY_SCALE} exceeds the speed cap`,
      );
    }
    players.push({
      slot,
      x: x / POSITION_SCALE,
      y: y / POSITION_SCALE,
      vx: vx / VELOCITY_SCALE,
      vy: vy / VELOCITY_SCALE,
      score: view.getUint16(at + 9, true),
    });
  }
  return {
    ok: true,
    value: {
      tick: view.getUint32(2, true),
      ackSeq: view.getUint32(ACK_OFFSET, true),
      serverTime: view.getUint32(10, true),
      players,
    },
  };
}
