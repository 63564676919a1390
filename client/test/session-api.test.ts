import { describe, expect, it } from 'vitest';
import {
  ApiRequestError,
  checkSession,
  type Fetch,
  requestSession,
  STORAGE_UNAVAILABLE_SIGN_IN,
} from '../src/net/session-api.ts';

const user = { id: 'u1', nickname: 'Vega', color: '#ffd93d' };

function answering(status: number, body: unknown): Fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const failing: Fetch = async () => {
  throw new TypeError('Failed to fetch');
};

describe('requestSession', () => {
  it('returns the token and user of a 201', async () => {
    const grant = await requestSession(answering(201, { token: 't', user }), 'Vega', { timeoutMs: 1000 });
    expect(grant).toEqual({ token: 't', user });
  });

  it("rejects with the API's own code and message", async () => {
    const body = { error: { code: 'invalid_nickname', message: 'nickname must be 2 to 16 characters' } };
    const error = await requestSession(answering(400, body), 'x', { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ code: 'invalid_nickname', status: 400, message: body.error.message });
  });

  it('explains a network failure or an answer without a session', async () => {
    await expect(requestSession(failing, 'Vega', { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'network' });
    await expect(requestSession(answering(502, 'Bad gateway'), 'Vega', { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'network',
      status: 502,
    });
  });

  it("says in words that the server's database is unavailable on a 503 storage_unavailable", async () => {
    const body = { error: { code: 'storage_unavailable', message: 'server words' } };
    const error = await requestSession(answering(503, body), 'Vega', { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ code: 'storage_unavailable', status: 503, message: STORAGE_UNAVAILABLE_SIGN_IN });
    expect(STORAGE_UNAVAILABLE_SIGN_IN).toBe("The server's database is unavailable; try again in a moment.");
  });

  it('explains a 503 without an API error (a proxy’s) as a server that is unavailable for now', async () => {
    await expect(
      requestSession(answering(503, 'Service Unavailable'), 'Vega', { timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'network', status: 503, message: expect.stringContaining('try again') });
  });

  it('posts the nickname as JSON under the base URL', async () => {
    let seen: { url: string; init: RequestInit | undefined } | null = null;
    const recording: Fetch = async (url, init) => {
      seen = { url: String(url), init };
      return new Response(JSON.stringify({ token: 't', user }), { status: 201 });
    };
    await requestSession(recording, 'Vega', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    expect(seen).toMatchObject({
      url: 'http://127.0.0.1:1/api/v1/session',
      init: { method: 'POST', body: '{"nickname":"Vega"}' },
    });
  });
});

describe('checkSession', () => {
  it('is valid for a 2xx, refused only for a 401, and unreachable for anything else', async () => {
    const options = { timeoutMs: 1000 };
    expect(await checkSession(answering(200, { user }), 't', options)).toBe('valid');
    const unauthorized = {
      error: { code: 'unauthorized', message: 'The session token is missing, invalid or expired.' },
    };
    expect(await checkSession(answering(401, unauthorized), 't', options)).toBe('refused');
    expect(await checkSession(answering(502, 'Bad gateway'), 't', options)).toBe('unreachable');
    expect(await checkSession(answering(503, {}), 't', options)).toBe('unreachable');
    expect(await checkSession(failing, 't', options)).toBe('unreachable');
  });

  it('sends the token as a bearer token to GET /api/v1/session', async () => {
    let seen: { url: string; init: RequestInit | undefined } | null = null;
    const recording: Fetch = async (url, init) => {
      seen = { url: String(url), init };
      return new Response(JSON.stringify({ user }), { status: 200 });
    };
    await checkSession(recording, 'secret-token', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    expect(seen).toMatchObject({
      url: 'http://127.0.0.1:1/api/v1/session',
      init: { headers: { authorization: 'Bearer secret-token' } },
    });
    expect((seen as { init?: RequestInit } | null)?.init?.method ?? 'GET').toBe('GET');
  });
});
