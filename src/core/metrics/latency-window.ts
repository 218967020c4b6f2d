/**
 * A request-latency quantile over a sliding window, computed from the request histogram's bucket
 * counts, for metric pipelines that drop histogram buckets: CloudWatch's EMF exporter sends a
 * Prometheus histogram as count, sum, min and max only (docs/deploy.md, "Service metrics in
 * CloudWatch"). Nothing is added on the request path: the window keeps a snapshot of the bucket
 * totals per scrape and answers what PromQL's
 * `histogram_quantile(q, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))` answers
 * for this pod.
 */

/**
 * Prometheus' `histogram_quantile`: `bounds` are the finite upper bounds, `counts` the
 * observations per bucket (not cumulative), one more than `bounds` (the +Inf bucket). Linear
 * within the bucket holding the rank, from 0 for the first; the last finite bound when the rank
 * lies in +Inf; NaN without observations.
 */
export function histogramQuantile(
  q: number,
  bounds: readonly number[],
  counts: readonly number[],
): number {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total <= 0) return NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const upTo = below + counts[i];
    if (upTo >= rank && counts[i] > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + ((bounds[i] - lower) * (rank - below)) / counts[i];
    }
    below = upTo;
  }
  return bounds[bounds.length - 1];
}

interface Snapshot {
  at: number;
  counts: number[];
}

/**
 * Bucket totals remembered at each read, so a read can take the difference to the newest
 * snapshot at least `windowMs` old (or the oldest one while the process is younger than that).
 * Snapshots closer than `minSpacingMs` to the last are not kept, which bounds the memory to
 * windowMs / minSpacingMs snapshots whoever scrapes how often.
 */
export class QuantileWindow {
  private snapshots: Snapshot[];

  constructor(
    private readonly bounds: readonly number[],
    /** Observations per bucket since the start (or the last reset), +Inf last. */
    private readonly totals: () => number[],
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly minSpacingMs = 1000,
  ) {
    this.snapshots = [{ at: this.now(), counts: new Array<number>(bounds.length + 1).fill(0) }];
  }

  /** The quantile `q` of the observations in the window; NaN when there were none. */
  quantile(q: number): number {
    const at = this.now();
    const counts = this.totals();
    let base = this.snapshots[0];
    for (const s of this.snapshots) if (s.at <= at - this.windowMs) base = s;
    this.snapshots = this.snapshots.filter((s) => s.at >= base.at);
    const last = this.snapshots[this.snapshots.length - 1];
    if (at - last.at >= this.minSpacingMs) this.snapshots.push({ at, counts });
    const delta = counts.map((c, i) => c - base.counts[i]);
    // The totals went down: they were reset (tests), so everything counted is new.
    return histogramQuantile(q, this.bounds, delta.some((d) => d < 0) ? counts : delta);
  }
}
