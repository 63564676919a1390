import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MIN_RTC_PORTS_PER_WORKER, workerPortRange } from '../../src/config.ts';

const CLUSTER = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://starcatch@127.0.0.1:5432/postgres',
  SECRET_KEY: 'a-secret-key-that-is-long-enough-for-a-cluster',
};

describe('a worker of WORKERS=N', () => {
  it('gets its own contiguous slice of the RTC port range; the last one takes the remainder', () => {
    const env = { ...CLUSTER, WORKERS: '3', RTC_PORT_MIN: '50000', RTC_PORT_MAX: '50099' };
    const slices = [0, 1, 2].map((index) => loadConfig({ ...env, STARCATCH_WORKER_INDEX: String(index) }).rtcPortRange);
    expect(slices).toEqual([
      [50000, 50032],
      [50033, 50065],
      [50066, 50099],
    ]);
    // The primary itself (no index) keeps the whole range, as does WORKERS=1.
    expect(loadConfig(env).rtcPortRange).toEqual([50000, 50099]);
    expect(loadConfig({ RTC_PORT_MIN: '50000', RTC_PORT_MAX: '50001' }).rtcPortRange).toEqual([50000, 50001]);
  });

  it('slices never overlap and cover the range', () => {
    for (const [min, max, workers] of [
      [40000, 40015, 2],
      [40000, 40100, 7],
      [10000, 60000, 64],
    ] as const) {
      let next = min;
      for (let index = 0; index < workers; index++) {
        const [first, last] = workerPortRange([min, max], workers, index);
        expect(first).toBe(next);
        expect(last - first + 1).toBeGreaterThanOrEqual(Math.floor((max - min + 1) / workers));
        next = last + 1;
      }
      expect(next).toBe(max + 1);
    }
  });

  it('is named after NODE_NAME, or host:<primary pid>, with -w<index>', () => {
    expect(
      loadConfig({ ...CLUSTER, WORKERS: '2', NODE_NAME: 'edge', STARCATCH_WORKER_INDEX: '1' }).cluster?.nodeName,
    ).toBe('edge-w1');
    expect(loadConfig({ ...CLUSTER, WORKERS: '2', STARCATCH_WORKER_INDEX: '0' }).cluster?.nodeName).toBe(
      `${hostname()}:${process.ppid}-w0`,
    );
    expect(loadConfig({ ...CLUSTER, WORKERS: '2' }).cluster?.nodeName).toBe(`${hostname()}:${process.pid}`);
  });

  it('refuses a port range too small to split, naming both variables and the numbers', () => {
    const ports = 2 * MIN_RTC_PORTS_PER_WORKER - 1;
    const env = { ...CLUSTER, WORKERS: '2', RTC_PORT_MIN: '50000', RTC_PORT_MAX: String(50000 + ports - 1) };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      `RTC_PORT_MIN..RTC_PORT_MAX holds ${ports} ports; WORKERS=2 needs at least ${2 * MIN_RTC_PORTS_PER_WORKER}`,
    );
    // Exactly enough is fine.
    expect(() => loadConfig({ ...env, RTC_PORT_MAX: String(50000 + ports) })).not.toThrow();
  });

  it('refuses an index outside WORKERS', () => {
    expect(() => loadConfig({ ...CLUSTER, WORKERS: '2', STARCATCH_WORKER_INDEX: '2' })).toThrow(
      'STARCATCH_WORKER_INDEX must be below WORKERS (2)',
    );
  });
});
