import { SESSION_STORAGE_KEY, SESSION_STORAGE_VERSION } from '../client/src/state/session-persistence.ts';
import { DEBUG_PAGE, expect, readState, test } from './support/fixtures.ts';

test('a stored token the server refuses sends the tab back to sign-in', async ({ page }) => {
  await page.goto(DEBUG_PAGE);
  await page.evaluate(
    ({ key, version }) => {
      const user = { id: 'not-a-real-user', nickname: 'Ghost', color: '#ff6b6b' };
      localStorage.setItem(key, JSON.stringify({ version, nickname: 'Ghost', token: 'garbage.token', user }));
    },
    { key: SESSION_STORAGE_KEY, version: SESSION_STORAGE_VERSION },
  );
  await page.reload();

  await expect(page).toHaveURL(/#\/signin$/);
  await expect(page.getByRole('status').filter({ hasText: 'session has expired' })).toBeVisible();
  await expect(page.getByLabel('Nickname')).toHaveValue('Ghost');
  const state = await readState(page);
  expect(state.session).toMatchObject({ signedIn: false, user: null, nickname: 'Ghost' });
  expect(state.net.status).toBe('idle');
  expect(state.lobby.status).toBe('idle');
  // The refused token is gone from storage, so the next visit does not try it again.
  const stored = await page.evaluate((key) => localStorage.getItem(key), SESSION_STORAGE_KEY);
  expect(JSON.parse(stored ?? '{}')).toMatchObject({ token: null, user: null, nickname: 'Ghost' });
});

test('unreadable stored data is ignored', async ({ page }) => {
  await page.goto(DEBUG_PAGE);
  await page.evaluate((key) => localStorage.setItem(key, '{not json'), SESSION_STORAGE_KEY);
  await page.reload();
  await expect(page).toHaveURL(/#\/signin$/);
  await expect(page.getByLabel('Nickname')).toHaveValue('');
  expect((await readState(page)).session.signedIn).toBe(false);
});
