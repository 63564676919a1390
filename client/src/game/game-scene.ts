import { ARENA_MAP, type ArenaMap, type GameEventMessage } from '@starcatch/shared';
import Phaser from 'phaser';
import { type SoundCue, SoundCues } from '../audio/sound-cue.ts';
import type { Match } from '../state/match.ts';
import type { NetcodeStats } from '../state/netcode-stats.ts';
import { drawArenaBackdrop } from './arena-backdrop.ts';
import type { GameConnection } from './game-connection.ts';
import { describeHud, HUD_REFRESH_MS, type HudDisplay } from './game-hud.ts';
import { GameNetcode } from './game-netcode.ts';
import { InputTicker } from './input-ticker.ts';
import { NetcodeOverlay, type NetFigures } from './netcode-overlay.ts';
import { RenderSleep } from './render-sleep.ts';
import { ShipSprites } from './ship-sprites.ts';
import { StarLayer } from './star-layer.ts';
import { Steering, type SteeringSource } from './steering.ts';

/** What the scene reads of the network and the match; handed in, never looked up. */
export interface GameSceneDeps {
  /** The link of the room the player is in; null while (re)joining. May change between frames. */
  link(): GameConnection | null;
  readonly youId: string;
  match(): Match;
  /** Round trips for the HUD and the overlay. */
  net(): NetFigures;
  /** Bytes in and out since the room was joined. */
  bytes(): { readonly in: number; readonly out: number };
  map?: ArenaMap;
  /** Plays the match's sound cues; without it the scene is silent. */
  readonly sounds?: { play(cue: SoundCue): void };
  /** Shows the HUD (score, round clock, ping); the page lays it out. Without it there is no HUD. */
  readonly hud?: HudDisplay;
  /** Steers besides the keys and a touch on the canvas: the page's touch pad. */
  readonly steering?: SteeringSource;
  /** Told the netcode figures a few times a second (null when the link goes), for `state().net.netcode`. */
  reportNetcode?(stats: NetcodeStats | null): void;
  /** Told when F3 shows or hides the netcode overlay (the impairment panel follows it). */
  overlayToggled?(visible: boolean): void;
}

const BACKDROP_TEXTURE = 'arena-backdrop';

/**
 * The match: the player's own ship predicted at the room's fixed step and reconciled on every
 * snapshot, the others interpolated behind the server (all in `GameNetcode`, which the bench's
 * bots run too), stars, and the HUD handed to the page. F3 shows the netcode overlay. Sounds follow
 * the game events, never the snapshots. The fixed step runs on `InputTicker`, and the render loop
 * sleeps while the arena is still (`RenderSleep`).
 */
