import {
  ARENA_MAP,
  type ArenaMap,
  encodeInput,
  NewestSequenceFilter,
  type PlayerTransport,
  type SnapshotMessage,
  STAR_RADIUS,
  TICK_SECONDS,
  toWireTime,
} from '@starcatch/shared';
import Phaser from 'phaser';
import { cuesBetween, type SoundCue } from '../audio/sound-cue.ts';
import type { GameLink } from '../net/game-link.ts';
import type { Match, MatchPlayer } from '../state/match.ts';
import { drawArenaBackdrop } from './arena-backdrop.ts';
import { HeldKeys } from './held-keys.ts';
import { ShipPredictor } from './ship-predictor.ts';
import { drawShip } from './ship-shape.ts';
import { SnapshotBuffer } from './snapshot-buffer.ts';
import { TouchStick } from './touch-stick.ts';

/** What the scene reads of the network and the match; handed in, never looked up. */
export interface GameSceneDeps {
  /** The link of the room the player is in; null while (re)joining. May change between frames. */
  link(): GameLink | null;
  readonly youId: string;
  match(): Match;
  /** RTT figures for the HUD and the overlay. */
  net(): {
    readonly rtt: number | null;
    readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  };
  /** Bytes in and out since the room was joined. */
  bytes(): { readonly in: number; readonly out: number };
  map?: ArenaMap;
  /** Plays the match's sound cues; without it the scene is silent. */
  readonly sounds?: { play(cue: SoundCue): void };
}

const TICK_MS = TICK_SECONDS * 1000;
/** Ticks caught up at most after a stall; beyond that the time is dropped rather than replayed at once. */
const MAX_CATCH_UP_TICKS = 5;
const SHIP_LENGTH = 44;
const TAG_OFFSET = 36;
const HUD_STYLE = {
  fontFamily: 'ui-monospace, monospace',
  fontSize: '22px',
  color: '#cfe8ff',
  backgroundColor: 'rgba(4, 6, 15, 0.7)',
  padding: { x: 10, y: 6 },
} as const;
const BACKDROP_TEXTURE = 'arena-backdrop';
/** Unacked inputs allowed beyond the round trip: a snapshot interval (1.5 ticks) and some jitter. */
const INPUT_SLACK_TICKS = 3;
/** In-flight ticks assumed until a round trip has been measured. */
const UNKNOWN_RTT_TICKS = 6;
/** Identical frames in a row after which the render loop sleeps. */
const STILL_FRAMES_BEFORE_SLEEP = 3;
/** How often the HUD texts are redrawn. */
const HUD_REFRESH_MS = 250;
/** How often the bytes/s figure is recomputed. */
const RATE_WINDOW_MS = 1000;

interface ShipSprite {
  readonly container: Phaser.GameObjects.Container;
  readonly body: Phaser.GameObjects.Graphics;
  lastX: number;
  lastY: number;
}

/**
 * The match: the player's own ship predicted at the fixed 30 Hz step and reconciled on every
 * snapshot, the others interpolated behind the server, stars, scores, the round clock, and a HUD
 * (ping, transport, FPS). F3 shows the netcode overlay.
 */
