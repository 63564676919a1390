import { describeNetworkConditions, type NetworkConditions, type PlayerTransport } from '@starcatch/shared';
import type Phaser from 'phaser';
import type { NetcodeStats } from '../state/netcode-stats.ts';

/** Where the overlay's text starts, in world units from the arena's top left (inside the outer wall, under the HUD). */
const OVERLAY_X = 44;
const OVERLAY_Y = 110;
/** Drawn above the ships (depths 4–5). */
const OVERLAY_DEPTH = 10;
const OVERLAY_STYLE = {
  fontFamily: 'ui-monospace, monospace',
  fontSize: '20px',
  color: '#cfe8ff',
  backgroundColor: 'rgba(4, 6, 15, 0.7)',
  padding: { x: 10, y: 6 },
} as const;
/** How often the bytes/s figures are recomputed. */
const RATE_WINDOW_MS = 1000;

/** The round trips the overlay (and the HUD) show, from the net store. */
export interface NetFigures {
  /** Input → ack, per path. */
  readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  /** The network round trip of the path in use (ping), and per path. */
  readonly networkRtt: number | null;
  readonly networkRttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  readonly impairment: NetworkConditions;
}

/** What the overlay reads each time it is redrawn. */
export interface OverlayReadings {
  readonly net: NetFigures;
  readonly stats: NetcodeStats | null;
  readonly pendingInputs: number;
  /** Bytes in and out since the room was joined. */
  readonly bytes: { readonly in: number; readonly out: number };
}

/**
 * The F3 netcode overlay: what the player perceives of the network, measured, drawn over the
 * arena's upper left. F3 shows and hides it (a DOM listener rather than Phaser's keyboard, which
 * only reads keys while the render loop runs); `toggled` hears about it (the page's impairment
 * panel follows it).
 */
export class NetcodeOverlay {
  readonly #text: Phaser.GameObjects.Text;
  readonly #toggled: ((visible: boolean) => void) | undefined;
  #wanted = false;
  #rate = { at: 0, in: 0, out: 0, inPerSecond: 0, outPerSecond: 0 };

  constructor(scene: Phaser.Scene, toggled?: (visible: boolean) => void) {
    this.#text = scene.add.text(OVERLAY_X, OVERLAY_Y, '', OVERLAY_STYLE).setDepth(OVERLAY_DEPTH).setVisible(false);
    this.#toggled = toggled;
    window.addEventListener('keydown', this.#toggle);
  }

  /** Whether F3 asked for it (it shows from the next frame on). */
  get wanted(): boolean {
    return this.#wanted;
  }

  /** Shows or hides the text as F3 asked; true while it shows. Called every frame. */
  sync(): boolean {
    this.#text.setVisible(this.#wanted);
    return this.#text.visible;
  }

  /** Redraws the figures while the overlay shows; `time` is the frame's (ms). */
  redraw(time: number, readings: () => OverlayReadings): void {
    if (!this.#text.visible) return;
    const { net, stats, pendingInputs, bytes } = readings();
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
    this.#text.setText(overlayLines(net, stats, pendingInputs, this.#rate).join('\n'));
  }

  dispose(): void {
    window.removeEventListener('keydown', this.#toggle);
  }

  readonly #toggle = (event: KeyboardEvent): void => {
    if (event.code !== 'F3') return;
    event.preventDefault();
    this.#wanted = !this.#wanted;
    this.#toggled?.(this.#wanted);
  };
}

type Ms = number | undefined | null;
const ms = (value: Ms): string => (value === undefined || value === null ? '–' : `${value.toFixed(0)} ms`);

/** The overlay's lines. */
export function overlayLines(
  net: NetFigures,
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
