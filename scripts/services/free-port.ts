import { createServer } from 'node:net';

/**
 * A free loopback TCP port, chosen by binding port 0 (another process could take it before use:
 * rare). The one helper every script, test, spec and benchmark that starts a server uses.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
