import { NICKNAME_MAX_LENGTH, NICKNAME_MIN_LENGTH } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import type { SessionStore } from '../state/session-store.ts';
import { h, starMark } from './dom.ts';
import type { Screen } from './screen.ts';

export interface SignInScreenDeps {
  readonly session: SessionStore;
  readonly signIn: Actions['signIn'];
}

/** Nickname in, guest session out. The last nickname is filled in for returning players. */
export function createSignInScreen({ session, signIn }: SignInScreenDeps): Screen {
  const { nickname, notice } = session.getState();
  let disposed = false;

  const input = h('input', {
    className: 'text-input',
    attrs: {
      id: 'nickname',
      name: 'nickname',
      type: 'text',
      autocomplete: 'nickname',
      spellcheck: 'false',
      required: '',
      placeholder: 'e.g. Comet',
      'aria-describedby': 'nickname-hint nickname-error',
    },
  });
  input.value = nickname;
  const error = h('p', { className: 'form-error', attrs: { id: 'nickname-error', role: 'alert' } });
  const button = h('button', { className: 'button button--primary', attrs: { type: 'submit' } }, 'Play');
  const form = h(
    'form',
    { className: 'signin-form', attrs: { novalidate: '' } },
    h('label', { className: 'field-label', attrs: { for: 'nickname' } }, 'Nickname'),
    input,
    h(
      'p',
      { className: 'field-hint', attrs: { id: 'nickname-hint' } },
      `${NICKNAME_MIN_LENGTH}–${NICKNAME_MAX_LENGTH} characters, shown above your ship.`,
    ),
    error,
    button,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setBusy(true);
    error.textContent = '';
    // On success the session store changes and the router moves on to the lobby by itself.
    signIn(input.value).then(
      () => setBusy(false),
      (reason: unknown) => {
        if (disposed) return;
        setBusy(false);
        error.textContent = reason instanceof Error ? reason.message : String(reason);
        input.focus();
        input.select();
      },
    );
  });

  function setBusy(busy: boolean): void {
    if (disposed) return;
    button.disabled = busy;
    button.textContent = busy ? 'Launching…' : 'Play';
    form.setAttribute('aria-busy', String(busy));
  }

  const element = h(
    'section',
    { className: 'screen screen--signin', attrs: { 'aria-labelledby': 'signin-title' } },
    h(
      'div',
      { className: 'card signin-card' },
      h('div', { className: 'hero-mark' }, starMark('large')),
      h('h1', { className: 'wordmark wordmark--hero', attrs: { id: 'signin-title' } }, 'Starcatch'),
      h('p', { className: 'tagline' }, 'Steer your ship, catch the stars, outscore your friends.'),
      notice ? h('p', { className: 'notice', attrs: { role: 'status' } }, notice) : null,
      form,
    ),
  );
  queueMicrotask(() => {
    if (!disposed) input.focus();
  });

  return {
    element,
    dispose() {
      disposed = true;
    },
  };
}