export class GameScene extends Phaser.Scene {
  readonly #deps: GameSceneDeps;
  readonly #map: ArenaMap;
  #link: GameLink | null = null;
  #predictor = new ShipPredictor();
  #buffer = new SnapshotBuffer();
  #fresh = new NewestSequenceFilter();
  readonly #ships = new Map<number, ShipSprite>();
  #stars: Phaser.GameObjects.Graphics | null = null;
  #hud: Phaser.GameObjects.Text | null = null;
  #timer: Phaser.GameObjects.Text | null = null;
  #scores: Phaser.GameObjects.Text | null = null;
  #banner: Phaser.GameObjects.Text | null = null;
  #overlay: Phaser.GameObjects.Text | null = null;
  #accumulator = 0;
  #stillFrames = 0;
  #lastFrame = '';
  /** The match signature the loop went to sleep on; null while awake. */
  #sleptOn: string | null = null;
  #overlayWanted = false;
  /** The lowest input → ack round trip seen on this link: the network and tick waits without any queue. */
  #floorRtt = Number.POSITIVE_INFINITY;
  #lastTickAt: number | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #keysHeld: HeldKeys | null = null;
  #stick: TouchStick | null = null;
  #hudUpdatedAt = 0;
  #unsubscribe: (() => void) | null = null;
  #rate = { at: 0, in: 0, out: 0, inPerSecond: 0, outPerSecond: 0 };
  /** The match as the last sound check saw it; null before the first one, which stays silent. */
  #heard: Match | null = null;

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
    this.#stars = this.add.graphics();
    this.#hud = this.add.text(44, 44, '', HUD_STYLE).setDepth(10);
    this.#timer = this.add.text(this.#map.width / 2, 44, '', { ...HUD_STYLE, fontSize: '28px' }).setOrigin(0.5, 0);
    this.#timer.setDepth(10);
    this.#scores = this.add
      .text(this.#map.width - 44, 44, '', HUD_STYLE)
      .setOrigin(1, 0)
      .setDepth(10);
    this.#banner = this.add
      .text(this.#map.width / 2, this.#map.height / 2, '', { ...HUD_STYLE, fontSize: '44px', color: '#fff3b0' })
      .setOrigin(0.5)
      .setDepth(11)
      .setVisible(false);
    this.#overlay = this.add
      .text(44, 110, '', { ...HUD_STYLE, fontSize: '20px' })
      .setDepth(10)
      .setVisible(false);

    this.#keysHeld = new HeldKeys();
    this.#stick = new TouchStick(this.game.canvas);
    // The fixed step runs on a timer of its own, not in `update`: a tab rendering at 12 fps (software
    // WebGL, measured in the e2e run) sent its inputs in late bursts, and the render loop sleeps
    // while the arena is still.
    this.#ticker = setInterval(() => this.#runTicks(), TICK_MS / 2);
    // A DOM listener rather than Phaser's keyboard, which only reads keys while the loop runs.
    window.addEventListener('keydown', this.#toggleOverlay);
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.#dispose());
    this.events.once(Phaser.Scenes.Events.DESTROY, () => this.#dispose());
  }

  override update(time: number, delta: number): void {
    this.#follow(this.#deps.link());
    const match = this.#deps.match();
    const drawn = this.#drawShips(match, delta, performance.now());
    this.#drawStars(match);
    // Text is redrawn into a texture on every change: a few times a second is plenty for the HUD.
    if (time - this.#hudUpdatedAt >= HUD_REFRESH_MS) {
      this.#hudUpdatedAt = time;
      this.#drawHud(match, time);
    }
    this.#overlay?.setVisible(this.#overlayWanted);
    this.#sleepWhenStill(`${drawn}|${this.#timer?.text}|${this.#banner?.text}|${this.#overlay?.visible}`);
  }

  /**
   * Puts the render loop to sleep once a few frames in a row looked the same (nobody moving), and
   * the tick timer wakes it when the match changes. Five room tabs rendering a still arena at 30 fps
   * slowed chat delivery past a second in the e2e run; the tick timer keeps inputs going meanwhile.
   */
  #sleepWhenStill(frame: string): void {
    this.#stillFrames = frame === this.#lastFrame ? this.#stillFrames + 1 : 0;
    this.#lastFrame = frame;
    if (this.#stillFrames < STILL_FRAMES_BEFORE_SLEEP) return;
    this.#sleptOn = this.#matchSignature();
    this.game.loop.sleep();
  }

  /** What the picture is made of: when it differs from the one the loop slept on, frames are due. */
  #matchSignature(): string {
    const match = this.#deps.match();
    const players = match.players.map((player) => `${player.slot}:${player.x},${player.y},${player.score}`).join(';');
    const stars = match.stars.map((star) => star.id).join(',');
    const left = match.round.endsAt === null ? '' : Math.ceil((match.round.endsAt - performance.now()) / 1000);
    const ship = this.#predictor.ship;
    return `${players}|${stars}|${match.round.phase}${match.round.round}|${left}|${ship?.x},${ship?.y}|${this.#steering()}|${this.#overlayWanted}`;
  }

  /** Keys and the touch stick together (opposite directions cancel in the step). */
  #steering(): number {
    return (this.#keysHeld?.bits() ?? 0) | (this.#stick?.bits() ?? 0);
  }

  #wakeIfChanged(): void {
    if (this.#sleptOn === null || this.#matchSignature() === this.#sleptOn) return;
    this.#sleptOn = null;
    this.#stillFrames = 0;
    this.game.loop.wake();
  }

  readonly #toggleOverlay = (event: KeyboardEvent): void => {
    if (event.code !== 'F3') return;
    event.preventDefault();
    this.#overlayWanted = !this.#overlayWanted;
  };

  #runTicks(): void {
    this.#follow(this.#deps.link());
    this.#wakeIfChanged();
    this.#soundCues();
    const now = performance.now();
    const elapsed = this.#lastTickAt === null ? 0 : now - this.#lastTickAt;
    this.#lastTickAt = now;
    this.#accumulator = Math.min(this.#accumulator + elapsed, MAX_CATCH_UP_TICKS * TICK_MS);
    while (this.#accumulator >= TICK_MS) {
      this.#accumulator -= TICK_MS;
      this.#tick();
    }
  }

