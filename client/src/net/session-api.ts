import {
  type ApiError as ApiErrorBody,
  ApiPath,
  ErrorCode,
  type SessionResponse,
  type SessionStatusResponse,
  type SocketRefusalReason,
  type User,
} from '@starcatch/shared';
import { refusalText } from './refusal-text.ts';

/** The body of `201 POST /api/v1/session`. */
export type SessionGrant = SessionResponse;

/** A refused API request: the server's error code and message, or a network failure. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  /** The server's error code; `network` when there was no usable answer. */
  readonly code: ErrorCode | 'network';
  /** The HTTP status; 0 when there was none (or the client refused before asking). */
  readonly status: number;

  constructor(message: string, code: ErrorCode | 'network', status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export type Fetch = typeof fetch;

/** Told to the player when sign-in answers 503 `storage_unavailable` (the server's database is down). */
export const STORAGE_UNAVAILABLE_SIGN_IN = "The server's database is unavailable; try again in a moment.";

/** Guest sign-in: trades a nickname for a session token and the user the server made for it. */
export async function requestSession(
  fetchFn: Fetch,
  nickname: string,
  { baseUrl = '', timeoutMs }: { baseUrl?: string; timeoutMs: number },
): Promise<SessionGrant> {
  let response: Response;
  try {
    response = await fetchFn(`${baseUrl}${ApiPath.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new ApiRequestError('The server cannot be reached. Check your connection and try again.', 'network', 0);
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && isSessionGrant(body)) return body;
  if (isApiErrorBody(body)) {
    if (body.error.code === ErrorCode.storageUnavailable) {
      throw new ApiRequestError(STORAGE_UNAVAILABLE_SIGN_IN, body.error.code, response.status);
    }
    throw new ApiRequestError(
      refusalText('sign_in', body.error.code, body.error.message),
      body.error.code,
      response.status,
    );
  }
  if (response.status === 429) {
    // Too many sign-ins from this address, answered by the server or by a proxy in front of it.
    throw new ApiRequestError(refusalText('sign_in', ErrorCode.rateLimited, ''), ErrorCode.rateLimited, 429);
  }
  if (response.status === 503) {
    // A proxy's or load balancer's own 503: the server is starting, stopping or overloaded.
    throw new ApiRequestError('The server is unavailable right now; try again in a moment.', 'network', 503);
  }
  throw new ApiRequestError(`The server answered ${response.status} without a session.`, 'network', response.status);
}

/**
 * What `GET /api/v1/session` says of a token: `valid`, `refused` (401: invalid or expired), or
 * `unreachable` (no answer, or an answer that is neither, such as a proxy's 502 while the server
 * restarts). The token is valid but the server refuses sockets from this address for now:
 * `rate_limited` (too many connects lately) or `too_many_connections` (too many open).
 */
export type SessionCheck = 'valid' | 'refused' | 'unreachable' | SocketThrottle;

/** Why sockets from this address are refused for now, while the token itself is fine. */
export type SocketThrottle = SocketRefusalReason;

/**
 * Asks the server whether it accepts a token. A browser hides why a WebSocket failed to open (the
 * 403 of a refused upgrade looks like a server that is down), so the socket asks this instead.
 */
export async function checkSession(
  fetchFn: Fetch,
  token: string,
  { baseUrl = '', timeoutMs }: { baseUrl?: string; timeoutMs: number },
): Promise<SessionCheck> {
  try {
    const response = await fetchFn(`${baseUrl}${ApiPath.session}`, {
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) {
      const body = (await response.json().catch(() => null)) as Partial<SessionStatusResponse> | null;
      return body?.socket_refused?.reason ?? 'valid';
    }
    return response.status === 401 ? 'refused' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

function isSessionGrant(body: unknown): body is SessionGrant {
  if (typeof body !== 'object' || body === null) return false;
  const { token, user } = body as { token?: unknown; user?: Partial<Record<keyof User, unknown>> };
  return (
    typeof token === 'string' &&
    typeof user === 'object' &&
    user !== null &&
    typeof user.id === 'string' &&
    typeof user.nickname === 'string' &&
    typeof user.color === 'string'
  );
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const { error } = body as { error?: { code?: unknown; message?: unknown } };
  return typeof error?.code === 'string' && typeof error.message === 'string';
}
