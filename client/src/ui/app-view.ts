import type { App } from '../app.ts';
import { isSignedIn, type SessionState } from '../state/session-store.ts';
import { createConnectionBanner } from './connection-banner.ts';
import { h } from './dom.ts';
import { createLobbyScreen } from './lobby-screen.ts';
import { allowedRoute, parseRoute, type Route, routeHash } from './router.ts';
import type { Screen } from './screen.ts';
import { createSignInScreen } from './sign-in-screen.ts';
import { createTopBar } from './top-bar.ts';

/**
 * Mounts the whole UI into `root`: the connection banner, the top bar and the screen the URL hash
 * names. Routing follows the session: signing in or out (or a refused token) moves the player to
 * the right screen without anyone calling the router.
 */
export function mountAppView(root: HTMLElement, app: App, win: Window = window): Screen {
  const { session, lobby, net } = app.stores;
  const banner = createConnectionBanner(net);
  const topBar = createTopBar({ session, signOut: app.actions.signOut });
  const main = h('main', { className: 'app-main' });
  const element = h('div', { className: 'app' }, banner.element, topBar.element, main);
  root.replaceChildren(element);

  let current: { route: Route['name']; screen: Screen } | null = null;

  function createScreen(route: Route): Screen {
    switch (route.name) {
      case 'signin':
        return createSignInScreen({ session, signIn: app.actions.signIn });
      case 'lobby':
        return createLobbyScreen({ session, lobby });
    }
  }

  function show(): void {
    const wanted = parseRoute(win.location.hash);
    const route = allowedRoute(wanted, isSignedIn(session.getState()));
    // replaceState, not a new history entry: Back must not lead into a screen that bounces again.
    if (routeHash(route) !== win.location.hash) win.history.replaceState(null, '', routeHash(route));
    if (current?.route === route.name) return;
    current?.screen.dispose();
    const screen = createScreen(route);
    current = { route: route.name, screen };
    element.dataset.route = route.name;
    main.replaceChildren(screen.element);
  }

  const onHashChange = (): void => show();
  win.addEventListener('hashchange', onHashChange);
  const unsubscribe = session.subscribe((next: SessionState, previous: SessionState) => {
    if (isSignedIn(next) === isSignedIn(previous) && next.user?.id === previous.user?.id) return;
    // Screens are built for one user (or none), so another one gets fresh screens.
    current?.screen.dispose();
    current = null;
    show();
  });
  show();

  return {
    element,
    dispose() {
      win.removeEventListener('hashchange', onHashChange);
      unsubscribe();
      current?.screen.dispose();
      banner.dispose();
      topBar.dispose();
    },
  };
}
