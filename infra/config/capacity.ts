// The capacity model of docs/capacity.md as code: a stated load and the figures the service's code
// and bench/README.md give, turned into origin requests, pods, database, log storage and CDN
// invalidation cost. The config files take their sizes from `capacity`; docs/capacity.md shows
// the same arithmetic and its table is `renderCapacityTable()` (a test keeps the two equal).
// `npx tsx config/capacity.ts` prints the table.

/** What the sizing assumes about traffic and editing. Change these, not the derived numbers. */
export interface LoadAssumptions {
  /** Published pages. */
  readonly pages: number;
  /** Public page views a day. */
  readonly pageViewsPerDay: number;
  /** API requests one page view makes of each kind: the page, one canonical schedule window. */
  readonly pageReadsPerView: number;
  readonly scheduleReadsPerView: number;
  /** List reads (`/v1/pages`, first page) per page view. */
  readonly listReadsPerView: number;
  /** Busiest hour's request rate over the day's mean. */
  readonly peakToMean: number;
  /** Page popularity: Zipf exponent over the pages (1 = steep, 0 = uniform). */
  readonly zipfExponent: number;
  /**
   * Cache layers that each ask the origin on their own: 1 with CloudFront Origin Shield, else the
   * regional edge caches (13), traffic spread evenly over them (the worst case for this model).
   */
  readonly cacheLayers: number;
  /** Edits a page gets a month: publishes (or unpublishes), live schedule changes, term starts/ends. */
  readonly publishesPerPageMonth: number;
  readonly scheduleChangesPerPageMonth: number;
  readonly scheduledActionsPerPageMonth: number;
  /** Days the logs stay searchable in OpenSearch. */
  readonly logRetentionDays: number;
}

/** Figures from the service's code and bench/README.md (latest figures), not assumptions. */
export const SERVICE_FIGURES = {
  /** CACHE_S_MAXAGE default (src/core/config/environment.schema.ts): the edge's freshness. */
  sMaxAgeSeconds: 300,
  /** CACHE_STALE_WHILE_REVALIDATE default: stale answers while the edge refreshes, no extra fetch. */
  staleWhileRevalidateSeconds: 60,
  /**
   * CPU of an origin page or list read that misses the pod's 1 s cache: the bench's hot read is
   * 75-87 µs (bench/README.md, latest figures); the miss adds one DocumentDB read and the render. Budgeted at 1 ms
   * (≈ 11× the hot read), as the bench gives the cold read only as a ratio to a bare driver read.
   */
  cpuPerPageMissSeconds: 0.001,
  /** CPU of a schedule-window miss: the bench's worst case (366 days × 100 daily events), 29 ms. */
  cpuPerScheduleMissSeconds: 0.029,
  /** Pod CPU request and the HPA's target utilisation (charts/sponsored-agents/values.yaml). */
  podCpuRequestCores: 0.25,
  hpaTargetUtilisation: 0.7,
  /** RSS under load, bench/README.md latest figures, runs 1-2 (183-184 MB); planned at the 200 MB ceiling. */
  podRssMiB: 200,
  /** Invalidation paths of one change (src/modules/pages/public-paths.ts). */
  pathsPerPublish: 3, // /v1/pages/<slug>*, /v1/pages, /v1/pages?*
  pathsPerScheduleChange: 1, // /v1/pages/<slug>*: the list does not show schedules
  /** MongoDB driver default maxPoolSize per server, plus its two monitoring connections. */
  connectionsPerPodPerServer: 102,
  /** Liveness every 10 s and readiness every 10 s: access lines per pod a day. */
  probeLinesPerPodDay: 2 * 8640,
} as const;

/** Figures about AWS: prices and limits as published, and sizing factors AWS documents. */
export const AWS_FIGURES = {
  /** CloudFront invalidation: first 1,000 paths a month free, then $0.005 a path; `*` counts as one. */
  freeInvalidationPathsPerMonth: 1000,
  usdPerInvalidationPath: 0.005,
  /**
   * OpenSearch Service storage sizing: source × (1 + replicas) × 1.45 (indexing overhead 10 %,
   * Linux reserved 5 %, service overhead 20 %), before headroom.
   */
  openSearchStorageFactor: 1.45,
  /** One indexed access line on disk: ~530 bytes of JSON after Fluent Bit; planned at 600. */
  bytesPerLogLine: 600,
  /** DocumentDB connection limits by instance class. */
  docdbMaxConnections: { 't4g.medium': 500, 'r6g.large': 1700, 'r6g.xlarge': 3400 },
  /** DocumentDB instance memory by class, GiB (the FreeableMemory alarm's base). */
  docdbMemoryGiB: { 't4g.medium': 4, 'r6g.large': 16, 'r6g.xlarge': 32 },
} as const;

