import { test as base, type Page } from '@playwright/test';
import type { DebugSnapshot } from '../../client/src/debug-snapshot.ts';
import { E2E_ENV } from './env.ts';

/** The production build only installs `window.__starcatch` when asked, so every test page asks. */
export const DEBUG_PAGE = '/?debug=1';

export const test = base.extend({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  baseURL: async ({}, use) => {
    const url = process.env[E2E_ENV.baseUrl];
    if (!url) throw new Error(`${E2E_ENV.baseUrl} is not set: run the suite through playwright.config.ts`);
    await use(url);
  },
});

export { expect } from '@playwright/test';

/** A nickname unique to this test run (max 16 characters), so parallel specs never collide. */
export function uniqueNickname(base: string): string {
  return `${base.slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** `window.__starcatch.state()` of a page. */
export function readState(page: Page): Promise<DebugSnapshot> {
  return page.evaluate(() => {
    const handle = window.__starcatch;
    if (!handle) throw new Error('window.__starcatch is missing: was the page opened with ?debug=1?');
    return handle.state();
  });
}

/** Signs in through `window.__starcatch.actions` (the same function the form calls). */
export async function signInWithHandle(page: Page, nickname: string): Promise<void> {
  await page.evaluate(async (name) => {
    const handle = window.__starcatch;
    if (!handle) throw new Error('window.__starcatch is missing: was the page opened with ?debug=1?');
    await handle.actions.signIn(name);
  }, nickname);
}

/** The nicknames a page lists as online, restricted to `among` (other specs may share the server). */
export async function onlineAmong(page: Page, among: readonly string[]): Promise<string[]> {
  const { lobby } = await readState(page);
  return lobby.online.map((user) => user.nickname).filter((nickname) => among.includes(nickname));
}
