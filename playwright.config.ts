import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium where there is one (Playwright cannot download its own browser everywhere). */
const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/**
 * Headless and quiet. The mDNS and loopback flags let WebRTC connect over 127.0.0.1 (measured: with
 * both, even in a network namespace that only has `lo`); the background flags keep timers running
 * in tabs that are not in front, since several tabs play at once.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  // One spec at a time. Specs share one server and filter the lobby to their own nicknames, so two
  // could run at once, but on two cores the game specs' moving tabs then delayed the chat specs'
  // deliveries up to ~1.8 s, and the whole run was no faster (1.3–1.4 min alone, 1.8–1.9 min in pairs).
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  // Up to eight tabs share two cores and every room tab boots Phaser (rendering in software here): a
  // tab opened by link has measured up to ~6 s to be in its room. Waits end as soon as they are met.
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
