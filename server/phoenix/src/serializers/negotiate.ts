import type { Serializer } from './serializer.ts';
import { v1JsonSerializer } from './v1-json-serializer.ts';
import { v2JsonSerializer } from './v2-json-serializer.ts';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(-[^+]*)?(?:\+.*)?$/;

/**
 * Picks the serializer for the `vsn` query param: absent or `1.0.x` → V1, `2.0.x` → V2
 * (Phoenix matches `~> 1.0.0` and `~> 2.0.0`). Anything else → null, refused with HTTP 403.
 */
export function negotiateSerializer(vsn: string | undefined): Serializer | null {
  if (vsn === undefined) return v1JsonSerializer;
  const match = SEMVER.exec(vsn);
  if (!match) return null;
  const [, major, minor, patch, preRelease] = match;
  if (minor !== '0') return null;
  // A pre-release of x.0.0 (`2.0.0-rc.1`) sorts before x.0.0, so `~> 2.0.0` does not match it.
  if (patch === '0' && preRelease !== undefined) return null;
  if (major === '1') return v1JsonSerializer;
  if (major === '2') return v2JsonSerializer;
  return null;
}
