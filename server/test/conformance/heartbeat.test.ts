import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { heartbeat, heartbeatReply } from './frames.ts';
import { joinOk, useProtocolServer } from './harness.ts';

// docs/protocol.md §5, cases 8-10 of its §13.

const harness = useProtocolServer();

/** Shrunk from Phoenix's 60 s so the idle path runs in a test. */
const IDLE_TIMEOUT_MS = 600;
/** Well under the idle timeout, as phoenix.js's 30 s is under Phoenix's 60 s. */
const HEARTBEAT_INTERVAL_MS = 100;

test('case 8: a heartbeat is answered at once with an ok reply carrying its ref', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(heartbeat('5'));
  expect(await ws.nextJson()).toEqual(heartbeatReply('5'));
});

test('case 9: a heartbeat with no channel joined gets the same reply', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(heartbeat('14'));
  expect(await ws.nextJson()).toEqual(heartbeatReply('14'));
});

test('case 9: a heartbeat carrying a join_ref is answered with join_ref null', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(heartbeat('6', '1'));
  expect(await ws.nextJson()).toEqual(heartbeatReply('6'));
});

test('case 10: a socket that sends nothing for the idle timeout is closed with 1002 (not 1000)', async () => {
  const server = await harness.start({ idleTimeoutMs: IDLE_TIMEOUT_MS });
  const ws = await harness.connect(server);
  const startedAt = Date.now();
  const { code } = await ws.closed;
  expect(code).toBe(1002);
  // Not right away: only once the timeout has (about) run out.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS / 2);
});

test('case 10: a socket heartbeating more often than the idle timeout stays open', async () => {
  const server = await harness.start({ idleTimeoutMs: IDLE_TIMEOUT_MS });
  const ws = await harness.connect(server);
  // 1 s of heartbeats: well past the idle timeout in total, never idle for long.
  for (let i = 0; i < 10; i++) {
    await sleep(HEARTBEAT_INTERVAL_MS);
    ws.send(heartbeat(String(i)));
    expect(await ws.nextJson()).toEqual(heartbeatReply(String(i)));
  }
  expect(ws.ws.readyState).toBe(ws.ws.OPEN);
});
