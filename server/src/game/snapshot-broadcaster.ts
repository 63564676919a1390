import {
  encodeSnapshotInto,
  type GameState,
  MAX_PLAYERS_LIMIT,
  setSnapshotAck,
  snapshotByteLength,
} from '@starcatch/shared';
import type { PlayerLink } from './player-link.ts';

/** One receiver of a snapshot and the ack its copy carries. */
export interface SnapshotReceiver {
  readonly link: PlayerLink;
  readonly ackSeq: number;
}

export interface SnapshotCounts {
  /** Snapshots built (one encode each). */
  snapshots: number;
  /** Copies handed to a transport. */
  sent: number;
  /** Copies a backed-up transport dropped (docs/webrtc.md §4). */
  skipped: number;
  /** Payload bytes of the copies sent, without transport framing. */
  bytes: number;
}

/**
 * Sends each snapshot as ONE message per receiver holding every player (docs/webrtc.md §5: each
 * message is its own UDP packet, so N receivers cost N packets instead of N·(N−1)). The
 * state is encoded once into a scratch buffer; each receiver gets a copy with its own ack patched
 * in, since a transport may still hold the buffer after `send` returns.
 */
export class SnapshotBroadcaster {
  readonly counts: SnapshotCounts = { snapshots: 0, sent: 0, skipped: 0, bytes: 0 };
  readonly #scratch = new Uint8Array(snapshotByteLength(MAX_PLAYERS_LIMIT));

  broadcast(state: GameState, serverTime: number, receivers: Iterable<SnapshotReceiver>): void {
    const length = encodeSnapshotInto(
      { tick: state.tick, ackSeq: 0, serverTime, players: state.players },
      this.#scratch,
    );
    this.counts.snapshots++;
    for (const { link, ackSeq } of receivers) {
      const copy = this.#scratch.slice(0, length);
      setSnapshotAck(copy, ackSeq);
      if (link.sendSnapshot(copy) === 'skipped') {
        this.counts.skipped++;
      } else {
        this.counts.sent++;
        this.counts.bytes += length;
      }
    }
  }
}
