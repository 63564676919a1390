import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * Asks a TURN server for a relay with a given username and password (RFC 8656 Allocate over UDP,
 * long-term credentials), and gives the relay back at once. The server runs it at start with
 * credentials made from TURN_SECRET, so a secret that does not match coturn's `static-auth-secret`
 * is reported in the server's log, not only in the browsers that then fail to get a relay.
 */
export type TurnProbeResult =
  | { readonly outcome: 'accepted'; readonly url: string }
  | { readonly outcome: 'refused'; readonly url: string; readonly code: number; readonly reason: string }
  | { readonly outcome: 'unreachable'; readonly url: string; readonly detail: string }
  | { readonly outcome: 'failed'; readonly url: string; readonly detail: string }
  | { readonly outcome: 'not_checked'; readonly url: string; readonly detail: string };

export interface TurnProbeOptions {
  /** For the whole exchange; UDP requests are resent every `resendMs` meanwhile. */
  readonly timeoutMs?: number;
  readonly resendMs?: number;
}

const MAGIC_COOKIE = 0x2112a442;
const Method = { allocate: 0x003, refresh: 0x004 } as const;
/** The class bits of a STUN message type (C1 at 0x100, C0 at 0x010). */
const Class = { request: 0x0000, success: 0x0100, error: 0x0110 } as const;
const Attribute = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
} as const;
const UDP_PROTOCOL = 17;

interface TurnAddress {
  readonly host: string;
  readonly port: number;
}

/** `turn:host[:port][?transport=udp]` → where to send; null for what the probe does not speak (TLS, TCP). */
export function turnUdpAddress(url: string): TurnAddress | null {
  const match = /^turn:(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?(.*))?$/.exec(url);
  if (!match?.[1]) return null;
  const transport = new URLSearchParams(match[3] ?? '').get('transport');
  if (transport !== null && transport !== 'udp') return null;
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  return { host, port: match[2] ? Number(match[2]) : 3478 };
}

