/**
 * Moved to `server/test/support/loopback-offerer.ts`. This re-export stays only until the
 * benchmarks that still import this path (`bench/netcode/`, `bench/abuse/`) import that one.
 */
export * from '../support/loopback-offerer.ts';
