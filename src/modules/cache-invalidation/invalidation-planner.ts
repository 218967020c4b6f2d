import { createHash } from 'node:crypto';
import {
  CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS,
  CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
  countPaths,
  type PathCounts,
} from './cloudfront-paths';

/** The most one batch may hold: what CloudFront allows in progress at once, so it can always go. */
export const BATCH_LIMITS: PathCounts = {
  files: CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS,
  wildcards: CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
};

export interface Plannable {
  _id: string;
  paths: string[];
}

/**
 * Picks, oldest first, the items whose paths together fit one batch (paths shared by several
 * items count once). An item that does not fit is left for a later batch; later, smaller items may
 * still fill the space, so one large item never blocks the rest.
 */
export function planBatch<T extends Plannable>(
  items: T[],
  limits: PathCounts = BATCH_LIMITS,
): { items: T[]; paths: string[]; oversized: T[] } {
  const chosen: T[] = [];
  const oversized: T[] = [];
  const paths = new Set<string>();
  const exceeds = (counts: PathCounts) =>
    counts.files > limits.files || counts.wildcards > limits.wildcards;
  for (const item of items) {
    if (exceeds(countPaths(new Set(item.paths)))) {
      oversized.push(item); // could never be sent: the caller fails it instead of waiting forever
      continue;
    }
    if (exceeds(countPaths(new Set([...paths, ...item.paths])))) continue;
    chosen.push(item);
    for (const p of item.paths) paths.add(p);
  }
  return { items: chosen, paths: [...paths].sort(), oversized };
}

/** Whether a batch can start now without exceeding CloudFront's in-progress limits. */
export function fitsInProgress(
  batch: PathCounts,
  inProgress: PathCounts,
  limits: PathCounts = BATCH_LIMITS,
): boolean {
  return (
    batch.files + inProgress.files <= limits.files &&
    batch.wildcards + inProgress.wildcards <= limits.wildcards
  );
}

/**
 * The CallerReference of a batch: its id plus a digest of exactly what it sends. The id keeps two
 * changes that happen to touch the same paths distinct (CloudFront would otherwise answer the
 * second with the first, long-finished invalidation); the digest ties the reference to the frozen
 * content, so a retry can only ever repeat the same request.
 */
export function callerReference(batchId: string, paths: string[]): string {
  const digest = createHash('sha256')
    .update([...paths].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);
  return `sa-${batchId}-${digest}`;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

export interface ErrorClass {
  /** Worth another attempt later (throttling, limits, 5xx, network). */
  retryable: boolean;
  /**
   * CloudFront may have created the invalidation although we saw an error (the connection broke
   * or timed out after the request left): look it up before sending again.
   */
  maybeApplied: boolean;
  /** A short description for lastError and the log. */
  message: string;
}

const RETRYABLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TooManyInvalidationsInProgress',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
]);
/** Connection never established: the request cannot have reached CloudFront. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Sorts an AWS SDK (or network) error into what the worker should do about it. */
export function classifyError(error: unknown): ErrorClass {
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const message = `${name}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(error)}`;
  if (name === 'InvalidationBatchAlreadyExists') {
    // Our CallerReference is already taken: an earlier attempt went through. Look it up.
    return { retryable: true, maybeApplied: true, message };
  }
  if (status !== undefined && status > 0) {
    // CloudFront answered: the request was refused as a whole and created nothing.
    const retryable = RETRYABLE_CODES.has(name) || status >= 500 || status === 429;
    return { retryable, maybeApplied: false, message };
  }
  const code = e.code ?? '';
  if (NOT_SENT_NETWORK_CODES.has(code)) return { retryable: true, maybeApplied: false, message };
  // Timeouts, resets, aborted or unparseable responses: the request may have been processed.
  return { retryable: true, maybeApplied: true, message };
}
