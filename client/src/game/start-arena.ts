import Phaser from 'phaser';
import { ArenaPreviewScene } from './arena-preview-scene.ts';
import type { ArenaRoster } from './arena-roster.ts';
import { createGameConfig } from './game-config.ts';

/** A running Phaser game in a page element. */
export interface RunningArena {
  destroy(): void;
}

/**
 * Boots Phaser with the arena preview in `parent`. This module is loaded on demand, so Phaser's
 * weight is only paid when a player enters a room.
 */
export function startArena(parent: HTMLElement, roster: ArenaRoster): RunningArena {
  const game = new Phaser.Game(createGameConfig(parent, [new ArenaPreviewScene(roster)]));
  return {
    destroy() {
      game.destroy(true);
    },
  };
}
