import { type ArenaMap, SeededRandom } from '@starcatch/shared';
import type Phaser from 'phaser';

/** Grid spacing on the arena floor, in world units. */
const GRID_STEP = 100;
/** Background specks; fixed seed so every tab draws the same sky. */
const SPECK_COUNT = 140;
const SPECK_SEED = 0x5eed;

/** The still part of the arena, shared by the preview and the game: floor grid, sky specks, walls. */
export function drawArenaBackdrop(scene: Phaser.Scene, map: ArenaMap): Phaser.GameObjects.Graphics[] {
  return [drawFloor(scene, map), drawWalls(scene, map)];
}

function drawFloor(scene: Phaser.Scene, map: ArenaMap): Phaser.GameObjects.Graphics {
  const { width, height } = map;
  const floor = scene.add.graphics();
  floor.lineStyle(1, 0x5fd8ff, 0.06);
  for (let x = GRID_STEP; x < width; x += GRID_STEP) floor.lineBetween(x, 0, x, height);
  for (let y = GRID_STEP; y < height; y += GRID_STEP) floor.lineBetween(0, y, width, y);

  const specks = new SeededRandom(SPECK_SEED);
  const random = () => specks.next();
  for (let i = 0; i < SPECK_COUNT; i++) {
    const bright = random() < 0.15;
    floor.fillStyle(bright ? 0xfff3b0 : 0xc8d4ff, bright ? 0.7 : 0.25 + random() * 0.25);
    floor.fillCircle(random() * width, random() * height, bright ? 2 : 1.2);
  }
  return floor;
}

function drawWalls(scene: Phaser.Scene, map: ArenaMap): Phaser.GameObjects.Graphics {
  const walls = scene.add.graphics();
  const [top, bottom, left, right, ...inner] = map.walls;
  // The outer wall is one glowing frame rather than four blocks.
  if (top && bottom && left && right) {
    const t = top.height;
    walls.fillStyle(0x141b44, 1);
    for (const wall of [top, bottom, left, right]) walls.fillRect(wall.x, wall.y, wall.width, wall.height);
    walls.lineStyle(6, 0x5fd8ff, 0.12);
    walls.strokeRect(t, t, map.width - 2 * t, map.height - 2 * t);
    walls.lineStyle(2, 0x5fd8ff, 0.7);
    walls.strokeRect(t, t, map.width - 2 * t, map.height - 2 * t);
  }
  for (const wall of inner) {
    walls.fillStyle(0x1a2256, 1);
    walls.fillRoundedRect(wall.x, wall.y, wall.width, wall.height, 6);
    walls.lineStyle(6, 0x8f7bff, 0.14);
    walls.strokeRoundedRect(wall.x, wall.y, wall.width, wall.height, 6);
    walls.lineStyle(2, 0xa99bff, 0.75);
    walls.strokeRoundedRect(wall.x, wall.y, wall.width, wall.height, 6);
  }
  return walls;
}
