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
): unknown[] {
  let frames: Map<Serializer, Frame> | undefined;
  const frameFor = (serializer: Serializer): Frame => {
    let frame = frames?.get(serializer);
    if (frame === undefined) {
      frame = serializer.encodeMessage({ joinRef: null, ref: null, ...broadcast });
      frames ??= new Map();
      frames.set(serializer, frame);
    }
    return frame;
  };
  const failures: unknown[] = [];
  for (const subscriber of subscribers) {
    if (subscriber.id === exceptId) continue;
    try {
      subscriber.deliver(broadcast, frameFor);
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}
