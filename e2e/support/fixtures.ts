import { type Browser, type BrowserContext, test as base, type Page } from '@playwright/test';
import type { ChatMessage, RoomSummary } from '@starcatch/shared';
import type { DebugSnapshot } from '../../client/src/debug-snapshot.ts';
import { E2E_ENV } from './env.ts';

/** The production build only installs `window.__starcatch` when asked, so every test page asks. */
export const DEBUG_PAGE = '/?debug=1';

/** The URL of the server global-setup started; also for `beforeAll` hooks, which cannot use `baseURL`. */
export function sharedServerUrl(): string {
  const url = process.env[E2E_ENV.baseUrl];
  if (!url) throw new Error(`${E2E_ENV.baseUrl} is not set: run the suite through playwright.config.ts`);
  return url;
}

export const test = base.extend({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  baseURL: async ({}, use) => {
    await use(sharedServerUrl());
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

/** A player's browser profile (context) with its tabs; tabs of one context share the stored session. */
export interface Player {
  readonly nickname: string;
  readonly context: BrowserContext;
  readonly tabs: Page[];
}

/** The player's first tab. */
export function tab(player: Player): Page {
  const page = player.tabs[0];
  if (!page) throw new Error(`${player.nickname} has no tab`);
  return page;
}

/** The player's user id, as their first tab knows it once signed in. */
export async function userIdOf(player: Player): Promise<string> {
  const { session } = await readState(tab(player));
  if (!session.user) throw new Error(`${player.nickname} is not signed in`);
  return session.user.id;
}

/**
 * Prints a tab's warnings and errors, prefixed with its player's nickname, so that a failed run's
 * output says what the tabs saw (a refused rejoin, a WebRTC fallback) and when.
 */
export function reportProblems(page: Page, nickname: string): void {
  page.on('console', (message) => {
    if (message.type() !== 'warning' && message.type() !== 'error') return;
    console.log(`[${nickname} ${new Date().toISOString().slice(11, 23)}] ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => console.log(`[${nickname}] page error: ${error.message}`));
}

/** A new context for `nickname`, with one tab signed in through the debug handle. */
export async function signedInPlayer(browser: Browser, baseURL: string, nickname: string): Promise<Player> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  reportProblems(page, nickname);
  await page.goto(DEBUG_PAGE);
  await signInWithHandle(page, nickname);
  return { nickname, context, tabs: [page] };
}

/** Another tab for a signed-in player: it resumes the stored session (optionally at a hash such as a room link). */
export async function openAnotherTab(player: Player, hash = ''): Promise<Page> {
  const page = await player.context.newPage();
  reportProblems(page, player.nickname);
  await page.goto(`${DEBUG_PAGE}${hash}`);
  player.tabs.push(page);
  return page;
}

/** `actions.createRoom` in a page: creates the room and enters it. */
export function createRoomWithHandle(page: Page, name: string, maxPlayers: number): Promise<RoomSummary> {
  return page.evaluate(
    ({ roomName, size }) => {
      const found = window.__starcatch;
      if (!found) throw new Error('window.__starcatch is missing');
      return found.actions.createRoom(roomName, size);
    },
    { roomName: name, size: maxPlayers },
  );
}

/** `actions.joinRoom` in a page; resolves with the room, or with the rejection's reason and message. */
export function joinRoomWithHandle(
  page: Page,
  roomId: string,
): Promise<{ ok: true; room: RoomSummary } | { ok: false; reason: string; message: string }> {
  return page.evaluate(async (id) => {
    const found = window.__starcatch;
    if (!found) throw new Error('window.__starcatch is missing');
    try {
      return { ok: true as const, room: await found.actions.joinRoom(id) };
    } catch (error) {
      const { reason, message } = error as { reason?: string; message?: string };
      return { ok: false as const, reason: reason ?? 'unknown', message: message ?? String(error) };
    }
  }, roomId);
}

/**
 * Sends a chat message through `actions.sendChat` and resolves once the server stored it, with the
 * stored message and the epoch time (ms, sub-millisecond) taken in the page just before the send.
 */
export function sendChatWithHandle(page: Page, text: string): Promise<{ message: ChatMessage; sentAt: number }> {
  return page.evaluate(async (body) => {
    const found = window.__starcatch;
    if (!found) throw new Error('window.__starcatch is missing');
    const sentAt = performance.timeOrigin + performance.now();
    const message = await found.actions.sendChat(body);
    return { message, sentAt };
  }, text);
}

/**
 * Resolves with the epoch time (ms) at which a page first shows a room row named `name`, watched
 * with a MutationObserver so the time is the DOM's, not a poll's. Start it before the room is made.
 */
export async function whenRoomRowAppears(page: Page, name: string): Promise<() => Promise<number>> {
  await page.evaluate((roomName) => {
    const seen = new Promise<number>((resolve) => {
      const found = () =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-room-id] .room-card__name')).some(
          (element) => element.textContent === roomName,
        );
      const observer = new MutationObserver(() => {
        if (!found()) return;
        observer.disconnect();
        resolve(performance.timeOrigin + performance.now());
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    (window as unknown as Record<string, Promise<number>>)[`roomSeen:${roomName}`] = seen;
  }, name);
  return () =>
    page.evaluate(
      (roomName) => (window as unknown as Record<string, Promise<number>>)[`roomSeen:${roomName}`] as Promise<number>,
      name,
    );
}

/** The value below which `p` (0–100) percent of `values` fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
