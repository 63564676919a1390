/** Stand-ins for what a `GameLink` talks to: a peer's DataChannels and a room channel. */
import type { ChannelContext, Payload } from '@starcatch/phoenix';
import type { DataChannelLabel, ErrorCode } from '@starcatch/shared';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import type { OpenPeer } from '../../src/rtc/peer-registry.ts';
import type { RtcDataChannel } from '../../src/rtc/rtc-peer.ts';
import { DataChannelRoute } from '../../src/transport/data-channel-route.ts';
import { FakeDataChannel } from '../rtc/fake-peer.ts';

/** An open DataChannel that records what is sent on it (the signaling tests' fake, opened). */
function openChannel(label: DataChannelLabel): FakeDataChannel {
  const channel = new FakeDataChannel(label, true, null);
  channel.setState('open');
  return channel;
}

/** An open peer of `u-ada` on `conn-1` with both channels, and the route over them. */
export function fakePeer(maxBufferedBytes: number) {
  const events = openChannel('events');
  const state = openChannel('state');
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
