import type { Counter, Gauge } from 'prom-client';
import { counter, gauge } from '../../core/metrics/registry';
import {
  CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS,
  CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
  type PathCounts,
} from './cloudfront-paths';
import type { BusyReason } from './invalidation-planner';

export interface InvalidationBacklog {
  /** Invalidations not yet accepted by CloudFront (pending or being sent). */
  backlog: number;
  /** Age of the oldest of them, 0 when there are none. */
  oldestPendingAgeSeconds: number;
  /** Paths of this service's invalidations CloudFront is working on; null without a distribution. */
  inProgress: PathCounts | null;
}

type StatsSource = () => Promise<InvalidationBacklog>;

/**
 * The backlog gauges read the database when scraped, through the most recently started app's
 * source (tests run several app instances in one process; the default registry is shared), so
 * every replica reports the same, true backlog whether or not its own worker runs.
 */
const sources: StatsSource[] = [];

export function setInvalidationStatsSource(next: StatsSource): void {
  sources.push(next);
}

/** On shutdown: the gauges fall back to the app started before this one, if it still runs. */
export function clearInvalidationStatsSource(previous: StatsSource): void {
  const index = sources.lastIndexOf(previous);
  if (index !== -1) sources.splice(index, 1);
}

async function read(): Promise<InvalidationBacklog | null> {
  const source = sources[sources.length - 1];
  try {
    return source ? await source() : null;
  } catch {
    return null; // database away: leave the gauges at their last value rather than fail /metrics
  }
}

/** Why a batch was put back without an attempt: CloudFront said busy, or our count said full. */
export type DeferralReason = BusyReason | 'in-progress-budget';

export interface InvalidationMetrics {
  sent: Counter;
  failed: Counter;
  deferred: Counter<'reason'>;
  widened: Counter;
  backlog: Gauge;
  oldestAge: Gauge;
  inProgress: Gauge<'kind'>;
  inProgressLimit: Gauge<'kind'>;
}

export function invalidationMetrics(): InvalidationMetrics {
  return {
    sent: counter({
      name: 'cache_invalidation_sent_total',
      help: 'CloudFront invalidation requests accepted by CloudFront',
    }),
    failed: counter({
      name: 'cache_invalidation_failed_total',
      help: 'CloudFront invalidation requests given up after their attempts (or refused)',
    }),
    deferred: counter({
      name: 'cache_invalidation_deferred_total',
      help:
        'CloudFront invalidation sends put back without using an attempt, by reason ' +
        '(throttling, too-many-in-progress: CloudFront refused; in-progress-budget: ours is full)',
      labelNames: ['reason'],
    }),
    widened: counter({
      name: 'cache_invalidation_widened_total',
      help: 'Batches sent with their pages merged into wider wildcards, the in-progress budget being short',
    }),
    backlog: gauge({
      name: 'cache_invalidation_backlog',
      help: 'CDN invalidations recorded but not yet accepted by CloudFront',
      async collect() {
        const stats = await read();
        if (stats) this.set(stats.backlog);
      },
    }),
    oldestAge: gauge({
      name: 'cache_invalidation_oldest_pending_age_seconds',
      help: 'Age of the oldest CDN invalidation not yet accepted by CloudFront (0 when none)',
      async collect() {
        const stats = await read();
        if (stats) this.set(stats.oldestPendingAgeSeconds);
      },
    }),
    inProgress: gauge({
      name: 'cache_invalidation_in_progress_paths',
      help: 'Invalidation paths of this service CloudFront is working on, by kind (file, wildcard)',
      labelNames: ['kind'],
      async collect() {
        const stats = await read();
        if (!stats?.inProgress) return;
        this.set({ kind: 'file' }, stats.inProgress.files);
        this.set({ kind: 'wildcard' }, stats.inProgress.wildcards);
      },
    }),
    inProgressLimit: gauge({
      name: 'cache_invalidation_in_progress_limit_paths',
      help: "CloudFront's per-distribution limit of invalidation paths in progress, by kind",
      labelNames: ['kind'],
      collect() {
        this.set({ kind: 'file' }, CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS);
        this.set({ kind: 'wildcard' }, CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS);
      },
    }),
  };
}
