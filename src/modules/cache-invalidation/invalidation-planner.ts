import { createHash } from 'node:crypto';
import {
  CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS,
  CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
  countPaths,
  isWildcard,
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

/** The longest common prefix of two paths, never ending inside a `%XX` escape. */
function commonPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const prefix = a.slice(0, n);
  const escape = /%[0-9A-Fa-f]?$/.exec(prefix);
  return escape ? prefix.slice(0, escape.index) : prefix;
}

/**
 * The same invalidation in at most `wildcards` wildcard paths: while there are too many, the two
 * wildcards sharing the longest prefix (neighbours once sorted) become one wildcard on that
 * prefix (`/v1/pages/alpha*` + `/v1/pages/alpine*` → `/v1/pages/alp*`), and paths a wildcard
 * already covers are dropped. Everything the input invalidated stays invalidated; what is added
 * is the least that fits. Unchanged when it already fits; `null` when `wildcards` is below 1.
 */
export function widenPaths(paths: string[], wildcards: number): string[] | null {
  let prefixes = [...new Set(paths.filter(isWildcard).map((p) => p.slice(0, -1)))].sort();
  if (prefixes.length <= wildcards) return [...new Set(paths)].sort();
  if (wildcards < 1) return null;
  const dropCovered = () => {
    // Sorted: a prefix covers the entries right after it that start with it.
    prefixes = prefixes.filter((p, i) => !prefixes.slice(0, i).some((q) => p.startsWith(q)));
  };
  dropCovered();
  while (prefixes.length > wildcards) {
    let best = 0;
    let bestPrefix = commonPrefix(prefixes[0], prefixes[1]);
    for (let i = 1; i + 1 < prefixes.length; i++) {
      const prefix = commonPrefix(prefixes[i], prefixes[i + 1]);
      if (prefix.length > bestPrefix.length) [best, bestPrefix] = [i, prefix];
    }
    prefixes.splice(best, 2, bestPrefix);
    prefixes.sort();
    dropCovered();
  }
  const files = [...new Set(paths.filter((p) => !isWildcard(p)))].filter(
    (f) => !prefixes.some((p) => f.startsWith(p)),
  );
  return [...files, ...prefixes.map((p) => `${p}*`)].sort();
}

/**
 * The batch's paths made to fit what CloudFront has in progress: as they are when they fit,
 * widened into the wildcards left when those are short, `null` when nothing is left (wait).
 */
export function fitInProgress(
  paths: string[],
  inProgress: PathCounts,
  limits: PathCounts = BATCH_LIMITS,
): string[] | null {
  if (fitsInProgress(countPaths(paths), inProgress, limits)) return paths;
  const widened = widenPaths(paths, limits.wildcards - inProgress.wildcards);
  return widened && fitsInProgress(countPaths(widened), inProgress, limits) ? widened : null;
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

/** The exponential ceiling of retry `n` (from 1): base, 2 x base, ... up to max. */
const ceilingMs = (n: number, baseMs: number, maxMs: number): number =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return Math.round(random() * ceilingMs(attempt, baseMs, maxMs));
}

/**
 * Delay before retrying a batch CloudFront refused as busy ("equal jitter": uniform in the upper
 * half of the exponential ceiling), so a storm of refusals never retries at once nor in step.
 */
export function deferralMs(
  deferrals: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = ceilingMs(deferrals, baseMs, maxMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Why CloudFront refused a request that it will take later: not the batch's fault. */
export type BusyReason = 'throttling' | 'too-many-in-progress';

export interface ErrorClass {
  /** Worth another attempt later (throttling, limits, 5xx, network). */
  retryable: boolean;
  /**
   * CloudFront may have created the invalidation although we saw an error (the connection broke
   * or timed out after the request left): look it up before sending again.
   */
  maybeApplied: boolean;
  /**
   * CloudFront refused the request whole because it is busy (rate or in-progress limits): retry
   * later without using up an attempt, however long it lasts.
   */
  busy?: BusyReason;
  /** A short description for lastError and the log. */
  message: string;
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
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
    if (name === 'TooManyInvalidationsInProgress')
      return { retryable: true, maybeApplied: false, busy: 'too-many-in-progress', message };
    if (THROTTLING_CODES.has(name) || status === 429)
      return { retryable: true, maybeApplied: false, busy: 'throttling', message };
    const retryable = RETRYABLE_CODES.has(name) || status >= 500;
    return { retryable, maybeApplied: false, message };
  }
  const code = e.code ?? '';
  if (NOT_SENT_NETWORK_CODES.has(code)) return { retryable: true, maybeApplied: false, message };
  // Timeouts, resets, aborted or unparseable responses: the request may have been processed.
  return { retryable: true, maybeApplied: true, message };
}
