import { ARENA_HEIGHT, ARENA_WIDTH } from '@starcatch/shared';
import Phaser from 'phaser';

/**
 * The preview shows a still arena with gently pulsing ships; 30 frames a second is plenty for that
 * and leaves the CPU to the other tabs and the chat. The game issue raises it for real play.
 */
export const PREVIEW_FPS = 30;

/**
 * The game canvas has half the arena's resolution (800×500 pixels, scaled up by CSS): with software
 * WebGL the full 1600×1000 cost most of each frame, and a busy main thread delays inputs and
 * snapshots by hundreds of ms (measured in the e2e run, two room tabs on two cores).
 */
export const GAME_PIXELS_PER_UNIT = 0.5;

/** The arena's own colour, behind the walls (and while the canvas boots). */
export const ARENA_BACKGROUND = '#060918';

/**
 * The one Phaser configuration: the arena's world size (1600×1000 units) scaled to fit its frame,
 * WebGL where available (Canvas otherwise), no audio yet, and the scenes it is given.
 */
export function createGameConfig(
  parent: HTMLElement,
  scenes: Phaser.Scene[],
  /** Canvas pixels per world unit; a scene drawn at less than 1 must zoom its camera to match. */
  pixelsPerUnit = 1,
): Phaser.Types.Core.GameConfig {
  return {
    // The game draws with the Canvas renderer: with software WebGL (no GPU, as in CI) each frame
    // blocked the main thread for 130–190 ms, with Canvas 7–10 ms (p50), measured in one room tab.
    type: pixelsPerUnit === 1 ? Phaser.AUTO : Phaser.CANVAS,
    parent,
    backgroundColor: ARENA_BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    fps: { target: PREVIEW_FPS, limit: PREVIEW_FPS },
    render: { antialias: true },
    scale: {
      mode: Phaser.Scale.FIT,
      autoCenter: Phaser.Scale.CENTER_BOTH,
      width: ARENA_WIDTH * pixelsPerUnit,
      height: ARENA_HEIGHT * pixelsPerUnit,
    },
    scene: scenes,
  };
}
