/**
 * `ChannelContext.sendBacklog` over a real socket: a client that stops reading makes the server's
 * unsent bytes grow past what the kernel buffers hold, and they fall back to 0 once it reads again.
 */

import { type ChannelContext, type ChannelHandler, ok } from '@starcatch/phoenix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../integration/wait-for.ts';
import { type ProtocolTestServer, startProtocolTestServer, type TestAssigns } from '../support/protocol-test-server.ts';

/** Well past loopback's socket buffers (a few MiB), so the rest must wait in the server. */
const FLOOD_BYTES = 24 * 1024 * 1024;
const CHUNK = 'x'.repeat(64 * 1024);

const joined: ChannelContext<TestAssigns>[] = [];
const floodChannel: ChannelHandler<TestAssigns> = {
  join(_topic, _params, channel) {
    joined.push(channel);
    return ok({});
  },
};

describe('sendBacklog', () => {
  let server: ProtocolTestServer;
  beforeAll(async () => {
    // Above the flood, so the backlog cap (backlog-cap.test.ts) does not close this socket.
    server = await startProtocolTestServer({
      socket: { channels: { 'flood:*': floodChannel } },
      maxSendBacklogBytes: 2 * FLOOD_BYTES,
    });
  });
  afterAll(() => server.close());

  it('counts what a client that stopped reading has not taken, and drains to 0 when it reads', async () => {
    const client = new WebSocket(server.wsUrl());
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    let received = 0;
    client.on('message', (data: Buffer) => {
      received += data.length;
    });
    client.send(JSON.stringify(['1', '1', 'flood:1', 'phx_join', {}]));
    await waitFor(() => joined.length === 1, { what: 'the join' });
    const channel = joined[0] as ChannelContext<TestAssigns>;
    expect(channel.sendBacklog).toBe(0);

    client.pause();
    for (let sent = 0; sent < FLOOD_BYTES; sent += CHUNK.length) channel.push('blob', { data: CHUNK });
    await waitFor(() => channel.sendBacklog > 4 * 1024 * 1024, { what: 'a backlog of several MiB' });

    client.resume();
    await waitFor(() => channel.sendBacklog === 0, { what: 'the backlog to drain', timeoutMs: 10_000 });
    await waitFor(() => received >= FLOOD_BYTES, { what: 'every byte to arrive', timeoutMs: 10_000 });
    client.terminate();
  });
});
