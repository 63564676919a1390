import type { LeaderboardEntry } from '@starcatch/shared';
import type { LobbyState, LobbyStore } from '../state/lobby-store.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/** Rows shown: the podium and a few more, without pushing the chat off a laptop screen. */
export const LEADERBOARD_ROWS = 8;
/** Other rooms finish rounds too: a slow refresh keeps the table honest without a push channel. */
const REFRESH_MS = 30_000;
/** A round's results are saved just after its room turns to intermission. */
const AFTER_ROUND_MS = 1_000;

export interface LeaderboardPanelDeps {
  readonly lobby: LobbyStore;
  readonly load: (limit: number) => Promise<LeaderboardEntry[]>;
  readonly youId: string;
}

/**
 * The best pilots over every finished round: stars caught, then wins. Loaded when the lobby opens,
 * again whenever a room in the list reaches its intermission (a round just ended), and every 30 s.
 */
export function createLeaderboardPanel({ lobby, load, youId }: LeaderboardPanelDeps): Screen {
  const list = h('ol', { className: 'leaderboard', attrs: { 'aria-label': 'Leaderboard' } });
  const empty = h('p', { className: 'panel__empty' }, 'Loading…');
  const element = h(
    'section',
    { className: 'panel panel--leaderboard', attrs: { 'aria-labelledby': 'leaderboard-heading' } },
    h(
      'header',
      { className: 'panel__head' },
      h('h2', { className: 'panel__title', attrs: { id: 'leaderboard-heading' } }, 'Leaderboard'),
      h('span', { className: 'panel__hint' }, 'stars · wins'),
    ),
    list,
    empty,
  );

  let disposed = false;
  let latest = 0;
  async function refresh(): Promise<void> {
    const request = ++latest;
    try {
      const rows = await load(LEADERBOARD_ROWS);
      if (disposed || request !== latest) return;
      list.replaceChildren(...rows.map((row) => leaderboardRow(row, row.user_id === youId)));
      empty.textContent = rows.length === 0 ? 'No finished rounds yet. Be the first on the board!' : '';
      empty.hidden = rows.length > 0;
    } catch {
      // Keep the last table; say so only if there is none.
      if (disposed || request !== latest || list.childElementCount > 0) return;
      empty.textContent = 'The leaderboard is out of reach right now.';
    }
  }

  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  let pending: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = lobby.subscribe((next: LobbyState, previous: LobbyState) => {
    if (!roundEnded(previous, next) || pending !== undefined) return;
    pending = setTimeout(() => {
      pending = undefined;
      void refresh();
    }, AFTER_ROUND_MS);
  });

  return {
    element,
    dispose() {
      disposed = true;
      clearInterval(timer);
      if (pending !== undefined) clearTimeout(pending);
      unsubscribe();
    },
  };
}

/** Some room in the list went from playing to intermission. */
export function roundEnded(previous: LobbyState, next: LobbyState): boolean {
  if (next.rooms === previous.rooms) return false;
  const before = new Map(previous.rooms.map((room) => [room.id, room.state]));
  return next.rooms.some((room) => room.state === 'intermission' && before.get(room.id) === 'playing');
}

function leaderboardRow(entry: LeaderboardEntry, isYou: boolean): HTMLLIElement {
  return h(
    'li',
    { className: `leaderboard__row${isYou ? ' leaderboard__row--you' : ''}` },
    h('span', { className: 'leaderboard__rank' }, String(entry.rank)),
    h('span', { className: 'leaderboard__name' }, entry.nickname),
    h(
      'span',
      { className: 'leaderboard__stars', attrs: { title: `${entry.rounds} rounds played` } },
      `★ ${entry.stars}`,
    ),
    h('span', { className: 'leaderboard__wins' }, `${entry.wins} ${entry.wins === 1 ? 'win' : 'wins'}`),
  );
}
