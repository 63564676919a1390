import type { ChannelError, ErrorCode } from '@starcatch/shared';

/**
 * Why a channel request did not succeed: the server's reason (`room_full`, `invalid_message`, …),
 * or one of ours: `timeout` (no reply in time), `closed` (the channel or session went away first),
 * `bad_reply` (a reply we could not read).
 */
export type RequestFailure = ErrorCode | 'timeout' | 'closed' | 'bad_reply';

/** A refused or unanswered push or join; `message` is fit to show the player. */
export class ChannelRequestError extends Error {
  override readonly name = 'ChannelRequestError';
  readonly reason: RequestFailure;

  constructor(reason: RequestFailure, message: string) {
    super(message);
    this.reason = reason;
  }

  /** From a channel `error` reply, `{reason, message}`; anything else in it still gives a readable error. */
  static fromReply(reply: unknown, fallback: string): ChannelRequestError {
    const { reason, message } = (reply ?? {}) as Partial<Record<keyof ChannelError, unknown>>;
    return new ChannelRequestError(
      typeof reason === 'string' ? (reason as ErrorCode) : 'bad_reply',
      typeof message === 'string' && message !== '' ? message : fallback,
    );
  }

  /** The plain `{reason, message}` form, as stores keep it. */
  toChannelError(): ChannelError {
    return { reason: this.reason as ErrorCode, message: this.message };
  }
}

export const NO_REPLY_MESSAGE = 'The server did not answer in time.';
