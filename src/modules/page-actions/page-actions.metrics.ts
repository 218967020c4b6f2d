import type { Counter, Gauge } from 'prom-client';
import { counter, gauge } from '../../core/metrics/registry';

export interface DueStats {
  /** Open actions whose time has come (not yet run, skipped or cancelled). */
  due: number;
  /** How late the oldest of them is, 0 when none. */
  oldestLatenessSeconds: number;
}

type StatsSource = () => Promise<DueStats>;

/**
 * The gauges read the database when scraped, so every replica reports the true backlog whether
 * or not its own scheduler runs (and a stuck scheduler cannot freeze them at a good value).
 * A stack of sources: tests run several app instances in one process and one registry.
 */
const sources: StatsSource[] = [];

export function addDueStatsSource(source: StatsSource): void {
  sources.push(source);
}

export function removeDueStatsSource(source: StatsSource): void {
  const index = sources.lastIndexOf(source);
  if (index !== -1) sources.splice(index, 1);
}

async function read(): Promise<DueStats | null> {
  const source = sources[sources.length - 1];
  try {
    return source ? await source() : null;
  } catch {
    return null; // database away: keep the last value rather than fail /metrics
  }
}

export interface PageActionMetrics {
  runs: Counter<'outcome'>;
  due: Gauge;
  lateness: Gauge;
}

export function pageActionMetrics(): PageActionMetrics {
  return {
    runs: counter({
      name: 'page_actions_runs_total',
      help: 'Scheduled page actions finished, by outcome (done, skipped, failed)',
      labelNames: ['outcome'],
    }),
    due: gauge({
      name: 'page_actions_due',
      help: 'Scheduled page actions whose time has come but that have not run yet',
      async collect() {
        const stats = await read();
        if (stats) this.set(stats.due);
      },
    }),
    lateness: gauge({
      name: 'page_actions_oldest_lateness_seconds',
      help: 'How late the oldest due scheduled page action is (0 when none is due)',
      async collect() {
        const stats = await read();
        if (stats) this.set(stats.oldestLatenessSeconds);
      },
    }),
  };
}
