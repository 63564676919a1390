/**
 * `pnpm protocol-server [--port N]`: the client authors' standalone protocol server, until Ctrl-C.
 * Flags beyond the port set the limits a few golden transcripts need (their `server` field).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_FRAME_SIZE } from '@starcatch/phoenix';
import { startProtocolServer } from './protocol-server.ts';

const DEFAULT_PROTOCOL_SERVER_PORT = 4100;

const usage = `usage: pnpm protocol-server [--port N] [--host H] [--idle-timeout-ms MS] [--max-frame-bytes N]
                            [--allowed-origins ORIGIN,ORIGIN]
  --port              listen port (default ${DEFAULT_PROTOCOL_SERVER_PORT}; 0: any free port)
  --host              listen address (default 127.0.0.1; 0.0.0.0 to reach it from other machines)
  --idle-timeout-ms   close a socket silent this long with 1002 (default ${DEFAULT_IDLE_TIMEOUT_MS})
  --max-frame-bytes   close a socket that sends a bigger frame with 1009 (default ${DEFAULT_MAX_FRAME_SIZE})
  --allowed-origins   refuse an Origin header not in this list with 403 (default: any origin)`;

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got "${text}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
      'max-frame-bytes': { type: 'string' },
      'allowed-origins': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const origins = values['allowed-origins']
    ?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const server = await startProtocolServer({
    port: wholeNumber('port', values.port) ?? DEFAULT_PROTOCOL_SERVER_PORT,
    host: values.host ?? '127.0.0.1',
    idleTimeoutMs: wholeNumber('idle-timeout-ms', values['idle-timeout-ms']),
    maxFrameSize: wholeNumber('max-frame-bytes', values['max-frame-bytes']),
    checkOrigin: origins && origins.length > 0 ? origins : false,
  });
  console.log(`protocol server (no game, no database) listening on ${server.socketUrl}
  connect    ${server.wsUrl({ user: 'ada' })}
  room:*     test channel: echo, error, noreply, crash, stop, kick, push, broadcast, binary, presence
  sample:*   sample room: presence, chat, snapshots at 20 Hz (the game's codec), inputs acknowledged
  docs/protocol.md, "For client authors: the kit", describes both; Ctrl-C stops it`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
});
