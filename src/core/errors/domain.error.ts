import { ErrorCode } from './error-code';

/** An expected failure with a stable code; the global filter maps it to HTTP. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
