import type { App } from './app.ts';
import { type DebugActions, type DebugHandle, takeSnapshot } from './debug-snapshot.ts';

/**
 * Whether to expose `window.__starcatch`: always outside production builds (`vite` dev server,
 * `--mode test`), and in production only when the page URL asks for it with `?debug=1`.
 */
export function wantsDebugHandle(mode: string, search: string): boolean {
  return mode !== 'production' || new URLSearchParams(search).get('debug') === '1';
}

/**
 * Puts the debug handle on `target` (the window).
 *
 * `state()` is a deeply frozen plain copy (no token in it):
 * - `session`: `{signedIn, nickname, user: {id, nickname, color} | null, notice}`.
 * - `lobby`: `{status: 'idle' | 'joining' | 'joined', online, rooms}`. `online` has one entry per
 *   user (`{id, nickname, color, tabs, onlineSince}`), sorted by nickname; `rooms` are the open
 *   rooms `{id, name, max_players, players, state}` in the order they opened.
 * - `room`: null outside a room (and during the first join), else the room `{id, name, max_players,
 *   players, state}` plus `status: 'joined' | 'rejoining'`, `slot` and `members` (one
 *   `{id, nickname, color, tabs, transports}` per player, sorted by nickname; `transports` has the
 *   path of each of the player's tabs, `'webrtc' | 'websocket'`, as the server routes it).
 * - `chat`: `lobby` and `room` are the stored messages of each chat, `{id, user_id, nickname,
 *   body, inserted_at, receivedAt}`, one per id, ascending; `receivedAt` is the epoch time in ms
 *   (`performance.timeOrigin + performance.now()`) the message first reached this tab. `pending`
 *   holds the messages sent from this tab without an `ok` yet: `{localId, scope: 'lobby' | 'room',
 *   body, status: 'sending' | 'failed', error, maybeDelivered, afterId, sentAt}`.
 * - `net`: `{status: 'idle' | 'connecting' | 'open' | 'reconnecting', socketTransport: 'websocket' |
 *   'longpoll' | null, socketRefusal: 'rate_limited' | 'too_many_connections' | null, transport: 'webrtc' | 'websocket' | null, rtt, rttByTransport:
 *   {webrtc?, websocket?}, networkRtt, networkRttByTransport, netcode, impairment, dataChannels:
 *   {events, state}, rtcOpenMs}`; `socketTransport` is what carries the socket (`longpoll` after
 *   phoenix.js fell back from a blocked WebSocket); `socketRefusal` says why the server refuses sockets from this
 *   address while the socket does not open; `rtt` is the latest input → ack time in ms
 *   (`rttByTransport` the latest per path), `networkRtt` the network round trip of the path in use
 *   (a ping on `events`, the Phoenix heartbeat on the WebSocket; per path in
 *   `networkRttByTransport`), `netcode` what the player perceives (`NetcodeStats`: snapshot
 *   jitter, late and missing snapshots, interpolation delay and dry runs, corrections, remote-ship
 *   jumps and jerk; null outside a room), `impairment` the simulated bad network the tab plays
 *   through (`{lagMs, jitterMs, lossPercent}`), `rtcOpenMs` the offer → both DataChannels open time
 *   of the current peer. WebRTC is negotiated from sign-in, so `dataChannels` is live in the lobby
 *   too; `transport` is null outside a room.
 * - `game`: `{you, players: [{id, nickname, slot, x, y, score}], stars: [{id, x, y}], round:
 *   {phase, round, remainingMs, winners}}`; `you` is this player's user id (null outside a room),
 *   positions are the newest snapshot's.
 *
 * `actions` are the functions the UI calls, all returning promises: `signIn(nickname)`,
 * `signOut()`, `createRoom(name, maxPlayers)` (creates and enters; resolves with the room),
 * `quickPlay()`, `joinRoom(id)` (resolves once joined, rejects with the reason), `leaveRoom()`,
 * `sendChat(text)` (to the room when in one, else the lobby; resolves with the stored message),
 * `retryChat(localId)` and `discardChat(localId)` for failed messages.
 */
export function installDebugHandle(target: Window, app: App): DebugHandle {
  const { actions } = app;
  const exposed: DebugActions = {
    signIn: (nickname) => actions.signIn(nickname),
    signOut: () => actions.signOut(),
    createRoom: (name, maxPlayers) => actions.createRoom(name, maxPlayers),
    quickPlay: () => actions.quickPlay(),
    joinRoom: (id) => actions.joinRoom(id),
    leaveRoom: () => actions.leaveRoom(),
    sendChat: (text) => actions.sendChat(text),
    retryChat: (localId) => actions.retryChat(localId),
    discardChat: (localId) => actions.discardChat(localId),
  };
  const handle: DebugHandle = Object.freeze({
    state: () => takeSnapshot(app.stores),
    actions: Object.freeze(exposed),
  });
  Object.defineProperty(target, '__starcatch', { value: handle, configurable: true });
  return handle;
}
