import { encodeInput, type SnapshotMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { Listeners } from '../src/net/game-connection.ts';
import { TransportSwitch } from '../src/net/transport-switch.ts';
import type { WebRtcLink } from '../src/net/webrtc-link.ts';
import type { WebSocketLink } from '../src/net/websocket-link.ts';
import { createNetStore } from '../src/state/net-store.ts';

/** Just enough of each path for the switch: listener sets, a send that records, and a state. */
function fakePaths() {
  const websocket = {
    snapshots: new Listeners<SnapshotMessage>(),
    events: new Listeners(),
    bytesIn: 0,
    bytesOut: 0,
    sent: [] as number[],
    send(bytes: Uint8Array) {
      this.sent.push(bytes.byteLength);
    },
    close() {},
  };
  const webrtc = {
    snapshots: new Listeners<SnapshotMessage>(),
    events: new Listeners(),
    changes: new Listeners(),
    bytesIn: 0,
    bytesOut: 0,
    lastOpenMs: 120,
    open: false,
    sent: [] as number[],
    get isOpen() {
      return this.open;
    },
    get channels() {
      return { events: this.open, state: this.open };
    },
    start() {},
    send(bytes: Uint8Array) {
      if (!this.open) return false;
      this.sent.push(bytes.byteLength);
      return true;
    },
    close() {},
  };
  return { websocket, webrtc };
}

const input = (seq: number) => encodeInput({ seq, bits: 0, clientTime: 0 });

describe('TransportSwitch', () => {
  it('sends over the WebSocket until both channels open, then over WebRTC, and back', () => {
    const { websocket, webrtc } = fakePaths();
    const net = createNetStore();
    const link = new TransportSwitch(websocket as unknown as WebSocketLink, webrtc as unknown as WebRtcLink, net);
    expect(link.transport).toBe('websocket');
    link.sendInput(input(1));
    expect(websocket.sent).toHaveLength(1);

    webrtc.open = true;
    webrtc.changes.emit(webrtc.channels);
    expect(net.getState()).toMatchObject({ transport: 'webrtc', dataChannels: { events: true, state: true } });
    link.sendInput(input(2));
    expect(webrtc.sent).toHaveLength(1);

    webrtc.open = false;
    webrtc.changes.emit(webrtc.channels);
    link.sendInput(input(3));
    expect(websocket.sent).toHaveLength(2);
    expect(net.getState().transport).toBe('websocket');
  });

  it('passes snapshots from both paths on and measures the round trip per transport', () => {
    const { websocket, webrtc } = fakePaths();
    const net = createNetStore();
    let clock = 1000;
    const link = new TransportSwitch(
      websocket as unknown as WebSocketLink,
      webrtc as unknown as WebRtcLink,
      net,
      () => clock,
    );
    const seen: number[] = [];
    link.onSnapshot((snapshot) => seen.push(snapshot.tick));
    link.sendInput(input(7));
    clock = 1040;
    websocket.snapshots.emit({ tick: 1, ackSeq: 7, serverTime: 0, players: [] });
    webrtc.snapshots.emit({ tick: 2, ackSeq: 7, serverTime: 0, players: [] });
    expect(seen).toEqual([1, 2]);
    expect(net.getState()).toMatchObject({ rtt: 40, rttByTransport: { websocket: 40 } });
  });

  it('with WebRTC off it stays on the WebSocket', () => {
    const { websocket } = fakePaths();
    const net = createNetStore();
    const link = new TransportSwitch(websocket as unknown as WebSocketLink, null, net);
    expect(link.transport).toBe('websocket');
    expect(net.getState().dataChannels).toEqual({ events: false, state: false });
  });
});
