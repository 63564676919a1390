/**
 * The client's side of every conformance case that can be written as frames against the protocol
 * server (docs/protocol.md §13 numbers them, as do the tests' `case N:` titles). `pnpm transcripts`
 * runs each one and records what the server answers into docs/transcripts/case-NN.json.
 *
 * Not here: 39 (a drain is started on the server), and the LongPoll cases (HTTP polls, not frames).
 */
import { VALID_TOKEN } from './test-channel.ts';
import { type CaseScript, type ScriptAction, type TranscriptFrame, toHex } from './transcripts.ts';

type Ref = string | null;

/** Cases with no transcript, and why: the replay test holds the doc's table to this list. */
export const CASES_WITHOUT_TRANSCRIPT: Readonly<Record<string, string>> = {
  '39': 'a drain is started on the server (SIGTERM, deploy), not by a frame',
};

const query = (user?: string, vsn: string | null = '2.0.0'): Record<string, string> => ({
  token: VALID_TOKEN,
  ...(vsn !== null && { vsn }),
  ...(user !== undefined && { user }),
});

const json = (value: unknown): TranscriptFrame => ({ json: value });
const join = (ref: string, topic: string, params: object = {}) => json([ref, ref, topic, 'phx_join', params]);
const push = (joinRef: Ref, ref: Ref, topic: string, event: string, payload: object = {}) =>
  json([joinRef, ref, topic, event, payload]);
const leave = (joinRef: Ref, ref: string, topic: string) => push(joinRef, ref, topic, 'phx_leave');
const heartbeat = (ref: string, joinRef: Ref = null) => json([joinRef, ref, 'phoenix', 'heartbeat', {}]);
const v1 = (topic: string, event: string, payload: object, ref: Ref, joinRef?: Ref) =>
  json(joinRef === undefined ? { topic, event, payload, ref } : { topic, event, payload, ref, join_ref: joinRef });

/** A client binary push (kind 0): four one-byte lengths, the four strings, then the payload. */
function binaryPush(joinRef: string, ref: string, topic: string, event: string, payload: number[]): TranscriptFrame {
  const fields = [joinRef, ref, topic, event].map((field) => new TextEncoder().encode(field));
  const bytes = [0, ...fields.map((field) => field.length), ...fields.flatMap((field) => [...field]), ...payload];
  return { binary: toHex(Uint8Array.from(bytes)) };
}

/** `Sec-WebSocket-Protocol` entry phoenix.js builds from `authToken`: btoa without padding. */
const bearer = (token: string) => `base64url.bearer.phx.${btoa(token).replace(/=+$/, '')}`;

const open = (name: string, q: Record<string, string>, protocols?: string[]): ScriptAction =>
  protocols ? { open: name, query: q, protocols } : { open: name, query: q };
const send = (name: string, ...frames: TranscriptFrame[]): ScriptAction => ({ send: name, frames });
const sync = (name: string): ScriptAction => ({ sync: name });
const take = (name: string, count: number): ScriptAction => ({ take: name, count });
const awaitClose = (name: string): ScriptAction => ({ awaitClose: name });
const http = (probe: Extract<ScriptAction, { http: unknown }>['http']): ScriptAction => ({ http: probe });

