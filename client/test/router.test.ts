import { describe, expect, it } from 'vitest';
import {
  allowedRoute,
  LOBBY_ROUTE,
  parseRoute,
  roomRoute,
  routeHash,
  SIGNIN_ROUTE,
  sameRoute,
} from '../src/ui/router.ts';

describe('routes', () => {
  it('reads the hash, falling back to the lobby', () => {
    expect(parseRoute('#/signin')).toEqual(SIGNIN_ROUTE);
    expect(parseRoute('#/signin/')).toEqual(SIGNIN_ROUTE);
    expect(parseRoute('#/')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('#/nowhere')).toEqual(LOBBY_ROUTE);
  });

  it('reads room links, and only room ids that could be real', () => {
    expect(parseRoute('#/room/aB3_-x9Z')).toEqual(roomRoute('aB3_-x9Z'));
    expect(parseRoute('#/room/aB3_-x9Z/')).toEqual(roomRoute('aB3_-x9Z'));
    expect(parseRoute('#/room/')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('#/room/a/b')).toEqual(LOBBY_ROUTE);
    expect(parseRoute('#/room/%3Cscript%3E')).toEqual(LOBBY_ROUTE);
    expect(parseRoute(`#/room/${'x'.repeat(65)}`)).toEqual(LOBBY_ROUTE);
  });

  it('writes the hash each route is read from', () => {
    for (const route of [LOBBY_ROUTE, SIGNIN_ROUTE, roomRoute('r1')])
      expect(parseRoute(routeHash(route))).toEqual(route);
    expect(sameRoute(roomRoute('r1'), roomRoute('r1'))).toBe(true);
    expect(sameRoute(roomRoute('r1'), roomRoute('r2'))).toBe(false);
  });

  it('keeps signed-out players on sign-in and signed-in players off it', () => {
    expect(allowedRoute(LOBBY_ROUTE, false)).toEqual(SIGNIN_ROUTE);
    expect(allowedRoute(roomRoute('r1'), false)).toEqual(SIGNIN_ROUTE);
    expect(allowedRoute(SIGNIN_ROUTE, false)).toEqual(SIGNIN_ROUTE);
    expect(allowedRoute(SIGNIN_ROUTE, true)).toEqual(LOBBY_ROUTE);
    expect(allowedRoute(LOBBY_ROUTE, true)).toEqual(LOBBY_ROUTE);
    expect(allowedRoute(roomRoute('r1'), true)).toEqual(roomRoute('r1'));
  });
});
