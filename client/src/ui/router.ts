/** The client's screens, addressed by the URL hash so the server only ever serves one page. */
export type Route = { readonly name: 'lobby' } | { readonly name: 'signin' };

export const LOBBY_ROUTE: Route = { name: 'lobby' };
export const SIGNIN_ROUTE: Route = { name: 'signin' };

/** `#/` is the lobby, `#/signin` the sign-in screen; anything else falls back to the lobby. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '/signin') return SIGNIN_ROUTE;
  return LOBBY_ROUTE;
}

export function routeHash(route: Route): string {
  return route.name === 'signin' ? '#/signin' : '#/';
}

/** Where a player may be: signed out, only sign-in; signed in, everything but sign-in. */
export function allowedRoute(route: Route, signedIn: boolean): Route {
  if (!signedIn) return SIGNIN_ROUTE;
  return route.name === 'signin' ? LOBBY_ROUTE : route;
}
