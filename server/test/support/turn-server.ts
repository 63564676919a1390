import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolProcess } from './tool-process.ts';

/** How long a fresh turnserver may take to answer a STUN Binding request. */
const START_TIMEOUT_MS = 10_000;

/** Whether Debian's coturn (`turnserver`) is on the PATH. */
export function turnServerInstalled(): boolean {
  return spawnSync('turnserver', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface TurnServerOptions {
  /** coturn's `static-auth-secret` (shared-secret REST credentials, `use-auth-secret`). */
  readonly secret: string;
  readonly realm?: string;
}

/**
 * A throwaway coturn on 127.0.0.1 and a free UDP port: shared-secret credentials, UDP only (no TLS,
 * DTLS or TCP listeners), relays on 127.0.0.1 that may reach loopback peers, no admin CLI, its
 * database and pid file in a temporary directory. Nothing leaves loopback.
 */
export class TurnServer {
  readonly port: number;
  readonly #process: ToolProcess;

  private constructor(port: number, child: ChildProcess, dir: string) {
    this.port = port;
    this.#process = new ToolProcess(child, dir);
  }

  static async start(options: TurnServerOptions): Promise<TurnServer> {
    const dir = await mkdtemp(join(tmpdir(), 'starcatch-turn-'));
    const port = await freeUdpPort();
    const child = spawn(
      'turnserver',
      [
        '-n', // no turnserver.conf
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        '--use-auth-secret',
        `--static-auth-secret=${options.secret}`,
        `--realm=${options.realm ?? 'starcatch.test'}`,
        '--no-tls',
        '--no-dtls',
        '--no-tcp',
        '--allow-loopback-peers',
        '--no-cli',
        '--verbose', // logs every allocation with its username
        '--log-file=stdout',
        '--simple-log',
        `--userdb=${join(dir, 'turndb.sqlite')}`,
        `--pidfile=${join(dir, 'turnserver.pid')}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new TurnServer(port, child, dir);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answersBinding(port))) {
      if (server.#process.exited || Date.now() > deadline) {
        await server.stop();
        throw new Error(`turnserver did not start on 127.0.0.1:${port}:\n${server.output}`);
      }
    }
    return server;
  }

  /** For `TURN_URLS` and `RTCIceServer.urls`. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  /** What coturn logged so far (its sessions name the username of each allocation). */
  get output(): string {
    return this.#process.output;
  }

  stop(): Promise<void> {
    return this.#process.stop();
  }
}

/** A UDP port free on 127.0.0.1 a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Whether a STUN Binding request to 127.0.0.1:`port` gets an answer within 200 ms. */
async function answersBinding(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
  request.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(request, 8);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      socket.send(request, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}
