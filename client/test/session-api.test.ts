import { describe, expect, it } from 'vitest';
import { ApiRequestError, type Fetch, isServerUp, requestSession } from '../src/net/session-api.ts';

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

describe('isServerUp', () => {
  it('is true only for a 2xx health answer', async () => {
    expect(await isServerUp(answering(200, { status: 'ok' }), { timeoutMs: 1000 })).toBe(true);
    expect(await isServerUp(answering(503, {}), { timeoutMs: 1000 })).toBe(false);
    expect(await isServerUp(failing, { timeoutMs: 1000 })).toBe(false);
  });
});
