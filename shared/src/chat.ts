import { formatCharacterProblem } from './user.ts';

/** A stored chat message, as broadcast in `chat:message` and listed in join histories. */
export interface ChatMessage {
  /** Increases with every message of a topic: clients pass the last one they saw as `last_seen_id`. */
  readonly id: number;
  readonly user_id: string;
  readonly nickname: string;
  readonly body: string;
  /** ISO 8601, UTC. */
  readonly inserted_at: string;
}

export const CHAT_BODY_MAX_LENGTH = 500;
/** How many recent messages a join reply carries. */
export const CHAT_HISTORY_LIMIT = 50;

/** Trims and checks a chat body: 1 to 500 characters, no invisible formatting characters. */
export function validateChatBody(raw: unknown): { ok: true; body: string } | { ok: false; message: string } {
  if (typeof raw !== 'string') return { ok: false, message: 'body must be a string' };
  const body = raw.trim();
  const length = [...body].length;
  if (length === 0) return { ok: false, message: 'message is empty' };
  if (length > CHAT_BODY_MAX_LENGTH)
    return { ok: false, message: `message is longer than ${CHAT_BODY_MAX_LENGTH} characters` };
  const invisible = formatCharacterProblem(body, 'message');
  if (invisible) return { ok: false, message: invisible };
  return { ok: true, body };
}
