import type { ApiError as ApiErrorBody, ErrorCode, User } from '@starcatch/shared';

/** The HTTP API's routes, relative to the page's origin (the Vite dev server proxies them). */
export const ApiRoute = {
  session: '/api/v1/session',
  health: '/api/v1/health',
} as const;

/** The body of `201 POST /api/v1/session`. */
export interface SessionGrant {
  readonly token: string;
  readonly user: User;
}

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

/** Guest sign-in: trades a nickname for a session token and the user the server made for it. */
export async function requestSession(
  fetchFn: Fetch,
  nickname: string,
  { baseUrl = '', timeoutMs }: { baseUrl?: string; timeoutMs: number },
): Promise<SessionGrant> {
  let response: Response;
  try {
    response = await fetchFn(`${baseUrl}${ApiRoute.session}`, {
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
  if (isApiErrorBody(body)) throw new ApiRequestError(body.error.message, body.error.code, response.status);
  throw new ApiRequestError(`The server answered ${response.status} without a session.`, 'network', response.status);
}

/**
 * Whether the server answers its health check. A browser hides why a WebSocket failed to open, so
 * this is how the socket tells "server down" (keep retrying) from "token refused" (sign in again).
 */
export async function isServerUp(fetchFn: Fetch, { baseUrl = '', timeoutMs }: { baseUrl?: string; timeoutMs: number }) {
  try {
    const response = await fetchFn(`${baseUrl}${ApiRoute.health}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok;
  } catch {
    return false;
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