export interface CapacityPlan {
  readonly edgeRequestsPerSecondMean: number;
  readonly edgeRequestsPerSecondPeak: number;
  readonly originRequestsPerSecondMean: number;
  readonly originRequestsPerSecondPeak: number;
  readonly edgeHitRatioPeak: number;
  readonly cpuPerOriginRequestSeconds: number;
  readonly podsAtPeak: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly memoryAtMaxReplicasMiB: number;
  readonly docdbInstanceClass: keyof typeof AWS_FIGURES.docdbMaxConnections;
  readonly docdbConnectionsAtMaxReplicas: number;
  readonly logLinesPerDay: number;
  readonly openSearchStorageGiB: number;
  readonly invalidationPathsPerMonth: number;
  readonly invalidationUsdPerMonth: number;
}

/** Requests/s one cache asks the origin for an object it is asked for at `rate`/s (TTL cache). */
export function originRate(rate: number, ttlSeconds: number): number {
  // Each fetch keeps the object fresh for the TTL; the next request after that fetches again:
  // one fetch per (TTL + mean wait 1/rate). stale-while-revalidate only hides the wait.
  return rate / (1 + rate * ttlSeconds);
}

function originRequestsPerSecond(load: LoadAssumptions, viewsPerSecond: number): number {
  const ttl = SERVICE_FIGURES.sMaxAgeSeconds;
  const layers = load.cacheLayers;
  let harmonic = 0;
  for (let rank = 1; rank <= load.pages; rank++) harmonic += rank ** -load.zipfExponent;
  let total = 0;
  for (let rank = 1; rank <= load.pages; rank++) {
    const pageViews = (viewsPerSecond * rank ** -load.zipfExponent) / harmonic / layers;
    total += layers * originRate(pageViews * load.pageReadsPerView, ttl);
    total += layers * originRate(pageViews * load.scheduleReadsPerView, ttl);
  }
  // The list's first page is one object every view may ask for.
  total += layers * originRate((viewsPerSecond * load.listReadsPerView) / layers, ttl);
  return total;
}

export function plan(load: LoadAssumptions): CapacityPlan {
  const s = SERVICE_FIGURES;
  const viewsMean = load.pageViewsPerDay / 86_400;
  const perView = load.pageReadsPerView + load.scheduleReadsPerView + load.listReadsPerView;
  const edgeMean = viewsMean * perView;
  const edgePeak = edgeMean * load.peakToMean;
  const originMean = originRequestsPerSecond(load, viewsMean);
  const originPeak = originRequestsPerSecond(load, viewsMean * load.peakToMean);

  // Page and schedule objects are asked equally often per view, so they miss about equally often.
  const reads = load.pageReadsPerView + load.listReadsPerView;
  const cpuPerOrigin =
    (reads * s.cpuPerPageMissSeconds + load.scheduleReadsPerView * s.cpuPerScheduleMissSeconds) /
    (reads + load.scheduleReadsPerView);
  const podBudget = s.podCpuRequestCores * s.hpaTargetUtilisation;
  const podsAtPeak = Math.ceil((originPeak * cpuPerOrigin) / podBudget);
  const podsAtMean = Math.ceil((originMean * cpuPerOrigin) / podBudget);
  // One pod per zone at least; half again over the peak for a lost zone or a purged edge.
  const minReplicas = Math.max(3, podsAtMean);
  const maxReplicas = Math.max(minReplicas + 1, Math.ceil(podsAtPeak * 1.5));

  const connections = maxReplicas * s.connectionsPerPodPerServer;
  const limits = AWS_FIGURES.docdbMaxConnections;
  const docdbInstanceClass = (Object.keys(limits) as (keyof typeof limits)[]).find(
    (cls) => limits[cls] >= connections,
  );
  if (!docdbInstanceClass) throw new Error(`no DocumentDB class takes ${connections} connections`);

  const logLinesPerDay = Math.round(
    originMean * 86_400 * 1.1 + maxReplicas * s.probeLinesPerPodDay,
  ); // + 10 % app and admin lines
  const replicas = 1;
  const openSearchStorageGiB = Math.ceil(
    (logLinesPerDay *
      AWS_FIGURES.bytesPerLogLine *
      load.logRetentionDays *
      (1 + replicas) *
      AWS_FIGURES.openSearchStorageFactor) /
      2 ** 30,
  );

  const paths =
    load.pages *
    (load.publishesPerPageMonth * s.pathsPerPublish +
      load.scheduleChangesPerPageMonth * s.pathsPerScheduleChange +
      load.scheduledActionsPerPageMonth * s.pathsPerPublish);
  const billable = Math.max(0, paths - AWS_FIGURES.freeInvalidationPathsPerMonth);

  return {
    edgeRequestsPerSecondMean: edgeMean,
    edgeRequestsPerSecondPeak: edgePeak,
    originRequestsPerSecondMean: originMean,
    originRequestsPerSecondPeak: originPeak,
    edgeHitRatioPeak: 1 - originPeak / edgePeak,
    cpuPerOriginRequestSeconds: cpuPerOrigin,
    podsAtPeak,
    minReplicas,
    maxReplicas,
    memoryAtMaxReplicasMiB: maxReplicas * s.podRssMiB,
    docdbInstanceClass,
    docdbConnectionsAtMaxReplicas: connections,
    logLinesPerDay,
    openSearchStorageGiB,
    invalidationPathsPerMonth: paths,
    invalidationUsdPerMonth: billable * AWS_FIGURES.usdPerInvalidationPath,
  };
}

