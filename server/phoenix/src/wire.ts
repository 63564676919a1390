/**
 * The wire alone: the protocol's names and both serializers, with none of the server (no Fastify,
 * no Redis). For load generators, bots and test clients that speak the protocol from Node and want
 * their names and frame layouts from the same source as the server. `@starcatch/phoenix/wire`.
 */
export {
  AUTH_TOKEN_PREFIX,
  DEFAULT_SOCKET_PATH,
  Event,
  PHOENIX_SUBPROTOCOL,
  SOCKET_TOPIC,
  TransportPath,
} from './constants.ts';
export type { Frame, InboundMessage, JsonPayload, OutboundMessage, Payload } from './message.ts';
export { BinaryKind } from './serializers/binary-frame.ts';
export { MalformedFrameError, UnencodableMessageError } from './serializers/malformed-frame-error.ts';
export type { Serializer } from './serializers/serializer.ts';
export { v1JsonSerializer } from './serializers/v1-json-serializer.ts';
export { v2JsonSerializer } from './serializers/v2-json-serializer.ts';
