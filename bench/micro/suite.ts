import {
  addPlayer,
  createGameState,
  Direction,
  decodeInput,
  decodeSnapshot,
  encodeInput,
  encodeSnapshot,
  encodeSnapshotInto,
  type GameState,
  type SnapshotMessage,
  snapshotByteLength,
  step,
  TICK_SECONDS,
} from '@starcatch/shared';
import { type MicroOptions, type MicroResult, measure } from './harness.ts';

const PLAYERS = 8;

function eightPlayerState(): GameState {
  let state = createGameState(0x5eed);
  for (let slot = 0; slot < PLAYERS; slot++) state = addPlayer(state, slot, `player-${slot}`);
  return state;
}

function snapshotOf(state: GameState): SnapshotMessage {
  return {
    tick: state.tick,
    ackSeq: 4242,
    serverTime: 123_456,
    players: state.players.map((p) => ({ slot: p.slot, x: p.x, y: p.y, vx: p.vx, vy: p.vy, score: p.score })),
  };
}

/** Direction masks the step benchmark cycles through, changing every few ticks like held keys. */
const MOVES = [
  Direction.up,
  Direction.up | Direction.right,
  Direction.right,
  Direction.down | Direction.right,
  Direction.down,
  Direction.down | Direction.left,
  Direction.left,
  Direction.up | Direction.left,
  0,
];

/** Codec and simulation micro-benchmarks, each on a room of 8 players. */
export function runMicroSuite(options: MicroOptions): MicroResult[] {
  // A state some way into a round, with ships moving, so the snapshot is not all zeros.
  let state = eightPlayerState();
  for (let i = 0; i < 120; i++) {
    state = step(
      state,
      Array.from({ length: PLAYERS }, (_, slot) => MOVES[(slot + i) % MOVES.length]),
      TICK_SECONDS,
    ).state;
  }
  const snapshot = snapshotOf(state);
  const scratch = new Uint8Array(snapshotByteLength(PLAYERS));
  const encodedSnapshot = encodeSnapshot(snapshot);
  const encodedInput = encodeInput({ seq: 1, bits: Direction.left, clientTime: 987_654 });
  const inputs: (number | undefined)[] = new Array(PLAYERS).fill(0);

  const results: MicroResult[] = [];
  results.push(measure('encodeSnapshotInto (8 players)', () => encodeSnapshotInto(snapshot, scratch), options));
  results.push(measure('decodeSnapshot (8 players)', () => decodeSnapshot(encodedSnapshot), options));
  results.push(
    measure('encodeInput', (i) => encodeInput({ seq: i + 1, bits: i & 0b1111, clientTime: i * 33 }), options),
  );
  results.push(measure('decodeInput', () => decodeInput(encodedInput), options));

  let simulated = state;
  results.push(
    measure(
      'step (8 players)',
      (i) => {
        for (let slot = 0; slot < PLAYERS; slot++) inputs[slot] = MOVES[((i >> 4) + slot) % MOVES.length];
        simulated = step(simulated, inputs, TICK_SECONDS).state;
        return simulated;
      },
      // The step is far heavier than the codecs: fewer calls in the same time cap.
      { ...options, warmup: Math.ceil(options.warmup / 10), iterations: Math.ceil(options.iterations / 10) },
    ),
  );
  return results;
}
