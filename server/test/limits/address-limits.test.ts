/**
 * Limits per client address, against the real server over real sockets. Loopback stands for many
 * addresses: the server trusts 127.0.0.1 as a proxy, so each `X-Forwarded-For` is one client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADDRESS_LIMITS, SOCKET_CAP_RETRY_AFTER_SECONDS } from '../../src/limits/address-limits.ts';
import { ClientSockets } from '../integration/phoenix-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { apiCode, fromAddress, guestFrom, sessionStatusFrom, signInFrom, upgradeFrom } from './limits-support.ts';

const CONNECTS_PER_MINUTE = DEFAULT_ADDRESS_LIMITS.socketConnectsPerMinute;
/** Small, so the test opens few sockets; the mechanism is the same at the default (64). */
const MAX_SOCKETS = 3;

describe('per-address limits behind a trusted proxy', () => {
  let server: TestServer;
  const sockets = new ClientSockets();

  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1', MAX_SOCKETS_PER_ADDRESS: String(MAX_SOCKETS) });
  });
  afterEach(() => sockets.disconnectAll());
  afterAll(() => server.close());

  it('refuses the 21st sign-in within a minute from one address with 429; another address signs in', async () => {
    const limit = DEFAULT_ADDRESS_LIMITS.signInsPerMinute;
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await signInFrom(server, '198.51.100.1')).status);
    const refused = await signInFrom(server, '198.51.100.1');
    const elapsedMs = performance.now() - started;

    expect(statuses).toEqual(new Array(limit).fill(201));
    expect(refused.status).toBe(429);
    expect(apiCode(refused.body)).toBe(ErrorCode.rateLimited);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await signInFrom(server, '198.51.100.2')).status).toBe(201);
    console.info(`[figure] sign-in ${limit + 1} from one address: 429 after ${elapsedMs.toFixed(0)} ms`);
  });

  it('counts the client address, not the addresses a client prepends to X-Forwarded-For', async () => {
    const limit = DEFAULT_ADDRESS_LIMITS.signInsPerMinute;
    for (let i = 0; i < limit; i++) {
      // A client cannot escape its budget by claiming to be someone else: the proxy appends the real address.
      expect((await signInFrom(server, `203.0.113.${i + 1}, 198.51.100.3`)).status).toBe(201);
    }
    expect((await signInFrom(server, '203.0.113.99, 198.51.100.3')).status).toBe(429);
  });

  it('refuses socket connects over the budget with HTTP 429 and says so on GET /api/v1/session', async () => {
    const { token } = await guestFrom(server, '198.51.100.10');
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < CONNECTS_PER_MINUTE; i++)
      statuses.push((await upgradeFrom(server, '198.51.100.10', token)).status);
    const refused = await upgradeFrom(server, '198.51.100.10', token);
    const elapsedMs = performance.now() - started;

    expect(statuses).toEqual(new Array(CONNECTS_PER_MINUTE).fill(101));
    expect(refused.status).toBe(429);
    // The browser cannot read that 429, so the session check tells it why.
    const status = await sessionStatusFrom(server, '198.51.100.10', token);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ socket_refused: { reason: ErrorCode.rateLimited } });

    // Another address, same user: the official client connects and the session check is clean.
    const other = await sockets.open(server.socketUrl, fromAddress('198.51.100.11', token));
    expect(other.isConnected()).toBe(true);
    expect(await sessionStatusFrom(server, '198.51.100.11', token)).toMatchObject({
      status: 200,
      body: { user: expect.any(Object) },
    });
    expect((await sessionStatusFrom(server, '198.51.100.11', token)).body).not.toHaveProperty('socket_refused');
    console.info(
      `[figure] socket connect ${CONNECTS_PER_MINUTE + 1} from one address: 429 after ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it('refuses a socket over the concurrent cap with 429 too_many_connections until one closes', async () => {
    const { token } = await guestFrom(server, '198.51.100.20');
    const open = [];
    for (let i = 0; i < MAX_SOCKETS; i++)
      open.push(await sockets.open(server.socketUrl, fromAddress('198.51.100.20', token)));

    const refused = await upgradeFrom(server, '198.51.100.20', token);
    expect(refused.status).toBe(429);
    expect(apiCode(refused.body)).toBe(ErrorCode.tooManyConnections);
    expect(refused.retryAfter).toBe(String(SOCKET_CAP_RETRY_AFTER_SECONDS));
    expect((await sessionStatusFrom(server, '198.51.100.20', token)).body).toMatchObject({
      socket_refused: { reason: ErrorCode.tooManyConnections },
    });
    // Another address is not affected.
    expect((await upgradeFrom(server, '198.51.100.21', token)).status).toBe(101);

    // Closing one frees its place: the count follows the TCP connection.
    const [first] = open;
    if (!first) throw new Error('three sockets are open');
    await sockets.disconnect(first);
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 101; attempt++) {
      if (attempt > 0) await sleep(20);
      status = (await upgradeFrom(server, '198.51.100.20', token)).status;
    }
    expect(status).toBe(101);
  });
});

describe('per-address limits without TRUSTED_PROXIES', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIGN_INS_PER_ADDRESS_PER_MINUTE: '3' });
  });
  afterAll(() => server.close());

  it('ignores X-Forwarded-For: every request counts for the TCP peer, 127.0.0.1', async () => {
    const statuses: number[] = [];
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      statuses.push((await signInFrom(server, address)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});
