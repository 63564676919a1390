/**
 * A complete chat server on @starcatch/phoenix: token auth, `room:*` channels with presence, a
 * `shout` that is broadcast, and an intercepted `shout` that hides muted senders per listener.
 * Run: `node examples/chat-server.ts` (PORT, default 4000), then join from phoenix.js with
 * `new Socket('ws://localhost:4000/socket', { params: { token: 'alice' } })`.
 */

import { type ChannelHandler, error, ok, PhoenixSocket, webSocketTransport } from '@starcatch/phoenix';
import Fastify from 'fastify';

interface Assigns {
  user: string;
  muted: Set<string>;
}

const room: ChannelHandler<Assigns> = {
  join: (topic, _params, channel) =>
    topic === 'room:lobby' ? ok({ you: channel.assigns.user }) : error({ reason: 'unknown room' }),
  afterJoin(channel) {
    channel.presence.track(channel.assigns.user, { online_at: Date.now() });
    channel.push('presence_state', channel.presence.list());
  },
  handleIn(event, payload, channel) {
    const body = (payload as { body?: unknown }).body;
    if (event === 'shout' && typeof body === 'string' && body.length <= 500) {
      channel.broadcast('shout', { from: channel.assigns.user, body });
      return ok();
    }
    if (event === 'mute' && typeof body === 'string') {
      channel.assigns.muted.add(body);
      return ok();
    }
    return error({ reason: 'bad message' });
  },
  // Every listener sees each shout here first and drops the ones from people it muted.
  intercept: ['shout'],
  handleOut(event, payload, channel) {
    if (!channel.assigns.muted.has((payload as { from: string }).from)) channel.push(event, payload);
  },
};

const socket = new PhoenixSocket<Assigns>({
  // A real server verifies a signed token here; refusing answers HTTP 403 before the upgrade.
  connect({ params }) {
    const user = params.token ?? '';
    return /^\w{1,20}$/.test(user) ? { ok: true, assigns: { user, muted: new Set<string>() } } : { ok: false };
  },
  id: (assigns) => `user:${assigns.user}`,
  channels: { 'room:*': room },
});

const app = Fastify();
await app.register(webSocketTransport<Assigns>, { socket, path: '/socket' });
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 4000) });
console.log(`chat server on ${address.replace('http', 'ws')}/socket`);
