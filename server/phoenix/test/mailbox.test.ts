/** The mailbox's order and depth rules, which the queue caps rely on. */
import { describe, expect, it } from 'vitest';
import { Mailbox } from '../src/mailbox.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Mailbox', () => {
  it('counts tasks waiting or running, and tryPost refuses at the limit', async () => {
    const mailbox = new Mailbox(() => {});
    const gate = Promise.withResolvers<void>();
    const ran: number[] = [];
    expect(mailbox.tryPost(() => gate.promise.then(() => ran.push(1)), 3)).toBe(true);
    expect(mailbox.tryPost(() => ran.push(2), 3)).toBe(true);
    expect(mailbox.tryPost(() => ran.push(3), 3)).toBe(true);
    expect(mailbox.depth).toBe(3);
    expect(mailbox.tryPost(() => ran.push(4), 3)).toBe(false);
    gate.resolve();
    await settle();
    expect(ran).toEqual([1, 2, 3]);
    expect(mailbox.depth).toBe(0);
  });

  it('tryRun runs a synchronous task at once and leaves the mailbox empty, however many come', () => {
    const mailbox = new Mailbox(() => {});
    const ran: number[] = [];
    for (let i = 0; i < 1_000; i++) expect(mailbox.tryRun(() => ran.push(i), 1)).toBe(true);
    expect(ran).toHaveLength(1_000);
    expect(mailbox.depth).toBe(0);
  });

  it('tryRun holds the mailbox while its task waits, and later tasks run after it', async () => {
    const mailbox = new Mailbox(() => {});
    const gate = Promise.withResolvers<void>();
    const ran: string[] = [];
    mailbox.tryRun(async () => {
      ran.push('a start');
      await gate.promise;
      ran.push('a end');
    }, 10);
    mailbox.tryRun(() => ran.push('b'), 10);
    expect(mailbox.depth).toBe(2);
    await settle();
    expect(ran).toEqual(['a start']);
    gate.resolve();
    await settle();
    expect(ran).toEqual(['a start', 'a end', 'b']);
    expect(mailbox.depth).toBe(0);
  });

  it('a task posted from inside a task tryRun started waits for that task to finish', async () => {
    const mailbox = new Mailbox(() => {});
    const gate = Promise.withResolvers<void>();
    const ran: string[] = [];
    mailbox.tryRun(() => {
      ran.push('outer start');
      void mailbox.post(() => ran.push('posted from inside'));
      return gate.promise.then(() => ran.push('outer end'));
    }, 10);
    await settle();
    expect(ran).toEqual(['outer start']);
    gate.resolve();
    await settle();
    expect(ran).toEqual(['outer start', 'outer end', 'posted from inside']);
    expect(mailbox.depth).toBe(0);
  });

  it('errors, thrown or rejected, go to onError in order, and the mailbox goes on', async () => {
    const errors: unknown[] = [];
    const mailbox = new Mailbox((error) => errors.push((error as Error).message));
    const ran: string[] = [];
    mailbox.tryRun(() => {
      throw new Error('thrown');
    }, 10);
    mailbox.tryRun(() => Promise.reject(new Error('rejected')), 10);
    mailbox.tryRun(() => ran.push('after'), 10);
    await settle();
    expect(errors).toEqual(['thrown', 'rejected']);
    expect(ran).toEqual(['after']);
    expect(mailbox.depth).toBe(0);
  });
});
