import {
  createRoomWithHandle,
  DEBUG_PAGE,
  expect,
  joinRoomWithHandle,
  readState,
  signedInPlayer,
  test,
  uniqueNickname,
} from './support/fixtures.ts';

// Each test boots Phaser in two or three room tabs; beside the restart spec on two cores the first
// one has measured 17 s.
test.describe.configure({ timeout: 45_000 });

test('a room link opened while signed out is followed after sign-in', async ({ browser, baseURL }) => {
  if (!baseURL) throw new Error('no baseURL');
  const host = await signedInPlayer(browser, baseURL, uniqueNickname('Host'));
  const hostTab = host.tabs[0];
  if (!hostTab) throw new Error('no tab');
  const context = await browser.newContext({ baseURL });
  try {
    const room = await createRoomWithHandle(hostTab, uniqueNickname('Linked'), 8);
    const page = await context.newPage();
    await page.goto(`${DEBUG_PAGE}#/room/${room.id}`);
    await expect(page).toHaveURL(/#\/signin$/);

    const nickname = uniqueNickname('Guest');
    await page.getByLabel('Nickname').fill(nickname);
    await page.getByRole('button', { name: 'Play' }).click();

    await expect(page).toHaveURL(new RegExp(`#/room/${room.id}$`));
    await expect(page.getByRole('heading', { name: room.name })).toBeVisible();
    await expect.poll(async () => (await readState(page)).room?.id).toBe(room.id);
    await expect(page.getByRole('list', { name: 'Room members' }).getByText(nickname)).toBeVisible();
    await expect(hostTab.getByRole('list', { name: 'Room members' }).getByText(nickname)).toBeVisible();

    // The lobby link leaves the room.
    await page.getByRole('link', { name: 'Starcatch' }).click();
    await expect(page).toHaveURL(/#\/$/);
    await expect.poll(async () => (await readState(page)).room).toBeNull();
    await expect(hostTab.getByRole('list', { name: 'Room members' }).getByText(nickname)).toHaveCount(0);

    // Joined from the list, the room is a page of its own: Back returns to the lobby and leaves it.
    await page.getByRole('button', { name: `Join ${room.name}` }).click();
    await expect(page).toHaveURL(new RegExp(`#/room/${room.id}$`));
    await expect.poll(async () => (await readState(page)).room?.status).toBe('joined');
    await page.goBack();
    await expect(page).toHaveURL(/#\/$/);
    await expect.poll(async () => (await readState(page)).room).toBeNull();
    await expect(hostTab.getByRole('list', { name: 'Room members' }).getByText(nickname)).toHaveCount(0);
  } finally {
    await context.close();
    await host.context.close();
  }
});

test('a refused room shows the reason and returns to the lobby; a full room cannot be joined', async ({
  browser,
  baseURL,
}) => {
  if (!baseURL) throw new Error('no baseURL');
  const [solo, other] = await Promise.all(
    ['Solo', 'Other'].map((name) => signedInPlayer(browser, baseURL, uniqueNickname(name))),
  );
  const soloTab = solo?.tabs[0];
  const page = other?.tabs[0];
  if (!soloTab || !page) throw new Error('no tab');
  try {
    // An unknown room, by link.
    await page.goto(`${DEBUG_PAGE}#/room/noSuchRoom`);
    await expect(page).toHaveURL(/#\/$/);
    const alert = page.getByRole('alert').filter({ hasText: 'Could not enter the room' });
    await expect(alert).toContainText('There is no room with that id.');
    expect((await readState(page)).room).toBeNull();
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(alert).toBeHidden();

    // A room for one, taken: its Join button is disabled, and the action and the link say why.
    const full = await createRoomWithHandle(soloTab, uniqueNickname('Solo room'), 1);
    const row = page.locator(`[data-room-id="${full.id}"]`);
    await expect(row).toContainText('1/1');
    await expect(row.getByRole('button', { name: `Join ${full.name}` })).toBeDisabled();
    expect(await joinRoomWithHandle(page, full.id)).toMatchObject({
      ok: false,
      reason: 'room_full',
      message: 'This room is full (1 players).',
    });
    await expect(page).toHaveURL(/#\/$/);
    await expect(alert).toContainText('This room is full');

    // phoenix.js would retry a refused join forever; the client leaves it, so nothing keeps knocking.
    await page.goto(`${DEBUG_PAGE}#/room/${full.id}`);
    await expect(page).toHaveURL(/#\/$/);
    await expect(alert).toContainText('This room is full');
    await expect.poll(async () => (await readState(soloTab)).room?.members.length).toBe(1);
  } finally {
    await Promise.all([solo?.context.close(), other?.context.close()]);
  }
});

test('quick play puts players together, and the create form checks its input', async ({ browser, baseURL }) => {
  if (!baseURL) throw new Error('no baseURL');
  const [first, second] = await Promise.all(
    ['Quick', 'Quicker'].map((name) => signedInPlayer(browser, baseURL, uniqueNickname(name))),
  );
  const a = first?.tabs[0];
  const b = second?.tabs[0];
  if (!a || !b) throw new Error('no tab');
  try {
    await a.getByRole('button', { name: 'Quick play' }).click();
    await expect(a).toHaveURL(/#\/room\//);
    const roomId = (await readState(a)).room?.id;
    // The fullest room with a free slot: the one the first player just entered (others may exist).
    await b.getByRole('button', { name: 'Quick play' }).click();
    await expect(b).toHaveURL(/#\/room\//);
    const joined = (await readState(b)).room;
    if (joined?.id === roomId) expect(joined?.members.length).toBeGreaterThanOrEqual(2);
    await b.getByRole('button', { name: 'Leave room' }).click();

    await b.getByLabel('Room name').fill('   ');
    await b.getByRole('button', { name: 'Create room' }).click();
    await expect(b.getByRole('alert').filter({ hasText: 'name must be' })).toBeVisible();
    await expect(b).toHaveURL(/#\/$/);
  } finally {
    await Promise.all([first?.context.close(), second?.context.close()]);
  }
});
