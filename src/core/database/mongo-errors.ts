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
