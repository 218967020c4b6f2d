import { AppConfig } from './app-config';

const base = { MONGODB_URI: 'mongodb://db.example:27017/pages', ADMIN_TOKEN: 'x'.repeat(32) };

describe('AppConfig: the CDN settle delay covers the public cache and replica lag', () => {
  it('accepts the defaults (1 s cache + 1 s lag allowance, 3 s settle)', () => {
    const config = AppConfig.fromEnvironment(base);
    expect(config.cdnInvalidation.settleMs).toBe(3000);
    expect(config.cache.publicTtlMs).toBe(1000);
  });

  it('refuses a settle delay shorter than cache TTL + replica lag, naming the variables', () => {
    expect(() =>
      AppConfig.fromEnvironment({
        ...base,
        PUBLIC_CACHE_TTL_MS: '2000',
        MONGODB_REPLICA_LAG_ALLOWANCE_MS: '1000',
        CDN_INVALIDATION_SETTLE_MS: '2500',
      }),
    ).toThrow(
      /CDN_INVALIDATION_SETTLE_MS \(2500\) must be at least PUBLIC_CACHE_TTL_MS \(2000\) \+ MONGODB_REPLICA_LAG_ALLOWANCE_MS \(1000\)/,
    );
  });

  it('allows no settle delay when there is neither a cache nor replica reads to wait out', () => {
    const config = AppConfig.fromEnvironment({
      ...base,
      PUBLIC_CACHE_TTL_MS: '0',
      MONGODB_REPLICA_LAG_ALLOWANCE_MS: '0',
      CDN_INVALIDATION_SETTLE_MS: '0',
    });
    expect(config.cdnInvalidation.settleMs).toBe(0);
  });
});

describe('AppConfig: LOG_FORMAT', () => {
  it('is json unless asked otherwise, and pretty may be asked for outside production', () => {
    expect(AppConfig.fromEnvironment(base).log.format).toBe('json');
    expect(AppConfig.fromEnvironment({ ...base, LOG_FORMAT: 'pretty' }).log.format).toBe('pretty');
  });

  it('refuses pretty with NODE_ENV=production, naming the variable', () => {
    expect(() =>
      AppConfig.fromEnvironment({ ...base, NODE_ENV: 'production', LOG_FORMAT: 'pretty' }),
    ).toThrow(/LOG_FORMAT=pretty is for local runs/);
  });

  it('refuses an unknown format, naming the variable', () => {
    expect(() => AppConfig.fromEnvironment({ ...base, LOG_FORMAT: 'text' })).toThrow(
      /LOG_FORMAT must be one of the following values: json, pretty/,
    );
  });
});
