import {
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  register,
} from 'prom-client';

/**
 * Metrics live in prom-client's default registry, which /metrics serves. Modules declare their
 * own metrics with these helpers; get-or-create keeps a second app instance in the same process
 * (tests) from failing on a duplicate registration.
 */
export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return (
    (register.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config)
  );
}

/** One sample of a metric kept outside prom-client: its labels, value and, for a histogram, part. */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  /** `<name>_bucket`, `_sum` or `_count` for a histogram's parts; the metric's name otherwise. */
  metricName?: string;
}

/**
 * Registers a metric whose numbers its owner keeps in plain fields and hands over at scrape time.
 * For the per-request metrics only: prom-client's own `inc`/`observe` turn the label object into
 * a string key on every call, which on the request path costs more than the rest of the metrics
 * work (bench/README.md). prom-client's registry takes any object of this shape (`get`, `reset`,
 * name, help, type): exposition, `getSingleMetric` and `resetMetrics` work as for its own metrics.
 */
export function scraped(config: {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  samples: () => Sample[];
  reset: () => void;
}): void {
  if (register.getSingleMetric(config.name)) return;
  const { name, help, type, samples, reset } = config;
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: samples() }),
    reset,
  };
  register.registerMetric(metric as unknown as Counter);
}