export const CASE_SCRIPTS: readonly CaseScript[] = [
  {
    case: 1,
    title: 'a valid token and vsn=2.0.0 upgrade with 101 and no frame on open',
    doc: 'docs/protocol.md §2.1',
    actions: [http({ query: query() }), open('a', query()), sync('a')],
  },
  {
    case: 2,
    title: 'an invalid or missing token is refused with 403 before the upgrade, with an empty body',
    doc: 'docs/protocol.md §2.4',
    actions: [
      http({ query: { ...query(), token: 'wrong' } }),
      http({ query: { vsn: '2.0.0' } }),
      http({ query: query() }),
    ],
  },
  {
    case: 3,
    title: 'vsn 2.0.x speaks V2 arrays, 1.0.x and no vsn V1 objects, anything else is refused with 403',
    doc: 'docs/protocol.md §2.2',
    actions: [
      ...['3.0.0', 'abc', '1.1.0', '2', '2.0.0-rc.1', ''].map((vsn) => http({ query: query(undefined, vsn) })),
      open('v2', query(undefined, '2.0.1')),
      sync('v2'),
      open('v1', query(undefined, '1.0.5')),
      sync('v1'),
      open('none', query(undefined, null)),
      sync('none'),
    ],
  },
  {
    case: 4,
    title: 'the authToken subprotocol selects "phoenix" and authenticates; a wrong one, or no "phoenix", is 403',
    doc: 'docs/protocol.md §2.3',
    actions: [
      open('a', { vsn: '2.0.0' }, ['phoenix', bearer(VALID_TOKEN)]),
      sync('a'),
      http({ query: { vsn: '2.0.0' }, protocols: ['phoenix', bearer('wrong-token')] }),
      http({ query: query(), protocols: ['chat'] }),
      http({ query: { vsn: '2.0.0' }, protocols: [bearer(VALID_TOKEN)] }),
    ],
  },
  {
    case: 5,
    title: 'a disallowed Origin is refused with 403; an allowed one and no Origin are accepted',
    doc: 'docs/protocol.md §2.5',
    server: { allowed_origins: ['https://good.example'] },
    actions: [
      http({ query: query(), headers: { Origin: 'https://evil.example' } }),
      http({ query: query(), headers: { Origin: 'https://good.example' } }),
      http({ query: query() }),
    ],
  },
  {
    case: 6,
    title: 'a non-GET request to /socket/websocket gets 400 and an unknown path 404',
    doc: 'docs/protocol.md §2.4',
    actions: [
      ...['POST', 'PUT', 'DELETE'].map((method) => http({ method, upgrade: false })),
      http({ path: '/socket/nope', upgrade: false }),
    ],
  },
  {
    case: 7,
    title: 'a frame over the max frame size closes that socket with 1009; others keep working',
    doc: 'docs/protocol.md §2.5',
    server: { max_frame_bytes: 1024 },
    actions: [
      open('big', query()),
      open('other', query()),
      send('big', json([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(900) }])),
      take('big', 1),
      send('big', json([null, '2', 'phoenix', 'heartbeat', { pad: 'x'.repeat(2000) }])),
      awaitClose('big'),
      sync('other'),
    ],
  },
  {
    case: 8,
    title: 'a heartbeat is answered at once with an ok reply carrying its ref',
    doc: 'docs/protocol.md §5',
    actions: [open('a', query()), send('a', join('1', 'room:1'), heartbeat('5')), take('a', 2)],
  },
  {
    case: 9,
    title: 'a heartbeat with no channel joined gets the same reply; a join_ref on it is answered null',
    doc: 'docs/protocol.md §5',
    actions: [
      open('a', query()),
      send('a', heartbeat('14')),
      take('a', 1),
      send('a', join('1', 'room:1'), heartbeat('6', '1')),
      take('a', 2),
    ],
  },
  {
    case: 10,
    title: 'a socket silent for the idle timeout is closed with 1002; one heartbeating more often stays open',
    doc: 'docs/protocol.md §5',
    server: { idle_timeout_ms: 600 },
    actions: [
      open('silent', query()),
      awaitClose('silent'),
      open('beating', query()),
      ...Array.from({ length: 10 }, (): ScriptAction[] => [{ wait_ms: 100 }, sync('beating')]).flat(),
    ],
  },
  {
    case: 11,
    title: 'a join is answered ok, echoing both join_ref and ref',
    doc: 'docs/protocol.md §4.1',
    actions: [open('a', query()), send('a', join('1', 'room:lobby')), sync('a')],
  },
  {
    case: 12,
    title: 'the reply of join carries its response verbatim',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('a', query()),
      send('a', join('4', 'room:1', { reply: { user_id: 'u-42', nested: { list: [1, 'two', null] } } })),
      sync('a'),
    ],
  },
  {
    case: 13,
    title: 'a rejected join gets an error reply, no phx_close, and the topic stays unjoined',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1', { reject: true })),
      sync('a'),
      send('a', push('1', '2', 'room:1', 'x')),
      sync('a'),
    ],
  },
  {
    case: 14,
    title: 'the join of an unrouted topic is "unmatched topic" with join_ref null',
    doc: 'docs/protocol.md §4.1',
    actions: [open('a', query()), send('a', join('1', 'nope')), sync('a')],
  },
  {
    case: 15,
    title: 'a duplicate join answers the new join, then closes the old channel; the old join_ref is ignored',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('alice', query('alice')),
      open('observer', query('observer')),
      send('observer', join('1', 'room:1')),
      sync('observer'),
      send('alice', join('1', 'room:1', { track: 'alice' })),
      sync('alice'),
      sync('observer'),
      send('alice', join('3', 'room:1')),
      sync('alice'),
      sync('observer'),
      send('alice', push('3', '4', 'room:1', 'broadcast', { event: 'ping', payload: {} })),
      sync('alice'),
      sync('observer'),
      send('alice', push('1', '5', 'room:1', 'echo', { stale: true })),
      sync('alice'),
    ],
  },
  {
    case: 16,
    title: 'the join reply comes first: then pushes made during the join, presence_state, the own join diff',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1', { push: 'welcome' })),
      sync('a'),
      open('alice', query('alice')),
      send('alice', join('1', 'room:1', { track: 'alice' })),
      sync('alice'),
    ],
  },
  {
    case: 17,
    title: 'a join whose handler throws is "join crashed" and the socket stays up',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1', { crash: true })),
      sync('a'),
      send('a', join('2', 'room:1')),
      sync('a'),
    ],
  },
  {
    case: 18,
    title: 'join #101 on one socket is refused with "too many channels joined"; rejoining a held topic is not',
    doc: 'docs/protocol.md §4.1',
    actions: [
      open('a', query()),
      send('a', ...Array.from({ length: 100 }, (_, i) => join(String(i + 1), `room:${i + 1}`))),
      // All 100 answered before anything else is sent: a frame sent behind 100 waiting joins would be
      // refused with "message queue full" (docs/protocol.md §2.5).
      take('a', 100),
      send('a', join('101', 'room:101'), join('102', 'room:1')),
      sync('a'),
    ],
  },
  {
    case: 19,
    title: 'a push runs the handler and its reply echoes join_ref, ref and topic',
    doc: 'docs/protocol.md §4.2',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1'), push('1', '7', 'room:1', 'echo', { a: 1 }), push('1', '8', 'room:1', 'error')),
      sync('a'),
    ],
  },
  {
    case: 20,
    title: 'a push with join_ref null is processed, and its reply carries the channel join_ref',
    doc: 'docs/protocol.md §4.2',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1'), push(null, '7', 'room:1', 'echo', { a: 1 })),
      sync('a'),
    ],
  },
  {
    case: 21,
    title: 'a push with a stale join_ref gets no frame and does not run the handler',
    doc: 'docs/protocol.md §4.2',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1')),
      sync('a'),
      send('a', push('0', '8', 'room:1', 'echo', { a: 1 }), push('0', '9', 'room:1', 'stop_silent')),
      sync('a'),
      send('a', push('1', '10', 'room:1', 'echo', { still: 'joined' })),
      sync('a'),
    ],
  },
  {
    case: 22,
    title: 'a push to a topic never joined, or already left, is "unmatched topic" with join_ref null',
    doc: 'docs/protocol.md §4.2',
    actions: [
      open('a', query()),
      send('a', push('1', '9', 'room:1', 'echo')),
      sync('a'),
      send('a', join('1', 'room:1'), leave('1', '2', 'room:1')),
      sync('a'),
      send('a', push('1', '10', 'room:1', 'echo')),
      sync('a'),
    ],
  },
  {
    case: 23,
    title: 'a handler without reply sends no frame at all',
    doc: 'docs/protocol.md §4.2',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1'), push('1', '7', 'room:1', 'noreply'), push('1', '8', 'room:1', 'echo')),
      sync('a'),
    ],
  },
  {
    case: 24,
    title: 'a server push is [join_ref, null, topic, event, payload]',
    doc: 'docs/protocol.md §3.4',
    actions: [
      open('a', query()),
      send('a', join('3', 'room:1'), push('3', '4', 'room:1', 'push', { event: 'news', payload: { n: 1 } })),
      sync('a'),
    ],
  },
  {
    case: 25,
    title: 'binary frames: push, reply, server push and broadcast layouts; V1 gets no binary; bad ones close 1007',
    doc: 'docs/protocol.md §7',
    actions: [
      open('a', query()),
      send('a', join('3', 'room:1')),
      sync('a'),
      // The channel has no "bin": a JSON error reply to a binary push.
      send('a', binaryPush('3', '7', 'room:1', 'bin', [1, 2])),
      sync('a'),
      send('a', binaryPush('3', '7', 'room:1', 'binary', [1, 2])),
      sync('a'),
      send('a', binaryPush('3', '8', 'room:1', 'push_binary', [1, 2])),
      sync('a'),
      open('b', query()),
      send('b', join('9', 'room:1')),
      sync('b'),
      open('old', query(undefined, null)),
      send('old', v1('room:1', 'phx_join', {}, '1', '1')),
      sync('old'),
      send('a', binaryPush('3', '10', 'room:1', 'broadcast_binary', [1, 2])),
      send('a', push('3', '11', 'room:1', 'broadcast', { event: 'text', payload: { after: 'bin' } })),
      sync('a'),
      sync('b'),
      sync('old'),
      open('reply', query()),
      send('reply', { binary: '01 01 01 06 02 33 37 72 6f 6f 6d 3a 31 6f 6b' }),
      awaitClose('reply'),
      open('short', query()),
      send('short', { binary: '00 01 01 06 03 33 37 72 6f 6f 6d' }),
      awaitClose('short'),
      open('v1', query(undefined, null)),
      send('v1', binaryPush('3', '7', 'room:1', 'bin', [1, 2])),
      awaitClose('v1'),
      sync('a'),
    ],
  },
  {
    case: 26,
    title: 'invalid JSON or a non-array text frame closes that socket only, with 1007',
    doc: 'docs/protocol.md §8.2',
    actions: [
      open('other', query()),
      send('other', join('1', 'room:1')),
      sync('other'),
      ...['not json', '{"a":1}', '"text"', '[null,"1","room:1"]', '[null,"1",7,"echo",{}]'].flatMap((garbage, i) => [
        open(`bad${i + 1}`, query()),
        send(`bad${i + 1}`, { text: garbage }),
        awaitClose(`bad${i + 1}`),
      ]),
      send('other', push('1', '2', 'room:1', 'echo', { ok: true })),
      sync('other'),
    ],
  },
  {
    case: 27,
    title: 'phx_leave is answered ok, then phx_close, and the topic is then unmatched',
    doc: 'docs/protocol.md §4.3',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1')),
      sync('a'),
      send('a', leave('1', '10', 'room:1')),
      sync('a'),
      send('a', push('1', '11', 'room:1', 'echo')),
      sync('a'),
    ],
  },
  {
    case: 28,
    title: 'phx_leave for a topic not joined is answered ok with no phx_close',
    doc: 'docs/protocol.md §4.3',
    actions: [open('a', query()), send('a', leave('5', '6', 'room:1')), sync('a')],
  },
  {
    case: 29,
    title: 'phx_leave with a stale join_ref gets no frame and the channel stays joined',
    doc: 'docs/protocol.md §4.3',
    actions: [
      open('a', query()),
      send('a', join('3', 'room:1')),
      sync('a'),
      send('a', leave('1', '4', 'room:1')),
      sync('a'),
      send('a', push('3', '5', 'room:1', 'echo')),
      sync('a'),
    ],
  },
  {
    case: 30,
    title: 'a channel stopped by the server sends phx_close (not phx_error), after the reply if there is one',
    doc: 'docs/protocol.md §4.4',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1')),
      sync('a'),
      send('a', push('1', '2', 'room:1', 'stop_silent')),
      sync('a'),
      send('a', push('1', '3', 'room:1', 'echo')),
      sync('a'),
      send('a', join('4', 'room:1'), push('4', '5', 'room:1', 'stop')),
      sync('a'),
    ],
  },
  {
    case: 31,
    title: 'a crashing channel sends phx_error with channel_crash, and a rejoin is a fresh join',
    doc: 'docs/protocol.md §4.4',
    actions: [
      open('a', query()),
      send('a', join('1', 'room:1')),
      sync('a'),
      send('a', push('1', '2', 'room:1', 'crash')),
      sync('a'),
      send('a', push('1', '3', 'room:1', 'echo')),
      sync('a'),
      send('a', join('5', 'room:1'), push('5', '6', 'room:1', 'echo')),
      sync('a'),
    ],
  },
  {
    case: 32,
    title: 'a client disconnect terminates its channels and untracks its presence, sending nothing',
    doc: 'docs/protocol.md §4.5',
    actions: [
      open('observer', query('observer')),
      send('observer', join('1', 'room:1')),
      sync('observer'),
      open('alice', query('alice')),
      send('alice', join('1', 'room:1', { track: 'alice' }), join('2', 'room:2')),
      sync('alice'),
      sync('observer'),
      { close: 'alice' },
      take('observer', 1),
      sync('observer'),
    ],
  },
  {
    case: 33,
    title: 'a kick by socket id closes every socket of that id with 1001 and ends their channels',
    doc: 'docs/protocol.md §8.2',
    actions: [
      open('observer', query('observer')),
      send('observer', join('1', 'room:1')),
      sync('observer'),
      open('tab1', query('alice')),
      send('tab1', join('1', 'room:1', { track: 'alice' })),
      sync('tab1'),
      open('tab2', query('alice')),
      send('tab2', join('1', 'room:2')),
      sync('tab2'),
      sync('observer'),
      // The protocol server's `kick` event: the game server kicks from its operator API instead.
      send('tab2', push('1', '2', 'room:2', 'kick')),
      awaitClose('tab2'),
      awaitClose('tab1'),
      take('observer', 1),
      sync('observer'),
    ],
  },
  {
    case: 34,
    title:
      'broadcast reaches every subscriber, the sender included, as [null, null, t, ev, p]; broadcast_from all but it',
    doc: 'docs/protocol.md §3.4',
    actions: [
      open('alice', query('alice')),
      open('bob', query('bob')),
      open('carol', query('carol')),
      send('alice', join('1', 'room:1')),
      send('bob', join('7', 'room:1')),
      send('carol', join('1', 'room:2')),
      sync('alice'),
      sync('bob'),
      sync('carol'),
      send('alice', push('1', '2', 'room:1', 'broadcast', { event: 'ev', payload: { p: 1 } })),
      sync('alice'),
      sync('bob'),
      sync('carol'),
      send('alice', push('1', '3', 'room:1', 'broadcast_from', { event: 'ev', payload: { p: 2 } })),
      sync('alice'),
      sync('bob'),
      sync('carol'),
    ],
  },
  {
    case: 35,
    title:
      'a broadcast is the same frame for every subscriber of a format; an intercepted event is a push per subscriber',
    doc: 'docs/protocol.md §3.4',
    actions: [
      open('alice', query('alice')),
      open('bob', query('bob')),
      open('old', query('old', null)),
      send('alice', join('1', 'room:1')),
      send('bob', join('7', 'room:1')),
      send('old', v1('room:1', 'phx_join', {}, '1', '1')),
      sync('alice'),
      sync('bob'),
      sync('old'),
      send('alice', push('1', '2', 'room:1', 'broadcast', { event: 'ev', payload: { p: 1 } })),
      sync('alice'),
      sync('bob'),
      sync('old'),
      send('alice', push('1', '3', 'room:1', 'broadcast', { event: 'intercepted', payload: { p: 1 } })),
      sync('alice'),
      sync('bob'),
    ],
  },
  {
    case: 36,
    title: 'presence_state follows every join and rejoin, complete and keyed by string',
    doc: 'docs/protocol.md §6.1',
    actions: [
      open('bob', query('bob')),
      send('bob', join('1', 'room:1', { track: 'bob' })),
      sync('bob'),
      open('alice', query('alice')),
      send('alice', join('1', 'room:1', { track: 'alice' })),
      sync('alice'),
      send('alice', push('1', '2', 'room:1', 'crash')),
      sync('alice'),
      send('alice', join('3', 'room:1', { track: 'alice' })),
      sync('alice'),
      send('alice', leave('3', '4', 'room:1')),
      sync('alice'),
      send('alice', join('5', 'room:1', { track: 'alice' })),
      sync('alice'),
    ],
  },
  {
    case: 37,
    title: 'a second socket of one user adds a meta under the same key; closing it removes only that meta',
    doc: 'docs/protocol.md §6.1',
    actions: [
      open('observer', query('observer')),
      send('observer', join('1', 'room:1')),
      sync('observer'),
      open('tab1', query('alice')),
      send('tab1', join('1', 'room:1', { track: 'alice' })),
      sync('tab1'),
      sync('observer'),
      open('tab2', query('alice')),
      send('tab2', join('1', 'room:1', { track: 'alice' })),
      sync('tab2'),
      sync('observer'),
      { close: 'tab2' },
      take('observer', 1),
      sync('observer'),
    ],
  },
  {
    case: 38,
    title: 'a meta update is one diff joining the new meta (with phx_ref_prev) and leaving the old',
    doc: 'docs/protocol.md §6.1',
    actions: [
      open('observer', query('observer')),
      send('observer', join('1', 'room:1')),
      sync('observer'),
      open('alice', query('alice')),
      send('alice', join('1', 'room:1', { track: 'alice' })),
      sync('alice'),
      sync('observer'),
      send('alice', push('1', '2', 'room:1', 'update_presence', { meta: { status: 'away' } })),
      sync('alice'),
      sync('observer'),
    ],
  },
  {
    case: 40,
    title: 'a V1 heartbeat gets a V1 reply with no join_ref key, with or without a join_ref sent',
    doc: 'docs/protocol.md §3.2',
    actions: [
      open('a', query(undefined, null)),
      send('a', v1('phoenix', 'heartbeat', {}, '1'), v1('phoenix', 'heartbeat', {}, '2', null)),
      take('a', 2),
    ],
  },
  {
    case: 41,
    title: 'V1 joins, replies and pushes are objects without join_ref; broadcasts have ref null',
    doc: 'docs/protocol.md §3.2',
    actions: [
      open('a', query(undefined, null)),
      send(
        'a',
        v1('room:1', 'phx_join', { reply: { hello: 'godot' } }, '1', '1'),
        v1('room:1', 'echo', { a: 1 }, '2', '1'),
        v1('room:1', 'push', { event: 'news', payload: { n: 1 } }, '3', '1'),
        v1('room:1', 'broadcast', { event: 'ev', payload: { p: 1 } }, '4', '1'),
        v1('nope', 'x', {}, '5', null),
      ),
      sync('a'),
    ],
  },
  {
    case: 42,
    title: 'V1 phx_close and phx_error carry ref = the join ref, also for a join sent without join_ref',
    doc: 'docs/protocol.md §3.5',
    actions: [
      open('a', query(undefined, null)),
      send('a', v1('room:1', 'phx_join', {}, '1', '1'), v1('room:1', 'phx_leave', {}, '2', '1')),
      sync('a'),
      send('a', v1('room:1', 'phx_join', {}, '4'), v1('room:1', 'stop_silent', {}, '5')),
      sync('a'),
      send('a', v1('room:1', 'phx_join', {}, '6', '6'), v1('room:1', 'crash', {}, '7', '6')),
      sync('a'),
    ],
  },
  {
    case: 43,
    title: 'V1: presence_state precedes any presence_diff for a join',
    doc: 'docs/protocol.md §6.2',
    actions: [
      open('a', query(undefined, null)),
      send('a', v1('room:1', 'phx_join', { track: 'godot' }, '1', '1')),
      sync('a'),
    ],
  },
  {
    case: 44,
    title: 'a frame of the other version (V1 object on V2, V2 array on V1) or an incomplete one closes that socket',
    doc: 'docs/protocol.md §3.2',
    actions: [
      open('other', query()),
      open('v2', query()),
      send('v2', v1('phoenix', 'heartbeat', {}, '1')),
      awaitClose('v2'),
      open('v1', query(undefined, null)),
      send('v1', heartbeat('1')),
      awaitClose('v1'),
      open('incomplete', query(undefined, null)),
      send('incomplete', json({ topic: 'phoenix', event: 'heartbeat', payload: {} })),
      awaitClose('incomplete'),
      sync('other'),
    ],
  },
  {
    case: 45,
    title: 'a ref, join_ref, topic or event over 255 bytes of UTF-8 closes that socket with 1007; 255 bytes are echoed',
    doc: 'docs/protocol.md §3.3',
    actions: [
      open('other', query()),
      open('v2', query()),
      // 255 bytes: 127 two-byte characters and one ASCII; the limit counts bytes, not characters.
      send('v2', heartbeat('r'.repeat(255)), heartbeat(`${'é'.repeat(127)}x`)),
      take('v2', 2),
      send('v2', heartbeat('é'.repeat(128))),
      awaitClose('v2'),
      ...[
        push('é'.repeat(128), '1', 'room:1', 'echo'),
        join('1', `room:${'t'.repeat(300)}`),
        push(null, '1', 'room:1', 'e'.repeat(256)),
      ].flatMap((frame, i) => [open(`long${i + 1}`, query()), send(`long${i + 1}`, frame), awaitClose(`long${i + 1}`)]),
      open('v1', query(undefined, null)),
      send('v1', v1('phoenix', 'heartbeat', {}, 'r'.repeat(255)), v1('phoenix', 'heartbeat', {}, 'r'.repeat(256))),
      awaitClose('v1'),
      sync('other'),
    ],
  },
];
