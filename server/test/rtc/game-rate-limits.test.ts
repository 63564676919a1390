/**
 * The budgets on game traffic, shrunk so a test exhausts them in a few messages: DataChannel
 * messages per user (excess dropped and reported; ignoring that closes the peer, never the
 * channels), and `input` / `chat:send` pushes on `room:<id>`.
 */
import { ChatEvent, Direction, ErrorCode, GameChannelEvent, WebRtcEvent } from '@starcatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { useRtcServer } from './rtc-server.ts';

const DATA_BURST = 20;
const DATA_STRIKES = 10;
const INPUT_BURST = 5;
const CHAT_BURST = 2;
/** Far above a loopback reply: an `input` push that got none within it got none at all. */
const NO_REPLY_WINDOW_MS = 300;

const rtc = useRtcServer({
  RTC_DATA_BURST: String(DATA_BURST),
  RTC_DATA_PER_MINUTE: '60',
  RTC_DATA_STRIKES_PER_MINUTE: String(DATA_STRIKES),
  ROOM_INPUT_BURST: String(INPUT_BURST),
  ROOM_INPUT_PER_MINUTE: '60',
  ROOM_CHAT_BURST: String(CHAT_BURST),
  ROOM_CHAT_PER_MINUTE: '1',
});
const bots: GameBot[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.close()));
});

async function playerInRoom(): Promise<GameBot> {
  const player = await GameBot.connect(rtc.server, rtc.sockets);
  bots.push(player);
  await player.joinRoom(rtc.server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Limits', maxPlayers: 4 }).id);
  return player;
}

describe('game traffic budgets', () => {
  it('drops DataChannel messages over budget with a notice, then closes the peer; the game goes on over the WebSocket', async () => {
    const player = await playerInRoom();
    const peer = await player.openPeer();
    const signals = peer.signals;

    for (let i = 0; i < DATA_BURST + DATA_STRIKES + 5; i++) player.sendInput(Direction.left, 'webrtc');

    await waitFor(() => player.notices.length > 0, { what: 'a game:notice' });
    expect(player.notices[0]).toMatchObject({ reason: ErrorCode.rateLimited, transport: 'webrtc' });
    expect(player.notices[0]?.dropped).toBeGreaterThanOrEqual(1);
    await waitFor(() => signals.some((signal) => signal.event === WebRtcEvent.state), { what: 'webrtc:state' });
    expect(signals.map((signal) => signal.payload)).toContainEqual({ state: 'closed', reason: ErrorCode.rateLimited });
    await waitFor(() => rtc.server.app.webrtc.peers.forUser(player.user.id).length === 0, {
      what: 'the peer to close',
    });
    expect(player.userChannel?.state).toBe('joined');
    expect(rtc.server.app.links.counts.peersClosedForAbuse).toBe(1);

    // Only the first DATA_BURST inputs were taken; the game carries on over the room channel.
    const webSocketSnapshots = player.snapshotsVia('websocket').length;
    await waitFor(() => player.snapshotsVia('websocket').length > webSocketSnapshots + 2);
    expect(player.lastSnapshot?.ackSeq).toBe(DATA_BURST);
  });

  it('drops WebSocket inputs over budget without a reply and says so once per interval', async () => {
    const player = await playerInRoom();
    for (let i = 0; i < INPUT_BURST + 10; i++) player.sendInput(Direction.right, 'websocket');
    await waitFor(() => player.notices.length === 1, { what: 'a game:notice' });
    expect(player.notices[0]).toMatchObject({ reason: ErrorCode.rateLimited, transport: 'websocket', dropped: 1 });
    await waitFor(() => player.lastSnapshot?.ackSeq === INPUT_BURST, { what: 'the last input within budget applied' });
    expect(rtc.server.app.links.counts.webSocketInputsDropped).toBeGreaterThanOrEqual(10);
    // Not even an error reply: the push just times out on the client.
    const room = player.room;
    if (!room) throw new Error('joined');
    expect(await push(room, GameChannelEvent.input, new ArrayBuffer(11), NO_REPLY_WINDOW_MS)).toMatchObject({
      status: 'timeout',
    });
  });

  it('refuses chat over budget with rate_limited', async () => {
    const player = await playerInRoom();
    const room = player.room;
    if (!room) throw new Error('joined');
    const outcomes = [];
    for (let i = 0; i < CHAT_BURST + 1; i++) outcomes.push(await push(room, ChatEvent.send, { body: `hi ${i}` }));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([...Array<string>(CHAT_BURST).fill('ok'), 'error']);
    expect(outcomes.at(-1)?.response).toMatchObject({ reason: ErrorCode.rateLimited });
    // Inputs have a budget of their own: chat spent none of it.
    player.sendInput(Direction.up, 'websocket');
    await waitFor(() => player.lastSnapshot?.ackSeq === 1);
  });
});
