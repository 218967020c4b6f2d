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

  @Transform(toInt)
  @IsInt()
  @Min(100)
  HEALTH_DB_TIMEOUT_MS = 1500;

  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN!: string;

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
