import { STAR_RADIUS } from '@starcatch/shared';
import type Phaser from 'phaser';

/** The soft halo round each star: its radius (in star radii), colour and opacity. */
const HALO_SCALE = 1.8;
const HALO_COLOR = 0xfff3b0;
const HALO_ALPHA = 0.2;
const STAR_COLOR = 0xffe066;

/** The stars on the field, redrawn into one graphics object every frame. */
export class StarLayer {
  readonly #graphics: Phaser.GameObjects.Graphics;

  constructor(scene: Phaser.Scene) {
    this.#graphics = scene.add.graphics();
  }

  draw(stars: readonly { readonly x: number; readonly y: number }[]): void {
    const graphics = this.#graphics;
    graphics.clear();
    for (const star of stars) {
      graphics.fillStyle(HALO_COLOR, HALO_ALPHA);
      graphics.fillCircle(star.x, star.y, STAR_RADIUS * HALO_SCALE);
      graphics.fillStyle(STAR_COLOR, 1);
      graphics.fillCircle(star.x, star.y, STAR_RADIUS);
    }
  }
}
