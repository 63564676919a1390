import { ApiPath, type LeaderboardEntry } from '@starcatch/shared';
import { ApiRequestError, type Fetch } from './session-api.ts';

/**
 * `GET /api/v1/leaderboard?limit=N`: the best players over every finished round. Rows that do not
 * have the documented shape are left out rather than shown half-filled.
 */
export async function fetchLeaderboard(
  fetchFn: Fetch,
  { baseUrl = '', limit, timeoutMs }: { baseUrl?: string; limit: number; timeoutMs: number },
): Promise<LeaderboardEntry[]> {
  let response: Response;
  try {
    response = await fetchFn(`${baseUrl}${ApiPath.leaderboard}?limit=${limit}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new ApiRequestError('The leaderboard cannot be reached right now.', 'network', 0);
  }
  const body: unknown = await response.json().catch(() => null);
  const rows = (body as { leaderboard?: unknown } | null)?.leaderboard;
  if (!response.ok || !Array.isArray(rows)) {
    throw new ApiRequestError(
      `The server answered ${response.status} without a leaderboard.`,
      'network',
      response.status,
    );
  }
  return rows.filter(isLeaderboardEntry);
}

function isLeaderboardEntry(row: unknown): row is LeaderboardEntry {
  if (typeof row !== 'object' || row === null) return false;
  const { rank, user_id, nickname, stars, wins, rounds } = row as Partial<Record<keyof LeaderboardEntry, unknown>>;
  return (
    Number.isInteger(rank) &&
    typeof user_id === 'string' &&
    typeof nickname === 'string' &&
    Number.isInteger(stars) &&
    Number.isInteger(wins) &&
    Number.isInteger(rounds)
  );
}
