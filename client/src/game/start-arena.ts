import Phaser from 'phaser';
import { ArenaPreviewScene } from './arena-preview-scene.ts';
import type { ArenaRoster } from './arena-roster.ts';
import { createGameConfig, PREVIEW_PROFILE } from './game-config.ts';
import { GameScene, type GameSceneDeps } from './game-scene.ts';
import { detectRenderProfile } from './render-profile.ts';

/** A running Phaser game in a page element. */
export interface RunningArena {
  destroy(): void;
}

/**
 * Boots Phaser in `parent`: the game when it is given the game's dependencies, else the still
 * preview of the roster. This module is loaded on demand, so Phaser's weight is only paid when a
 * player enters a room.
 */
export function startArena(parent: HTMLElement, roster: ArenaRoster, game?: GameSceneDeps): RunningArena {
  const running = game
    ? new Phaser.Game(createGameConfig(parent, [new GameScene(game)], detectRenderProfile()))
    : new Phaser.Game(createGameConfig(parent, [new ArenaPreviewScene(roster)], PREVIEW_PROFILE));
  return {
    destroy() {
      running.destroy(true);
    },
  };
}