  /** Sounds what changed in the match since the last tick; here, not in `update`, which sleeps. */
  #soundCues(): void {
    const { sounds } = this.#deps;
    if (!sounds) return;
    const match = this.#deps.match();
    if (this.#heard !== null) for (const cue of cuesBetween(this.#heard, match, this.#deps.youId)) sounds.play(cue);
    this.#heard = match;
  }

  /** A new link (another room, or the first join) starts prediction and interpolation afresh. */
  #follow(link: GameLink | null): void {
    if (link === this.#link) return;
    this.#stop();
    this.#link = link;
    this.#predictor = new ShipPredictor();
    this.#buffer = new SnapshotBuffer();
    this.#fresh = new NewestSequenceFilter();
    this.#accumulator = 0;
    this.#floorRtt = Number.POSITIVE_INFINITY;
    this.#unsubscribe = link?.onSnapshot((snapshot) => this.#snapshot(snapshot)) ?? null;
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #dispose(): void {
    this.#stop();
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#ticker = null;
    this.#keysHeld?.dispose();
    this.#keysHeld = null;
    this.#stick?.dispose();
    this.#stick = null;
    window.removeEventListener('keydown', this.#toggleOverlay);
  }

  #tick(): void {
    const link = this.#link;
    if (link === null || this.#backlogged()) return;
    const input = this.#predictor.tick(this.#steering());
    link.sendInput(encodeInput({ seq: input.seq, bits: input.bits, clientTime: toWireTime(performance.now()) }));
  }

  /**
   * True when the server holds a queue of our inputs: more are unacknowledged than the network and
   * the snapshot interval account for. The server applies one input per tick, so a client clock a
   * little fast, or a burst after a stall, would otherwise add a tick of delay per queued input for
   * good. Skipping a tick drains it by one.
   */
  #backlogged(): boolean {
    const { rtt } = this.#deps.net();
    if (rtt !== null) this.#floorRtt = Math.min(this.#floorRtt, rtt);
    const inFlight = Number.isFinite(this.#floorRtt) ? Math.ceil(this.#floorRtt / TICK_MS) : UNKNOWN_RTT_TICKS;
    return this.#predictor.pendingCount > inFlight + INPUT_SLACK_TICKS;
  }

  #yourSlot(match: Match): number | null {
    return match.players.find((player) => player.id === this.#deps.youId)?.slot ?? null;
  }

  #snapshot(snapshot: SnapshotMessage): void {
    if (!this.#fresh.accept(snapshot.tick)) return;
    this.#buffer.push(snapshot, performance.now());
    const slot = this.#yourSlot(this.#deps.match());
    const you = snapshot.players.find((player) => player.slot === slot);
    if (you) this.#predictor.reconcile({ x: you.x, y: you.y, vx: you.vx, vy: you.vy }, snapshot.ackSeq);
  }

  /** Draws every ship; returns their drawn positions, rounded, to tell a still frame from a moving one. */
  #drawShips(match: Match, delta: number, now: number): string {
    let drawn = '';
    const yourSlot = this.#yourSlot(match);
    const remote = this.#buffer.sample(now);
    const seen = new Set<number>();
    for (const player of match.players) {
      const at = player.slot === yourSlot ? this.#predictor.shown(delta) : remote.get(player.slot);
      if (!at) continue;
      seen.add(player.slot);
      const sprite = this.#ships.get(player.slot) ?? this.#makeShip(player, player.slot === yourSlot);
      const dx = at.x - sprite.lastX;
      const dy = at.y - sprite.lastY;
      if (dx * dx + dy * dy > 0.25) sprite.body.setRotation(Math.atan2(dy, dx));
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

  #makeShip(player: MatchPlayer, isYou: boolean): ShipSprite {
    const color = Phaser.Display.Color.HexStringToColor(player.color).color;
    const container = this.add.container(0, 0).setDepth(isYou ? 5 : 4);
    if (isYou) container.add(this.add.circle(0, 0, 34).setStrokeStyle(3, color, 0.8));
    const body = this.add.graphics();
    drawShip(body, color, SHIP_LENGTH);
    const tag = this.add
      .text(0, TAG_OFFSET, player.nickname, {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '22px',
        fontStyle: 'bold',
        color: player.color,
        backgroundColor: 'rgba(4, 6, 15, 0.7)',
        padding: { x: 8, y: 3 },
      })
      .setOrigin(0.5, 0);
    container.add([this.add.circle(0, 0, 30, color, 0.14), body, tag]);
    const sprite: ShipSprite = { container, body, lastX: 0, lastY: 0 };
    this.#ships.set(player.slot, sprite);
    return sprite;
  }

  #drawStars(match: Match): void {
    const stars = this.#stars;
    if (!stars) return;
    stars.clear();
    for (const star of match.stars) {
      stars.fillStyle(0xfff3b0, 0.2);
      stars.fillCircle(star.x, star.y, STAR_RADIUS * 1.8);
      stars.fillStyle(0xffe066, 1);
      stars.fillCircle(star.x, star.y, STAR_RADIUS);
    }
  }

