import {
  ARENA_MAP,
  type ArenaMap,
  describeNetworkConditions,
  type GameEventMessage,
  type NetworkConditions,
  type PlayerTransport,
  STAR_RADIUS,
} from '@starcatch/shared';
import Phaser from 'phaser';
import { type SoundCue, SoundCues } from '../audio/sound-cue.ts';
import type { GameConnection } from '../net/game-connection.ts';
import type { Match, MatchPlayer } from '../state/match.ts';
import type { NetcodeStats } from '../state/netcode-stats.ts';
import { drawArenaBackdrop } from './arena-backdrop.ts';
import { GameNetcode } from './game-netcode.ts';
import { HeldKeys } from './held-keys.ts';
import { drawShip } from './ship-shape.ts';
import { TouchStick } from './touch-stick.ts';

/** What the scene reads of the network and the match; handed in, never looked up. */
export interface GameSceneDeps {
  /** The link of the room the player is in; null while (re)joining. May change between frames. */
  link(): GameConnection | null;
  readonly youId: string;
  match(): Match;
  /** Round trips for the HUD and the overlay. */
  net(): {
    /** Input → ack, per path. */
    readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
    /** The network round trip of the path in use (ping), and per path. */
    readonly networkRtt: number | null;
    readonly networkRttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
    readonly impairment: NetworkConditions;
  };
  /** Bytes in and out since the room was joined. */
  bytes(): { readonly in: number; readonly out: number };
  map?: ArenaMap;
  /** Plays the match's sound cues; without it the scene is silent. */
  readonly sounds?: { play(cue: SoundCue): void };
  /** Told the netcode figures a few times a second (null when the link goes), for `state().net.netcode`. */
  reportNetcode?(stats: NetcodeStats | null): void;
  /** Told when F3 shows or hides the netcode overlay (the impairment panel follows it). */
  overlayToggled?(visible: boolean): void;
}

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
/** Identical frames in a row after which the render loop sleeps. */
const STILL_FRAMES_BEFORE_SLEEP = 3;
/** How often the HUD texts are redrawn, and the netcode figures reported. */
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
 * The match: the player's own ship predicted at the room's fixed step and reconciled on every
 * snapshot, the others interpolated behind the server (all in `GameNetcode`, which the bench's
 * bots run too), stars, scores, the round clock, and a HUD (ping, transport, FPS). F3 shows the
 * netcode overlay. Sounds follow the game events, never the snapshots.
 */
