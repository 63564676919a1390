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

/**
 * Unicode format characters (category Cf): invisible, yet they change what others see. Bidi
 * overrides and isolates (U+202A–202E, U+2066–2069) reorder the text after them ("evil" U+202E
 * "gnp.exe" shows as "evilexe.png"); zero-width spaces and joiners (U+200B–200D, U+2060) and the
 * BOM (U+FEFF) make two names that look the same differ; tag characters (U+E0001…) hide text. None
 * is allowed in nicknames, room names or chat. Emoji sequences joined by U+200D (woman + laptop
 * shown as one "technologist") are refused too: send the emoji separately.
 */
const FORMAT_CHARACTER = /\p{Cf}/u;

/** The first format character of `text` as `U+XXXX`, or null when there is none. */
export function findFormatCharacter(text: string): string | null {
  const match = FORMAT_CHARACTER.exec(text);
  const code = match?.[0].codePointAt(0);
  return code === undefined ? null : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `"<what> must not contain invisible formatting characters (U+202E)"`, or null when `text` has none. */
export function formatCharacterProblem(text: string, what: string): string | null {
  const found = findFormatCharacter(text);
  return found === null
    ? null
    : `${what} must not contain invisible formatting characters such as direction marks or zero-width spaces (found ${found})`;
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
  const invisible = formatCharacterProblem(nickname, 'nickname');
  if (invisible) return { ok: false, message: invisible };
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
