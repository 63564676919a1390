import { type ClientIceSettings, describeClientIce, turnCredential } from './client-ice-servers.ts';
import { probeTurnServer, type TurnProbeOptions, type TurnProbeResult } from './turn-probe.ts';

export interface SetupLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** The user id in the credentials of the start-up check (`<expiry>:starcatch-server-check` in coturn's log). */
export const TURN_CHECK_USER = 'starcatch-server-check';

/**
 * Logs, at start, where the server's WebRTC peers can be reached (their host addresses) and which
 * ICE servers browsers are told about; then asks each TURN server (over UDP) for a relay with
 * credentials made from TURN_SECRET, and logs whether it accepted them. Resolves once every check
 * is done (at most `timeoutMs` after the call); never rejects.
 */
export async function logWebRtcSetup(
  hostAddresses: readonly string[],
  clientIce: ClientIceSettings,
  logger: SetupLogger,
  probe: TurnProbeOptions = {},
): Promise<TurnProbeResult[]> {
  logger.info(
    { hostAddresses },
    `WebRTC: host candidates ${hostAddresses.join(', ')}; browsers' ICE servers: ${describeClientIce(clientIce)}`,
  );
  const { turn } = clientIce;
  if (turn === undefined) return [];
  const { username, credential } = turnCredential(turn.secret, TURN_CHECK_USER, 60, Date.now());
  return Promise.all(
    turn.urls.map(async (url) => {
      const result = await probeTurnServer(url, username, credential, probe);
      logResult(result, logger);
      return result;
    }),
  );
}

function logResult(result: TurnProbeResult, logger: SetupLogger): void {
  const { url } = result;
  switch (result.outcome) {
    case 'accepted':
      logger.info({ url }, `TURN: ${url} accepts the credentials made from TURN_SECRET`);
      return;
    case 'refused':
      logger.warn(
        { url, code: result.code, reason: result.reason },
        `TURN: ${url} refused the credentials made from TURN_SECRET (${result.code} ${result.reason}): TURN_SECRET must equal the TURN server's static-auth-secret (with use-auth-secret); until it does, players who need the relay play over the WebSocket`,
      );
      return;
    case 'unreachable':
      logger.warn(
        { url, detail: result.detail },
        `TURN: ${url} did not answer (${result.detail}): players who need the relay play over the WebSocket until it does`,
      );
      return;
    case 'failed':
      logger.warn({ url, detail: result.detail }, `TURN: checking ${url} failed: ${result.detail}`);
      return;
    case 'not_checked':
      logger.info({ url }, `TURN: ${url} not checked at start (${result.detail})`);
      return;
  }
}
