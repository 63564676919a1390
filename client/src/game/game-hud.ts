import type { PlayerTransport, RoomState as RoundPhase } from '@starcatch/shared';
import type { Match } from '../state/match.ts';

/** How often the HUD is recomputed (and the netcode figures reported): a few times a second is plenty. */
export const HUD_REFRESH_MS = 250;

/** One line of the scoreboard. */
export interface HudScore {
  readonly slot: number;
  readonly nickname: string;
  readonly color: string;
  readonly score: number;
  readonly isYou: boolean;
}

/**
 * What the HUD says, worked out by the game; how it looks is the page's (`ui/arena-hud.ts`, laid
 * out in CSS for the desktop, a phone held upright and one held sideways).
 */
export interface HudView {
  /** `ping 23 ms · webrtc · 60 fps`. */
  readonly status: string;
  readonly phase: RoundPhase;
  /** `Round 2 · 1:23`, `Waiting for players` or `Next round in 0:04`. */
  readonly clock: string;
  /** Best first (ties by slot). */
  readonly scores: readonly HudScore[];
  /** `Nova wins!` during the intermission, else null. */
  readonly banner: string | null;
}

/** Where the HUD is shown; the scene hands it a new view a few times a second. */
export interface HudDisplay {
  show(view: HudView): void;
}

/** What the HUD's status line reads besides the match. */
export interface HudReadings {
  /** The network round trip of the path in use; null until measured. */
  readonly networkRtt: number | null;
  /** The path the game traffic takes; null while there is no link. */
  readonly transport: PlayerTransport | null;
  readonly fps: number;
}

/** Whole seconds left in the round's phase at `now` (monotonic ms); null while waiting. */
export function secondsLeft(match: Match, now: number): number | null {
  const { endsAt } = match.round;
  return endsAt === null ? null : Math.max(0, Math.ceil((endsAt - now) / 1000));
}

/** The HUD for `match` at `now` (monotonic ms), as `youId` sees it. */
export function describeHud(match: Match, readings: HudReadings, youId: string, now: number): HudView {
  const ping = readings.networkRtt === null ? '–' : `${Math.round(readings.networkRtt)} ms`;
  const status = `ping ${ping} · ${readings.transport ?? 'offline'} · ${Math.round(readings.fps)} fps`;

  const { round } = match;
  const left = secondsLeft(match, now);
  const time = left === null ? '' : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  const clock =
    round.phase === 'playing'
      ? `Round ${round.round} · ${time}`
      : round.phase === 'waiting'
        ? 'Waiting for players'
        : `Next round in ${time}`;

  const scores = [...match.players]
    .sort((a, b) => b.score - a.score || a.slot - b.slot)
    .map(({ slot, nickname, color, score, id }) => ({ slot, nickname, color, score, isYou: id === youId }));

  let banner: string | null = null;
  if (round.phase === 'intermission') {
    const winners = match.players.filter((player) => round.winners.includes(player.slot));
    banner = winners.length === 0 ? 'Nobody scored' : `${winners.map((player) => player.nickname).join(' & ')} wins!`;
  }
  return { status, phase: round.phase, clock, scores, banner };
}
