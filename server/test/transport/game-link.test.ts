import {
  decodeSnapshot,
  ErrorCode,
  encodeSnapshot,
  GameChannelEvent,
  GameEvent,
  type GameEventMessage,
  StateEncoding,
} from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { type DataChannelRoute, STALLED_BACKLOG_FACTOR } from '../../src/transport/data-channel-route.ts';
import { GameLink } from '../../src/transport/game-link.ts';
import { fakeChannel, fakePeer } from './link-fakes.ts';

const MAX_BUFFERED = 1_000;
const NOTICE_INTERVAL_MS = 1_000;
const snapshot = encodeSnapshot({ tick: 7, ackSeq: 3, serverTime: 0, players: [] });
const event: GameEventMessage = { type: GameEvent.scoreChanged, tick: 7, slot: 0, score: 1 };

function link(options: { supportsBinary?: boolean; route?: DataChannelRoute } = {}) {
  const { channel, pushes, presence } = fakeChannel(options.supportsBinary);
  const clock = { now: 0 };
  const rerouted: string[] = [];
  const gameLink = new GameLink({
    channel,
    initialRoute: options.route,
    noticeIntervalMs: NOTICE_INTERVAL_MS,
    snapshotMaxBufferedBytes: MAX_BUFFERED,
    now: () => clock.now,
    rerouted: (l) => rerouted.push(l.transport),
  });
  return { gameLink, channel, pushes, presence, clock, rerouted };
}

describe('GameLink on the WebSocket', () => {
  it('pushes snapshots as binary and events as JSON on the room channel', () => {
    const { gameLink, pushes } = link();
    expect(gameLink.transport).toBe('websocket');
    expect(gameLink.stateEncoding).toBe(StateEncoding.binary);
    expect(gameLink.sendSnapshot(snapshot)).toBe('sent');
    gameLink.sendEvent(event);
    expect(pushes).toEqual([
      { event: GameChannelEvent.snapshot, payload: snapshot },
      { event: GameChannelEvent.event, payload: event },
    ]);
  });

  it('skips snapshots while the socket is backed up, never events', () => {
    const { gameLink, channel, pushes } = link();
    channel.sendBacklog = MAX_BUFFERED + 1;
    expect(gameLink.sendSnapshot(snapshot)).toBe('skipped');
    gameLink.sendEvent(event);
    expect(pushes).toEqual([{ event: GameChannelEvent.event, payload: event }]);
    channel.sendBacklog = MAX_BUFFERED;
    expect(gameLink.sendSnapshot(snapshot)).toBe('sent');
    expect(pushes.at(-1)).toEqual({ event: GameChannelEvent.snapshot, payload: snapshot });
  });

  it('sends a V1 socket base64 JSON, which decodes to the same snapshot', () => {
    const { gameLink, pushes } = link({ supportsBinary: false });
    expect(gameLink.stateEncoding).toBe(StateEncoding.base64);
    gameLink.sendSnapshot(snapshot);
    const payload = pushes[0]?.payload as { data: string };
    const decoded = decodeSnapshot(Buffer.from(payload.data, 'base64'));
    expect(decoded).toMatchObject({ ok: true, value: { tick: 7, ackSeq: 3 } });
  });
});

describe('GameLink on the DataChannels', () => {
  it('switches at run time: presence meta and a resync follow, and nothing goes to the WebSocket', () => {
    const { gameLink, pushes, presence, rerouted } = link();
    const { route, events, state } = fakePeer(MAX_BUFFERED);
    gameLink.useDataChannels(route);
    expect(presence).toEqual([
      { nickname: 'Ada', color: '#ff6b6b', online_at: expect.any(Number), transport: 'webrtc' },
    ]);
    expect(rerouted).toEqual(['webrtc']);
    expect(gameLink.sendSnapshot(snapshot)).toBe('sent');
    gameLink.sendEvent(event);
    expect(state.sent).toEqual([snapshot]);
    expect(events.sent).toEqual([JSON.stringify(event)]);
    expect(pushes).toEqual([]);
    // The same peer again is not a switch.
    gameLink.useDataChannels(route);
    expect(rerouted).toEqual(['webrtc']);
  });

  it('starts on an already open peer without announcing a switch', () => {
    const { route } = fakePeer(MAX_BUFFERED);
    const { gameLink, presence, rerouted } = link({ route });
    expect(gameLink.transport).toBe('webrtc');
    expect(gameLink.presenceMeta.transport).toBe('webrtc');
    expect(presence).toEqual([]);
    expect(rerouted).toEqual([]);
  });

  it('skips snapshots while the peer has more than the threshold queued, on either channel', () => {
    const { route, events, state } = fakePeer(MAX_BUFFERED);
    const { gameLink } = link({ route });
    events.bufferedAmount = 600;
    state.bufferedAmount = 500;
    expect(gameLink.sendSnapshot(snapshot)).toBe('skipped');
    expect(state.sent).toEqual([]);
    events.bufferedAmount = 0;
    expect(gameLink.sendSnapshot(snapshot)).toBe('sent');
  });

  it('gives up on a peer that stopped draining its events: closes it and resyncs on the WebSocket', () => {
    const { route, events, closeReasons } = fakePeer(MAX_BUFFERED);
    const { gameLink, pushes, rerouted } = link({ route });
    events.bufferedAmount = MAX_BUFFERED * STALLED_BACKLOG_FACTOR + 1;
    gameLink.sendEvent(event);
    expect(closeReasons).toEqual([undefined]);
    expect(gameLink.transport).toBe('websocket');
    expect(rerouted).toEqual(['websocket']);
    gameLink.sendSnapshot(snapshot);
    expect(pushes.map((p) => p.event)).toEqual([GameChannelEvent.snapshot]);
  });

  it('falls back to the WebSocket when a channel is found closed', () => {
    const { route, state } = fakePeer(MAX_BUFFERED);
    const { gameLink, pushes, rerouted } = link({ route });
    state.readyState = 'closed';
    expect(gameLink.sendSnapshot(snapshot)).toBe('sent');
    expect(rerouted).toEqual(['websocket']);
    expect(pushes.map((p) => p.event)).toEqual([GameChannelEvent.snapshot]);
  });

  it('touches neither presence nor the simulation once closed', () => {
    const { route } = fakePeer(MAX_BUFFERED);
    const { gameLink, presence, rerouted } = link();
    gameLink.close();
    gameLink.useDataChannels(route);
    gameLink.useWebSocket();
    expect(presence).toEqual([]);
    expect(rerouted).toEqual([]);
  });
});

describe('GameLink notices', () => {
  it('tells the client about dropped traffic at most once per interval, with the count since the last notice', () => {
    const { gameLink, pushes, clock } = link();
    gameLink.reportDropped('webrtc');
    gameLink.reportDropped('webrtc');
    gameLink.reportDropped('webrtc');
    clock.now = NOTICE_INTERVAL_MS;
    gameLink.reportDropped('websocket');
    expect(pushes.map((p) => p.payload)).toEqual([
      { reason: ErrorCode.rateLimited, message: expect.any(String), transport: 'webrtc', dropped: 1 },
      { reason: ErrorCode.rateLimited, message: expect.any(String), transport: 'websocket', dropped: 3 },
    ]);
    expect(pushes.every((p) => p.event === GameChannelEvent.notice)).toBe(true);
  });
});
