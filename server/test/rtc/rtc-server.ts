import { Topic } from '@starcatch/shared';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { OpenPeer } from '../../src/rtc/peer-registry.ts';
import {
  type Channel,
  ClientSockets,
  type InboundMessage,
  join,
  recordMessages,
  type Socket,
} from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { BrowserPeer } from './browser-peer.ts';

/** A signed-in guest's socket with its `user:<id>` channel joined. */
export interface JoinedUser {
  readonly userId: string;
  readonly socket: Socket;
  readonly channel: Channel;
  /** Everything the socket received since before the join, in order. */
  readonly messages: InboundMessage[];
}

export interface RtcServer {
  readonly server: TestServer;
  readonly sockets: ClientSockets;
  joinUserChannel(): Promise<JoinedUser>;
  /** A werift "browser" on the channel, closed after the test. */
  browserPeer(channel: Channel): BrowserPeer;
  /** The one server peer of this user; throws if there are none or several. */
  serverPeerOf(userId: string): OpenPeer;
}

/**
 * Starts the real server for this file (with `env` overrides) and, after each test, closes every
 * browser peer and socket and waits until the server holds no peer.
 */
export function useRtcServer(env: Record<string, string> = {}): RtcServer {
  let server: TestServer | undefined;
  const sockets = new ClientSockets();
  const peers: BrowserPeer[] = [];
  beforeAll(async () => {
    server = await startTestServer(env);
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await sockets.disconnectAll();
    await waitFor(() => rtc.server.app.webrtc.peers.size === 0, { what: 'every server peer to close' });
  });
  afterAll(() => server?.close());

  const rtc: RtcServer = {
    get server() {
      if (!server) throw new Error('the server starts in beforeAll');
      return server;
    },
    sockets,
    async joinUserChannel() {
      const { token, user } = await rtc.server.signIn();
      const socket = await sockets.open(rtc.server.socketUrl, { params: { token } });
      const messages = recordMessages(socket);
      const channel = socket.channel(Topic.user(user.id));
      await join(channel);
      return { userId: user.id, socket, channel, messages };
    },
    browserPeer(channel) {
      const peer = new BrowserPeer(channel);
      peers.push(peer);
      return peer;
    },
    serverPeerOf(userId) {
      const [peer, ...others] = rtc.server.app.webrtc.peers.forUser(userId);
      if (!peer || others.length > 0) throw new Error(`expected one server peer for ${userId}`);
      return peer;
    },
  };
  return rtc;
}
