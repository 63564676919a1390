import type { App } from './app.ts';
import { type DebugHandle, takeSnapshot } from './debug-snapshot.ts';

/**
 * Whether to expose `window.__starcatch`: always outside production builds (`vite` dev server,
 * `--mode test`), and in production only when the page URL asks for it with `?debug=1`.
 */
export function wantsDebugHandle(mode: string, search: string): boolean {
  return mode !== 'production' || new URLSearchParams(search).get('debug') === '1';
}

/** Puts the debug handle on `target` (the window). Actions are the ones the UI calls. */
export function installDebugHandle(target: Window, app: App): DebugHandle {
  const handle: DebugHandle = Object.freeze({
    state: () => takeSnapshot(app.stores),
    actions: Object.freeze({
      signIn: (nickname: string) => app.actions.signIn(nickname),
      signOut: () => app.actions.signOut(),
    }),
  });
  Object.defineProperty(target, '__starcatch', { value: handle, configurable: true });
  return handle;
}
