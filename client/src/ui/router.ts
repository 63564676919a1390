/** The client's screens, addressed by the URL hash so the server only ever serves one page. */
export type Route =
  | { readonly name: 'lobby' }
  | { readonly name: 'signin' }
  | { readonly name: 'room'; readonly roomId: string };

export const LOBBY_ROUTE: Route = { name: 'lobby' };
export const SIGNIN_ROUTE: Route = { name: 'signin' };

export function roomRoute(roomId: string): Route {
  return { name: 'room', roomId };
}

/** Room ids are short base64url strings; anything else in a link is not a room. */
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `#/` is the lobby, `#/signin` sign-in, `#/room/<id>` a room; anything else falls back to the lobby. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/signin') return SIGNIN_ROUTE;
  const room = /^\/room\/([^/]+)$/.exec(path)?.[1];
  if (room !== undefined && ROOM_ID.test(room)) return roomRoute(room);
  return LOBBY_ROUTE;
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'signin':
      return '#/signin';
    case 'room':
      return `#/room/${route.roomId}`;
    case 'lobby':
      return '#/';
  }
}

/** Where a player may be: signed out, only sign-in; signed in, everything but sign-in. */
export function allowedRoute(route: Route, signedIn: boolean): Route {
  if (!signedIn) return SIGNIN_ROUTE;
  return route.name === 'signin' ? LOBBY_ROUTE : route;
}

/** Whether two routes name the same place. */
export function sameRoute(a: Route, b: Route): boolean {
  return routeHash(a) === routeHash(b);
}
