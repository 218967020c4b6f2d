import {
  ConfigValidationError,
  EnvironmentVariables,
  validateEnvironment,
} from './environment.schema';

/** The validated settings, grouped by concern. Injected as a class token; loaded once at boot. */
export class AppConfig {
  readonly env: EnvironmentVariables['NODE_ENV'];
  readonly http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    shutdownGraceMs: number;
    shutdownDrainDelayMs: number;
  };
  readonly metrics: { port: number };
  readonly log: { level: EnvironmentVariables['LOG_LEVEL'] };
  readonly mongo: {
    uri: string;
    tlsCaFile?: string;
    retryWrites: boolean;
    readPreference: EnvironmentVariables['MONGODB_READ_PREFERENCE'];
    serverSelectionTimeoutMs: number;
    operationTimeoutMs: number;
    healthTimeoutMs: number;
  };
  readonly auth: { adminToken: string };
  readonly cache: {
    maxAge: number;
    sMaxAge: number;
    staleWhileRevalidate: number;
    staleIfError: number;
  };
  readonly openSearch: {
    url?: string;
    awsSigV4: boolean;
    awsService: 'es' | 'aoss';
    shipperEnabled: boolean;
    requestTimeoutMs: number;
    region: string;
    logIndex: string;
    shipper: { batchSize: number; queueMax: number; flushIntervalMs: number };
  };
  readonly cloudFront: {
    distributionId?: string;
    endpoint?: string;
    region: string;
    requestTimeoutMs: number;
  };
  readonly cdnInvalidation: {
    workerEnabled: boolean;
    pollMs: number;
    batchWindowMs: number;
    leaseMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    sendIntervalMs: number;
    statusPollMs: number;
  };
  readonly pageActions: {
    workerEnabled: boolean;
    pollMs: number;
    leaseMs: number;
    maxAttempts: number;
  };
  readonly schedules: {
    maxEvents: number;
    maxOccurrences: number;
    maxOccurrencesPerEvent: number;
    defaultWindowDays: number;
  };

  constructor(e: EnvironmentVariables) {
    this.env = e.NODE_ENV;
    this.http = {
      host: e.HOST,
      port: e.PORT,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS ?? (e.NODE_ENV === 'production' ? 5000 : 0),
    };
    // The grace period bounds the whole shutdown; a drain that fills it leaves none for closing.
    if (
      this.http.shutdownGraceMs > 0 &&
      this.http.shutdownDrainDelayMs >= this.http.shutdownGraceMs
    ) {
      throw new ConfigValidationError(
        `Invalid configuration:\n  - SHUTDOWN_DRAIN_DELAY_MS (${this.http.shutdownDrainDelayMs}) must be less than SHUTDOWN_GRACE_MS (${this.http.shutdownGraceMs})`,
      );
    }
    this.metrics = { port: e.METRICS_PORT };
    this.log = { level: e.LOG_LEVEL };
    this.mongo = {
      uri: e.MONGODB_URI,
      tlsCaFile: e.MONGODB_TLS_CA_FILE,
      retryWrites: e.MONGODB_RETRY_WRITES,
      readPreference: e.MONGODB_READ_PREFERENCE,
      serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      operationTimeoutMs: e.MONGODB_OPERATION_TIMEOUT_MS,
      healthTimeoutMs: e.HEALTH_DB_TIMEOUT_MS,
    };
    this.auth = { adminToken: e.ADMIN_TOKEN };
    this.cache = {
      maxAge: e.CACHE_MAX_AGE,
      sMaxAge: e.CACHE_S_MAXAGE,
      staleWhileRevalidate: e.CACHE_STALE_WHILE_REVALIDATE,
      staleIfError: e.CACHE_STALE_IF_ERROR,
    };
    this.openSearch = {
      url: e.OPENSEARCH_URL,
      awsSigV4: e.OPENSEARCH_AWS_SIGV4,
      awsService: e.OPENSEARCH_AWS_SERVICE,
      shipperEnabled: e.LOG_SHIPPER_ENABLED,
      requestTimeoutMs: e.OPENSEARCH_REQUEST_TIMEOUT_MS,
      region: e.AWS_REGION,
      logIndex: e.LOG_INDEX,
      shipper: {
        batchSize: e.LOG_SHIPPER_BATCH_SIZE,
        queueMax: e.LOG_SHIPPER_QUEUE_MAX,
        flushIntervalMs: e.LOG_SHIPPER_FLUSH_INTERVAL_MS,
      },
    };
    this.cloudFront = {
      distributionId: e.CLOUDFRONT_DISTRIBUTION_ID,
      endpoint: e.CLOUDFRONT_ENDPOINT,
      region: e.AWS_REGION,
      requestTimeoutMs: e.CLOUDFRONT_REQUEST_TIMEOUT_MS,
    };
    this.cdnInvalidation = {
      workerEnabled: e.CDN_INVALIDATION_WORKER_ENABLED,
      pollMs: e.CDN_INVALIDATION_POLL_MS,
      batchWindowMs: e.CDN_INVALIDATION_BATCH_WINDOW_MS,
      leaseMs: e.CDN_INVALIDATION_LEASE_MS,
      maxAttempts: e.CDN_INVALIDATION_MAX_ATTEMPTS,
      backoffBaseMs: e.CDN_INVALIDATION_BACKOFF_BASE_MS,
      backoffMaxMs: e.CDN_INVALIDATION_BACKOFF_MAX_MS,
      sendIntervalMs: e.CDN_INVALIDATION_SEND_INTERVAL_MS,
      statusPollMs: e.CDN_INVALIDATION_STATUS_POLL_MS,
    };
    this.pageActions = {
      workerEnabled: e.PAGE_ACTIONS_WORKER_ENABLED,
      pollMs: e.PAGE_ACTIONS_POLL_MS,
      leaseMs: e.PAGE_ACTIONS_LEASE_MS,
      maxAttempts: e.PAGE_ACTIONS_MAX_ATTEMPTS,
    };
    // A run is a few database replies plus, at worst, the page lock's 3 s wait: a lease shorter
    // than one hung reply and that wait would hand a healthy run to another replica.
    if (this.pageActions.leaseMs < this.mongo.operationTimeoutMs + 3000) {
      throw new ConfigValidationError(
        `Invalid configuration:\n  - PAGE_ACTIONS_LEASE_MS (${this.pageActions.leaseMs}) must be at least MONGODB_OPERATION_TIMEOUT_MS (${this.mongo.operationTimeoutMs}) + 3000`,
      );
    }
    this.schedules = {
      maxEvents: e.SCHEDULE_MAX_EVENTS,
      maxOccurrences: e.SCHEDULE_MAX_OCCURRENCES,
      maxOccurrencesPerEvent: e.SCHEDULE_MAX_OCCURRENCES_PER_EVENT,
      defaultWindowDays: e.SCHEDULE_DEFAULT_WINDOW_DAYS,
    };
    // A send must finish (or time out) while its lease holds, or another replica could send again.
    if (this.cdnInvalidation.leaseMs < 2 * this.cloudFront.requestTimeoutMs) {
      throw new ConfigValidationError(
        `Invalid configuration:\n  - CDN_INVALIDATION_LEASE_MS (${this.cdnInvalidation.leaseMs}) must be at least twice CLOUDFRONT_REQUEST_TIMEOUT_MS (${this.cloudFront.requestTimeoutMs})`,
      );
    }
  }

  static fromEnvironment(env: Record<string, string | undefined> = process.env): AppConfig {
    return new AppConfig(validateEnvironment(env));
  }
}
