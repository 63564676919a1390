/**
 * The round-results queue against a real Storage on SQLite, made unavailable the way an operator's
 * tool would: a second connection holding the write lock (`BEGIN EXCLUSIVE` → SQLITE_BUSY).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from '@starcatch/phoenix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FinishedRound } from '../../src/game/round-results.ts';
import { PendingRoundResults } from '../../src/storage/pending-round-results.ts';
import { SqliteDatabase } from '../../src/storage/sqlite-database.ts';
import { Storage } from '../../src/storage/storage.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';

interface Logged {
  readonly level: keyof Logger;
  readonly context: Record<string, unknown>;
  readonly message: string;
}

function recordingLogger(): { logger: Logger; lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: keyof Logger) =>
    (context: object, message: string): void => {
      lines.push({ level, context: context as Record<string, unknown>, message });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function round(roomId: string, n: number, nickname = 'Ada'): FinishedRound {
  return {
    roomId,
    round: n,
    endedAt: 1_000 * n,
    players: [{ userId: `u-${roomId}`, nickname, slot: 0, score: n, won: true }],
  };
}

let storage: Storage;
let locker: DatabaseSync;
let locked = false;
const lock = () => {
  locker.exec('BEGIN EXCLUSIVE');
  locked = true;
};
const unlock = () => {
  locker.exec('ROLLBACK');
  locked = false;
};

beforeEach(async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'starcatch-pending-')), 'db.sqlite');
  storage = await Storage.open(new SqliteDatabase(path));
  locker = new DatabaseSync(path);
});
afterEach(async () => {
  if (locked) unlock();
  locker.close();
  await storage.close();
});

function storedRounds(roomId: string): number[] {
  return locker
    .prepare('SELECT round FROM round_results WHERE room_id = ? ORDER BY id')
    .all(roomId)
    .map((row) => Number(row.round));
}

describe('PendingRoundResults', () => {
  it('writes at once when the database is up, without writing inside the caller', async () => {
    const { logger, lines } = recordingLogger();
    const pending = new PendingRoundResults({ store: storage, logger });
    pending.add(round('a', 1));
    // SQLite writes synchronously: not during add (the game's tick), only after it returned.
    expect(storedRounds('a')).toEqual([]);
    await waitFor(() => pending.size === 0);
    expect(storedRounds('a')).toEqual([1]);
    expect(lines).toEqual([]);
    await pending.close();
  });

  it('keeps rounds through an outage, retrying with backoff, and writes them in order once it ends', async () => {
    const { logger, lines } = recordingLogger();
    let attempts = 0;
    const counting = {
      saveRoundResults: (r: FinishedRound) => {
        attempts++;
        return storage.saveRoundResults(r);
      },
    };
    const pending = new PendingRoundResults({ store: counting, logger, firstRetryMs: 20, maxRetryMs: 80 });
    lock();
    pending.add(round('b', 1));
    pending.add(round('b', 2));
    pending.add(round('b', 3));
    await sleep(400);
    expect(pending.size).toBe(3);
    // Backoff 20, 40, 80, 80… ms: a handful of attempts in 400 ms, not one per millisecond.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(9);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: expect.stringContaining('kept in memory'), context: { pending: 3 } });

    unlock();
    await waitFor(() => pending.size === 0, { what: 'the queue to drain' });
    expect(storedRounds('b')).toEqual([1, 2, 3]);
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: expect.stringContaining('database is back') });
    await pending.close();
  });

  it('drops the oldest round past its limit and logs it in full', async () => {
    const { logger, lines } = recordingLogger();
    const pending = new PendingRoundResults({ store: storage, logger, limit: 2, firstRetryMs: 10_000 });
    lock();
    pending.add(round('c', 1));
    await waitFor(() => lines.length > 0, { what: 'the first failed write' });
    pending.add(round('c', 2));
    pending.add(round('c', 3));
    expect(pending.size).toBe(2);
    const dropped = lines.find((line) => line.message.includes('dropped'));
    expect(dropped).toMatchObject({
      level: 'error',
      context: {
        limit: 2,
        round: { roomId: 'c', round: 1, endedAt: 1_000, players: [{ userId: 'u-c', score: 1, won: true }] },
      },
    });
    unlock();
    // Shutdown flushes what a retry was waiting for.
    await pending.close();
    expect(storedRounds('c')).toEqual([2, 3]);
  });

  it('does not retry a round the database refuses for a reason other than an outage', async () => {
    const { logger, lines } = recordingLogger();
    const pending = new PendingRoundResults({ store: storage, logger, firstRetryMs: 20 });
    // NOT NULL constraint: a bug, not an outage; retrying it would block every later round.
    pending.add(round('d', 1, null as unknown as string));
    pending.add(round('d', 2));
    await waitFor(() => pending.size === 0);
    expect(storedRounds('d')).toEqual([2]);
    expect(lines).toMatchObject([
      { level: 'error', message: 'round results not saved', context: { round: { round: 1 } } },
    ]);
    await pending.close();
  });

  it('at shutdown during an outage, tries once more and logs every round it could not write', async () => {
    const { logger, lines } = recordingLogger();
    const pending = new PendingRoundResults({ store: storage, logger, firstRetryMs: 10_000 });
    lock();
    pending.add(round('e', 1));
    pending.add(round('e', 2));
    await waitFor(() => lines.length > 0, { what: 'the first failed write' });
    const startedAt = performance.now();
    await pending.close();
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(pending.size).toBe(0);
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringContaining('2 round results lost at shutdown'),
      context: { rounds: [{ round: 1 }, { round: 2 }] },
    });
    unlock();
    expect(storedRounds('e')).toEqual([]);
  });
});
