import { MAX_PLAYERS_LIMIT, type NetworkImpairment } from '@starcatch/shared';
import { type ArenaPilot, type ArenaRoster, seatPilots } from '../game/arena-roster.ts';
import type { GameSceneDeps } from '../game/game-scene.ts';
import type { RunningArena } from '../game/start-arena.ts';
import type { RoomState, RoomStore } from '../state/room-store.ts';
import { createArenaHud } from './arena-hud.ts';
import { h } from './dom.ts';
import { createImpairmentPanel } from './impairment-panel.ts';
import type { Screen } from './screen.ts';
import { createTouchPad } from './touch-pad.ts';

export interface ArenaViewDeps {
  readonly room: RoomStore;
  readonly youId: string;
  /** What the game scene reads; without it the arena shows the still preview. */
  readonly game?: GameSceneDeps;
  /** The tab's simulated bad network, edited in the F3 overlay's panel (game only). */
  readonly impairment?: NetworkImpairment;
}

/**
 * The frame the Phaser game runs in, with an overlay while the room is being (re)joined. Phaser is
 * loaded on first use; the roster handed to the scene is read from the room store, so the scene
 * never sees a store or a socket. In a game the view also holds the HUD and the touch pad, which
 * the scene is handed (styles.css lays the three out for a desktop and for a phone either way up).
 */
export function createArenaView({ room, youId, game, impairment }: ArenaViewDeps): Screen {
  const stage = h('div', { className: 'arena__stage' });
  const overlayText = h('span', { className: 'arena__overlay-text' });
  const overlay = h(
    'div',
    { className: 'arena__overlay', attrs: { role: 'status' } },
    h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    overlayText,
  );
  const hud = game ? createArenaHud() : null;
  const pad = game ? createTouchPad() : null;
  const frame = h(
    'div',
    { className: 'arena', attrs: { role: 'img', 'aria-label': 'The arena with every crew member’s ship' } },
    stage,
    hud?.banner,
    overlay,
  );
  const element = h('div', { className: 'arena-view' }, hud?.element, frame, pad?.element);
  const panel = game && impairment ? createImpairmentPanel(impairment) : null;
  if (panel) frame.append(panel.element);
  const scene: GameSceneDeps | undefined = game && {
    ...game,
    ...(hud && { hud }),
    ...(pad && { steering: pad }),
    overlayToggled: (visible) => {
      game.overlayToggled?.(visible);
      panel?.show(visible);
    },
  };

  let pilots: readonly ArenaPilot[] = [];
  const listeners = new Set<() => void>();
  const roster: ArenaRoster = {
    pilots: () => pilots,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  let shown: RoomState | null = null;
  function render(state: RoomState): void {
    if (state.members !== shown?.members || state.slot !== shown.slot) {
      pilots = seatPilots(state.members, youId, state.slot, MAX_PLAYERS_LIMIT);
      for (const listener of listeners) listener();
    }
    shown = state;
    const busy = state.status === 'joining' || state.status === 'rejoining';
    overlay.hidden = !busy;
    overlayText.textContent = state.status === 'rejoining' ? 'Reconnecting to the room…' : 'Docking with the room…';
  }
  render(room.getState());
  const unsubscribe = room.subscribe(render);

  let disposed = false;
  let arena: RunningArena | null = null;
  import('../game/start-arena.ts').then(
    ({ startArena }) => {
      if (!disposed) arena = startArena(stage, roster, scene);
    },
    () => {
      stage.textContent = 'The arena could not be loaded. Reload the page to try again.';
    },
  );

  return {
    element,
    dispose() {
      disposed = true;
      unsubscribe();
      panel?.dispose();
      pad?.dispose();
      listeners.clear();
      arena?.destroy();
    },
  };
}
