import type { TerminateReason } from '@starcatch/phoenix';
import {
  type ProtocolServer,
  type ProtocolServerOptions,
  startProtocolServer,
} from '../../src/protocol-kit/protocol-server.ts';
import { createTestChannel } from '../../src/protocol-kit/test-channel.ts';

export { type TestAssigns, VALID_TOKEN } from '../../src/protocol-kit/test-channel.ts';

/** Every `terminate` call of the test channel, in order, so tests can check server-side cleanup. */
export const terminations: { topic: string; reason: TerminateReason }[] = [];

const recordTermination = (topic: string, reason: TerminateReason): void => {
  terminations.push({ topic, reason });
};

/**
 * The `room:*` test channel of the protocol kit (`src/protocol-kit/test-channel.ts`), recording
 * into `terminations`, for test servers that mount it beside channels of their own.
 */
export const testRoomChannel = createTestChannel({ onTerminate: recordTermination });

export type ProtocolTestServer = ProtocolServer;

/**
 * The protocol kit's standalone server (`pnpm protocol-server`) on a free loopback port, with
 * terminations recorded: the subject of the conformance and client-interop tests.
 */
export function startProtocolTestServer(options: ProtocolServerOptions = {}): Promise<ProtocolTestServer> {
  return startProtocolServer({ onTerminate: recordTermination, ...options });
}