  #drawHud(match: Match, time: number): void {
    const net = this.#deps.net();
    const ping = net.rtt === null ? '–' : `${Math.round(net.rtt)} ms`;
    this.#hud?.setText(
      `ping ${ping} · ${this.#link?.transport ?? 'offline'} · ${Math.round(this.game.loop.actualFps)} fps`,
    );

    const { round } = match;
    const left = round.endsAt === null ? null : Math.max(0, Math.ceil((round.endsAt - performance.now()) / 1000));
    const clock = left === null ? '' : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    const label =
      round.phase === 'playing'
        ? `Round ${round.round} · ${clock}`
        : round.phase === 'waiting'
          ? 'Waiting for players'
          : `Next round in ${clock}`;
    this.#timer?.setText(label);

    const ranked = [...match.players].sort((a, b) => b.score - a.score || a.slot - b.slot);
    this.#scores?.setText(ranked.map((player) => `${player.nickname}  ${player.score}`).join('\n'));

    const winners = match.players.filter((player) => round.winners.includes(player.slot));
    const showBanner = round.phase === 'intermission';
    this.#banner?.setVisible(showBanner);
    if (showBanner) {
      this.#banner?.setText(
        winners.length === 0 ? 'Nobody scored' : `${winners.map((player) => player.nickname).join(' & ')} wins!`,
      );
    }

    if (this.#overlay?.visible) {
      const bytes = this.#deps.bytes();
      if (time - this.#rate.at >= RATE_WINDOW_MS) {
        const seconds = (time - this.#rate.at) / 1000;
        this.#rate = {
          at: time,
          in: bytes.in,
          out: bytes.out,
          inPerSecond: (bytes.in - this.#rate.in) / seconds,
          outPerSecond: (bytes.out - this.#rate.out) / seconds,
        };
      }
      const rtt = (transport: PlayerTransport) => {
        const value = net.rttByTransport[transport];
        return value === undefined ? '–' : `${value.toFixed(1)} ms`;
      };
      this.#overlay.setText(
        [
          `rtt webrtc ${rtt('webrtc')} · websocket ${rtt('websocket')}`,
          `snapshot buffer ${this.#buffer.depth}`,
          `pending inputs ${this.#predictor.pendingCount}`,
          `correction ${this.#predictor.lastCorrection.toFixed(2)} units`,
          `in ${Math.round(this.#rate.inPerSecond)} B/s · out ${Math.round(this.#rate.outPerSecond)} B/s`,
        ].join('\n'),
      );
    }
  }
}
