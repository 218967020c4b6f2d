import { isIP } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { isRole, type Role } from '../auth/roles';
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
  readonly log: {
    level: EnvironmentVariables['LOG_LEVEL'];
    format: EnvironmentVariables['LOG_FORMAT'];
  };
  readonly mongo: {
    uri: string;
    tlsCaFile?: string;
    retryWrites: boolean;
    readPreference: EnvironmentVariables['MONGODB_READ_PREFERENCE'];
    serverSelectionTimeoutMs: number;
    operationTimeoutMs: number;
    startupTimeoutMs: number;
    replicaLagAllowanceMs: number;
    healthTimeoutMs: number;
  };
  readonly auth: {
    /** The bootstrap admin secret; undefined when ADMIN_TOKEN_ENABLED=false. */
    adminToken?: string;
    tokenCacheTtlMs: number;
    /** API_TOKEN_MAX_LIFETIME_DAYS in ms. */
    tokenMaxLifetimeMs: number;
    /** For Fastify's `trustProxy`: false, or the proxies whose X-Forwarded-For is believed. */
    trustedProxies: string[] | false;
    failuresPerMinute: number;
    writesPerMinute: number;
    oidc?: {
      issuer: string;
      audience: string;
      rolesClaim: string;
      roleMap: ReadonlyMap<string, Role>;
      clockSkewSeconds: number;
      httpTimeoutMs: number;
      jwksCooldownMs: number;
      /** The `typ` header a token must carry (OIDC_REQUIRED_TOKEN_TYPE); undefined: any. */
      tokenType?: string;
    };
  };
  readonly audit: { drainIntervalMs: number };
  readonly cache: {
    maxAge: number;
    sMaxAge: number;
    staleWhileRevalidate: number;
    staleIfError: number;
    /** The in-process public response cache (0 ttl = off). */
    publicTtlMs: number;
    publicMaxBytes: number;
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
    settleMs: number;
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
    expansionBudget: number;
    cacheMaxBytes: number;
  };
  readonly loadShedding: {
    maxEventLoopDelayMs: number;
    maxHeapUsedBytes: number;
    sampleIntervalMs: number;
    retryAfterSeconds: number;
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
    this.log = { level: e.LOG_LEVEL, format: e.LOG_FORMAT };
    // Production logs are parsed (Fluent Bit, log search), and the image has no pino-pretty.
    if (e.NODE_ENV === 'production' && e.LOG_FORMAT === 'pretty') {
      throw invalid('LOG_FORMAT=pretty is for local runs; NODE_ENV=production logs JSON');
    }
    this.mongo = {
      uri: e.MONGODB_URI,
      tlsCaFile: e.MONGODB_TLS_CA_FILE,
      retryWrites: e.MONGODB_RETRY_WRITES,
      readPreference: e.MONGODB_READ_PREFERENCE,
      serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      operationTimeoutMs: e.MONGODB_OPERATION_TIMEOUT_MS,
      startupTimeoutMs: e.MONGODB_STARTUP_TIMEOUT_MS,
      replicaLagAllowanceMs: e.MONGODB_REPLICA_LAG_ALLOWANCE_MS,
      healthTimeoutMs: e.HEALTH_DB_TIMEOUT_MS,
    };
    this.auth = {
      adminToken: e.ADMIN_TOKEN_ENABLED ? e.ADMIN_TOKEN : undefined,
      tokenCacheTtlMs: e.API_TOKEN_CACHE_TTL_MS,
      tokenMaxLifetimeMs: e.API_TOKEN_MAX_LIFETIME_DAYS * 86_400_000,
      trustedProxies: parseTrustedProxies(e.TRUSTED_PROXIES),
      failuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      writesPerMinute: e.ADMIN_WRITES_PER_MINUTE,
      oidc: parseOidc(e),
    };
    if (e.ADMIN_TOKEN_ENABLED && !e.ADMIN_TOKEN) {
      throw invalid(
        'ADMIN_TOKEN is required while ADMIN_TOKEN_ENABLED is true (set it, or turn the bootstrap identity off with ADMIN_TOKEN_ENABLED=false)',
      );
    }
    this.audit = { drainIntervalMs: e.AUDIT_DRAIN_INTERVAL_MS };
    this.cache = {
      maxAge: e.CACHE_MAX_AGE,
      sMaxAge: e.CACHE_S_MAXAGE,
      staleWhileRevalidate: e.CACHE_STALE_WHILE_REVALIDATE,
      staleIfError: e.CACHE_STALE_IF_ERROR,
      publicTtlMs: e.PUBLIC_CACHE_TTL_MS,
      publicMaxBytes: e.PUBLIC_CACHE_MAX_BYTES,
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
      settleMs: e.CDN_INVALIDATION_SETTLE_MS,
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
      expansionBudget: e.SCHEDULE_EXPANSION_BUDGET,
      cacheMaxBytes: e.SCHEDULE_CACHE_MAX_BYTES,
    };
    // The edge must not re-fetch an old copy after its purge: see CDN_INVALIDATION_SETTLE_MS.
    const settleFloor = this.cache.publicTtlMs + this.mongo.replicaLagAllowanceMs;
    if (this.cdnInvalidation.settleMs < settleFloor) {
      throw new ConfigValidationError(
        `Invalid configuration:\n  - CDN_INVALIDATION_SETTLE_MS (${this.cdnInvalidation.settleMs}) must be at least PUBLIC_CACHE_TTL_MS (${this.cache.publicTtlMs}) + MONGODB_REPLICA_LAG_ALLOWANCE_MS (${this.mongo.replicaLagAllowanceMs})`,
      );
    }
    this.loadShedding = {
      maxEventLoopDelayMs: e.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes:
        e.LOAD_SHED_MAX_HEAP_USED_MB === undefined
          ? Math.floor(0.9 * getHeapStatistics().heap_size_limit)
          : e.LOAD_SHED_MAX_HEAP_USED_MB * 1024 * 1024,
      sampleIntervalMs: e.LOAD_SHED_SAMPLE_INTERVAL_MS,
      retryAfterSeconds: e.LOAD_SHED_RETRY_AFTER_SECONDS,
    };
    // Pressure is measured once per sample: a client told to retry sooner would only be shed again.
    if (this.loadShedding.retryAfterSeconds * 1000 < this.loadShedding.sampleIntervalMs) {
      throw new ConfigValidationError(
        `Invalid configuration:\n  - LOAD_SHED_RETRY_AFTER_SECONDS (${this.loadShedding.retryAfterSeconds}) must be at least LOAD_SHED_SAMPLE_INTERVAL_MS (${this.loadShedding.sampleIntervalMs}) in seconds`,
      );
    }
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

function invalid(message: string): ConfigValidationError {
  return new ConfigValidationError(`Invalid configuration:\n  - ${message}`);
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustedProxies(value: string | undefined): string[] | false {
  const entries = (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_KEYWORDS.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      rest.length > 0 ||
      (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix))
    ) {
      throw invalid(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    }
  }
  return entries.length > 0 ? entries : false;
}

// `cms-admins=admin, cms-editors=editor`: claim values (group names, app roles) to service roles.
function parseRoleMap(value: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const claimValue = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !claimValue || !isRole(role)) {
      throw invalid(
        `OIDC_ROLE_MAP: "${pair}" must be value=role with role one of viewer, editor, publisher, admin`,
      );
    }
    map.set(claimValue, role);
  }
  return map;
}

