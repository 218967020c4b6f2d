import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Opaque pagination cursors: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isValid(value)) throw new DomainError(ErrorCode.BadRequest, 'cursor is invalid');
  return value;
}

/** One page of a cursor-paginated list. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cuts `rows` (fetched with `limit + 1`, so one extra row says there is more) to one page and
 * encodes the cursor of its last item.
 */
export function paginate<T>(
  rows: T[],
  limit: number,
  cursorOf: (last: T) => unknown,
): CursorPage<T> {
  const items = rows.slice(0, limit);
  return {
    items,
    nextCursor: rows.length > limit ? encodeCursor(cursorOf(items[items.length - 1])) : null,
  };
}

export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
export const isObjectIdHex = (v: unknown): v is string =>
  typeof v === 'string' && /^[0-9a-f]{24}$/.test(v);
