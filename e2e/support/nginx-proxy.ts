/**
 * A throwaway nginx (Debian's package) in front of a test server, running the shipped
 * `deploy/nginx/starcatch.conf` with a self-signed certificate, everything on loopback: its own
 * prefix, pid file, logs and temp directories in a temporary directory, never `daemon`, stopped
 * with the spec. Only the listen ports, the certificate paths and the upstream's port are rewritten.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ApiPath } from '@starcatch/shared';
import { REPO_ROOT } from '../../server/test/support/server-child.ts';
import { ToolProcess } from '../../server/test/support/tool-process.ts';

/** The configuration operators install; the spec runs this file, not a copy of it. */
export const NGINX_CONF = resolve(REPO_ROOT, 'deploy', 'nginx', 'starcatch.conf');

const START_TIMEOUT_MS = 10_000;

/** `name` on the PATH, or in the sbin directories a non-root PATH often lacks (Debian's nginx is /usr/sbin/nginx). */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/** What is missing to run nginx with TLS here, or null when both nginx and openssl are installed. */
export function missingProxyTools(): string | null {
  const nginx = findTool('nginx');
  if (!nginx || spawnSync(nginx, ['-v'], { stdio: 'ignore' }).status !== 0) {
    return 'nginx is not installed (apt-get install nginx)';
  }
  if (!findTool('openssl')) return 'openssl is not installed (apt-get install openssl)';
  return null;
}

/** A free TCP port on 127.0.0.1 a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid a day, made with `openssl req -x509`. */
export function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const openssl = findTool('openssl') ?? 'openssl';
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

export interface NginxProxyOptions {
  /** The port of the Starcatch server on 127.0.0.1 that the `starcatch` upstream points at. */
  readonly upstreamPort: number;
}

/** A running nginx on 127.0.0.1: HTTPS on `httpsPort`, the plain-HTTP redirect on `httpPort`. */
export class NginxProxy {
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly #process: ToolProcess;

  private constructor(httpsPort: number, httpPort: number, child: ChildProcess, dir: string) {
    this.httpsPort = httpsPort;
    this.httpPort = httpPort;
    this.#process = new ToolProcess(child, dir);
  }

  static async start(options: NginxProxyOptions): Promise<NginxProxy> {
    const nginx = findTool('nginx');
    if (!nginx) throw new Error('nginx is not installed');
    const dir = await mkdtemp(join(tmpdir(), 'starcatch-nginx-'));
    // nginx's workers run as an unprivileged user when it is started as root: they must reach the
    // temp directories nginx makes in here (a proxied response larger than its buffers goes to one).
    await chmod(dir, 0o755);
    const { cert, key } = selfSignedCertificate(dir);
    const [httpsPort, httpPort] = [await freeTcpPort(), await freeTcpPort()];
    const site = forLoopback(await readFile(NGINX_CONF, 'utf8'), {
      httpsPort,
      httpPort,
      upstreamPort: options.upstreamPort,
      cert,
      key,
    });
    await writeFile(join(dir, 'starcatch.conf'), site);
    await writeFile(join(dir, 'nginx.conf'), mainConf(dir));
    const args = ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
    const test = spawnSync(nginx, [...args, '-t'], { encoding: 'utf8' });
    if (test.status !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx -t refused the configuration:\n${test.stderr}`);
    }
    const child = spawn(nginx, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proxy = new NginxProxy(httpsPort, httpPort, child, dir);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const status = await httpsStatus(httpsPort, ApiPath.health).catch(() => 0);
      if (status === 200) return proxy;
      if (proxy.#process.exited || Date.now() > deadline) {
        const log = await proxy.errorLog();
        await proxy.stop();
        throw new Error(`nginx did not proxy to the server on 127.0.0.1:${httpsPort}:\n${proxy.output}\n${log}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** `https://127.0.0.1:<httpsPort>` */
  get url(): string {
    return `https://127.0.0.1:${this.httpsPort}`;
  }

  /** What nginx wrote to stdout and stderr. */
  get output(): string {
    return this.#process.output;
  }

  /** nginx's error log (warnings and errors about upstreams end up here). */
  errorLog(): Promise<string> {
    return readFile(join(this.#process.dir, 'error.log'), 'utf8').catch(() => '');
  }

  /** SIGTERM is nginx's fast shutdown. */
  stop(): Promise<void> {
    return this.#process.stop();
  }
}

/**
 * The shipped configuration with its production ports, certificate paths and upstream port
 * replaced for loopback. Each original line must be there exactly once, so that a change to the
 * shipped file that this rewrite no longer matches fails the spec instead of silently testing less.
 */
export function forLoopback(
  conf: string,
  values: { httpsPort: number; httpPort: number; upstreamPort: number; cert: string; key: string },
): string {
  const replacements: [RegExp, string][] = [
    [/^(\s*)listen 443 ssl;$/m, `$1listen 127.0.0.1:${values.httpsPort} ssl;`],
    [/^\s*listen \[::\]:443 ssl;\n/m, ''],
    [/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${values.httpPort};`],
    [/^\s*listen \[::\]:80;\n/m, ''],
    [/^(\s*)server 127\.0\.0\.1:4000;$/m, `$1server 127.0.0.1:${values.upstreamPort};`],
    [/^(\s*)ssl_certificate +\S+;$/m, `$1ssl_certificate ${values.cert};`],
    [/^(\s*)ssl_certificate_key +\S+;$/m, `$1ssl_certificate_key ${values.key};`],
  ];
  let text = conf;
  for (const [pattern, replacement] of replacements) {
    const global = new RegExp(pattern.source, `${pattern.flags}g`);
    const count = text.match(global)?.length ?? 0;
    if (count !== 1) throw new Error(`${NGINX_CONF}: expected one line matching ${pattern}, found ${count}`);
    text = text.replace(pattern, replacement);
  }
  return text;
}

/** The main nginx.conf around the site: everything nginx writes stays in `dir`. */
function mainConf(dir: string): string {
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
events {
    worker_connections 512;
}
http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    include ${join(dir, 'starcatch.conf')};
}
`;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * A request to the proxy on 127.0.0.1 that accepts its self-signed certificate. `localAddress`
 * picks the client's source address (any of 127.0.0.0/8 on Linux), so the proxy sees a client
 * other than itself.
 */
export function httpsFetch(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolveAnswer, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        rejectUnauthorized: false,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolveAnswer({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on('error', reject);
      },
    );
    request.setTimeout(5_000, () => request.destroy(new Error(`https ${path}: no answer in 5 s`)));
    request.on('error', reject);
    request.end();
  });
}

async function httpsStatus(port: number, path: string): Promise<number> {
  return (await httpsFetch(port, path)).status;
}
