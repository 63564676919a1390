import { Event } from '../constants.ts';
import type { Payload } from '../message.ts';
import type { PhoenixSocket } from '../phoenix-socket.ts';
import type { Broadcast, Subscriber } from '../pubsub/pubsub.ts';
import { BinaryKind } from '../serializers/binary-frame.ts';
import type { Serializer } from '../serializers/serializer.ts';
import { v2JsonSerializer } from '../serializers/v2-json-serializer.ts';
import type { SocketConnection } from '../socket-connection.ts';
import type { PayloadMatch } from './message-queue.ts';
import { MessageQueue, matchesPayload } from './message-queue.ts';

/**
 * Channel tests without a network, in the spirit of Phoenix's ChannelTest: a connection on the
 * real socket, router, PubSub and Presence, whose outbound frames are decoded and recorded.
 *
 *   const client = connectTestClient(socket, { userId: 'u1' });
 *   const { reply } = await client.subscribeAndJoin('room:1', {});
 *   const ref = client.push('room:1', 'chat:send', { body: 'hi' });
 *   await client.assertReply(ref, 'ok', { body: 'hi' });
 *   await client.assertPush('presence_state');
 */

export const DEFAULT_ASSERT_TIMEOUT_MS = 1_000;

/** A frame the server sent, decoded: pushes, broadcasts, lifecycle frames and replies alike. */
export interface ReceivedMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

export interface ReplyPayload {
  readonly status: string;
  readonly response: unknown;
}

export interface TestClientOptions {
  /** Default V2; pass `v1JsonSerializer` to test what V1 clients receive. */
  readonly serializer?: Serializer;
  readonly timeoutMs?: number;
}

export class TestClient<Assigns extends object> {
  readonly connection: SocketConnection<Assigns>;
  readonly closedWith: { code: number; reason: string }[] = [];
  readonly #messages = new MessageQueue<ReceivedMessage>();
  readonly #serializer: Serializer;
  readonly #joinRefs = new Map<string, string>();
  readonly #timeoutMs: number;
  #nextRef = 1;

  constructor(socket: PhoenixSocket<Assigns>, assigns: Assigns, options: TestClientOptions = {}) {
    this.#serializer = options.serializer ?? v2JsonSerializer;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_ASSERT_TIMEOUT_MS;
    // Frames go through the real serializer and are decoded back, so tests see what a client sees.
    this.connection = socket.open(
      this.#serializer,
      {
        send: (frame) => this.#messages.add(decodeOutbound(frame)),
        close: (code, reason) => this.closedWith.push({ code, reason }),
        bufferedAmount: 0,
      },
      assigns,
    );
  }

  /** Joins and waits for the reply. Resolves for `ok` and `error` alike; check `reply.status`. */
  async join(topic: string, params: object = {}): Promise<{ joinRef: string; reply: ReplyPayload }> {
    const joinRef = this.#ref();
    this.#joinRefs.set(topic, joinRef);
    this.#send(joinRef, joinRef, topic, Event.join, params);
    const message = await this.#messages.take(
      (m) => m.ref === joinRef && m.event === Event.reply,
      this.#timeoutMs,
      () => `no join reply for "${topic}"`,
    );
    return { joinRef, reply: message.payload as ReplyPayload };
  }

  /** Joins and fails unless the reply is `ok`; resolves with the reply's response. */
  async subscribeAndJoin(topic: string, params: object = {}): Promise<{ joinRef: string; response: unknown }> {
    const { joinRef, reply } = await this.join(topic, params);
    if (reply.status !== 'ok') throw new Error(`join "${topic}" was refused: ${JSON.stringify(reply.response)}`);
    return { joinRef, response: reply.response };
  }

  /** Sends a push on a joined topic; returns its ref for `assertReply`. */
  push(topic: string, event: string, payload: Payload = {}): string {
    const ref = this.#ref();
    this.#send(this.#joinRefs.get(topic) ?? null, ref, topic, event, payload);
    return ref;
  }

  leave(topic: string): string {
    return this.push(topic, Event.leave, {});
  }

  /** Waits for the reply to `ref` with this status; resolves with its response. */
  async assertReply(ref: string, status: string, response?: PayloadMatch): Promise<unknown> {
    const message = await this.#messages.take(
      (m) => {
        const reply = m.payload as ReplyPayload;
        return (
          m.event === Event.reply &&
          m.ref === ref &&
          reply.status === status &&
          matchesPayload(reply.response, response)
        );
      },
      this.#timeoutMs,
      () => `no "${status}" reply for ref ${ref}${response ? ` matching ${describe(response)}` : ''}`,
    );
    return (message.payload as ReplyPayload).response;
  }

  /** Waits for a push or broadcast of this event (on any topic unless given); resolves with its payload. */
  async assertPush(event: string, payload?: PayloadMatch, topic?: string): Promise<unknown> {
    const message = await this.#messages.take(
      (m) => m.event === event && (topic === undefined || m.topic === topic) && matchesPayload(m.payload, payload),
      this.#timeoutMs,
      () => `no "${event}" push${payload ? ` matching ${describe(payload)}` : ''}`,
    );
    return message.payload;
  }

  /** Resolves when nothing matching arrives within the window; throws otherwise. */
  async refutePush(event: string, windowMs = 100): Promise<void> {
    if (!(await this.#messages.refute((m) => m.event === event, windowMs))) {
      throw new Error(`unexpected "${event}" push`);
    }
  }

  /** Every frame received and not yet consumed by an assertion. */
  get unconsumed(): readonly ReceivedMessage[] {
    return this.#messages.unconsumed;
  }

  /** The client goes away (tab closed, network lost). */
  disconnect(): void {
    this.connection.transportClosed();
  }

  #ref(): string {
    return String(this.#nextRef++);
  }

  #send(joinRef: string | null, ref: string, topic: string, event: string, payload: Payload): void {
    const frame = JSON.stringify([joinRef, ref, topic, event, payload]);
    if (this.#serializer.vsn.startsWith('1.')) {
      this.connection.receive(Buffer.from(JSON.stringify({ join_ref: joinRef, ref, topic, event, payload })), false);
    } else {
      this.connection.receive(Buffer.from(frame), false);
    }
  }
}

