import type { Page } from '@playwright/test';
import {
  DEBUG_PAGE,
  expect,
  onlineAmong,
  readState,
  signInWithHandle,
  test,
  uniqueNickname,
} from './support/fixtures.ts';

test('players see each other online; a player with two tabs is listed once and leaves with the last tab', async ({
  browser,
  baseURL,
}) => {
  const [ann, ben, cat, dan] = ['Ann', 'Ben', 'Cat', 'Dan'].map(uniqueNickname) as [string, string, string, string];
  const everyone = [ann, ben, cat, dan];

  // Four players in their own browser contexts, signed in at the same time.
  const tabs = await Promise.all(
    everyone.map(async (nickname) => {
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      await page.goto(DEBUG_PAGE);
      await signInWithHandle(page, nickname);
      return page;
    }),
  );
  const [annTab, benTab, catTab, danTab1] = tabs as [Page, Page, Page, Page];
  const solo = [annTab, benTab, catTab];
  // Dan opens a second tab: it shares the context's localStorage, so it resumes Dan's session.
  const danContext = danTab1.context();
  const danTab2 = await danContext.newPage();
  await danTab2.goto(DEBUG_PAGE);

  const pages: Page[] = [...solo, danTab1, danTab2];
  for (const page of pages) {
    await expect.poll(() => onlineAmong(page, everyone)).toEqual([...everyone].sort(byName));
    const list = page.getByRole('list', { name: 'Online players' });
    for (const nickname of everyone)
      await expect(list.getByRole('listitem').filter({ hasText: nickname })).toHaveCount(1);
  }
  const danEntry = (await readState(danTab2)).lobby.online.find((user) => user.nickname === dan);
  expect(danEntry?.tabs).toBe(2);
  expect((await readState(danTab2)).session.user?.id).toBe((await readState(danTab1)).session.user?.id);

  // Closing one of Dan's tabs keeps Dan online.
  await danTab2.close();
  for (const page of solo) {
    await expect.poll(async () => (await readState(page)).lobby.online.find((u) => u.nickname === dan)?.tabs).toBe(1);
  }

  // Closing the last one takes Dan off everyone's list.
  await danContext.close();
  for (const page of solo) {
    await expect.poll(() => onlineAmong(page, everyone)).toEqual([ann, ben, cat].sort(byName));
    await expect(page.getByRole('list', { name: 'Online players' }).getByText(dan)).toHaveCount(0);
  }

  await Promise.all(solo.map((page) => page.context().close()));
});

/** The lobby's order: nicknames, case-insensitively. */
function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });
}
