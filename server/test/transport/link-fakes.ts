/** Stand-ins for what a `GameLink` talks to: a peer's DataChannels and a room channel. */
import type { ChannelContext, Payload } from '@starcatch/phoenix';
import type { DataChannelLabel, ErrorCode } from '@starcatch/shared';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import type { OpenPeer } from '../../src/rtc/peer-registry.ts';
import type { DataChannelState, RtcDataChannel } from '../../src/rtc/rtc-peer.ts';
import { DataChannelRoute } from '../../src/transport/data-channel-route.ts';

/** A DataChannel that records what is sent on it while it is open. */
export class FakeDataChannel implements RtcDataChannel {
  readonly label: string;
  readonly ordered = true;
  readonly maxRetransmits = null;
  readyState: DataChannelState = 'open';
  bufferedAmount = 0;
  readonly sent: (string | Uint8Array)[] = [];

  constructor(label: DataChannelLabel) {
    this.label = label;
  }

  send(data: string | Uint8Array): boolean {
    if (this.readyState !== 'open') return false;
    this.sent.push(data);
    return true;
  }

  onMessage(): void {}
  onStateChange(): void {}
  close(): void {
    this.readyState = 'closed';
  }
}

/** An open peer of `u-ada` on `conn-1` with both channels, and the route over them. */
export function fakePeer(maxBufferedBytes: number) {
  const events = new FakeDataChannel('events');
  const state = new FakeDataChannel('state');
  const closeReasons: (ErrorCode | undefined)[] = [];
  const peer: OpenPeer = {
    id: 'peer-1',
    userId: 'u-ada',
    connectionId: 'conn-1',
    channels: new Map<DataChannelLabel, RtcDataChannel>([
      ['events', events],
      ['state', state],
    ]),
    closed: false,
    close: (reason) => closeReasons.push(reason),
  };
  return { peer, events, state, closeReasons, route: new DataChannelRoute(peer, events, state, maxBufferedBytes) };
}

/** `u-ada`'s `room:r1` channel on `conn-1`, recording its pushes and presence updates. */
export function fakeChannel(supportsBinary = true) {
  const pushes: { event: string; payload: Payload }[] = [];
  const presence: object[] = [];
  const channel = {
    topic: 'room:r1',
    connectionId: 'conn-1',
    supportsBinary,
    sendBacklog: 0,
    closed: false,
    assigns: { user: { id: 'u-ada', nickname: 'Ada', color: '#ff6b6b' } },
    push: (name: string, payload: Payload) => pushes.push({ event: name, payload }),
    presence: { update: (_key: string, meta: object) => presence.push(meta) },
  } as unknown as ChannelContext<SocketAssigns> & { sendBacklog: number };
  return { channel, pushes, presence };
}
