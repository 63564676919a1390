import { DEBUG_PAGE, expect, readState, test, uniqueNickname } from './support/fixtures.ts';

test('signing in through the form shows the player online, and the nickname is remembered', async ({ page }) => {
  const nickname = uniqueNickname('Vega');
  await page.goto(DEBUG_PAGE);
  await expect(page).toHaveURL(/#\/signin$/);
  await expect(page.getByRole('heading', { name: 'Starcatch' })).toBeVisible();

  await page.getByLabel('Nickname').fill(nickname);
  await page.getByRole('button', { name: 'Play' }).click();

  await expect(page).toHaveURL(/#\/$/);
  await expect(page.getByRole('heading', { name: `Welcome aboard, ${nickname}` })).toBeVisible();
  const you = page.getByRole('list', { name: 'Online players' }).getByRole('listitem').filter({ hasText: nickname });
  await expect(you).toHaveCount(1);
  await expect(you).toContainText('you');

  const state = await readState(page);
  expect(state.session).toMatchObject({ signedIn: true, nickname, user: { nickname } });
  expect(state.net.status).toBe('open');
  expect(state.lobby.status).toBe('joined');
  expect(state.lobby.online.filter((user) => user.nickname === nickname)).toHaveLength(1);
  const userId = state.session.user?.id;

  // The token survives a reload: same user, straight back into the lobby.
  await page.reload();
  await expect(page.getByRole('heading', { name: `Welcome aboard, ${nickname}` })).toBeVisible();
  await expect.poll(async () => (await readState(page)).lobby.status).toBe('joined');
  expect((await readState(page)).session.user?.id).toBe(userId);

  // After signing out, the nickname is still offered, also after another reload.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/#\/signin$/);
  await page.reload();
  await expect(page.getByLabel('Nickname')).toHaveValue(nickname);
  expect((await readState(page)).session).toMatchObject({ signedIn: false, user: null, nickname });
});

test('a bad nickname is refused with the reason, on the form and through the debug handle', async ({ page }) => {
  await page.goto(DEBUG_PAGE);
  await page.getByLabel('Nickname').fill('x');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('alert')).toHaveText('nickname must be 2 to 16 characters');
  await expect(page).toHaveURL(/#\/signin$/);

  const rejection = await page.evaluate(() =>
    window.__starcatch?.actions.signIn('this nickname is far too long').then(
      () => 'resolved',
      (error: Error) => error.message,
    ),
  );
  expect(rejection).toBe('nickname must be 2 to 16 characters');
  expect((await readState(page)).session.signedIn).toBe(false);
});
