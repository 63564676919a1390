/**
 * `pnpm screenshots`: the README's pictures, taken from the real game. Starts the server on the
 * built client (`client/dist`, which `pnpm screenshots` builds first) with short rounds, opens
 * headless Chromium tabs for a few pilots who chat in the lobby and fly to stars in a room with
 * real key presses, and saves, at 1280×800:
 *
 *   docs/images/lobby.png  the lobby after a finished round: players online, rooms, chat, leaderboard
 *   docs/images/round.png  a round in play, seen by a player in the room
 *
 * and, from a phone (390×844 CSS pixels at 2× with a touch screen) whose pilot steers with a finger
 * on the touch stick:
 *
 *   docs/images/phone-portrait.png   the same round held upright
 *   docs/images/phone-landscape.png  and held sideways (844×390)
 *
 * Where `pngquant` is installed (Debian's `pngquant`) the files are quantized to 256 colours, about
 * a third of the size. `--out <dir>` writes elsewhere. Chromium: CHROMIUM_PATH, /usr/bin/chromium,
 * or Playwright's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from '@playwright/test';
import {
  createRoomWithHandle,
  DEBUG_PAGE,
  joinRoomWithHandle,
  readState,
  sendChatWithHandle,
  signInWithHandle,
} from '../e2e/support/fixtures.ts';
import { CLIENT_DIST, type RunningServer, startServer } from '../e2e/support/server-process.ts';
import { flyToStars, type Helm } from '../e2e/support/star-pilot.ts';
import { touchHelm } from '../e2e/support/touch-helm.ts';

const root = resolve(import.meta.dirname, '..');
const outIndex = process.argv.indexOf('--out');
const OUT_DIR = resolve(root, outIndex > 0 ? (process.argv[outIndex + 1] ?? '') : join('docs', 'images'));
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
/** A phone held upright (an iPhone 12–15's CSS viewport); turned, it is 844×390. */
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const PHONE_SIDEWAYS = { width: 844, height: 390 };
/** Short rounds, so that one finishes (and reaches the leaderboard) within the script's first minute. */
const ROUND_SECONDS = 25;
const INTERMISSION_SECONDS = 4;
/** How long to wait for something to show before giving up with a message. */
const WAIT_MS = 90_000;
/** In the round's picture no two ships are closer than this (world units), so each can be seen. */
const SHIPS_APART = 60;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

interface Pilot {
  readonly nickname: string;
  readonly page: Page;
  readonly userId: string;
}

