import { AUTH_TOKEN_PREFIX, PHOENIX_SUBPROTOCOL } from '../constants.ts';

/** The outcome of reading `Sec-WebSocket-Protocol`: the decoded token, or a refusal. */
export type SubprotocolResult = { readonly ok: true; readonly authToken: string | undefined } | { readonly ok: false };

/**
 * phoenix.js sends `authToken` as the subprotocol `base64url.bearer.phx.<base64 without padding>`
 * beside `phoenix`. The token entry is removed; what remains must include `phoenix`, which the
 * server then selects. Offering subprotocols without `phoenix` is refused, as Phoenix does.
 */
export function readSubprotocols(header: string | undefined): SubprotocolResult {
  if (header === undefined || header.trim() === '') return { ok: true, authToken: undefined };
  let authToken: string | undefined;
  const others: string[] = [];
  for (const entry of header.split(',')) {
    const protocol = entry.trim();
    if (protocol.startsWith(AUTH_TOKEN_PREFIX)) authToken = decodeToken(protocol.slice(AUTH_TOKEN_PREFIX.length));
    else if (protocol !== '') others.push(protocol);
  }
  if (!others.includes(PHOENIX_SUBPROTOCOL)) return { ok: false };
  return { ok: true, authToken };
}

function decodeToken(encoded: string): string {
  // Standard base64 with the padding stripped (the client uses btoa); base64url input also decodes.
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export type OriginCheck = false | readonly string[] | ((origin: string) => boolean);

/** No `Origin` header (native and server clients) is always allowed, as in Phoenix. */
export function originAllowed(check: OriginCheck, origin: string | undefined): boolean {
  if (check === false || origin === undefined) return true;
  if (typeof check === 'function') return check(origin);
  return check.includes(origin);
}

/** The query string of a request URL, one value per name: the last one wins when a name repeats. */
export function queryParams(url: string): Record<string, string> {
  const query = url.indexOf('?');
  const params: Record<string, string> = {};
  if (query === -1) return params;
  for (const [name, value] of new URLSearchParams(url.slice(query + 1))) params[name] = value;
  return params;
}
