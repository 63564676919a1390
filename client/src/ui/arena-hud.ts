import type { HudDisplay, HudScore, HudView } from '../game/game-hud.ts';
import { h, paintPlayerColor } from './dom.ts';

export interface ArenaHud extends HudDisplay {
  /** The clock, the scores and the status line; CSS puts it over the arena's top edge, or beside it on a phone. */
  readonly element: HTMLElement;
  /** The intermission's "X wins!", centred over the arena (it goes inside the arena's frame). */
  readonly banner: HTMLElement;
}

/**
 * The game's HUD as page text rather than canvas text, so it stays readable however small the
 * arena is drawn (at least 12 CSS pixels, see styles.css) and can sit outside the arena on a phone
 * instead of over the play. The DOM is only touched when a text changes.
 */
export function createArenaHud(): ArenaHud {
  const clock = h('p', { className: 'arena-hud__clock' });
  const scores = h('ol', { className: 'arena-hud__scores', attrs: { 'aria-label': 'Scores' } });
  const status = h('p', { className: 'arena-hud__status' });
  const element = h('div', { className: 'arena-hud' }, clock, scores, status);
  const bannerText = h('span', { className: 'arena-banner__text' });
  const banner = h('div', { className: 'arena-banner', attrs: { role: 'status' } }, bannerText);
  banner.hidden = true;

  let shownScores = '';
  return {
    element,
    banner,
    show(view: HudView) {
      setText(clock, view.clock);
      setText(status, view.status);
      if (element.dataset.phase !== view.phase) element.dataset.phase = view.phase;
      const key = view.scores.map(
        (score) => `${score.slot}:${score.nickname}:${score.color}:${score.score}:${score.isYou}`,
      );
      if (key.join('|') !== shownScores) {
        shownScores = key.join('|');
        scores.replaceChildren(...view.scores.map(scoreRow));
      }
      banner.hidden = view.banner === null;
      if (view.banner !== null) setText(bannerText, view.banner);
    },
  };
}

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function scoreRow(score: HudScore): HTMLLIElement {
  const row = h(
    'li',
    { className: `arena-hud__score${score.isYou ? ' arena-hud__score--you' : ''}` },
    h('span', { className: 'arena-hud__name' }, score.nickname),
    h('span', { className: 'arena-hud__points' }, String(score.score)),
  );
  paintPlayerColor(row, score.color);
  return row;
}
