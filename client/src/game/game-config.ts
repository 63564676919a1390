import { ARENA_HEIGHT, ARENA_WIDTH } from '@starcatch/shared';
import Phaser from 'phaser';

/**
 * The preview shows a still arena with gently pulsing ships; 30 frames a second is plenty for that
 * and leaves the CPU to the other tabs and the chat. The game issue raises it for real play.
 */
export const PREVIEW_FPS = 30;

/** The arena's own colour, behind the walls (and while the canvas boots). */
export const ARENA_BACKGROUND = '#060918';

/**
 * The one Phaser configuration: the arena's world size (1600×1000 units) scaled to fit its frame,
 * WebGL where available (Canvas otherwise), no audio yet, and the scenes it is given.
 */
export function createGameConfig(parent: HTMLElement, scenes: Phaser.Scene[]): Phaser.Types.Core.GameConfig {
  return {
    type: Phaser.AUTO,
    parent,
    backgroundColor: ARENA_BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    fps: { target: PREVIEW_FPS, limit: PREVIEW_FPS },
    render: { antialias: true },
    scale: {
      mode: Phaser.Scale.FIT,
      autoCenter: Phaser.Scale.CENTER_BOTH,
      width: ARENA_WIDTH,
      height: ARENA_HEIGHT,
    },
    scene: scenes,
  };
}
