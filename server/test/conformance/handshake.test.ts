import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VALID_TOKEN } from '../support/protocol-test-server.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { heartbeat, heartbeatReply, v1, v1Reply } from './frames.ts';
import { expectAlive, handshakeStatus, rawUpgrade, useProtocolServer } from './harness.ts';

// docs/protocol.md §2, cases 1-7 of its §13: everything decided before or during the upgrade.

/** `Sec-WebSocket-Protocol` entry phoenix.js builds from `authToken`: btoa without padding. */
const bearer = (token: string) => `base64url.bearer.phx.${btoa(token).replace(/=+$/, '')}`;

describe('the real app', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  test('case 1: a valid token and vsn=2.0.0 upgrade with 101 and no frame on open', async () => {
    const { token } = await app.signIn();
    const ws = await RawSocket.open(`${app.socketUrl}/websocket?token=${encodeURIComponent(token)}&vsn=2.0.0`);
    try {
      await ws.expectSilence();
      await expectAlive(ws);
    } finally {
      ws.close();
    }
  });

  test('case 2: an invalid or missing token is refused with 403 before the upgrade', async () => {
    const { token } = await app.signIn();
    const url = `${app.socketUrl}/websocket?vsn=2.0.0`;
    expect(await handshakeStatus(`${url}&token=${encodeURIComponent(`${token}x`)}`)).toBe(403);
    expect(await handshakeStatus(`${url}&token=not-a-token`)).toBe(403);
    expect(await handshakeStatus(url)).toBe(403);
  });
});

describe('the protocol test server', () => {
  const harness = useProtocolServer();

  test('case 2: the protocol server refuses a bad token with 403 too', async () => {
    const server = await harness.start();
    expect(await handshakeStatus(server.wsUrl({ token: 'wrong' }))).toBe(403);
    expect(await handshakeStatus(server.wsUrl({ token: undefined }))).toBe(403);
  });

  test('case 2: the refusal is a plain 403 with an empty body, not an upgrade', async () => {
    const server = await harness.start();
    expect(await rawUpgrade(server.wsUrl({ token: 'wrong' }))).toEqual({ status: 403, body: '' });
    expect(await rawUpgrade(server.wsUrl())).toEqual({ status: 101, body: '' });
  });

  test('case 3: vsn 3.0.0, abc and others outside ~> 1.0.0 and ~> 2.0.0 are refused with 403', async () => {
    const server = await harness.start();
    for (const vsn of ['3.0.0', 'abc', '123.1.1', '1.1.0', '2', '2.0.0-rc.1', '']) {
      expect(await handshakeStatus(server.wsUrl({ vsn })), vsn).toBe(403);
    }
  });

  test('case 3: vsn 2.0.0 (and 2.0.x) speaks V2 arrays', async () => {
    const server = await harness.start();
    for (const vsn of ['2.0.0', '2.0.1']) {
      const ws = await harness.connect(server, { vsn });
      ws.send(heartbeat('1'));
      expect(await ws.nextJson(), vsn).toEqual(heartbeatReply('1'));
    }
  });

  test('case 3: vsn 1.0.0 (and 1.0.x) and no vsn at all speak V1 objects', async () => {
    const server = await harness.start();
    for (const vsn of ['1.0.0', '1.0.5', undefined]) {
      const ws = await harness.connect(server, { vsn });
      ws.send(v1('phoenix', 'heartbeat', {}, '1'));
      expect(await ws.nextJson(), `vsn=${vsn}`).toStrictEqual(v1Reply('1', 'phoenix', 'ok'));
    }
  });

  test('case 4: the authToken subprotocol gets 101 selecting "phoenix", and its token authenticates', async () => {
    const server = await harness.start();
    const ws = await harness.connect(server, { token: undefined }, { protocols: ['phoenix', bearer(VALID_TOKEN)] });
    expect(ws.ws.protocol).toBe('phoenix');
    await expectAlive(ws);
  });

  test('case 4: a wrong token in the subprotocol is refused with 403', async () => {
    const server = await harness.start();
    const url = server.wsUrl({ token: undefined });
    expect(await handshakeStatus(url, { protocols: ['phoenix', bearer('wrong-token')] })).toBe(403);
  });

  test('case 4: subprotocols offered without "phoenix" are refused with 403', async () => {
    const server = await harness.start();
    expect(await handshakeStatus(server.wsUrl(), { protocols: ['chat'] })).toBe(403);
    expect(await handshakeStatus(server.wsUrl(), { protocols: [bearer(VALID_TOKEN)] })).toBe(403);
  });

  test('case 5: a disallowed Origin is refused with 403; an allowed one and no Origin are accepted', async () => {
    const server = await harness.start({ checkOrigin: ['https://good.example'] });
    const url = server.wsUrl();
    expect(await handshakeStatus(url, { headers: { Origin: 'https://evil.example' } })).toBe(403);
    expect(await handshakeStatus(url, { headers: { Origin: 'https://good.example' } })).toBe(101);
    expect(await handshakeStatus(url)).toBe(101);
  });

  test('case 6: a non-GET request to /socket/websocket gets 400 and an unknown path 404', async () => {
    const server = await harness.start();
    const http = server.socketUrl.replace(/^ws:/, 'http:');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect((await fetch(`${http}/websocket`, { method })).status, method).toBe(400);
    }
    expect((await fetch(`${http}/nope`)).status).toBe(404);
  });

  test('case 7: a frame over the max frame size closes that socket with 1009; others keep working', async () => {
    const server = await harness.start({ maxFrameSize: 1024 });
    const big = await harness.connect(server);
    const other = await harness.connect(server);
    // The size is in the payload: a ref over 255 bytes is malformed on its own (1007, field-limits.test.ts).
    big.send([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(900) }]);
    expect(await big.nextJson()).toEqual(heartbeatReply('1'));
    big.send([null, '2', 'phoenix', 'heartbeat', { pad: 'x'.repeat(2000) }]);
    expect((await big.closed).code).toBe(1009);
    await expectAlive(other);
  });
});
