/**
 * Test helpers for channels built on this library, in the spirit of Phoenix's ChannelTest: a client
 * on the real socket, router, PubSub and Presence with no network in between, and a probe that
 * records what a topic broadcasts. Import them from `@starcatch/phoenix/testing`.
 */
export type { ReceivedMessage, ReplyPayload, TestClientOptions } from './channel-test.ts';
export { BroadcastProbe, connectTestClient, DEFAULT_ASSERT_TIMEOUT_MS, TestClient } from './channel-test.ts';
export type { PayloadMatch } from './message-queue.ts';
