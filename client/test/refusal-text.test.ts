import { ErrorCode } from '@starcatch/shared';
import { describe, expect, it, vi } from 'vitest';
import { refusalText } from '../src/net/refusal-text.ts';
import { checkSession, type Fetch, requestSession, type SessionCheck } from '../src/net/session-api.ts';
import { SocketRefusalDetector } from '../src/net/socket-refusal.ts';

function answering(status: number, body: unknown): Fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('refusalText', () => {
  it('words a limit by what the player was doing', () => {
    expect(refusalText('create_room', ErrorCode.rateLimited, 'server words')).toBe(
      'You are creating rooms too fast; wait a minute.',
    );
    expect(refusalText('join_room', ErrorCode.rateLimited, 'server words')).toBe(
      'You are joining rooms too fast; wait a minute.',
    );
    expect(refusalText('create_room', ErrorCode.tooManyRooms, '')).toMatch(/join one of the open rooms/);
    expect(refusalText('join_room', ErrorCode.tooManyRoomsJoined, '')).toMatch(/leave it first/);
    expect(refusalText('connect', ErrorCode.tooManyConnections, '')).toMatch(/close a tab/);
  });

  it("keeps the server's message for anything it has no words of its own for", () => {
    expect(refusalText('join_room', ErrorCode.roomFull, 'This room is full (8 players).')).toBe(
      'This room is full (8 players).',
    );
  });
});

describe('limits in the session API', () => {
  it('words a 429 sign-in, with or without an API error body', async () => {
    const body = { error: { code: 'rate_limited', message: 'x' } };
    await expect(requestSession(answering(429, body), 'Vega', { timeoutMs: 1000 })).rejects.toMatchObject({
      code: ErrorCode.rateLimited,
      status: 429,
      message: 'Too many sign-ins from your network; wait a minute and try again.',
    });
    await expect(
      requestSession(answering(429, 'Too Many Requests'), 'Vega', { timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: ErrorCode.rateLimited, status: 429 });
  });

  it('reads why sockets from this address are refused from GET /api/v1/session', async () => {
    const user = { id: 'u1', nickname: 'Vega', color: '#ffd93d' };
    const refused = { reason: 'too_many_connections', message: 'x', retry_after_seconds: 10 };
    expect(await checkSession(answering(200, { user, socket_refused: refused }), 't', { timeoutMs: 1000 })).toBe(
      'too_many_connections',
    );
    expect(await checkSession(answering(200, { user }), 't', { timeoutMs: 1000 })).toBe('valid');
  });
});

describe('SocketRefusalDetector and the address limits', () => {
  it('reports a throttled address and keeps retrying; an open socket clears it', async () => {
    let answer: SessionCheck = 'rate_limited';
    const onRefused = vi.fn();
    const onThrottled = vi.fn();
    const detector = new SocketRefusalDetector({ checkSession: async () => answer, onRefused, onThrottled });

    detector.failedToOpen();
    await vi.waitFor(() => expect(onThrottled).toHaveBeenLastCalledWith('rate_limited'));
    answer = 'too_many_connections';
    detector.failedToOpen();
    await vi.waitFor(() => expect(onThrottled).toHaveBeenLastCalledWith('too_many_connections'));
    detector.opened();
    expect(onThrottled).toHaveBeenLastCalledWith(null);
    expect(onRefused).not.toHaveBeenCalled();
  });
});
