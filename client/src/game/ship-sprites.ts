import Phaser from 'phaser';
import type { MatchPlayer } from '../state/match.ts';
import type { NetcodeFrame } from './game-netcode.ts';
import { drawShip } from './ship-shape.ts';

/** Ship size, nose to tail, in world units. */
const SHIP_LENGTH = 44;
/** The faint disc of the ship's colour behind it. */
const GLOW_RADIUS = 30;
const GLOW_ALPHA = 0.14;
/** The ring round the player's own ship. */
const OWN_RING_RADIUS = 34;
const OWN_RING_WIDTH = 3;
const OWN_RING_ALPHA = 0.8;
/** The name tag sits this far below the ship's centre. */
const TAG_OFFSET = 36;
const TAG_STYLE = {
  fontFamily: 'system-ui, sans-serif',
  fontSize: '22px',
  fontStyle: 'bold',
  backgroundColor: 'rgba(4, 6, 15, 0.7)',
  padding: { x: 8, y: 3 },
} as const;
/** Depths: the own ship over the others. */
const OWN_DEPTH = 5;
const OTHER_DEPTH = 4;
/** A ship turns to its heading only after moving more than this (world units, squared): no jitter at rest. */
const TURN_MIN_MOVE_SQUARED = 0.25;

interface ShipSprite {
  readonly container: Phaser.GameObjects.Container;
  readonly body: Phaser.GameObjects.Graphics;
  lastX: number;
  lastY: number;
}

/** Every ship of the match: made when a player appears, turned to its heading, removed when they go. */
export class ShipSprites {
  readonly #scene: Phaser.Scene;
  readonly #ships = new Map<number, ShipSprite>();

  constructor(scene: Phaser.Scene) {
    this.#scene = scene;
  }

  /**
   * Places every player's ship where `frame` shows it (the own one predicted, the others
   * interpolated); returns their drawn positions, rounded, to tell a still frame from a moving one.
   */
  draw(players: readonly MatchPlayer[], yourSlot: number | null, frame: NetcodeFrame): string {
    let drawn = '';
    const seen = new Set<number>();
    for (const player of players) {
      const at = player.slot === yourSlot ? frame.own : frame.remote.get(player.slot);
      if (!at) continue;
      seen.add(player.slot);
      const sprite = this.#ships.get(player.slot) ?? this.#make(player, player.slot === yourSlot);
      const dx = at.x - sprite.lastX;
      const dy = at.y - sprite.lastY;
      if (dx * dx + dy * dy > TURN_MIN_MOVE_SQUARED) sprite.body.setRotation(Math.atan2(dy, dx));
      sprite.lastX = at.x;
      sprite.lastY = at.y;
      sprite.container.setPosition(at.x, at.y);
      drawn += `${player.slot}:${at.x.toFixed(1)},${at.y.toFixed(1)};`;
    }
    for (const [slot, sprite] of this.#ships) {
      if (seen.has(slot)) continue;
      sprite.container.destroy();
      this.#ships.delete(slot);
    }
    return drawn;
  }

  #make(player: MatchPlayer, isYou: boolean): ShipSprite {
    const scene = this.#scene;
    const color = Phaser.Display.Color.HexStringToColor(player.color).color;
    const container = scene.add.container(0, 0).setDepth(isYou ? OWN_DEPTH : OTHER_DEPTH);
    if (isYou) {
      container.add(scene.add.circle(0, 0, OWN_RING_RADIUS).setStrokeStyle(OWN_RING_WIDTH, color, OWN_RING_ALPHA));
    }
    const body = scene.add.graphics();
    drawShip(body, color, SHIP_LENGTH);
    const tag = scene.add.text(0, TAG_OFFSET, player.nickname, { ...TAG_STYLE, color: player.color }).setOrigin(0.5, 0);
    container.add([scene.add.circle(0, 0, GLOW_RADIUS, color, GLOW_ALPHA), body, tag]);
    const sprite: ShipSprite = { container, body, lastX: 0, lastY: 0 };
    this.#ships.set(player.slot, sprite);
    return sprite;
  }
}