export class GameScene extends Phaser.Scene {
  readonly #deps: GameSceneDeps;
  readonly #map: ArenaMap;
  #link: GameConnection | null = null;
  #netcode: GameNetcode | null = null;
  #cues = new SoundCues();
  #ships: ShipSprites | null = null;
  #stars: StarLayer | null = null;
  #overlay: NetcodeOverlay | null = null;
  #steering: Steering | null = null;
  #ticker: InputTicker | null = null;
  #sleep: RenderSleep | null = null;
  /** The HUD's clock and banner as last shown: part of what a frame looks like. */
  #hudShown = '';
  #hudUpdatedAt = 0;
  #reportedAt = 0;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: GameSceneDeps) {
    super({ key: 'GameScene' });
    this.#deps = deps;
    this.#map = deps.map ?? ARENA_MAP;
  }

  create(): void {
    const { width, height } = this.#map;
    const camera = this.cameras.main;
    camera.setZoom(camera.width / width);
    camera.centerOn(width / 2, height / 2);
    // Baked into one texture (`generateTexture` draws over what the key holds) instead of redrawing a
    // few hundred shapes every frame: a busy main thread delays inputs and snapshots.
    for (const graphics of drawArenaBackdrop(this, this.#map)) {
      graphics.generateTexture(BACKDROP_TEXTURE, width, height);
      graphics.destroy();
    }
    this.add.image(0, 0, BACKDROP_TEXTURE).setOrigin(0, 0);
    this.#stars = new StarLayer(this);
    this.#ships = new ShipSprites(this);
    this.#overlay = new NetcodeOverlay(this, (visible) => this.#deps.overlayToggled?.(visible));
    this.#steering = new Steering(this.game.canvas, this.#deps.steering ? [this.#deps.steering] : []);
    this.#sleep = new RenderSleep(this.game.loop, () => this.#matchSignature());
    this.#ticker = new InputTicker(
      () => this.#netcode?.tickMs ?? null,
      () => this.#runTicks(),
    );
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.#dispose());
    this.events.once(Phaser.Scenes.Events.DESTROY, () => this.#dispose());
  }

  override update(time: number): void {
    this.#follow(this.#deps.link());
    const match = this.#deps.match();
    const frame = this.#netcode?.frame(this.#bits()) ?? { own: null, remote: new Map() };
    const drawn = this.#ships?.draw(match.players, this.#yourSlot(match), frame) ?? '';
    this.#stars?.draw(match.stars);
    // A few times a second is plenty for the HUD (and the overlay's text, redrawn into a texture).
    if (time - this.#hudUpdatedAt >= HUD_REFRESH_MS) {
      this.#hudUpdatedAt = time;
      this.#showHud(match);
      this.#overlay?.redraw(time, () => ({
        net: this.#deps.net(),
        stats: this.#netcode?.stats() ?? null,
        pendingInputs: this.#netcode?.pendingCount ?? 0,
        bytes: this.#deps.bytes(),
      }));
    }
    const overlayShown = this.#overlay?.sync() ?? false;
    this.#sleep?.frameDrawn(`${drawn}|${this.#hudShown}|${overlayShown}`);
  }

  #showHud(match: Match): void {
    const view = describeHud(
      match,
      {
        networkRtt: this.#deps.net().networkRtt,
        transport: this.#link?.transport ?? null,
        fps: this.game.loop.actualFps,
      },
      this.#deps.youId,
      performance.now(),
    );
    this.#hudShown = `${view.clock}|${view.banner}`;
    this.#deps.hud?.show(view);
  }

  /** What the picture is made of: when it differs from the one the loop slept on, frames are due. */
  #matchSignature(): string {
    const match = this.#deps.match();
    const players = match.players.map((player) => `${player.slot}:${player.x},${player.y},${player.score}`).join(';');
    const stars = match.stars.map((star) => star.id).join(',');
    const left = match.round.endsAt === null ? '' : Math.ceil((match.round.endsAt - performance.now()) / 1000);
    const ship = this.#netcode?.ship;
    return `${players}|${stars}|${match.round.phase}${match.round.round}|${left}|${ship?.x},${ship?.y}|${this.#bits()}|${this.#overlay?.wanted}`;
  }

  /** Keys and touch together (opposite directions cancel in the step). */
  #bits(): number {
    return this.#steering?.bits() ?? 0;
  }

  /** One beat of the input ticker: follow the link, wake the loop if needed, step, report. */
  #runTicks(): void {
    this.#follow(this.#deps.link());
    this.#sleep?.wakeIfChanged();
    this.#netcode?.runTicks(this.#bits());
    const now = performance.now();
    if (now - this.#reportedAt >= HUD_REFRESH_MS) {
      this.#reportedAt = now;
      this.#deps.reportNetcode?.(this.#netcode?.stats() ?? null);
    }
  }

  /** Sounds a game event's cue, if it has one; events, never snapshots, so nothing sounds twice. */
  #sound(event: GameEventMessage): void {
    const { sounds } = this.#deps;
    if (!sounds) return;
    const slot = this.#yourSlot(this.#deps.match());
    for (const cue of this.#cues.cuesFor(event, slot)) sounds.play(cue);
  }

  /** A new link (another room, or the first join) starts prediction and interpolation afresh. */
  #follow(link: GameConnection | null): void {
    if (link === this.#link) return;
    this.#stop();
    this.#link = link;
    this.#cues = new SoundCues();
    if (link === null) return;
    // The room's sync may have come before this scene booted: the cues start from it.
    const { syncTick } = this.#deps.match();
    if (syncTick !== null) this.#cues.synced(syncTick);
    this.#netcode = new GameNetcode({
      link,
      yourSlot: () => this.#yourSlot(this.#deps.match()),
      rates: () => this.#deps.match().rates,
    });
    this.#unsubscribe = link.onEvent((event) => this.#sound(event));
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#netcode?.dispose();
    this.#netcode = null;
    this.#deps.reportNetcode?.(null);
  }

  #dispose(): void {
    this.#stop();
    this.#ticker?.dispose();
    this.#ticker = null;
    this.#steering?.dispose();
    this.#steering = null;
    this.#overlay?.dispose();
    this.#overlay = null;
  }

  #yourSlot(match: Match): number | null {
    return match.players.find((player) => player.id === this.#deps.youId)?.slot ?? null;
  }
}