let server: RunningServer | undefined;
let browser: Browser | undefined;
let flying = true;
const flights: Promise<void>[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'starcatch-screenshots-'));
try {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('No built client in client/dist: run `pnpm build`');
  mkdirSync(OUT_DIR, { recursive: true });
  server = await startServer({
    dataDir,
    label: 'screenshots',
    env: { ROUND_SECONDS: String(ROUND_SECONDS), INTERMISSION_SECONDS: String(INTERMISSION_SECONDS) },
  });
  const executablePath =
    process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  browser = await chromium.launch({ headless: true, executablePath, args: CHROMIUM_ARGS });
  const baseURL = server.baseUrl;
  const open = async (nickname: string, device = DESKTOP): Promise<Pilot> => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ baseURL, ...device });
    const page = await context.newPage();
    await page.goto(DEBUG_PAGE);
    await signInWithHandle(page, nickname);
    const userId = (await readState(page)).session.user?.id;
    if (!userId) throw new Error(`${nickname} did not sign in`);
    return { nickname, page, userId };
  };

  // Nova is the camera; the others fill the lobby and the rooms.
  const nova = await open('Nova');
  const [orion, lyra, vega, atlas] = await Promise.all(
    ['Orion', 'Lyra', 'Vega', 'Atlas'].map((nickname) => open(nickname)),
  );
  if (!orion || !lyra || !vega || !atlas) throw new Error('a pilot is missing');
  for (const [pilot, text] of [
    [orion, 'Nebula Run is open, come fly!'],
    [lyra, 'on my way'],
    [nova, 'first time here: arrows or WASD?'],
    [vega, 'either, and a touch stick on phones'],
    [atlas, 'anyone for Comet Chase?'],
  ] as const) {
    await sendChatWithHandle(pilot.page, text);
  }
  const nebula = await createRoomWithHandle(orion.page, 'Nebula Run', 8);
  await Promise.all([lyra, vega].map((pilot) => joinRoomWithHandle(pilot.page, nebula.id)));
  await createRoomWithHandle(atlas.page, 'Comet Chase', 4);
  for (const pilot of [orion, lyra, vega, atlas]) flights.push(keepFlying(pilot));

  // The lobby once a round of Nebula Run has finished and the leaderboard lists its pilots.
  await waitFor(nova.page, 'three pilots on the leaderboard', (page) =>
    page
      .locator('.leaderboard li')
      .count()
      .then((rows) => rows >= 3),
  );
  await waitFor(nova.page, 'Nebula Run playing its next round', async (page) => {
    const room = (await readState(page)).lobby.rooms.find((candidate) => candidate.id === nebula.id);
    return room?.state === 'playing';
  });
  await nova.page.waitForTimeout(1_500);
  const lobby = await save(nova.page, 'lobby.png');

  // Nova joins and flies; the picture is taken a few seconds into a round, with scores on the board.
  await joinRoomWithHandle(nova.page, nebula.id);
  flights.push(keepFlying(nova));
  // Chat sent from a room goes to the room.
  await sendChatWithHandle(orion.page, 'welcome aboard, Nova!');
  await sendChatWithHandle(nova.page, 'thanks! catching up');
  await waitFor(nova.page, 'a round with scores on the board and the ships apart', roundWorthShowing);
  const round = await save(nova.page, 'round.png');

  // Mira plays on a phone, steering with a finger on the touch stick; held upright, then sideways.
  const mira = await open('Mira', PHONE);
  await joinRoomWithHandle(mira.page, nebula.id);
  flights.push(keepFlying(mira, await touchHelm(mira.page)));
  await waitFor(mira.page, 'the phone in a round with scores on the board', roundWorthShowing);
  const portrait = await save(mira.page, 'phone-portrait.png');
  await mira.page.setViewportSize(PHONE_SIDEWAYS);
  await mira.page.waitForTimeout(1_000);
  await waitFor(mira.page, 'the phone, turned, in a round with scores on the board', roundWorthShowing);
  const landscape = await save(mira.page, 'phone-landscape.png');
  console.log([lobby, round, portrait, landscape].map((line) => `[screenshots] ${line}`).join('\n'));
} catch (error) {
  console.error(`[screenshots] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  flying = false;
  await browser?.close();
  await Promise.allSettled(flights);
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** A round in play with time left, scores on the board, stars, and no two ships on top of each other. */
async function roundWorthShowing(page: Page): Promise<boolean> {
  const { game } = await readState(page);
  const { players } = game;
  const apart = players.every((a, i) =>
    players.slice(i + 1).every((b) => Math.hypot(a.x - b.x, a.y - b.y) >= SHIPS_APART),
  );
  return (
    game.round.phase === 'playing' &&
    (game.round.remainingMs ?? 0) > 5_000 &&
    players.filter((player) => player.score > 0).length >= 3 &&
    apart &&
    game.stars.length > 0
  );
}

/**
 * Flies a pilot from star to star until the script is done (a round's end resets scores: fly on),
 * with the arrow keys or the `helm` given (a finger on the touch stick).
 */
async function keepFlying(pilot: Pilot, helm?: Helm): Promise<void> {
  while (flying) {
    try {
      const { game } = await readState(pilot.page);
      const score = game.players.find((player) => player.id === pilot.userId)?.score ?? 0;
      await flyToStars(pilot.page, pilot.userId, score, 10_000, helm);
    } catch {
      if (!flying) return;
      await new Promise((done) => setTimeout(done, 200));
    }
  }
}

async function waitFor(page: Page, what: string, done: (page: Page) => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await done(page))) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

/** A screenshot of the viewport, quantized by pngquant where it is installed; returns a line to print. */
async function save(page: Page, name: string): Promise<string> {
  const path = join(OUT_DIR, name);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path, animations: 'allow', caret: 'hide' });
  const raw = statSync(path).size;
  const quantized = spawnSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--output', path, '256', path]);
  const size = statSync(path).size;
  const how = quantized.error
    ? 'pngquant not installed: left as Chromium wrote it'
    : `pngquant ${kb(raw)} → ${kb(size)}`;
  const viewport = page.viewportSize();
  const scale = await page.evaluate(() => window.devicePixelRatio);
  const at = `${viewport?.width}×${viewport?.height}${scale === 1 ? '' : ` at ${scale}×`}`;
  return `${relative(root, path)}: ${at}, ${kb(size)} (${how})`;
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`;
}
