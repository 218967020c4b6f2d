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
