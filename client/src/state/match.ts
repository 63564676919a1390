import {
  GameEvent,
  type GameEventMessage,
  type GameRates,
  isNewerSequence,
  type RoomState as RoundPhase,
  type RoundResult,
  ratesOfSync,
  type SnapshotMessage,
  type StarJson,
} from '@starcatch/shared';

/** One player of the match as the tab knows it: who (from events) and where (from snapshots). */
export interface MatchPlayer {
  readonly slot: number;
  readonly id: string;
  readonly nickname: string;
  readonly color: string;
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

export interface MatchRound {
  readonly phase: RoundPhase;
  readonly round: number;
  /** Local monotonic time (ms) at which the current phase ends; null while waiting. */
  readonly endsAt: number | null;
  /** Winners of the last finished round, by slot; empty while a round is played. */
  readonly winners: readonly number[];
  readonly results: readonly RoundResult[];
}

/** The match in one room: everything the events and snapshots have told this tab. */
export interface Match {
  readonly players: readonly MatchPlayer[];
  readonly stars: readonly StarJson[];
  readonly round: MatchRound;
  /** Tick of the last `sync`: events from before it are already part of it. */
  readonly syncTick: number | null;
  /** Tick of the newest snapshot applied. */
  readonly snapshotTick: number | null;
  /** The room's tick and snapshot rates, from its last `sync`; null before one came. */
  readonly rates: GameRates | null;
}

export const EMPTY_MATCH: Match = {
  players: [],
  stars: [],
  round: { phase: 'waiting', round: 0, endsAt: null, winners: [], results: [] },
  syncTick: null,
  snapshotTick: null,
  rates: null,
};

function isBefore(tick: number, reference: number | null): boolean {
  return reference !== null && isNewerSequence(reference, tick);
}

/**
 * Applies one game event. Events older than the last `sync` are dropped: after a transport switch
 * the same event can arrive on the old path too, and the sync already counts it. `now` is the
 * local monotonic clock, used to turn the event's durations into local deadlines.
 */
export function applyGameEvent(match: Match, event: GameEventMessage, now: number): Match {
  if (event.type === GameEvent.sync) {
    const previous = new Map(match.players.map((player) => [player.slot, player]));
    return {
      ...match,
      syncTick: event.tick,
      rates: ratesOfSync(event),
      stars: event.stars,
      round: {
        ...match.round,
        phase: event.round.phase,
        round: event.round.round,
        endsAt: event.round.phase === 'waiting' ? null : now + event.round.remaining_ms,
      },
      players: event.players.map((player) => ({
        slot: player.slot,
        id: player.user_id,
        nickname: player.nickname,
        color: player.color,
        score: player.score,
        x: previous.get(player.slot)?.x ?? 0,
        y: previous.get(player.slot)?.y ?? 0,
      })),
    };
  }
  if (isBefore(event.tick, match.syncTick)) return match;
  switch (event.type) {
    case GameEvent.starSpawned:
      if (match.stars.some((star) => star.id === event.star.id)) return match;
      return { ...match, stars: [...match.stars, event.star] };
    case GameEvent.starCollected:
      return { ...match, stars: match.stars.filter((star) => star.id !== event.star_id) };
    case GameEvent.scoreChanged:
      return {
        ...match,
        players: match.players.map((player) =>
          player.slot === event.slot ? { ...player, score: event.score } : player,
        ),
      };
    case GameEvent.roundStarted:
      return {
        ...match,
        stars: [],
        players: match.players.map((player) => ({ ...player, score: 0 })),
        round: { phase: 'playing', round: event.round, endsAt: now + event.duration_ms, winners: [], results: [] },
      };
    case GameEvent.roundEnded:
      return {
        ...match,
        stars: [],
        round: {
          phase: 'intermission',
          round: event.round,
          endsAt: now + event.next_round_in_ms,
          winners: event.winners,
          results: event.results,
        },
      };
    case GameEvent.playerJoined: {
      const others = match.players.filter((player) => player.slot !== event.slot);
      const joined: MatchPlayer = {
        slot: event.slot,
        id: event.user_id,
        nickname: event.nickname,
        color: event.color,
        score: 0,
        x: 0,
        y: 0,
      };
      return { ...match, players: [...others, joined].sort((a, b) => a.slot - b.slot) };
    }
    case GameEvent.playerLeft:
      return { ...match, players: match.players.filter((player) => player.slot !== event.slot) };
    default:
      return match;
  }
}

/** Copies a snapshot's positions and scores into the match; stale ticks are ignored. */
export function applySnapshot(match: Match, snapshot: SnapshotMessage): Match {
  if (match.snapshotTick !== null && !isNewerSequence(snapshot.tick, match.snapshotTick)) return match;
  const bySlot = new Map(snapshot.players.map((player) => [player.slot, player]));
  return {
    ...match,
    snapshotTick: snapshot.tick,
    players: match.players.map((player) => {
      const state = bySlot.get(player.slot);
      return state ? { ...player, x: state.x, y: state.y, score: state.score } : player;
    }),
  };
}
