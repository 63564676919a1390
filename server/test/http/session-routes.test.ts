import { ApiPath } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.ts';
import { startTestServer, TEST_SECRET_KEY, type TestServer } from '../support/test-server.ts';

describe('session API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const post = (body: unknown) =>
    fetch(`${server.httpUrl}${ApiPath.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('signs in a guest with a trimmed nickname and a colour, and stores the user', async () => {
    const response = await post({ nickname: '  Ada  ' });
    expect(response.status).toBe(201);
    const { token, user } = (await response.json()) as { token: string; user: { id: string; nickname: string } };
    expect(user.nickname).toBe('Ada');
    expect(typeof token).toBe('string');
    expect(await server.app.storage.findUser(user.id)).toMatchObject({ nickname: 'Ada' });
  });

  it.each([
    [{ nickname: 'a' }],
    [{ nickname: 'x'.repeat(17) }],
    [{ nickname: 'bad\u0007bell' }],
    [{ nickname: 42 }],
    [{}],
  ])('refuses %j with 400 and a JSON error', async (body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_nickname' } });
  });

  it('checks a token with GET /api/v1/session', async () => {
    const { token, user } = await server.signIn('Checker');
    const good = await fetch(`${server.httpUrl}${ApiPath.session}`, { headers: { authorization: `Bearer ${token}` } });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ user });
    const bad = await fetch(`${server.httpUrl}${ApiPath.session}`, { headers: { authorization: 'Bearer nope.nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('lists rooms and answers health', async () => {
    const rooms = await fetch(`${server.httpUrl}${ApiPath.rooms}`);
    expect(await rooms.json()).toEqual({ rooms: [] });
    const health = await fetch(`${server.httpUrl}${ApiPath.health}`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: 'sqlite' });
  });

  it('expires tokens', async () => {
    const shortLived = await startTestServer({ TOKEN_TTL_SECONDS: '1' });
    try {
      const { token } = await shortLived.signIn('Brief');
      expect(shortLived.app.tokens.verify(token)).not.toBeNull();
      // The server's key on a clock 1.1 s ahead, rather than waiting 1.1 s.
      const onClock = (now: number) => new SessionTokens(TEST_SECRET_KEY, 1, () => now);
      expect(onClock(Date.now()).verify(token)).not.toBeNull();
      expect(onClock(Date.now() + 1100).verify(token)).toBeNull();
    } finally {
      await shortLived.close();
    }
  });
});
