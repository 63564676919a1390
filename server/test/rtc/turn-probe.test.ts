/**
 * The start-up TURN check against a real coturn (Debian's `coturn` package, which `.ci/run`
 * installs) on 127.0.0.1: the right secret is accepted, a wrong one is refused and logged as such,
 * a port nobody answers on is reported unreachable. Every packet stays on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential } from '../../src/rtc/client-ice-servers.ts';
import { probeTurnServer, turnUdpAddress } from '../../src/rtc/turn-probe.ts';
import { logWebRtcSetup, type SetupLogger, TURN_CHECK_USER } from '../../src/rtc/webrtc-setup-log.ts';
import { waitFor } from '../integration/wait-for.ts';
import { TurnServer, turnServerInstalled } from '../support/turn-server.ts';

const SECRET = 'turn-probe-secret-0123456789';

function recordingLogger(): SetupLogger & { readonly lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (_details, message) => lines.push({ level: 'info', message }),
    warn: (_details, message) => lines.push({ level: 'warn', message }),
  };
}

describe('turnUdpAddress', () => {
  it('reads turn: URLs over UDP, and leaves TLS and TCP alone', () => {
    expect(turnUdpAddress('turn:127.0.0.1:3479')).toEqual({ host: '127.0.0.1', port: 3479 });
    expect(turnUdpAddress('turn:turn.example.org?transport=udp')).toEqual({ host: 'turn.example.org', port: 3478 });
    expect(turnUdpAddress('turn:[::1]:3480')).toEqual({ host: '::1', port: 3480 });
    expect(turnUdpAddress('turn:turn.example.org:3478?transport=tcp')).toBeNull();
    expect(turnUdpAddress('turns:turn.example.org:5349')).toBeNull();
  });
});

describe.skipIf(!turnServerInstalled() && !process.env.CI)('the TURN check against coturn', () => {
  let turn: TurnServer;

  beforeAll(async () => {
    turn = await TurnServer.start({ secret: SECRET });
  });
  afterAll(() => turn?.stop());

  it('coturn accepts credentials made from its secret', async () => {
    const { username, credential } = turnCredential(SECRET, 'probe-user', 60, Date.now());
    expect(await probeTurnServer(turn.url, username, credential)).toEqual({ outcome: 'accepted', url: turn.url });
  });

  it('refuses credentials made from another secret, or expired ones', async () => {
    const wrong = turnCredential('not-the-secret', 'probe-user', 60, Date.now());
    expect(await probeTurnServer(turn.url, wrong.username, wrong.credential)).toMatchObject({
      outcome: 'refused',
      code: 401,
    });
    const expired = turnCredential(SECRET, 'probe-user', 60, Date.now() - 3_600_000);
    expect(await probeTurnServer(turn.url, expired.username, expired.credential)).toMatchObject({
      outcome: 'refused',
    });
  });

  it('logs at start whether TURN_SECRET works, in one line per TURN URL', async () => {
    const good = recordingLogger();
    await logWebRtcSetup(
      ['127.0.0.1'],
      { servers: [], turn: { secret: SECRET, urls: [turn.url], ttlSeconds: 600 } },
      good,
    );
    expect(good.lines).toEqual([
      {
        level: 'info',
        message: `WebRTC: host candidates 127.0.0.1; browsers' ICE servers: ${turn.url} (TURN_SECRET, 600 s)`,
      },
      { level: 'info', message: `TURN: ${turn.url} accepts the credentials made from TURN_SECRET` },
    ]);
    // coturn logs the allocation on its own schedule: its line may come a little after the answer.
    await waitFor(() => turn.output.includes(TURN_CHECK_USER), { what: 'coturn to log the check user' });

    const bad = recordingLogger();
    await logWebRtcSetup(
      ['127.0.0.1'],
      { servers: [], turn: { secret: 'wrong', urls: [turn.url], ttlSeconds: 600 } },
      bad,
    );
    expect(bad.lines[1]?.level).toBe('warn');
    expect(bad.lines[1]?.message).toMatch(
      new RegExp(
        `^TURN: ${turn.url.replace(/[?.]/g, '\\$&')} refused the credentials made from TURN_SECRET \\(401 .*\\): TURN_SECRET must equal the TURN server's static-auth-secret`,
      ),
    );
  });

  it('reports a TURN server that does not answer', async () => {
    const { username, credential } = turnCredential(SECRET, 'probe-user', 60, Date.now());
    // A port coturn is not on (its relay range starts far above).
    const silent = `turn:127.0.0.1:${turn.port === 9 ? 10 : 9}`;
    expect(await probeTurnServer(silent, username, credential, { timeoutMs: 600 })).toMatchObject({
      outcome: 'unreachable',
    });
  });
});
