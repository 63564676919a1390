/**
 * The operator route that closes a user's WebRTC peers, against the real server with a werift
 * "browser": absent without ADMIN_TOKEN, 401 with a wrong token, and with the right one the peer
 * closes and the client is told `closed_by_operator`.
 */
import { AdminPath, ErrorCode, WebRtcEvent } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../integration/wait-for.ts';
import { useRtcServer } from '../rtc/rtc-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ADMIN_TOKEN = 'operator-token-for-tests';
const rtc = useRtcServer({ ADMIN_TOKEN });

const closePeers = (baseUrl: string, userId: string, token?: string) =>
  fetch(`${baseUrl}${AdminPath.closePeers(encodeURIComponent(userId))}`, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe('POST /api/v1/admin/users/:id/webrtc/close', () => {
  it('closes every peer of the user and tells the client why', async () => {
    const { channel, userId } = await rtc.joinUserChannel();
    const peer = rtc.browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();

    const response = await closePeers(rtc.server.httpUrl, userId, ADMIN_TOKEN);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ closed: 1 });
    expect(rtc.server.app.webrtc.peers.forUser(userId)).toHaveLength(0);
    await waitFor(() =>
      peer.signals.some(
        (signal) =>
          signal.event === WebRtcEvent.state &&
          (signal.payload as { reason?: string }).reason === ErrorCode.closedByOperator,
      ),
    );
  });

  it('answers 401 to a missing or wrong token and closes nothing', async () => {
    const { channel, userId } = await rtc.joinUserChannel();
    const peer = rtc.browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();
    for (const token of [undefined, 'wrong-token', `${ADMIN_TOKEN}x`]) {
      const response = await closePeers(rtc.server.httpUrl, userId, token);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: ErrorCode.unauthorized } });
    }
    expect(rtc.server.app.webrtc.peers.forUser(userId)).toHaveLength(1);
  });

  it('answers {closed: 0} for a user with no peer', async () => {
    const response = await closePeers(rtc.server.httpUrl, 'no-such-user', ADMIN_TOKEN);
    expect(await response.json()).toEqual({ closed: 0 });
  });
});

describe('without ADMIN_TOKEN', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('has no admin routes', async () => {
    expect((await closePeers(server.httpUrl, 'anyone', 'anything-at-all')).status).toBe(404);
  });
});
