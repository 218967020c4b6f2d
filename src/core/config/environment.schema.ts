import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidationError,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no', ''].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const IP_OR_CIDR = String.raw`(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]{1,2})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:/[0-9]{1,3})?|loopback|linklocal|uniquelocal)`;
/** What TRUSTED_PROXIES accepts; each entry is checked again with node:net in AppConfig. */
const TRUSTED_PROXIES = new RegExp(`^\\s*${IP_OR_CIDR}\\s*(?:,\\s*${IP_OR_CIDR}\\s*)*$`);

export const READ_PREFERENCES = [
  'primary',
  'primaryPreferred',
  'secondary',
  'secondaryPreferred',
  'nearest',
] as const;

/**
 * Every setting the service reads, validated once at boot. Names are the environment variable
 * names; defaults suit a local run.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be a mongodb:// URI' })
  MONGODB_URI!: string;

  /** Path of the CA bundle (DocumentDB: global-bundle.pem). Setting it turns TLS on. */
  @IsOptional()
  @IsString()
  MONGODB_TLS_CA_FILE?: string;

  /** DocumentDB does not support retryable writes. */
  @Transform(toBool)
  @IsBoolean()
  MONGODB_RETRY_WRITES = false;

  @IsIn(READ_PREFERENCES)
  MONGODB_READ_PREFERENCE: (typeof READ_PREFERENCES)[number] = 'primary';

  /**
   * Longest wait for the database before a reply is awaited: server selection, connecting, and
   * the wait for a pooled connection (the driver's waitQueueTimeoutMS), so a crowd of requests
   * on a hung database gets 503s instead of a queue.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS = 5000;

  /**
   * Longest wait for any one database reply (the driver's socketTimeoutMS). A hung or paused
   * database fails the operation with a network timeout (503 for a request, a retried poll for
   * the workers) instead of stalling it, and shutdown stays within its grace period.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  MONGODB_OPERATION_TIMEOUT_MS = 5000;

  /** Longest wait for start-up schema work (index builds), on a connection of its own. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  MONGODB_STARTUP_TIMEOUT_MS = 600000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  HEALTH_DB_TIMEOUT_MS = 1500;

  /**
   * The break-glass `bootstrap` admin identity (kept so existing deployments and the chart work).
   * Required while ADMIN_TOKEN_ENABLED is true.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /** Turn the bootstrap identity off once real tokens exist; ADMIN_TOKEN is then ignored. */
  @Transform(toBool)
  @IsBoolean()
  ADMIN_TOKEN_ENABLED = true;

  /**
   * How long a replica trusts what it read of an API token: the bound on how late a revocation
   * (or an expiry edit) takes effect on the other replicas. 0 reads the database every request.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  API_TOKEN_CACHE_TTL_MS = 5000;

  /**
   * Peers whose X-Forwarded-For is believed (comma-separated IPs or CIDRs, or proxy-addr's
   * `loopback`/`linklocal`/`uniquelocal`): the ingress controller. Empty: the direct peer is the
   * client. Rate limits and the audit trail's source IP depend on it.
   */
  @IsOptional()
  @Matches(TRUSTED_PROXIES, {
    message: 'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges',
  })
  TRUSTED_PROXIES?: string;

  /** Failed authentications one source address may make per minute before it gets 429s. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE = 10;

  /** Admin writes (non-GET) one identity may make per minute: a leaked token's blast radius. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ADMIN_WRITES_PER_MINUTE = 120;

  /** OIDC issuer URL (its discovery document is at /.well-known/openid-configuration). Unset: off. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  OIDC_ISSUER?: string;

  /** The `aud` the service's access tokens carry; required with OIDC_ISSUER. */
  @IsOptional()
  @IsString()
  OIDC_AUDIENCE?: string;

  /** The claim (dot path, e.g. `realm_access.roles`) holding the user's groups or roles. */
  @Matches(/^[A-Za-z0-9_:./-]+$/, { message: 'OIDC_ROLES_CLAIM must be a claim name or dot path' })
  OIDC_ROLES_CLAIM = 'groups';

  /** Claim values to roles, `value=role,...` (e.g. `cms-admins=admin,cms-editors=editor`). */
  @IsOptional()
  @IsString()
  OIDC_ROLE_MAP?: string;

  /**
   * The `typ` header an OIDC token must carry. RFC 9068 access tokens say `at+jwt`: requiring it
   * keeps an ID token (`typ: JWT`) from standing in for an access token where the issuer gives
   * both the same `aud`. `any` for issuers whose access tokens are not typed so (Entra ID, and
   * Keycloak by default); an empty value is unset, so it never turns the check off by accident.
   */
  @Matches(/^(any|[A-Za-z0-9!#$&^_.+-]+(\/[A-Za-z0-9!#$&^_.+-]+)?)$/, {
    message: 'OIDC_REQUIRED_TOKEN_TYPE must be a JWT typ (e.g. at+jwt) or any',
  })
  OIDC_REQUIRED_TOKEN_TYPE = 'at+jwt';

  /** Clock skew tolerated on `exp`/`nbf`/`iat`; kept small so an expired token stays expired. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  OIDC_CLOCK_SKEW_SECONDS = 30;

  /** Timeout of discovery and JWKS fetches; a failure refuses the JWT (401), never admits it. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  OIDC_HTTP_TIMEOUT_MS = 5000;

  /**
   * Least time between two JWKS fetches that an unknown `kid` triggers (key rotation); bounds
   * what a flood of made-up key ids can cost the issuer.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  OIDC_JWKS_COOLDOWN_MS = 30000;

  /**
   * How often each replica re-delivers audit entries a crashed write left in its page or token
   * document (the normal path delivers them at once).
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  AUDIT_DRAIN_INTERVAL_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_MAX_AGE = 0;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_S_MAXAGE = 300;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_STALE_WHILE_REVALIDATE = 60;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_STALE_IF_ERROR = 86400;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 256 * 1024;

  /** Budget from SIGTERM to exit, drain delay included; exceeded means a forced exit 1. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 10000;

  /**
   * After SIGTERM, readiness fails at once but requests are still served this long, so load
   * balancers stop routing before the server closes. Unset: 5000 in production, else 0.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_DRAIN_DELAY_MS?: number;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OPENSEARCH_URL?: string;

  @Transform(toBool)
  @IsBoolean()
  OPENSEARCH_AWS_SIGV4 = false;

  @IsIn(['es', 'aoss'])
  OPENSEARCH_AWS_SERVICE: 'es' | 'aoss' = 'es';

  @Transform(toBool)
  @IsBoolean()
  LOG_SHIPPER_ENABLED = false;

  /** Per-request timeout of OpenSearch calls, so log search fails fast with a 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  OPENSEARCH_REQUEST_TIMEOUT_MS = 5000;

  /** The data stream the service writes and searches its logs in (created from our template). */
  @Matches(/^[a-z0-9][a-z0-9._-]{0,199}$/, {
    message: 'LOG_INDEX must be a lowercase data stream name ([a-z0-9._-], no wildcards)',
  })
  LOG_INDEX = 'logs-sponsored-agents';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOG_SHIPPER_BATCH_SIZE = 500;

  /** Records held while OpenSearch is slow or down; beyond it records are dropped and counted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOG_SHIPPER_QUEUE_MAX = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  LOG_SHIPPER_FLUSH_INTERVAL_MS = 1000;

  @IsOptional()
  @IsString()
  CLOUDFRONT_DISTRIBUTION_ID?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  CLOUDFRONT_ENDPOINT?: string;

  @IsString()
  AWS_REGION = 'us-east-1';

  /** Per-call timeout of CloudFront API calls; must stay well under the worker lease. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CLOUDFRONT_REQUEST_TIMEOUT_MS = 10000;

  /** Run the CDN invalidation worker in this process (off: only record, another process sends). */
  @Transform(toBool)
  @IsBoolean()
  CDN_INVALIDATION_WORKER_ENABLED = true;

  /** How often the worker looks for new work. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  CDN_INVALIDATION_POLL_MS = 1000;

  /** Changes recorded within this window of the oldest pending one go out in one batch. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CDN_INVALIDATION_BATCH_WINDOW_MS = 2000;

  /** How long a worker owns a batch; a crashed worker's batches are taken over after it. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CDN_INVALIDATION_LEASE_MS = 60000;

  /** CreateInvalidation attempts before a batch is marked failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  CDN_INVALIDATION_MAX_ATTEMPTS = 8;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  CDN_INVALIDATION_BACKOFF_BASE_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  CDN_INVALIDATION_BACKOFF_MAX_MS = 120000;

  /** Least time between two CreateInvalidation calls for the distribution, across all replicas. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CDN_INVALIDATION_SEND_INTERVAL_MS = 1000;

  /** How often a sent invalidation is checked (GetInvalidation) until CloudFront completes it. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  CDN_INVALIDATION_STATUS_POLL_MS = 15000;

  /**
   * The earliest a change's invalidation is sent, after its write. Until then a public read may
   * still produce the old copy (from the in-process cache, up to PUBLIC_CACHE_TTL_MS, or from a
   * lagging secondary, up to MONGODB_REPLICA_LAG_ALLOWANCE_MS): purging the edge earlier would
   * let it fetch and keep that old copy. Must be at least their sum (checked at boot).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CDN_INVALIDATION_SETTLE_MS = 3000;

  /** In-process cache of public responses: how long an entry is served without a database read (0 = off). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUBLIC_CACHE_TTL_MS = 1000;

  /** The in-process cache's bound, in bytes of cached bodies (least recently used go first). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUBLIC_CACHE_MAX_BYTES = 64 * 1024 * 1024;

  /**
   * How far behind the primary a secondary may be when a public read lands on it (DocumentDB's
   * replica lag is usually well under a second; see its ReplicaLag metric). Used for the
   * settle-delay rule above.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  MONGODB_REPLICA_LAG_ALLOWANCE_MS = 1000;

  /**
   * Run the scheduler of page actions (scheduled publish/unpublish/archive, sponsorship terms)
   * in this process. Safe on every replica: actions are leased, never run twice.
   */
  @Transform(toBool)
  @IsBoolean()
  PAGE_ACTIONS_WORKER_ENABLED = true;

  /** How often the scheduler looks for due actions: an action runs at most about this late. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60000)
  PAGE_ACTIONS_POLL_MS = 1000;

  /**
   * How long a replica owns an action it runs; a replica that died mid-action has it taken over
   * after this. Only spares duplicate work: a re-run is recognised on the page and not repeated.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  PAGE_ACTIONS_LEASE_MS = 30000;

  /** Failed runs of one action (database errors) before it is recorded failed and alerted on. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  PAGE_ACTIONS_MAX_ATTEMPTS = 10;

  /** Most events one page's schedule may hold. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  SCHEDULE_MAX_EVENTS = 100;

  /** Most occurrences one `GET /v1/pages/:slug/schedule` returns (then `truncated: true`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  SCHEDULE_MAX_OCCURRENCES = 1000;

  /** Most occurrences one event contributes to one response. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  SCHEDULE_MAX_OCCURRENCES_PER_EVENT = 400;

  /**
   * Most candidate occurrences one schedule request may look at, across all its events; beyond
   * it the answer is cut (`truncated: true`). Bounds the CPU one public request can cost.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  SCHEDULE_EXPANSION_BUDGET = 20000;

  /**
   * Bytes of rendered schedule responses and feeds kept in process, keyed by the live page's ETag
   * (and window), so a CloudFront miss for a known window costs one small read. 0 turns it off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SCHEDULE_CACHE_MAX_BYTES = 16 * 1024 * 1024;

  /**
   * Public and admin requests get 503 + Retry-After while the event loop's mean delay over a
   * sample is above this (liveness and startup probes are never refused). 0 turns it off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS = 200;

  /**
   * The same when the V8 heap in use is above this many MiB, before the pod is OOM-killed.
   * Unset: 90% of the V8 heap limit; 0 turns it off.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LOAD_SHED_MAX_HEAP_USED_MB?: number;

  /** How often event-loop delay and heap are sampled for load shedding. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  LOAD_SHED_SAMPLE_INTERVAL_MS = 500;

  /** Retry-After of a shed request: long enough for the pressure to be measured again. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOAD_SHED_RETRY_AFTER_SECONDS = 5;

  /** Length of the occurrences window when the request gives no `to`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(366)
  SCHEDULE_DEFAULT_WINDOW_DAYS = 90;
}

export class ConfigValidationError extends Error {}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) =>
      msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`,
    ),
  );
}

/** Parses and validates the environment; throws one error naming every bad variable. */
export function validateEnvironment(env: Record<string, string | undefined>): EnvironmentVariables {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const config = plainToInstance(EnvironmentVariables, defined, {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      `Invalid configuration:\n  - ${describe(errors).join('\n  - ')}`,
    );
  }
  return config;
}
