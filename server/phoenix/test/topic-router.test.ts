import { describe, expect, it } from 'vitest';
import { TopicRouter } from '../src/topic-router.ts';

describe('TopicRouter', () => {
  const router = new TopicRouter({ lobby: 'lobby', 'room:*': 'room', '*': 'fallback' });

  it('matches exact topics and prefixes, first route first', () => {
    expect(router.match('lobby')).toBe('lobby');
    expect(router.match('room:42')).toBe('room');
    expect(router.match('lobby:2')).toBe('fallback');
  });

  it('does not match a topic that only shares a prefix with an exact route', () => {
    expect(new TopicRouter({ lobby: 1 }).match('lobbyist')).toBeUndefined();
  });

  it('refuses a star anywhere but the end', () => {
    expect(() => new TopicRouter({ 'room:*:x': 1 })).toThrow(/only allowed at the end/);
  });
});
