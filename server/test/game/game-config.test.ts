import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_SIMULATION_SETTINGS } from '../../src/game/simulation-settings.ts';

describe('game configuration', () => {
  it('defaults to 90 s rounds, 5 s intermissions and budgets a 30 Hz client stays well inside', () => {
    const config = loadConfig({});
    expect(config.game).toEqual(DEFAULT_SIMULATION_SETTINGS);
    expect(config.game.timing).toEqual({ roundSeconds: 90, intermissionSeconds: 5 });
    expect(config.game.inputBudget.perSecond).toBeGreaterThanOrEqual(2 * 30);
    expect(config.rtcDataLimit).toEqual({ burst: 90, perMinute: 4_800, strikesPerMinute: 300 });
    expect(config.roomPushLimits.input.perMinute).toBeGreaterThanOrEqual(2 * 30 * 60);
    expect(config.roomPushLimits.chat).toMatchObject({ burst: 30, perMinute: 300 });
    expect(config.snapshotMaxBufferedBytes).toBe(4_096);
    expect(config.gameNoticeIntervalMs).toBe(1_000);
  });

  it('reads shortened rounds and other budgets', () => {
    const config = loadConfig({
      ROUND_SECONDS: '1.5',
      INTERMISSION_SECONDS: '0.5',
      GAME_MAX_CATCH_UP_TICKS: '2',
      GAME_INPUT_BURST: '10',
      GAME_INPUT_PER_SECOND: '45',
      RTC_DATA_BURST: '5',
      ROOM_CHAT_PER_MINUTE: '2',
    });
    expect(config.game).toMatchObject({
      timing: { roundSeconds: 1.5, intermissionSeconds: 0.5 },
      maxCatchUpTicks: 2,
      inputBudget: { burst: 10, perSecond: 45 },
    });
    expect(config.rtcDataLimit.burst).toBe(5);
    expect(config.roomPushLimits.chat.perMinute).toBe(2);
  });

  it.each([
    [{ ROUND_SECONDS: '0' }, 'ROUND_SECONDS'],
    [{ GAME_MAX_CATCH_UP_TICKS: '0' }, 'GAME_MAX_CATCH_UP_TICKS'],
    [{ SNAPSHOT_MAX_BUFFERED_BYTES: 'lots' }, 'SNAPSHOT_MAX_BUFFERED_BYTES'],
  ])('refuses %o', (env, problem) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(problem);
  });
});
