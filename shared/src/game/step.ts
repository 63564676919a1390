import { ARENA_MAP, type ArenaMap } from './arena-map.ts';
import { MAX_STARS, STAR_RESPAWN_SECONDS, TIMER_EPSILON_SECONDS } from './constants.ts';
import {
  GameEvent,
  type RoundEndedEvent,
  type RoundResult,
  type RoundStartedEvent,
  type ScoreChangedEvent,
  type StarCollectedEvent,
  type StarSpawnedEvent,
} from './events.ts';
import type { GameState, PlayerState, Star } from './game-state.ts';
import { SeededRandom } from './random.ts';
import { advanceRoundClock, DEFAULT_ROUND_TIMING, type RoundTiming, RoundTransition } from './round-clock.ts';
import { stepShip } from './ship.ts';
import { findPickups, findStarSpot } from './stars.ts';

/** Direction bits per slot (index = slot); a missing entry means no key held. */
export type InputsBySlot = ReadonlyArray<number | undefined>;

/** The events a step can produce, ready to send on the `events` channel as they are. */
export type StepEvent = StarSpawnedEvent | StarCollectedEvent | ScoreChangedEvent | RoundStartedEvent | RoundEndedEvent;

export interface StepResult {
  readonly state: GameState;
  /** In the order they happened; all stamped with the new state's tick. */
  readonly events: readonly StepEvent[];
}

export interface StepOptions {
  readonly map?: ArenaMap;
  readonly timing?: RoundTiming;
}

/** Final standings: best score first, ties by slot (the same order everywhere). */
export function roundResults(players: readonly PlayerState[]): RoundResult[] {
  return players
    .map((player) => ({ slot: player.slot, user_id: player.id, score: player.score }))
    .sort((a, b) => b.score - a.score || a.slot - b.slot);
}

/** Slots sharing the top score; nobody wins a round in which nobody scored. */
export function roundWinners(results: readonly RoundResult[]): number[] {
  const best = results[0]?.score ?? 0;
  if (best === 0) return [];
  return results.filter((result) => result.score === best).map((result) => result.slot);
}

/**
 * One tick of a room: round clock, ship movement, star pickups and star respawns. Pure and
 * deterministic: the same state, inputs and `dt` always give the same result (randomness comes
 * from the seeded generator inside the state), so the server can log and replay a room.
 *
 * Order within a tick: the round clock first (a round that ends this tick gets no pickups in it),
 * then every ship moves, then pickups are scored on the new positions, then missing stars respawn
 * away from the ships' new positions.
 */
export function step(state: GameState, inputs: InputsBySlot, dt: number, options: StepOptions = {}): StepResult {
  const map = options.map ?? ARENA_MAP;
  const tick = state.tick + 1;
  // A NaN or negative dt (a caller's bug) must not run timers backwards.
  const elapsed = Number.isNaN(dt) ? 0 : Math.max(dt, 0);
  const events: StepEvent[] = [];
  const { clock, transition } = advanceRoundClock(
    state.round,
    state.players.length,
    elapsed,
    options.timing ?? DEFAULT_ROUND_TIMING,
  );

  let players = state.players;
  let stars = state.stars;
  let starTimers = state.starTimers;
  if (transition === RoundTransition.started) {
    players = players.map((player) => (player.score === 0 ? player : { ...player, score: 0 }));
    stars = [];
    // All timers at zero: the whole set of stars appears on the first tick of the round.
    starTimers = new Array<number>(MAX_STARS).fill(0);
    events.push({
      type: GameEvent.roundStarted,
      tick,
      round: clock.round,
      duration_ms: Math.round(clock.remaining * 1000),
    });
  } else if (transition === RoundTransition.ended) {
    const results = roundResults(players);
    events.push({
      type: GameEvent.roundEnded,
      tick,
      round: clock.round,
      results,
      winners: roundWinners(results),
      next_round_in_ms: Math.round(clock.remaining * 1000),
    });
  }
  if (clock.phase !== 'playing') {
    stars = [];
    starTimers = [];
  }

  players = players.map((player) => {
    const moved = stepShip(player, inputs[player.slot] ?? 0, dt, map);
    return { ...player, ...moved };
  });

  let nextStarId = state.nextStarId;
  let random = state.random;
  if (clock.phase === 'playing') {
    const pickups = findPickups(players, stars);
    if (pickups.length > 0) {
      const scores = new Map(players.map((player) => [player.slot, player.score]));
      for (const pickup of pickups) {
        const score = (scores.get(pickup.slot) ?? 0) + 1;
        scores.set(pickup.slot, score);
        events.push({ type: GameEvent.starCollected, tick, star_id: pickup.star.id, slot: pickup.slot });
        events.push({ type: GameEvent.scoreChanged, tick, slot: pickup.slot, score });
      }
      players = players.map((player) => {
        const score = scores.get(player.slot) ?? player.score;
        return score === player.score ? player : { ...player, score };
      });
      const taken = new Set(pickups.map((pickup) => pickup.star));
      stars = stars.filter((star) => !taken.has(star));
    }

    const timers: number[] = [];
    const spawned: Star[] = [];
    const generator = new SeededRandom(random);
    for (const timer of starTimers) {
      const left = timer - elapsed;
      if (left > TIMER_EPSILON_SECONDS) {
        timers.push(left);
        continue;
      }
      const spot = findStarSpot(map, generator, players, [...stars, ...spawned]);
      if (!spot) {
        timers.push(0);
        continue;
      }
      const star: Star = { id: nextStarId, x: spot.x, y: spot.y };
      nextStarId += 1;
      spawned.push(star);
      events.push({ type: GameEvent.starSpawned, tick, star });
    }
    // A star taken this tick starts its full delay now; it is not counted down in the same tick.
    for (let i = 0; i < pickups.length; i++) timers.push(STAR_RESPAWN_SECONDS);
    random = generator.state;
    stars = spawned.length > 0 ? [...stars, ...spawned] : stars;
    starTimers = timers;
  }

  return { state: { tick, players, stars, starTimers, nextStarId, random, round: clock }, events };
}
