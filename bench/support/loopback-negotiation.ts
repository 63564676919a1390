import { type IceCandidatePayload, type WebRtcAnswer, WebRtcEvent } from '@starcatch/shared';
import {
  addLoopbackCandidate,
  createLoopbackOffer,
  type LoopbackOfferer,
  onLoopbackCandidate,
} from '../../server/test/support/loopback-offerer.ts';
import type { PhoenixWire } from './phoenix-wire.ts';

/**
 * Negotiates `peer` with the server on the joined `user:<id>` topic as the browser does: its
 * channels were created before the offer, the answer and the server's candidates are applied one
 * signaling step at a time, and the bot's early candidates are held until the offer is sent (the
 * server takes candidates only after it). Resolves once both DataChannels are open.
 */
export async function negotiateLoopbackPeer(
  wire: Pick<PhoenixWire, 'on' | 'push'>,
  userTopic: string,
  peer: LoopbackOfferer,
  openTimeoutMs: number,
): Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  const serially = (step: () => Promise<unknown>): void => {
    tail = tail.then(step).catch(() => undefined);
  };
  wire.on(userTopic, WebRtcEvent.answer, (payload) => {
    serially(() => peer.pc.setRemoteDescription(payload as WebRtcAnswer));
  });
  wire.on(userTopic, WebRtcEvent.ice, (payload) => {
    serially(() => addLoopbackCandidate(peer.pc, payload as IceCandidatePayload));
  });
  let held: IceCandidatePayload[] | null = [];
  onLoopbackCandidate(peer.pc, (candidate) => {
    if (held) held.push(candidate);
    else void wire.push(userTopic, WebRtcEvent.ice, candidate);
  });
  const sdp = await createLoopbackOffer(peer.pc);
  const offered = wire.push(userTopic, WebRtcEvent.offer, { sdp, type: 'offer' });
  for (const candidate of held) void wire.push(userTopic, WebRtcEvent.ice, candidate);
  held = null;
  const reply = await offered;
  if (reply.status !== 'ok') {
    throw new Error(`${WebRtcEvent.offer}: ${reply.status} ${JSON.stringify(reply.response)}`);
  }
  await bothOpen(peer, openTimeoutMs);
}

/** Resolves once both DataChannels of the peer are open; rejects after `timeoutMs`. */
export function bothOpen(peer: LoopbackOfferer, timeoutMs: number): Promise<void> {
  const open = (): boolean => peer.events.readyState === 'open' && peer.state.readyState === 'open';
  if (open()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const subscriptions = [peer.events, peer.state].map((channel) =>
      channel.stateChanged.subscribe(() => {
        if (!open()) return;
        done();
        resolve();
      }),
    );
    const timer = setTimeout(() => {
      done();
      reject(new Error(`DataChannels not open within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      for (const { unSubscribe } of subscriptions) unSubscribe();
    };
  });
}
