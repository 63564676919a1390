import { ARENA_MAP, type ArenaMap, spawnPointFor, WALL_THICKNESS } from '@starcatch/shared';
import Phaser from 'phaser';
import { drawArenaBackdrop } from './arena-backdrop.ts';
import type { ArenaPilot, ArenaRoster } from './arena-roster.ts';
import { drawShip } from './ship-shape.ts';

/** Ship size (nose to tail), in world units: drawn larger than its collision radius (16) to read well when the arena is scaled down. */
const SHIP_LENGTH = 52;
/** How far from the ship's centre its name tag sits (below it, or above it in the lower half). */
const TAG_OFFSET = 50;
/** Space kept between a name tag and the outer wall. */
const TAG_MARGIN = 8;

/**
 * The room's placeholder scene until the game arrives: the arena from the shared map (floor grid,
 * outer wall, inner walls) and every member's ship on a spawn point with a name tag in their
 * colour. It draws from the roster it is given and redraws the ships when the roster changes.
 *
 * Nothing moves yet, so the scene renders on demand: after a change it lets one frame through and
 * puts the game loop to sleep. Measured in the e2e run (four room tabs, software WebGL on two
 * cores): a loop left running at 30 fps made chat replies take 0.4–0.9 s instead of tens of ms.
 */
export class ArenaPreviewScene extends Phaser.Scene {
  readonly #roster: ArenaRoster;
  readonly #map: ArenaMap;
  #ships: Phaser.GameObjects.Container | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(roster: ArenaRoster, map: ArenaMap = ARENA_MAP) {
    super({ key: 'ArenaPreviewScene' });
    this.#roster = roster;
    this.#map = map;
  }

  create(): void {
    drawArenaBackdrop(this, this.#map);
    this.#drawCaption();
    this.#ships = this.add.container(0, 0);
    this.#drawShips(this.#roster.pilots());
    this.#unsubscribe = this.#roster.subscribe(() => {
      this.game.loop.wake();
      this.#drawShips(this.#roster.pilots());
      this.#sleepAfterNextFrame();
    });
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.#stopListening());
    this.events.once(Phaser.Scenes.Events.DESTROY, () => this.#stopListening());
    this.#sleepAfterNextFrame();
  }

  #sleepAfterNextFrame(): void {
    this.game.events.off(Phaser.Core.Events.POST_RENDER, this.#sleep, this);
    this.game.events.once(Phaser.Core.Events.POST_RENDER, this.#sleep, this);
  }

  #sleep(): void {
    this.game.loop.sleep();
  }

  #stopListening(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #drawCaption(): void {
    const { width, height } = this.#map;
    this.add
      .text(width / 2, height / 2 - 110, 'WARM-UP', {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '30px',
        fontStyle: 'bold',
        color: '#9aa4c7',
      })
      .setOrigin(0.5)
      .setAlpha(0.55)
      .setLetterSpacing(8);
  }

  #drawShips(pilots: readonly ArenaPilot[]): void {
    const layer = this.#ships;
    if (!layer) return;
    layer.removeAll(true);
    const centreX = this.#map.width / 2;
    const centreY = this.#map.height / 2;
    for (const pilot of pilots) {
      const spawn = spawnPointFor(this.#map, pilot.slot);
      const color = Phaser.Display.Color.HexStringToColor(pilot.color).color;
      const heading = Math.atan2(centreY - spawn.y, centreX - spawn.x);

      if (pilot.isYou) {
        const halo = this.add.circle(spawn.x, spawn.y, 50);
        halo.setStrokeStyle(2, color, 0.35);
        const ring = this.add.circle(spawn.x, spawn.y, 42);
        ring.setStrokeStyle(3, color, 0.9);
        layer.add([halo, ring]);
      }

      const glow = this.add.circle(spawn.x, spawn.y, 38, color, 0.16);
      const ship = this.add.graphics({ x: spawn.x, y: spawn.y });
      drawShip(ship, color, SHIP_LENGTH);
      ship.setRotation(heading);

      // Tags point into the arena, so none runs into the outer wall.
      const below = spawn.y < this.#map.height / 2;
      const tag = this.add
        .text(spawn.x, spawn.y + (below ? TAG_OFFSET : -TAG_OFFSET), pilot.nickname, {
          fontFamily: 'system-ui, sans-serif',
          fontSize: '30px',
          fontStyle: 'bold',
          color: pilot.color,
          backgroundColor: 'rgba(4, 6, 15, 0.78)',
          padding: { x: 12, y: 5 },
        })
        .setOrigin(0.5, below ? 0 : 1);
      const inset = WALL_THICKNESS + TAG_MARGIN + tag.width / 2;
      tag.setX(Phaser.Math.Clamp(spawn.x, inset, this.#map.width - inset));
      layer.add([glow, ship, tag]);
    }
  }
}
