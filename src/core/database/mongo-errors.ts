/**
 * MongoDB/DocumentDB report a unique-index clash as 11000. FerretDB (SQLite) reports one on
 * *update* as InternalError (code 1) with the backend's "UNIQUE constraint failed" text.
 */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; codeName?: unknown; message?: unknown };
  return (
    e?.code === 11000 ||
    e?.code === 11001 ||
    e?.codeName === 'DuplicateKey' ||
    (typeof e?.message === 'string' && /duplicate key|UNIQUE constraint failed/i.test(e.message))
  );
}

/** Driver error classes that mean "the database cannot be reached right now". */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);

/** Server codes of a primary that is going away or has changed (elections, shutdown, timeouts). */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const NETWORK_TEXT =
  /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket|connection .*(closed|timed out)|timed out|not connected|Topology is closed|buffering timed out/i;

/**
 * True for any error that says the database is unreachable, wrapped or not: the driver's network
 * and selection errors, server codes of a primary going away, and errors (e.g. a
 * MongoBulkWriteError around "read ECONNRESET") whose text or `cause` is a network failure.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const err = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      hasErrorLabel?: (label: string) => boolean;
    };
    const name = typeof err.name === 'string' ? err.name : '';
    if (UNAVAILABLE_NAMES.has(name)) return true;
    if (name.startsWith('Mongo')) {
      if (typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code)) return true;
      if (typeof err.hasErrorLabel === 'function' && err.hasErrorLabel('ResetPool')) return true;
      if (typeof err.message === 'string' && NETWORK_TEXT.test(err.message)) return true;
    }
    if (typeof err.message === 'string' && /buffering timed out/i.test(err.message)) return true;
    e = err.cause;
  }
  return false;
}
