import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOCKET_PATH, type User } from '@starcatch/shared';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { signInGuest } from './guest-sign-in.ts';

export interface TestServer {
  readonly app: App;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>/socket`, the endpoint phoenix.js expects (it appends `/websocket`). */
  readonly socketUrl: string;
  /** Signs in a guest through the real API and returns the token and user. */
  signIn(nickname?: string): Promise<{ token: string; user: User }>;
  close(): Promise<void>;
}

let guests = 0;

/** The test server's `SECRET_KEY`: a test can check the server's tokens with its own `SessionTokens`. */
export const TEST_SECRET_KEY = 'test-secret-key-that-is-at-least-32-characters';

/** The real server on an ephemeral loopback port, with its own data directory. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    ...env,
  });
  const app = await buildApp(config);
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.http.server.address() as AddressInfo;
  const httpUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    httpUrl,
    socketUrl: `ws://127.0.0.1:${port}${SOCKET_PATH}`,
    async signIn(nickname = `guest${++guests}`) {
      return signInGuest(httpUrl, nickname);
    },
    async close() {
      await app.http.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