function parseOidc(e: EnvironmentVariables): AppConfig['auth']['oidc'] {
  if (!e.OIDC_ISSUER) {
    if (e.OIDC_AUDIENCE || e.OIDC_ROLE_MAP)
      throw invalid('OIDC_AUDIENCE and OIDC_ROLE_MAP need OIDC_ISSUER');
    return undefined;
  }
  if (!e.OIDC_AUDIENCE) throw invalid('OIDC_AUDIENCE is required with OIDC_ISSUER');
  const roleMap = parseRoleMap(e.OIDC_ROLE_MAP);
  if (roleMap.size === 0)
    throw invalid('OIDC_ROLE_MAP is required with OIDC_ISSUER (no mapping: nobody gets a role)');
  // Keys from a plain-HTTP issuer can be swapped in transit; loopback test issuers only.
  if (e.NODE_ENV === 'production' && !e.OIDC_ISSUER.startsWith('https://'))
    throw invalid('OIDC_ISSUER must be an https:// URL when NODE_ENV is production');
  return {
    issuer: e.OIDC_ISSUER,
    audience: e.OIDC_AUDIENCE,
    rolesClaim: e.OIDC_ROLES_CLAIM,
    roleMap,
    clockSkewSeconds: e.OIDC_CLOCK_SKEW_SECONDS,
    httpTimeoutMs: e.OIDC_HTTP_TIMEOUT_MS,
    jwksCooldownMs: e.OIDC_JWKS_COOLDOWN_MS,
    tokenType: e.OIDC_REQUIRED_TOKEN_TYPE === 'any' ? undefined : e.OIDC_REQUIRED_TOKEN_TYPE,
  };
}
