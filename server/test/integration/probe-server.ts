import { afterAll, afterEach, beforeAll } from 'vitest';
import { type ProtocolTestServer, startProtocolTestServer, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { ClientSockets, type Socket } from './phoenix-client.ts';

export interface ProbeServer {
  /** The library-only server with the `room:*` probe channel (started once per file). */
  readonly server: ProtocolTestServer;
  /** Every socket a test opened; all are disconnected after each test. */
  readonly clients: ClientSockets;
  /** An open phoenix.js socket authenticated as `user`. */
  openSocket(user: string): Promise<Socket>;
}

/** Registers the hooks that start the probe server for this file and clean up after each test. */
export function useProbeServer(): ProbeServer {
  let server: ProtocolTestServer | undefined;
  const clients = new ClientSockets();
  beforeAll(async () => {
    server = await startProtocolTestServer();
  });
  afterEach(() => clients.disconnectAll());
  afterAll(() => server?.close());
  const probe: ProbeServer = {
    get server() {
      if (!server) throw new Error('the probe server starts in beforeAll');
      return server;
    },
    clients,
    openSocket: (user) => clients.open(probe.server.socketUrl, { params: { token: VALID_TOKEN, user } }),
  };
  return probe;
}
