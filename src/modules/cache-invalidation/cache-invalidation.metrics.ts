import type { Counter, Gauge } from 'prom-client';
import { counter, gauge } from '../../core/metrics/registry';

export interface InvalidationBacklog {
  /** Invalidations not yet accepted by CloudFront (pending or being sent). */
  backlog: number;
  /** Age of the oldest of them, 0 when there are none. */
  oldestPendingAgeSeconds: number;
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

export interface InvalidationMetrics {
  sent: Counter;
  failed: Counter;
  backlog: Gauge;
  oldestAge: Gauge;
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
  };
}
