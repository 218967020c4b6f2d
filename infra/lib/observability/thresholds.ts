// Every alarm threshold in one place. The service's are the chart's PrometheusRule values
// (charts/sponsored-agents/values.yaml `metrics.prometheusRule.alerts`); a test compares them.
// Durations are minutes.

/** The PrometheusRule's alerts, by their key under `metrics.prometheusRule.alerts`. */
export const SERVICE_THRESHOLDS = {
  /** 5xx share of requests over 5 minutes, ignored below `minRequestRate` req/s. */
  http5xxRate: { threshold: 0.05, minRequestRate: 0.1, windowMinutes: 5, forMinutes: 5 },
  /** p99 request latency (a 5-minute window). */
  latencyP99: { thresholdSeconds: 1, forMinutes: 10 },
  /** A pod not ready. */
  notReady: { forMinutes: 10 },
  /** No pod scraped. */
  down: { forMinutes: 3 },
  /** Age of the oldest pending CloudFront invalidation. */
  invalidationBacklogAge: { thresholdSeconds: 900, forMinutes: 10 },
  /** Lateness of the oldest due scheduled page action. */
  scheduledActionsLate: { thresholdSeconds: 60, forMinutes: 0 },
  /** Failed invalidations over 15 minutes. */
  invalidationFailures: { windowMinutes: 15, forMinutes: 15 },
  /** Deferred invalidations, per 5 minutes. */
  invalidationDeferred: { windowMinutes: 5, forMinutes: 30 },
  /** Dropped log records over 10 minutes. */
  logShipperDrops: { windowMinutes: 10, forMinutes: 5 },
  /** Event-loop p99 lag. */
  eventLoopLag: { thresholdSeconds: 0.5, forMinutes: 10 },
} as const;

/** The AWS services' own metrics ("boxes"): thresholds as AWS's recommended alarms give them. */
export const BOX_THRESHOLDS = {
  cloudFront: {
    /** `5xxErrorRate` is a percentage. */
    errorRatePercent: 5,
    /** Below this many requests per 5 minutes the rate is noise. */
    minRequestsPer5Min: 30,
    /** p99 of `OriginLatency` (additional metrics), ms: the service's p99 plus the NLB and nginx. */
    originLatencyP99Ms: 1500,
    forMinutes: 10,
  },
  nlb: { unhealthyHosts: 1, forMinutes: 5 },
  documentDb: {
    cpuPercent: 80,
    cpuForMinutes: 15,
    /**
     * The service's MONGODB_REPLICA_LAG_ALLOWANCE_MS: an invalidation is sent no earlier than a
     * write + the in-process cache TTL + this allowance, so a replica lagging longer can hand the
     * edge a pre-change copy after the purge.
     */
    replicaLagMs: 1000,
    replicaLagForMinutes: 5,
    /** Share of the instance class's connection limit. */
    connectionsShare: 0.8,
    /** Share of the instance class's memory left free. */
    freeableMemoryShare: 0.1,
    forMinutes: 10,
  },
  openSearch: {
    /** FreeStorageSpace (MB, the least of the nodes) below this share of one node's volume. */
    freeStorageShare: 0.25,
    jvmMemoryPressurePercent: 95,
    jvmForMinutes: 3,
    writesBlockedForMinutes: 5,
    /** Red: at once; yellow: longer than a node replacement or a blue/green step takes. */
    redForMinutes: 1,
    yellowForMinutes: 30,
  },
} as const;