export class GameScene extends Phaser.Scene {
  readonly #deps: GameSceneDeps;
  readonly #map: ArenaMap;
  #link: GameConnection | null = null;
  #netcode: GameNetcode | null = null;
  #cues = new SoundCues();
  readonly #ships = new Map<number, ShipSprite>();
  #stars: Phaser.GameObjects.Graphics | null = null;
  #hud: Phaser.GameObjects.Text | null = null;
  #timer: Phaser.GameObjects.Text | null = null;
  #scores: Phaser.GameObjects.Text | null = null;
  #banner: Phaser.GameObjects.Text | null = null;
  #overlay: Phaser.GameObjects.Text | null = null;
  #stillFrames = 0;
  #lastFrame = '';
  /** The match signature the loop went to sleep on; null while awake. */
  #sleptOn: string | null = null;
  #overlayWanted = false;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #tickerMs = 0;
  #keysHeld: HeldKeys | null = null;
  #stick: TouchStick | null = null;
  #hudUpdatedAt = 0;
  #reportedAt = 0;
  #unsubscribe: (() => void) | null = null;
  #rate = { at: 0, in: 0, out: 0, inPerSecond: 0, outPerSecond: 0 };

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
    this.#armTicker();
    // A DOM listener rather than Phaser's keyboard, which only reads keys while the loop runs.
    window.addEventListener('keydown', this.#toggleOverlay);
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.#dispose());
    this.events.once(Phaser.Scenes.Events.DESTROY, () => this.#dispose());
  }

  override update(time: number): void {
    this.#follow(this.#deps.link());
    const match = this.#deps.match();
    const drawn = this.#drawShips(match);
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
    const ship = this.#netcode?.ship;
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
    this.#deps.overlayToggled?.(this.#overlayWanted);
  };

  /** The step timer runs twice per tick of the room's rate (and is re-armed when the rate changes). */
  #armTicker(): void {
    const ms = (this.#netcode?.tickMs ?? 1000 / 30) / 2;
    if (this.#ticker !== null && ms === this.#tickerMs) return;
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#tickerMs = ms;
    this.#ticker = setInterval(() => this.#runTicks(), ms);
  }

  #runTicks(): void {
    this.#follow(this.#deps.link());
    this.#wakeIfChanged();
    this.#netcode?.runTicks(this.#steering());
    this.#armTicker();
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
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#ticker = null;
    this.#keysHeld?.dispose();
    this.#keysHeld = null;
    this.#stick?.dispose();
    this.#stick = null;
    window.removeEventListener('keydown', this.#toggleOverlay);
  }

  #yourSlot(match: Match): number | null {
    return match.players.find((player) => player.id === this.#deps.youId)?.slot ?? null;
  }

  /** Draws every ship; returns their drawn positions, rounded, to tell a still frame from a moving one. */
  #drawShips(match: Match): string {
    let drawn = '';
    const yourSlot = this.#yourSlot(match);
    const frame = this.#netcode?.frame(this.#steering()) ?? { own: null, remote: new Map() };
    const seen = new Set<number>();
    for (const player of match.players) {
      const at = player.slot === yourSlot ? frame.own : frame.remote.get(player.slot);
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
    const ping = net.networkRtt === null ? '–' : `${Math.round(net.networkRtt)} ms`;
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
      this.#overlay.setText(
        overlayLines(net, this.#netcode?.stats() ?? null, this.#netcode?.pendingCount ?? 0, this.#rate).join('\n'),
      );
    }
  }
}

type Ms = number | undefined | null;
const ms = (value: Ms): string => (value === undefined || value === null ? '–' : `${value.toFixed(0)} ms`);

/** The F3 overlay: what the player perceives of the network, measured. */
function overlayLines(
  net: ReturnType<GameSceneDeps['net']>,
  stats: NetcodeStats | null,
  pending: number,
  rate: { readonly inPerSecond: number; readonly outPerSecond: number },
): string[] {
  const lines = [
    `ping webrtc ${ms(net.networkRttByTransport.webrtc)} · websocket ${ms(net.networkRttByTransport.websocket)}`,
    `input→ack webrtc ${ms(net.rttByTransport.webrtc)} · websocket ${ms(net.rttByTransport.websocket)}`,
  ];
  if (stats) {
    const { snapshots, interpolation, corrections, remote, own, rates } = stats;
    lines.push(
      `rates ${rates.tickHz} Hz tick · ${rates.snapshotHz} Hz snapshots · pending inputs ${pending} (+${stats.inputs.redundancy} repeated)`,
      `snapshots jitter ${snapshots.jitterMs.toFixed(1)} ms · late ${snapshots.late} · missing ${snapshots.missing} of ${snapshots.received + snapshots.missing}`,
      `interp delay ${interpolation.delayMs.toFixed(0)} ms · buffered ${interpolation.bufferedMs.toFixed(0)} ms (${interpolation.depth}) · dry ${interpolation.dryRuns}× (max ${interpolation.maxExtrapolatedMs.toFixed(0)} ms)`,
      `corrections ${corrections.count} · last ${corrections.lastUnits.toFixed(2)} · max ${corrections.maxUnits.toFixed(2)} units · own jump ${own.maxJumpUnits.toFixed(1)}`,
      `remote jump max ${remote.maxJumpUnits.toFixed(1)} units · jerk p95 ${(remote.jerkP95 / 1000).toFixed(0)}k u/s³`,
    );
  }
  lines.push(
    `in ${Math.round(rate.inPerSecond)} B/s · out ${Math.round(rate.outPerSecond)} B/s`,
    `simulated network: ${describeNetworkConditions(net.impairment)}`,
  );
  return lines;
}
