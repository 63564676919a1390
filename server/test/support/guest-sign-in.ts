import { ApiPath, type SessionResponse } from '@starcatch/shared';

/**
 * Signs in a guest through the real API (`POST /api/v1/session` at `httpUrl`); throws unless the
 * server answers 201. `forwardedFor` sends an `X-Forwarded-For`: the client address a server with
 * `TRUSTED_PROXIES=127.0.0.1` counts its per-address budgets against. Used by every test harness,
 * and by the bench's bots.
 */
export async function signInGuest(httpUrl: string, nickname: string, forwardedFor?: string): Promise<SessionResponse> {
  const response = await fetch(`${httpUrl}${ApiPath.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor && { 'x-forwarded-for': forwardedFor }) },
    body: JSON.stringify({ nickname }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as SessionResponse;
}
