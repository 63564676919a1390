import type { Channel } from 'phoenix';
import { ChannelRequestError, NO_REPLY_MESSAGE } from './channel-request-error.ts';

/**
 * Pushes a request and settles with its reply: `ok` read by `read` (null rejects as `bad_reply`),
 * `error` as the server's reason, no reply as `timeout`. For requests that are safe to give up on;
 * chat, which must never be lost silently, has its own path in `ChatFeed`.
 */
export function request<T>(
  channel: Channel,
  event: string,
  payload: object,
  timeoutMs: number,
  read: (reply: unknown) => T | null,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    channel
      .push(event, payload, timeoutMs)
      .receive('ok', (reply: unknown) => {
        const value = read(reply);
        if (value === null)
          reject(new ChannelRequestError('bad_reply', `The server's answer to ${event} was unreadable.`));
        else resolve(value);
      })
      .receive('error', (reply: unknown) =>
        reject(ChannelRequestError.fromReply(reply, `The server refused ${event}.`)),
      )
      .receive('timeout', () => reject(new ChannelRequestError('timeout', NO_REPLY_MESSAGE)));
  });
}
