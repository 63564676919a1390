import { ARENA_HEIGHT, ARENA_WIDTH } from '@starcatch/shared';
import Phaser from 'phaser';
import type { RenderProfile } from './render-profile.ts';

/**
 * The preview shows a still arena with gently pulsing ships; 30 frames a second is plenty for that
 * and leaves the CPU to the other tabs and the chat. The game itself runs at its render profile's rate.
 */
export const PREVIEW_FPS = 30;

/** The arena's own colour, behind the walls (and while the canvas boots). */
export const ARENA_BACKGROUND = '#060918';

/** The preview's drawing: WebGL where available (Canvas otherwise), full resolution, 30 fps. */
export const PREVIEW_PROFILE: Pick<RenderProfile, 'renderer' | 'pixelsPerUnit' | 'fps'> = {
  renderer: 'webgl',
  pixelsPerUnit: 1,
  fps: PREVIEW_FPS,
};

/**
 * The one Phaser configuration: the arena's world size (1600×1000 units) scaled to fit its frame,
 * drawn as `profile` says (see render-profile.ts), no Phaser audio, and the scenes it is given.
 */
export function createGameConfig(
  parent: HTMLElement,
  scenes: Phaser.Scene[],
  profile: Pick<RenderProfile, 'renderer' | 'pixelsPerUnit' | 'fps'>,
): Phaser.Types.Core.GameConfig {
  const { pixelsPerUnit } = profile;
  return {
    // AUTO still falls back to Canvas where WebGL is missing.
    type: profile.renderer === 'webgl' ? Phaser.AUTO : Phaser.CANVAS,
    parent,
    backgroundColor: ARENA_BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    fps: { target: profile.fps, limit: profile.fps },
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
