import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { Direction } from '@starcatch/shared';
import {
  DEBUG_PAGE,
  expect,
  readState,
  reportProblems,
  sharedServerUrl,
  test,
  uniqueNickname,
} from './support/fixtures.ts';
import { freeKey, positionOf, scoreOf } from './support/ship-motion.ts';
import { flyToStars } from './support/star-pilot.ts';
import { TOUCH_PAD, touchHelm } from './support/touch-helm.ts';

/** A phone held upright (an iPhone 12–15's CSS viewport), with a touch screen. */
const PORTRAIT = { width: 390, height: 844 };
const SIDEWAYS = { width: PORTRAIT.height, height: PORTRAIT.width };
/** Canvas sizes are compared to the screen's within this (CSS pixels): rounding, no border. */
const EDGE_SLACK_PX = 2;
/** The smallest HUD text (CSS pixels) the issue accepts on a phone. */
const MIN_HUD_FONT_PX = 12;
/** A fresh room's first round lasts 90 s; the pilot needs a few seconds per star. */
const CATCH_DEADLINE_MS = 30_000;
/** How long a held stick is given to move the ship as the tab sees it. */
const MOVE_WAIT_MS = 5_000;
/** The stick direction for each arrow key `freeKey` may pick. */
const DIRECTION_OF_KEY: Readonly<Record<string, number>> = {
  ArrowUp: Direction.up,
  ArrowDown: Direction.down,
  ArrowLeft: Direction.left,
  ArrowRight: Direction.right,
};

