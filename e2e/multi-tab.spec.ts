import type { Page } from '@playwright/test';
import {
  expect,
  onlineAmong,
  openAnotherTab,
  type Player,
  percentile,
  readState,
  sendChatWithHandle,
  sharedServerUrl,
  signedInPlayer,
  test,
  uniqueNickname,
  whenRoomRowAppears,
} from './support/fixtures.ts';

/** The promise for the room list: a new room shows in every other tab within this. */
const ROOM_LIST_DEADLINE_MS = 1000;
/** Messages sent for the delivery-time measurement, per chat. */
const LATENCY_SAMPLES = { room: 40, lobby: 20 } as const;

/**
 * Three players with one tab each (Ann, Ben, Cat) and one with two (Dan), on the shared server.
 * The tests run in order on the same tabs, each picking up where the previous one left off.
 */
test.describe
  .serial('three players in three tabs and one in two', () => {
    let ann: Player;
    let ben: Player;
    let cat: Player;
    let dan: Player;
    let everyone: string[];
    let roomId: string;
    const roomName = uniqueNickname('Orbit');

    /** Every open tab, Dan's two included. */
    const allTabs = (): Page[] => [ann, ben, cat, dan].flatMap((player) => player.tabs);
    const tab = (player: Player, index = 0): Page => {
      const page = player.tabs[index];
      if (!page) throw new Error(`${player.nickname} has no tab ${index}`);
      return page;
    };

    test.beforeAll(async ({ browser }) => {
      const names = ['Ann', 'Ben', 'Cat', 'Dan'].map(uniqueNickname);
      const players = await Promise.all(names.map((name) => signedInPlayer(browser, sharedServerUrl(), name)));
      [ann, ben, cat, dan] = players as [Player, Player, Player, Player];
      everyone = [...names];
      // Dan's second tab shares the context's localStorage, so it resumes Dan's session.
      await openAnotherTab(dan);
    });

    test.afterAll(async () => {
      await Promise.all([ann, ben, cat, dan].map((player) => player?.context.close()));
    });

    test('everyone sees the right online list, with the two-tab player once', async () => {
      for (const page of allTabs()) {
        await expect.poll(() => onlineAmong(page, everyone)).toEqual([...everyone].sort(byName));
        const list = page.getByRole('list', { name: 'Online players' });
        for (const nickname of everyone)
          await expect(list.getByRole('listitem').filter({ hasText: nickname })).toHaveCount(1);
      }
      const danEntry = (await readState(tab(dan, 1))).lobby.online.find((user) => user.nickname === dan.nickname);
      expect(danEntry?.tabs).toBe(2);
      expect((await readState(tab(dan, 1))).session.user?.id).toBe((await readState(tab(dan))).session.user?.id);
    });

    test('a room created in one tab appears in the other tabs’ room lists within 1 s', async () => {
      const observers = [tab(ben), tab(cat), tab(dan), tab(dan, 1)];
      const seen = await Promise.all(observers.map((page) => whenRoomRowAppears(page, roomName)));

      // Through the form, as a player would; Enter in the name field submits it.
      const creator = tab(ann);
      await creator.getByLabel('Room name').fill(roomName);
      await creator.getByLabel('Max players').selectOption('6');
      const createdAt = await creator.evaluate(() => performance.timeOrigin + performance.now());
      await creator.getByRole('button', { name: 'Create room' }).click();

      const delays = (await Promise.all(seen.map((read) => read()))).map((at) => at - createdAt);
      console.log(`room list: new room shown in other tabs after ${delays.map((d) => d.toFixed(1)).join(', ')} ms`);
      for (const delay of delays) expect(delay).toBeLessThan(ROOM_LIST_DEADLINE_MS);

      // The creator is taken into the room it made.
      await expect(creator).toHaveURL(/#\/room\/[A-Za-z0-9_-]+$/);
      await expect(creator.getByRole('heading', { name: roomName })).toBeVisible();
      const room = (await readState(creator)).room;
      expect(room).toMatchObject({ name: roomName, max_players: 6, status: 'joined' });
      roomId = room?.id ?? '';
      for (const page of observers) {
        await expect(page.locator(`[data-room-id="${roomId}"]`)).toContainText(roomName);
      }
    });

    test('joining shows up in the room’s member list', async () => {
      // Ben presses Join in the list; Dan opens the room in one tab by its link and joins from the other.
      await tab(ben)
        .getByRole('button', { name: `Join ${roomName}` })
        .click();
      await expect(tab(ben)).toHaveURL(new RegExp(`#/room/${roomId}$`));
      await tab(dan).goto(`/?debug=1#/room/${roomId}`);
      await tab(dan, 1).evaluate((id) => window.__starcatch?.actions.joinRoom(id), roomId);

      const members = [ann.nickname, ben.nickname, dan.nickname].sort(byName);
      const inRoom = [tab(ann), tab(ben), tab(dan), tab(dan, 1)];
      for (const page of inRoom) {
        await expect
          .poll(async () => (await readState(page)).room?.members.map((member) => member.nickname))
          .toEqual(members);
        const list = page.getByRole('list', { name: 'Room members' });
        await expect(list.getByRole('listitem')).toHaveCount(3);
        await expect(list.getByRole('listitem').filter({ hasText: dan.nickname })).toContainText('×2');
      }
      const room = (await readState(tab(ann))).room;
      expect(room?.members.find((member) => member.nickname === dan.nickname)?.tabs).toBe(2);
      // The lobby's list counts players, not tabs.
      await expect
        .poll(async () => (await readState(tab(cat))).lobby.rooms.find((r) => r.id === roomId)?.players)
        .toBe(3);
      expect((await readState(tab(cat))).room).toBeNull();
    });

    test('room chat reaches every member in order, and no non-member', async () => {
      const senders = [tab(ann), tab(ben), tab(dan, 1)];
      const perSender = 5;
      // All three talk at once; each sends its own lines one after another.
      const sent = await Promise.all(
        senders.map(async (page, s) => {
          const ids: number[] = [];
          for (let i = 0; i < perSender; i++) ids.push((await sendChatWithHandle(page, `room ${s}.${i}`)).message.id);
          return ids;
        }),
      );
      for (const ids of sent) expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const allIds = sent.flat().sort((a, b) => a - b);

      const inRoom = [tab(ann), tab(ben), tab(dan), tab(dan, 1)];
      const logs: number[][] = [];
      for (const page of inRoom) {
        await expect.poll(async () => (await readState(page)).chat.room.length).toBe(allIds.length);
        const log = (await readState(page)).chat.room;
        logs.push(log.map((message) => message.id));
        // Each sender's lines keep their order.
        for (let s = 0; s < senders.length; s++) {
          const mine = log.filter((m) => m.body.startsWith(`room ${s}.`)).map((m) => m.body);
          expect(mine).toEqual(Array.from({ length: perSender }, (_, i) => `room ${s}.${i}`));
        }
      }
      for (const ids of logs) expect(ids).toEqual(allIds);

      // The page shows them in the same order.
      const bodies = (await readState(tab(ben))).chat.room.map((m) => m.body);
      await expect(tab(ben).getByRole('log', { name: 'Room chat' }).locator('.chat-line__body')).toHaveText(bodies);

      // Cat is not in the room: nothing reached Cat's tab, in the state or on the page.
      const catState = await readState(tab(cat));
      expect(catState.chat.room).toEqual([]);
      expect(catState.chat.lobby.some((m) => m.body.startsWith('room '))).toBe(false);
      await expect(tab(cat).getByText('room 0.0')).toHaveCount(0);
    });

    test('lobby chat reaches everyone, as text, never HTML', async () => {
      // Cat types it into the lobby chat and presses Enter.
      const hostile = '<img src=x onerror="window.__pwned=1"> <b>hi</b> & bye';
      const input = tab(cat).getByRole('textbox', { name: 'Message for lobby chat' });
      await input.fill(hostile);
      await input.press('Enter');
      await expect(input).toHaveValue('');

      for (const page of allTabs()) {
        await expect.poll(async () => (await readState(page)).chat.lobby.map((m) => m.body)).toContain(hostile);
      }
      const catLog = tab(cat).getByRole('log', { name: 'Lobby chat' });
      await expect(catLog.locator('.chat-line__body').filter({ hasText: hostile })).toHaveCount(1);
      expect(await catLog.locator('img, b').count()).toBe(0);
      expect(await tab(cat).evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      expect((await readState(tab(cat))).chat.pending).toEqual([]);
    });

    test('chat delivery tab to tab: p50 and p99', async () => {
      const members = [tab(ann), tab(ben), tab(dan), tab(dan, 1)];
      const senders = [tab(ann), tab(ben), tab(dan)];
      const room = await measureDelivery(senders, members, 'room', LATENCY_SAMPLES.room);
      // Only Cat is outside the room, and `sendChat` talks to the room when the tab is in one.
      const lobby = await measureDelivery([tab(cat)], allTabs(), 'lobby', LATENCY_SAMPLES.lobby);
      for (const [scope, samples] of [
        ['room', room],
        ['lobby', lobby],
      ] as const) {
        console.log(
          `chat delivery tab→tab (${scope}): p50 ${percentile(samples, 50).toFixed(1)} ms, ` +
            `p99 ${percentile(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms (n=${samples.length})`,
        );
        expect(samples.every((ms) => ms >= 0 && ms < 1000)).toBe(true);
      }
    });

    test('closing one tab of the two-tab player keeps them online; closing the last removes them', async () => {
      const others = [tab(ann), tab(ben), tab(cat)];
      const second = dan.tabs.pop();
      await second?.close();
      for (const page of others) {
        await expect
          .poll(async () => (await readState(page)).lobby.online.find((u) => u.nickname === dan.nickname)?.tabs)
          .toBe(1);
      }
      await expect
        .poll(async () => (await readState(tab(ann))).room?.members.find((m) => m.nickname === dan.nickname)?.tabs)
        .toBe(1);

      await dan.context.close();
      dan.tabs.length = 0;
      const remaining = [ann.nickname, ben.nickname, cat.nickname];
      for (const page of others) {
        await expect.poll(() => onlineAmong(page, everyone)).toEqual([...remaining].sort(byName));
        await expect(page.getByRole('list', { name: 'Online players' }).getByText(dan.nickname)).toHaveCount(0);
      }
      await expect
        .poll(async () => (await readState(tab(ann))).room?.members.map((m) => m.nickname))
        .toEqual([ann.nickname, ben.nickname].sort(byName));
      await expect
        .poll(async () => (await readState(tab(cat))).lobby.rooms.find((r) => r.id === roomId)?.players)
        .toBe(2);
    });

    test('Leave takes a player back to the lobby and off the member list', async () => {
      await tab(ben).getByRole('button', { name: 'Leave room' }).click();
      await expect(tab(ben)).toHaveURL(/#\/$/);
      await expect(tab(ben).getByRole('heading', { name: /Welcome aboard/ })).toBeVisible();
      expect((await readState(tab(ben))).room).toBeNull();
      await expect
        .poll(async () => (await readState(tab(ann))).room?.members.map((m) => m.nickname))
        .toEqual([ann.nickname]);
    });
  });

/**
 * Sends `count` messages round-robin from `senders` (each awaited until stored) and returns, for
 * every other tab in `receivers`, how long each message took from the send to its arrival there:
 * the `receivedAt` the receiving tab stamped, minus the sender's clock just before the send.
 */
async function measureDelivery(
  senders: readonly Page[],
  receivers: readonly Page[],
  scope: 'room' | 'lobby',
  count: number,
): Promise<number[]> {
  const sent: { id: number; sentAt: number; from: Page }[] = [];
  for (let i = 0; i < count; i++) {
    const from = senders[i % senders.length] as Page;
    const { message, sentAt } = await sendChatWithHandle(from, `${scope} latency ${i}`);
    sent.push({ id: message.id, sentAt, from });
  }
  const ids = sent.map(({ id }) => id);
  const samples: number[] = [];
  for (const page of receivers) {
    await expect
      .poll(async () => {
        const have = new Set((await readState(page)).chat[scope].map((m) => m.id));
        return ids.filter((id) => !have.has(id));
      })
      .toEqual([]);
    const arrivals = new Map((await readState(page)).chat[scope].map((m) => [m.id, m.receivedAt] as const));
    for (const { id, sentAt, from } of sent) {
      if (from === page) continue;
      const receivedAt = arrivals.get(id);
      if (receivedAt === undefined) throw new Error(`message ${id} never reached a ${scope} tab`);
      samples.push(receivedAt - sentAt);
    }
  }
  return samples;
}

/** The lobby's order: nicknames, case-insensitively. */
function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });
}
