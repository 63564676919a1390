import type { App } from '../app.ts';
import type { RoomState } from '../state/room-store.ts';
import { isSignedIn, type SessionState } from '../state/session-store.ts';
import { createConnectionBanner } from './connection-banner.ts';
import { h } from './dom.ts';
import { createLobbyScreen } from './lobby-screen.ts';
import { createRoomScreen } from './room-screen.ts';
import { allowedRoute, LOBBY_ROUTE, parseRoute, type Route, roomRoute, routeHash } from './router.ts';
import type { Screen } from './screen.ts';
import { createSignInScreen } from './sign-in-screen.ts';
import { createTopBar } from './top-bar.ts';

/**
 * Mounts the whole UI into `root`: the connection banner, the top bar and the screen the URL hash
 * names. The hash and the room store follow each other: opening `#/room/<id>` (a link, Back) joins
 * that room and `#/` leaves it, while joining or leaving through an action (or being refused)
 * moves the hash. Signing in or out moves the player to the right screen by itself, and a room link
 * opened while signed out is followed after sign-in.
 */
export function mountAppView(root: HTMLElement, app: App, win: Window = window): Screen {
  const { session, lobby, room, chat, net } = app.stores;
  const { actions } = app;
  const banner = createConnectionBanner(net);
  const topBar = createTopBar({ session, signOut: actions.signOut });
  const main = h('main', { className: 'app-main' });
  const element = h('div', { className: 'app' }, banner.element, topBar.element, main);
  root.replaceChildren(element);

  let current: { key: string; screen: Screen } | null = null;
  /** A room link opened while signed out, followed once the player signs in. */
  let deferred: Route | null = null;

  function createScreen(route: Route): Screen {
    switch (route.name) {
      case 'signin':
        return createSignInScreen({ session, signIn: actions.signIn });
      case 'lobby':
        return createLobbyScreen({ session, lobby, room, chat, actions, loadLeaderboard: app.loadLeaderboard });
      case 'room':
        return createRoomScreen({
          roomId: route.roomId,
          session,
          lobby,
          room,
          chat,
          actions,
          game: {
            link: () => app.gameLink(),
            youId: session.getState().user?.id ?? '',
            match: () => app.stores.game.getState().match,
            net: () => net.getState(),
            bytes: () => app.gameBytes(),
            reportNetcode: (stats) => {
              // Only while in a room: leaving resets the net store's game figures.
              if (stats === null || app.gameLink() !== null) net.setState({ netcode: stats });
            },
          },
          impairment: app.impairment,
        });
    }
  }

  function show(): void {
    const signedIn = isSignedIn(session.getState());
    let wanted = parseRoute(win.location.hash);
    if (!signedIn && wanted.name === 'room') deferred = wanted;
    if (signedIn && deferred && wanted.name !== 'room') wanted = deferred;
    if (signedIn) deferred = null;
    const route = allowedRoute(wanted, signedIn);
    // replaceState, not a new history entry: Back must not lead into a screen that bounces again.
    if (routeHash(route) !== win.location.hash) win.history.replaceState(null, '', routeHash(route));
    if (signedIn) followRoute(route);
    const key = routeHash(route);
    if (current?.key === key) return;
    const previous = current;
    previous?.screen.dispose();
    const screen = createScreen(route);
    current = { key, screen };
    element.dataset.route = route.name;
    main.replaceChildren(screen.element);
    // A new screen starts at its top: a room entered from far down the lobby (the create form, on a
    // phone) would otherwise open with its arena scrolled away.
    if (previous) win.scrollTo(0, 0);
  }

  /** The page names a room the player is not in (or the lobby while they are in one): act on it. */
  function followRoute(route: Route): void {
    const { roomId } = room.getState();
    if (route.name === 'room' && roomId !== route.roomId) {
      // A refusal lands in the room store, whose subscription below takes the page back.
      actions.joinRoom(route.roomId).catch(() => {});
    } else if (route.name === 'lobby' && roomId !== null) {
      void actions.leaveRoom();
    }
  }

  /** The room changed under the page (an action, a refusal, an eviction): move the hash along. */
  function onRoomChange(next: RoomState, previous: RoomState): void {
    if (next.roomId === previous.roomId || !isSignedIn(session.getState())) return;
    const route = parseRoute(win.location.hash);
    if (next.roomId !== null) {
      // A new history entry, so Back returns to the lobby (and leaves the room).
      if (route.name !== 'room' || route.roomId !== next.roomId) win.location.hash = routeHash(roomRoute(next.roomId));
    } else if (route.name === 'room') {
      win.history.replaceState(null, '', routeHash(LOBBY_ROUTE));
      show();
    }
  }

  const onHashChange = (): void => show();
  win.addEventListener('hashchange', onHashChange);
  const unsubscribeRoom = room.subscribe(onRoomChange);
  const unsubscribeSession = session.subscribe((next: SessionState, previous: SessionState) => {
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
      unsubscribeRoom();
      unsubscribeSession();
      current?.screen.dispose();
      banner.dispose();
      topBar.dispose();
    },
  };
}
