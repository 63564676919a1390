/**
 * The connection cap that keeps descriptors free below the open-files limit: its default from
 * /proc/self/limits, and the real server refusing connections past it while staying healthy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectionCap, DESCRIPTOR_HEADROOM, openFilesLimit } from '../../src/http/connection-cap.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             127431               127431               processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe('connectionCap', () => {
  it('reads the soft open-files limit', () => {
    expect(openFilesLimit(() => LIMITS)).toBe(20_000);
    expect(openFilesLimit(() => LIMITS.replace('20000                20000', 'unlimited            unlimited'))).toBe(
      undefined,
    );
    expect(
      openFilesLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(undefined);
  });

  it('leaves headroom below the limit unless a cap is configured', () => {
    expect(connectionCap(undefined, 20_000)).toBe(20_000 - DESCRIPTOR_HEADROOM);
    expect(connectionCap(50, 20_000)).toBe(50);
    expect(connectionCap(undefined, undefined)).toBe(undefined);
  });
});

describe('a server at its connection cap', () => {
  const CAP = 3;
  let server: TestServer;
  const open: WebSocket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ MAX_CONNECTIONS: String(CAP) });
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.terminate();
  });
  afterAll(() => server.close());

  /** Resolves with `open` once the upgrade succeeds, or with the failure the client saw. */
  const connect = (): Promise<'open' | 'refused'> => {
    const token = server.app.tokens.sign({ id: `cap-${open.length}`, nickname: 'Cap', color: '#ffd93d' });
    const socket = new WebSocket(`${server.socketUrl}/websocket?vsn=2.0.0&token=${token}`);
    open.push(socket);
    return new Promise((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('error', () => resolve('refused'));
    });
  };

  it('refuses connections past the cap, and accepts again once one closes', async () => {
    for (let i = 0; i < CAP; i++) expect(await connect()).toBe('open');
    expect(await connect()).toBe('refused');
    open[0]?.terminate();
    await expect.poll(() => server.app.socket.connectionCount).toBe(CAP - 1);
    expect(await connect()).toBe('open');
  });
});
