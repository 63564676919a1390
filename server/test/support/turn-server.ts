import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a fresh turnserver may take to answer a STUN Binding request. */
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Servers still running when the test process exits are killed with it, not left behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

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
  readonly #child: ChildProcess;
  readonly #dir: string;
  #output = '';

  private constructor(port: number, child: ChildProcess, dir: string) {
    this.port = port;
    this.#child = child;
    this.#dir = dir;
    const capture = (chunk: Buffer): void => {
      if (this.#output.length < 1_000_000) this.#output += chunk.toString();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.once('exit', () => live.delete(child));
    live.add(child);
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
      if (child.exitCode !== null || Date.now() > deadline) {
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
    return this.#output;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.#dir, { recursive: true, force: true });
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
