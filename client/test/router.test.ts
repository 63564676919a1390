import { describe, expect, it } from 'vitest';
import { allowedRoute, LOBBY_ROUTE, parseRoute, routeHash, SIGNIN_ROUTE } from '../src/ui/router.ts';

describe('routes', () => {
  it('reads the hash, falling back to the lobby', () => {
    expect(parseRoute('#/signin')).toEqual(SIGNIN_ROUTE);
    expect(parseRoute('#/signin/')).toEqual(SIGNIN_ROUTE);
    expect(parseRoute('#/')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('#/nowhere')).toEqual(LOBBY_ROUTE);
  });

  it('writes the hash each route is read from', () => {
    for (const route of [LOBBY_ROUTE, SIGNIN_ROUTE]) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('keeps signed-out players on sign-in and signed-in players off it', () => {
    expect(allowedRoute(LOBBY_ROUTE, false)).toEqual(SIGNIN_ROUTE);
    expect(allowedRoute(SIGNIN_ROUTE, false)).toEqual(SIGNIN_ROUTE);
    expect(allowedRoute(SIGNIN_ROUTE, true)).toEqual(LOBBY_ROUTE);
    expect(allowedRoute(LOBBY_ROUTE, true)).toEqual(LOBBY_ROUTE);
  });
});
