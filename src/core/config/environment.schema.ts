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
import { ConfigValidationError } from './config-validation.error';

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
export const LOG_FORMATS = ['json', 'pretty'] as const;
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
  /**
   * `production` turns on what only production needs: the 5 s shutdown drain delay by default,
   * https-only OIDC issuers, JSON logs only.
   */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** The API listener: public and admin API, health probes, Swagger UI. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** Address of the API and metrics listeners (`npm run dev` binds 127.0.0.1). */
  @IsString()
  HOST = '0.0.0.0';

  /**
   * Prometheus `/metrics`, on HOST but never on the API port, so no Ingress routes to it. 0 turns
   * it off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  /** Least level of the log lines written (pino's levels; `silent` writes none). */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /**
   * `pretty`: human-readable lines (pino-pretty) for a person at a terminal; `npm run dev` sets it.
   * Everything else reads JSON (Fluent Bit, log search), and pino-pretty is a devDependency that
   * the image leaves out, so it is refused with NODE_ENV=production.
   */
  @IsIn(LOG_FORMATS)
  LOG_FORMAT: (typeof LOG_FORMATS)[number] = 'json';

  /**
   * The database: DocumentDB (FerretDB locally), e.g.
   * `mongodb://user:pass@<cluster endpoint>:27017/sponsored_agents?replicaSet=rs0`.
   */
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

  /**
   * Where public reads may go: `secondaryPreferred` spreads them over DocumentDB's replicas. Reads
   * that decide writes and admin reads go to the primary whatever this says.
   */
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

  /**
   * Timeout of readiness's database ping: a hung database fails the probe instead of stalling it.
   */
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
   * The longest an API token may live. A token is a bearer secret that ends up in scripts and CI
   * settings; one that never expires outlives the person and the need it was made for. Every new
   * token gets an expiry within it (none given: the full lifetime; a later one is refused with
   * 400), and a stored token without an expiry stops working this long after its creation.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  API_TOKEN_MAX_LIFETIME_DAYS = 365;

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

  /**
   * Failed authentications one source address may make per minute before it gets 429s (counted
   * per pod, in memory).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE = 10;

  /**
   * Admin writes (non-GET) one identity may make per minute, per pod: a leaked token's blast
   * radius. Refused requests (403) count against the same budget, so probing costs as much as
   * writing.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ADMIN_WRITES_PER_MINUTE = 120;

  /**
   * OIDC issuer URL (its discovery document is at /.well-known/openid-configuration). Unset: off.
   * Needs OIDC_AUDIENCE and OIDC_ROLE_MAP; https only with NODE_ENV=production (keys fetched over
   * plain HTTP could be swapped in transit).
   */
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

  /**
   * Browser freshness of public responses (`max-age`), seconds. Browsers cannot be purged as the
   * CDN is, so they revalidate by default.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_MAX_AGE = 0;

  /**
   * CDN freshness of public responses (`s-maxage`), seconds. Every public change purges the CDN,
   * so it can be long; cut short while an unpublish is scheduled.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_S_MAXAGE = 300;

  /**
   * Seconds the CDN may serve a stale copy while it fetches a new one (`stale-while-revalidate`).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_STALE_WHILE_REVALIDATE = 60;

  /**
   * Seconds the CDN, and the in-process cache, may serve a stale copy while the origin or the
   * database fails (`stale-if-error`).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_STALE_IF_ERROR = 86400;

  /** Largest request body; larger ones get `413` before they are parsed. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 256 * 1024;

  /**
   * Budget from SIGTERM to exit, drain delay included; exceeded means a forced exit 1. Keep it
   * below the pod's terminationGracePeriodSeconds.
   */
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

  /**
   * OpenSearch endpoint of log search and of the in-app shipper. Unset: log search answers `503`;
   * readiness reports OpenSearch but never fails on it.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OPENSEARCH_URL?: string;

  /**
   * Sign OpenSearch requests with SigV4 (Amazon OpenSearch Service), in AWS_REGION, with the
   * default credential chain (IRSA in EKS).
   */
  @Transform(toBool)
  @IsBoolean()
  OPENSEARCH_AWS_SIGV4 = false;

  /**
   * The SigV4 service name: `es` for an OpenSearch Service domain, `aoss` for OpenSearch
   * Serverless.
   */
  @IsIn(['es', 'aoss'])
  OPENSEARCH_AWS_SERVICE: 'es' | 'aoss' = 'es';

  /**
   * Ship the process's own log records to OpenSearch from inside the app (local runs, tests). Off
   * in EKS, where Fluent Bit ships stdout: both would index every record twice.
   */
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

  /** Records per bulk request of the in-app shipper. */
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

  /** How often the in-app shipper sends what it holds, full batch or not. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  LOG_SHIPPER_FLUSH_INTERVAL_MS = 1000;

  /**
   * The distribution whose paths are invalidated. Unset: invalidations are recorded as `skipped`,
   * so local runs work without CloudFront.
   */
  @IsOptional()
  @IsString()
  CLOUDFRONT_DISTRIBUTION_ID?: string;

  /** CloudFront API endpoint override (the local stack's moto); unset in production. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  CLOUDFRONT_ENDPOINT?: string;

  /** Region of the AWS SDK clients (CloudFront, OpenSearch SigV4). */
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

  /**
   * How long a worker owns a batch; a crashed worker's batches are taken over after it. Also the
   * period of the sweep that finishes what a poll cut short left behind.
   */
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

  /**
   * Ceiling of the first retry delay after a throttled, 5xx or network-failed CreateInvalidation;
   * the ceiling doubles per attempt and the delay is drawn below it (full jitter).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CDN_INVALIDATION_BACKOFF_BASE_MS = 1000;

  /** The most that retry ceiling grows to. */
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
   * Public and admin requests get 503 + Retry-After, and readiness fails, while the event loop's
   * mean delay over a sample is above this (liveness and startup probes are never refused).
   * 0 turns it off.
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

export { ConfigValidationError };

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
