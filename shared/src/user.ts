/** A signed-in player as the API and presence describe them. */
export interface User {
  readonly id: string;
  readonly nickname: string;
  /** `#rrggbb`, the player's ship and name colour. */
  readonly color: string;
}

/** The metadata each tab of a user publishes in presence. */
export interface PresenceMetaFields {
  readonly nickname: string;
  readonly color: string;
  /** Milliseconds since the epoch when this tab came online. */
  readonly online_at: number;
}

export const NICKNAME_MIN_LENGTH = 2;
export const NICKNAME_MAX_LENGTH = 16;

/** Control characters (C0, DEL, C1) are never allowed in names players show each other. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Trims and checks a nickname; returns the clean value or a message saying what is wrong. */
export function validateNickname(raw: unknown): { ok: true; nickname: string } | { ok: false; message: string } {
  if (typeof raw !== 'string') return { ok: false, message: 'nickname must be a string' };
  const nickname = raw.trim();
  const length = [...nickname].length;
  if (length < NICKNAME_MIN_LENGTH || length > NICKNAME_MAX_LENGTH) {
    return { ok: false, message: `nickname must be ${NICKNAME_MIN_LENGTH} to ${NICKNAME_MAX_LENGTH} characters` };
  }
  if (hasControlCharacters(nickname)) return { ok: false, message: 'nickname must not contain control characters' };
  return { ok: true, nickname };
}

/** Ship colours, picked per user; bright enough to read on the dark arena. */
export const PLAYER_COLORS = [
  '#ff6b6b',
  '#ffd93d',
  '#6bcb77',
  '#4d96ff',
  '#c77dff',
  '#ff9f45',
  '#2ec4b6',
  '#f15bb5',
] as const;
