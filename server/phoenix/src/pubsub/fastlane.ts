import type { Frame } from '../message.ts';
import type { Serializer } from '../serializers/serializer.ts';
import type { Broadcast, Subscriber } from './pubsub.ts';

/**
 * Delivers one broadcast to many subscribers, encoding `[null, null, topic, event, payload]` at
 * most once per serializer: every socket of a format receives the very same string or bytes.
 * Returns the subscribers that threw, so the caller can log them; one bad subscriber never stops
 * delivery to the others.
 */
export function dispatch(
  subscribers: Iterable<Subscriber>,
  broadcast: Broadcast,
  exceptId: string | undefined,
): readonly unknown[] {
  // Nearly every broadcast meets one serializer (V2) or two: a slot for the first, a map beyond.
  let firstSerializer: Serializer | undefined;
  let firstFrame: Frame | undefined;
  let others: Map<Serializer, Frame> | undefined;
  const message = { joinRef: null, ref: null, ...broadcast };
  const frameFor = (serializer: Serializer): Frame => {
    if (serializer === firstSerializer) return firstFrame as Frame;
    if (firstSerializer === undefined) {
      firstSerializer = serializer;
      firstFrame = serializer.encodeMessage(message);
      return firstFrame;
    }
    let frame = others?.get(serializer);
    if (frame === undefined) {
      frame = serializer.encodeMessage(message);
      others ??= new Map();
      others.set(serializer, frame);
    }
    return frame;
  };
  let failures: unknown[] | undefined;
  for (const subscriber of subscribers) {
    if (subscriber.id === exceptId) continue;
    try {
      subscriber.deliver(broadcast, frameFor);
    } catch (error) {
      failures ??= [];
      failures.push(error);
    }
  }
  return failures ?? NO_FAILURES;
}

const NO_FAILURES: readonly unknown[] = Object.freeze([]);