/** The bounding box of `locator`, which must be rendered. */
async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${locator} is not rendered`);
  return found;
}

/** The computed font size (CSS pixels) of each HUD text. */
function hudFontSizes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const sizes: Record<string, number> = {};
    for (const part of ['clock', 'status', 'scores']) {
      const element = document.querySelector(`.arena-hud__${part}`);
      if (element) sizes[part] = Number.parseFloat(getComputedStyle(element).fontSize);
    }
    return sizes;
  });
}

async function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: sharedServerUrl(),
    viewport: PORTRAIT,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
}

test.describe
  .serial('on a phone: touch screen, 390×844', () => {
    let context: BrowserContext;
    let page: Page;
    let userId: string;

    test.beforeAll(async ({ browser }) => {
      context = await phoneContext(browser);
      page = await context.newPage();
    });

    test.afterAll(async () => {
      await context?.close();
    });

    test('signs in and opens a room with taps', async () => {
      const nickname = uniqueNickname('Thumb');
      reportProblems(page, nickname);
      await page.goto(DEBUG_PAGE);
      await page.getByLabel('Nickname').fill(nickname);
      await page.getByRole('button', { name: 'Play' }).tap();
      await expect(page.getByRole('heading', { name: /Welcome aboard/ })).toBeVisible();
      const roomName = uniqueNickname('Pocket');
      await page.getByLabel('Room name').fill(roomName);
      await page.getByRole('button', { name: 'Create room' }).tap();
      await expect(page.getByRole('heading', { name: roomName })).toBeVisible();
      await expect(page.locator('.arena canvas')).toBeVisible();
      const { session } = await readState(page);
      if (!session.user) throw new Error('not signed in');
      userId = session.user.id;
      // Nothing may stick out sideways: a phone would zoom the whole page out to fit it.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PORTRAIT.width);
    });

    test('held upright: the arena spans the width, the HUD reads, the stick is under the thumb', async () => {
      const canvas = await box(page.locator('.arena canvas'));
      console.log(
        `portrait: canvas ${canvas.width.toFixed(1)}×${canvas.height.toFixed(1)} at y ${canvas.y.toFixed(1)}`,
      );
      expect(Math.abs(canvas.width - PORTRAIT.width)).toBeLessThanOrEqual(EDGE_SLACK_PX);
      expect(canvas.x).toBeGreaterThanOrEqual(-EDGE_SLACK_PX);

      await expect(page.locator('.arena-hud__clock')).toHaveText(/Round \d+ · \d:\d\d/);
      await expect(page.locator('.arena-hud__score')).toHaveCount(1);
      const fonts = await hudFontSizes(page);
      console.log(`portrait: HUD font sizes ${JSON.stringify(fonts)} px`);
      expect(Object.keys(fonts).sort()).toEqual(['clock', 'scores', 'status']);
      for (const size of Object.values(fonts)) expect(size).toBeGreaterThanOrEqual(MIN_HUD_FONT_PX);
      // Above the arena, not over it.
      const hud = await box(page.locator('.arena-hud'));
      expect(hud.y + hud.height).toBeLessThanOrEqual(canvas.y + 1);

      // Below the arena, on screen without scrolling, in the screen's lower half.
      const pad = await box(page.locator(TOUCH_PAD));
      console.log(`portrait: touch pad ${pad.width.toFixed(0)}×${pad.height.toFixed(0)} at y ${pad.y.toFixed(0)}`);
      expect(pad.y).toBeGreaterThanOrEqual(canvas.y + canvas.height);
      expect(pad.y + pad.height).toBeLessThanOrEqual(PORTRAIT.height);
      expect(pad.y + pad.height / 2).toBeGreaterThan(PORTRAIT.height / 2);
    });

    test('a finger on the touch stick flies the ship to a star', async () => {
      test.setTimeout(CATCH_DEADLINE_MS + 20_000);
      await expect
        .poll(async () => {
          const { round, stars } = (await readState(page)).game;
          return round.phase === 'playing' && stars.length > 0 && (await positionOf(page, userId)) !== null;
        })
        .toBe(true);
      const from = await positionOf(page, userId);
      const before = await scoreOf(page, userId);
      const helm = await touchHelm(page);
      try {
        const run = await flyToStars(page, userId, before, CATCH_DEADLINE_MS, helm);
        console.log(`caught a star by touch ${run.elapsedMs} ms after the first touch (targets ${run.targets})`);
      } finally {
        await helm.release();
      }
      expect(await scoreOf(page, userId)).toBeGreaterThan(before);
      expect(await positionOf(page, userId)).not.toEqual(from);
      // The HUD's scoreboard shows it too.
      await expect(page.locator('.arena-hud__score--you .arena-hud__points')).toHaveText(String(before + 1));
    });

    test('held sideways: the arena takes the full height, with the stick beside it', async () => {
      await page.setViewportSize(SIDEWAYS);
      await expect
        .poll(async () => Math.round((await box(page.locator('.arena canvas'))).height))
        .toBeGreaterThanOrEqual(SIDEWAYS.height - EDGE_SLACK_PX);
      const canvas = await box(page.locator('.arena canvas'));
      console.log(
        `sideways: canvas ${canvas.width.toFixed(1)}×${canvas.height.toFixed(1)} at (${canvas.x.toFixed(1)}, ${canvas.y.toFixed(1)})`,
      );
      expect(Math.abs(canvas.height - SIDEWAYS.height)).toBeLessThanOrEqual(EDGE_SLACK_PX);
      expect(Math.abs(canvas.y)).toBeLessThanOrEqual(EDGE_SLACK_PX);
      expect(canvas.x + canvas.width).toBeLessThanOrEqual(SIDEWAYS.width + EDGE_SLACK_PX);

      const fonts = await hudFontSizes(page);
      console.log(`sideways: HUD font sizes ${JSON.stringify(fonts)} px`);
      for (const size of Object.values(fonts)) expect(size).toBeGreaterThanOrEqual(MIN_HUD_FONT_PX);
      const hud = await box(page.locator('.arena-hud'));
      expect(hud.x + hud.width).toBeLessThanOrEqual(canvas.x + 1);

      // Left of the arena, wholly on screen.
      const pad = await box(page.locator(TOUCH_PAD));
      console.log(`sideways: touch pad ${pad.width.toFixed(0)}×${pad.height.toFixed(0)} at x ${pad.x.toFixed(0)}`);
      expect(pad.x + pad.width).toBeLessThanOrEqual(canvas.x + 1);
      expect(pad.y).toBeGreaterThanOrEqual(0);
      expect(pad.y + pad.height).toBeLessThanOrEqual(SIDEWAYS.height);

      // The stick still steers: held a way that is clear of walls, the ship leaves where it was.
      const from = await positionOf(page, userId);
      if (!from) throw new Error('the tab shows no ship');
      const helm = await touchHelm(page);
      try {
        await helm.hold(DIRECTION_OF_KEY[freeKey(from)] ?? 0);
        await expect
          .poll(
            async () => {
              const now = await positionOf(page, userId);
              return now ? Math.hypot(now.x - from.x, now.y - from.y) : 0;
            },
            { timeout: MOVE_WAIT_MS },
          )
          .toBeGreaterThan(20);
      } finally {
        await helm.release();
      }
    });
  });