export async function probeTurnServer(
  url: string,
  username: string,
  password: string,
  options: TurnProbeOptions = {},
): Promise<TurnProbeResult> {
  const address = turnUdpAddress(url);
  if (address === null) return { outcome: 'not_checked', url, detail: 'only turn: over UDP is checked' };
  const socket = createSocket(isIPv6(address.host) ? 'udp6' : 'udp4');
  socket.unref();
  const exchange = new Exchange(socket, address, options);
  try {
    // An unauthenticated request first: the 401 brings the realm and nonce to sign with.
    const challenge = await exchange.request(Method.allocate, [requestedTransport()]);
    if (challenge.kind !== 'error' || challenge.code !== 401) {
      return {
        outcome: 'failed',
        url,
        detail: `unexpected answer to an unauthenticated Allocate: ${describe(challenge)}`,
      };
    }
    let nonce = challenge.attributes.get(Attribute.nonce);
    const realm = challenge.attributes.get(Attribute.realm);
    if (nonce === undefined || realm === undefined) {
      return { outcome: 'failed', url, detail: 'the 401 carried no REALM or NONCE' };
    }
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    const signed = (extra: Buffer[], currentNonce: Buffer): Buffer[] => [
      ...extra,
      attribute(Attribute.username, Buffer.from(username, 'utf8')),
      attribute(Attribute.realm, realm),
      attribute(Attribute.nonce, currentNonce),
    ];
    let answer = await exchange.request(Method.allocate, signed([requestedTransport()], nonce), key);
    // A stale nonce (438) is not about the credentials: sign again with the new one.
    if (answer.kind === 'error' && answer.code === 438 && answer.attributes.get(Attribute.nonce)) {
      nonce = answer.attributes.get(Attribute.nonce) as Buffer;
      answer = await exchange.request(Method.allocate, signed([requestedTransport()], nonce), key);
    }
    if (answer.kind === 'success') {
      // Give the relay back (LIFETIME 0); the answer does not matter.
      await exchange.request(Method.refresh, signed([lifetime(0)], nonce), key).catch(() => undefined);
      return { outcome: 'accepted', url };
    }
    if (answer.kind === 'error' && (answer.code === 401 || answer.code === 441)) {
      return { outcome: 'refused', url, code: answer.code, reason: answer.reason };
    }
    // 486 (allocation quota) and the like come after the credentials were checked.
    if (answer.kind === 'error' && answer.code === 486) return { outcome: 'accepted', url };
    return { outcome: 'failed', url, detail: describe(answer) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return error instanceof ProbeTimeout ? { outcome: 'unreachable', url, detail } : { outcome: 'failed', url, detail };
  } finally {
    exchange.close();
  }
}

type Answer =
  | { readonly kind: 'success'; readonly attributes: ReadonlyMap<number, Buffer> }
  | {
      readonly kind: 'error';
      readonly code: number;
      readonly reason: string;
      readonly attributes: ReadonlyMap<number, Buffer>;
    };

class ProbeTimeout extends Error {
  override readonly name = 'ProbeTimeout';
}

/** One request at a time on one socket, resent until its answer comes or the time is up. */
class Exchange {
  readonly #socket: Socket;
  readonly #address: TurnAddress;
  readonly #deadline: number;
  readonly #resendMs: number;
  #pending: { id: Buffer; settle: (answer: Answer) => void } | null = null;

  constructor(socket: Socket, address: TurnAddress, options: TurnProbeOptions) {
    this.#socket = socket;
    this.#address = address;
    this.#deadline = Date.now() + (options.timeoutMs ?? 3_000);
    this.#resendMs = options.resendMs ?? 250;
    socket.on('message', (data) => {
      const parsed = parseAnswer(data);
      if (parsed && this.#pending?.id.equals(parsed.id)) this.#pending.settle(parsed.answer);
    });
    socket.on('error', () => undefined);
  }

  request(method: number, attributes: Buffer[], integrityKey?: Buffer): Promise<Answer> {
    const id = randomBytes(12);
    const message = encode(method, id, attributes, integrityKey);
    return new Promise<Answer>((resolve, reject) => {
      const send = (): void => {
        this.#socket.send(message, this.#address.port, this.#address.host, (error) => {
          if (error) finish(() => reject(error));
        });
      };
      const resend = setInterval(send, this.#resendMs);
      const timeout = setTimeout(
        () => finish(() => reject(new ProbeTimeout(`no answer from ${this.#address.host}:${this.#address.port}`))),
        Math.max(0, this.#deadline - Date.now()),
      );
      // A check still under way never holds the process open.
      resend.unref();
      timeout.unref();
      const finish = (settle: () => void): void => {
        clearInterval(resend);
        clearTimeout(timeout);
        this.#pending = null;
        settle();
      };
      this.#pending = { id, settle: (answer) => finish(() => resolve(answer)) };
      send();
    });
  }

  close(): void {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
}

function encode(method: number, id: Buffer, attributes: Buffer[], integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method | Class.request, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  id.copy(header, 8);
  if (integrityKey === undefined) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers everything before it, with the length already counting it (24 bytes).
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', integrityKey)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attribute(Attribute.messageIntegrity, mac)]);
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function requestedTransport(): Buffer {
  return attribute(Attribute.requestedTransport, Buffer.from([UDP_PROTOCOL, 0, 0, 0]));
}

function lifetime(seconds: number): Buffer {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(seconds, 0);
  return attribute(Attribute.lifetime, value);
}

function parseAnswer(data: Buffer): { id: Buffer; answer: Answer } | null {
  if (data.length < 20 || data.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const type = data.readUInt16BE(0);
  const length = data.readUInt16BE(2);
  if (20 + length > data.length) return null;
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= 20 + length; ) {
    const attributeType = data.readUInt16BE(offset);
    const attributeLength = data.readUInt16BE(offset + 2);
    if (!attributes.has(attributeType)) {
      attributes.set(attributeType, data.subarray(offset + 4, offset + 4 + attributeLength));
    }
    offset += 4 + Math.ceil(attributeLength / 4) * 4;
  }
  const id = data.subarray(8, 20);
  const messageClass = type & 0x0110;
  if (messageClass === Class.success) return { id, answer: { kind: 'success', attributes } };
  if (messageClass !== Class.error) return null;
  const error = attributes.get(Attribute.errorCode);
  const code = error && error.length >= 4 ? ((error[2] ?? 0) & 0x07) * 100 + (error[3] ?? 0) : 0;
  const reason = error && error.length > 4 ? error.subarray(4).toString('utf8') : '';
  return { id, answer: { kind: 'error', code, reason, attributes } };
}

function describe(answer: Answer): string {
  return answer.kind === 'success' ? 'success' : `error ${answer.code} ${answer.reason}`.trim();
}
