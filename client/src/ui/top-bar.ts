import type { Actions } from '../app.ts';
import type { SessionState, SessionStore } from '../state/session-store.ts';
import { colorDot, h, starMark } from './dom.ts';
import type { Screen } from './screen.ts';

export interface TopBarDeps {
  readonly session: SessionStore;
  readonly signOut: Actions['signOut'];
}

/** The bar above every signed-in screen: the game's mark, who you are, and a way out. */
export function createTopBar({ session, signOut }: TopBarDeps): Screen {
  const player = h('div', { className: 'player-chip' });
  const signOutButton = h('button', { className: 'button button--ghost', attrs: { type: 'button' } }, 'Sign out');
  signOutButton.addEventListener('click', () => {
    void signOut();
  });
  const element = h(
    'header',
    { className: 'top-bar' },
    h(
      'a',
      { className: 'brand', attrs: { href: '#/' } },
      starMark(),
      h('span', { className: 'wordmark' }, 'Starcatch'),
    ),
    h('div', { className: 'top-bar__end' }, player, signOutButton),
  );

  function render({ user }: SessionState): void {
    player.replaceChildren();
    if (!user) return;
    player.append(colorDot(user.color), h('span', { className: 'player-chip__name' }, user.nickname));
  }

  render(session.getState());
  return { element, dispose: session.subscribe(render) };
}