/** The stated load of docs/capacity.md. */
export const PRODUCTION_LOAD: LoadAssumptions = {
  pages: 10_000,
  pageViewsPerDay: 5_000_000,
  pageReadsPerView: 1,
  scheduleReadsPerView: 1,
  listReadsPerView: 0.1,
  peakToMean: 3,
  zipfExponent: 0.8,
  cacheLayers: 13,
  publishesPerPageMonth: 2,
  scheduleChangesPerPageMonth: 2,
  scheduledActionsPerPageMonth: 2 / 3, // a sponsorship term's start and end every three months
  logRetentionDays: 30,
};

/** The same load behind Origin Shield: one cache layer asks the origin. */
export const PRODUCTION_LOAD_WITH_ORIGIN_SHIELD: LoadAssumptions = {
  ...PRODUCTION_LOAD,
  cacheLayers: 1,
};

export const capacity = {
  production: plan(PRODUCTION_LOAD),
  productionWithOriginShield: plan(PRODUCTION_LOAD_WITH_ORIGIN_SHIELD),
};

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The table docs/capacity.md carries (generated; a test compares). */
export function renderCapacityTable(): string {
  const a = capacity.production;
  const b = capacity.productionWithOriginShield;
  const rows: [string, string, string][] = [
    [
      'edge requests/s, mean',
      fmt(a.edgeRequestsPerSecondMean, 1),
      fmt(b.edgeRequestsPerSecondMean, 1),
    ],
    [
      'edge requests/s, peak hour',
      fmt(a.edgeRequestsPerSecondPeak, 1),
      fmt(b.edgeRequestsPerSecondPeak, 1),
    ],
    [
      'origin requests/s, mean',
      fmt(a.originRequestsPerSecondMean, 1),
      fmt(b.originRequestsPerSecondMean, 1),
    ],
    [
      'origin requests/s, peak hour',
      fmt(a.originRequestsPerSecondPeak, 1),
      fmt(b.originRequestsPerSecondPeak, 1),
    ],
    [
      'edge hit ratio, peak hour',
      fmt(a.edgeHitRatioPeak * 100, 1) + ' %',
      fmt(b.edgeHitRatioPeak * 100, 1) + ' %',
    ],
    [
      'CPU per origin request (mix)',
      fmt(a.cpuPerOriginRequestSeconds * 1000, 1) + ' ms',
      fmt(b.cpuPerOriginRequestSeconds * 1000, 1) + ' ms',
    ],
    ['pods needed at peak', fmt(a.podsAtPeak), fmt(b.podsAtPeak)],
    [
      'HPA minReplicas / maxReplicas',
      `${a.minReplicas} / ${a.maxReplicas}`,
      `${b.minReplicas} / ${b.maxReplicas}`,
    ],
    [
      'pod memory at maxReplicas',
      `${fmt(a.memoryAtMaxReplicasMiB)} MiB`,
      `${fmt(b.memoryAtMaxReplicasMiB)} MiB`,
    ],
    [
      'DocumentDB connections at maxReplicas (worst case)',
      fmt(a.docdbConnectionsAtMaxReplicas),
      fmt(b.docdbConnectionsAtMaxReplicas),
    ],
    ['DocumentDB instance class', `db.${a.docdbInstanceClass}`, `db.${b.docdbInstanceClass}`],
    ['log lines/day', fmt(a.logLinesPerDay), fmt(b.logLinesPerDay)],
    [
      'OpenSearch storage (30 days, 1 replica)',
      `${fmt(a.openSearchStorageGiB)} GiB`,
      `${fmt(b.openSearchStorageGiB)} GiB`,
    ],
    [
      'invalidation paths/month',
      fmt(a.invalidationPathsPerMonth),
      fmt(b.invalidationPathsPerMonth),
    ],
    [
      'invalidation cost/month',
      `$${fmt(a.invalidationUsdPerMonth, 2)}`,
      `$${fmt(b.invalidationUsdPerMonth, 2)}`,
    ],
  ];
  const header = ['| figure | 13 regional edge caches | Origin Shield |', '| --- | ---: | ---: |'];
  return [...header, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

if (require.main === module) console.log(renderCapacityTable());
