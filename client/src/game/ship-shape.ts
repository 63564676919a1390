import type Phaser from 'phaser';

/**
 * Draws the player's ship, nose along +x, centred on the graphics' origin: two shaded halves and
 * a white outline, so ships of similar colours still read apart.
 */
export function drawShip(graphics: Phaser.GameObjects.Graphics, color: number, length: number): void {
  const half = length / 2;
  graphics.fillStyle(color, 1);
  graphics.fillTriangle(half, 0, -half, -half * 0.75, -half * 0.45, 0);
  graphics.fillStyle(color, 0.75);
  graphics.fillTriangle(half, 0, -half * 0.45, 0, -half, half * 0.75);
  graphics.lineStyle(2, 0xffffff, 0.85);
  graphics.strokeTriangle(half, 0, -half, -half * 0.75, -half, half * 0.75);
}
