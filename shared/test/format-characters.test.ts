/**
 * Unicode format characters (category Cf) are refused in nicknames, room names and chat bodies,
 * with a message naming the character; everything visible, from accents to emoji, is accepted.
 */
import { describe, expect, it } from 'vitest';
import { findFormatCharacter, validateChatBody, validateNewRoom, validateNickname } from '../src/index.ts';

/** Each one in the middle of otherwise valid text. */
const FORMAT_CHARACTERS: [string, string][] = [
  ['\u202E', 'right-to-left override'],
  ['\u202A', 'left-to-right embedding'],
  ['\u2066', 'left-to-right isolate'],
  ['\u2069', 'pop directional isolate'],
  ['\u200E', 'left-to-right mark'],
  ['\u200B', 'zero-width space'],
  ['\u200C', 'zero-width non-joiner'],
  ['\u200D', 'zero-width joiner'],
  ['\u2060', 'word joiner'],
  ['\uFEFF', 'byte order mark'],
  ['\u00AD', 'soft hyphen'],
  ['\u{E0041}', 'tag latin capital letter A'],
];

const codePoint = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

describe.each(FORMAT_CHARACTERS)('%s (%s)', (char) => {
  it('is refused in a nickname, a room name and a chat body, naming the character', () => {
    const nickname = validateNickname(`Ad${char}a`);
    expect(nickname).toEqual({ ok: false, message: expect.stringContaining(codePoint(char)) });
    expect(nickname.ok || nickname.message).toMatch(/^nickname must not contain invisible formatting characters/);

    const room = validateNewRoom(`Room${char}1`, 4);
    expect(room).toEqual({ ok: false, message: expect.stringContaining(codePoint(char)) });
    expect(room.ok || room.message).toMatch(/^name must not contain invisible formatting characters/);

    const chat = validateChatBody(`hello ${char}world`);
    expect(chat).toEqual({ ok: false, message: expect.stringContaining(codePoint(char)) });
    expect(chat.ok || chat.message).toMatch(/^message must not contain invisible formatting characters/);
  });
});

describe('visible text', () => {
  it.each([
    ['accents', 'Zoë Ångström'],
    ['CJK', '星を捕まえる'],
    ['Arabic (right-to-left letters, not controls)', 'نجمة'],
    ['Hebrew', 'כוכב'],
    ['emoji', '⭐🚀'],
    ['an emoji with a variation selector (Mn, not Cf)', '❤️'],
    ['a skin tone modifier', '👍🏽'],
  ])('%s is accepted everywhere', (_what, text) => {
    expect(validateNickname(text.slice(0, 16))).toMatchObject({ ok: true });
    expect(validateNewRoom(text, 4)).toMatchObject({ ok: true });
    expect(validateChatBody(text)).toEqual({ ok: true, body: text });
  });

  it('a byte order mark at either end is trimmed away, not refused', () => {
    expect(validateChatBody('\uFEFFhello\uFEFF')).toEqual({ ok: true, body: 'hello' });
  });

  it('findFormatCharacter names the first one, or null', () => {
    expect(findFormatCharacter('a\u200Bb\u202Ec')).toBe('U+200B');
    expect(findFormatCharacter('plain')).toBeNull();
  });
});
