import type { SqlDatabase } from './sql-database.ts';

/**
 * The database cannot serve requests right now: PostgreSQL is down, restarting, unreachable, out
 * of connections or too slow (a connect or statement timeout), or SQLite reports a fault of its
 * environment (disk full, I/O error, file locked by another process). It is transient and says
 * nothing about the request: the same call may succeed in a moment, with no restart. Callers tell
 * it apart from a bug with `isStorageUnavailable` and answer `storage_unavailable` (HTTP 503).
 * Every other error from the storage is a bug or a broken schema, and stays what it was.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly engine: SqlDatabase['dialect'];
  /** What the engine or the OS said: a SQLSTATE (`57P01`), `SQLITE_FULL`, `ECONNREFUSED`, or `timeout`. */
  readonly code: string;

  constructor(engine: SqlDatabase['dialect'], code: string, cause: unknown) {
    super(`${engine} storage unavailable (${code}): ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.engine = engine;
    this.code = code;
  }
}

export function isStorageUnavailable(error: unknown): error is StorageUnavailableError {
  return error instanceof StorageUnavailableError;
}

/**
 * How long a client should wait before asking again after a `storage_unavailable` answer (the
 * `Retry-After` of a 503): a PostgreSQL restart takes a few seconds.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * SQLSTATE codes and classes that mean "the database cannot serve now", not "this statement is
 * wrong": connection exceptions (08), insufficient resources (53: disk full, out of memory, too
 * many connections), shutdown or startup (57P01-57P03), statement timeout (57014), system and I/O
 * errors (58), and a read-only server (25006: a failover left us on a standby).
 */
const PG_UNAVAILABLE_CLASSES = ['08', '53', '58'];
const PG_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '25006']);

/** Socket errors from Node while connecting to, or talking with, the PostgreSQL server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** node-postgres's own errors (no code) for a lost or timed-out connection. */
const PG_DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * The PostgreSQL error's code when it means the database is unavailable, else null. A connection
 * fault (as opposed to a statement the server refused) also means the client that saw it is broken.
 */
export function postgresUnavailableCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return code;
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return PG_UNAVAILABLE_CODES.has(code) || PG_UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) ? code : null;
    }
  }
  if (PG_DRIVER_MESSAGES.test(error.message)) return /timeout/i.test(error.message) ? 'timeout' : 'connection_lost';
  // Node's happy-eyeballs connect fails with an AggregateError of one error per address tried.
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = postgresUnavailableCode(inner);
      if (innerCode) return innerCode;
    }
  }
  return error.cause === undefined || error.cause === error ? null : postgresUnavailableCode(error.cause);
}

/**
 * Whether a PostgreSQL error left the connection it came from unusable (so the pool must drop the
 * client instead of reusing it): anything but an error the server reported for a statement and
 * survived, such as a constraint violation or a statement timeout.
 */
export function breaksPostgresConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return code.startsWith('08') || code.startsWith('57P') || code.startsWith('58');
  }
  return true;
}

/**
 * SQLite primary result codes that are faults of the environment, not of the statement: BUSY and
 * LOCKED (another process holds the file), NOMEM, READONLY, IOERR (and its extended codes), CORRUPT,
 * FULL (disk full, or `max_page_count` reached), CANTOPEN, PROTOCOL, NOTADB.
 */
const SQLITE_UNAVAILABLE: ReadonlyMap<number, string> = new Map([
  [5, 'SQLITE_BUSY'],
  [6, 'SQLITE_LOCKED'],
  [7, 'SQLITE_NOMEM'],
  [8, 'SQLITE_READONLY'],
  [10, 'SQLITE_IOERR'],
  [11, 'SQLITE_CORRUPT'],
  [13, 'SQLITE_FULL'],
  [14, 'SQLITE_CANTOPEN'],
  [15, 'SQLITE_PROTOCOL'],
  [26, 'SQLITE_NOTADB'],
]);

/** The SQLite result code's name when the error means the database is unavailable, else null. */
export function sqliteUnavailableCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code !== 'ERR_SQLITE_ERROR' || typeof errcode !== 'number') return null;
  // Extended result codes (SQLITE_IOERR_WRITE = 778) carry the primary code in their low byte.
  return SQLITE_UNAVAILABLE.get(errcode & 0xff) ?? null;
}