export function connectTestClient<Assigns extends object>(
  socket: PhoenixSocket<Assigns>,
  assigns: Assigns,
  options?: TestClientOptions,
): TestClient<Assigns> {
  return new TestClient(socket, assigns, options);
}

/** Listens to a topic the way a test process subscribes in Phoenix, for `assertBroadcast`. */
export class BroadcastProbe implements Subscriber {
  readonly id = `probe.${Math.random().toString(36).slice(2)}`;
  readonly #messages = new MessageQueue<Broadcast>();
  readonly #timeoutMs: number;

  constructor(socket: PhoenixSocket<object>, topic: string, timeoutMs = DEFAULT_ASSERT_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
    socket.pubsub.subscribe(topic, this);
  }

  deliver(broadcast: Broadcast): void {
    this.#messages.add(broadcast);
  }

  async assertBroadcast(event: string, payload?: PayloadMatch): Promise<unknown> {
    const broadcast = await this.#messages.take(
      (b) => b.event === event && matchesPayload(b.payload, payload),
      this.#timeoutMs,
      () => `no "${event}" broadcast${payload ? ` matching ${describe(payload)}` : ''}`,
    );
    return broadcast.payload;
  }
}

function decodeOutbound(frame: string | Uint8Array): ReceivedMessage {
  if (typeof frame !== 'string') return decodeBinaryOutbound(frame);
  const parsed: unknown = JSON.parse(frame);
  if (Array.isArray(parsed)) {
    const [joinRef, ref, topic, event, payload] = parsed as [string | null, string | null, string, string, unknown];
    return { joinRef, ref, topic, event, payload };
  }
  const v1 = parsed as { ref: string | null; topic: string; event: string; payload: unknown };
  return { joinRef: null, ref: v1.ref, topic: v1.topic, event: v1.event, payload: v1.payload };
}

/** Server binary frames: kind 0 push, 1 reply, 2 broadcast (see `binary-frame.ts`). */
function decodeBinaryOutbound(frame: Uint8Array): ReceivedMessage {
  const text = (start: number, length: number) => Buffer.from(frame.subarray(start, start + length)).toString('utf8');
  const kind = frame[0];
  const header = kind === BinaryKind.reply ? 4 : kind === BinaryKind.push ? 3 : 2;
  const lengths = Array.from(frame.subarray(1, 1 + header));
  const fields: string[] = [];
  let offset = 1 + header;
  for (const length of lengths) {
    fields.push(text(offset, length));
    offset += length;
  }
  const payload = frame.slice(offset);
  if (kind === BinaryKind.push)
    return { joinRef: fields[0] || null, ref: null, topic: fields[1] ?? '', event: fields[2] ?? '', payload };
  if (kind === BinaryKind.reply) {
    return {
      joinRef: fields[0] || null,
      ref: fields[1] ?? null,
      topic: fields[2] ?? '',
      event: Event.reply,
      payload: { status: fields[3], response: payload },
    };
  }
  return { joinRef: null, ref: null, topic: fields[0] ?? '', event: fields[1] ?? '', payload };
}

function describe(match: PayloadMatch): string {
  return typeof match === 'function' ? 'the predicate' : JSON.stringify(match);
}
