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

describe('AppConfig.fromEnvironment', () => {
  it('names every missing or invalid variable', () => {
    expect(() =>
      AppConfig.fromEnvironment({ PORT: 'eighty', MONGODB_READ_PREFERENCE: 'any' }),
    ).toThrow(/MONGODB_URI[\s\S]*PORT|PORT[\s\S]*MONGODB_URI/);
    expect(() => AppConfig.fromEnvironment({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => AppConfig.fromEnvironment({ ...base, MONGODB_READ_PREFERENCE: 'any' })).toThrow(
      /MONGODB_READ_PREFERENCE/,
    );
    expect(() => AppConfig.fromEnvironment({ ...base, ADMIN_TOKEN: 'short' })).toThrow(
      /ADMIN_TOKEN/,
    );
  });

  it('applies defaults and converts numbers and booleans', () => {
    const config = AppConfig.fromEnvironment({
      ...base,
      PORT: '8080',
      LOG_SHIPPER_ENABLED: 'true',
    });
    expect(config.http.port).toBe(8080);
    expect(config.openSearch.shipperEnabled).toBe(true);
    expect(config.cache.sMaxAge).toBe(300);
  });
});

const oidc = {
  OIDC_ISSUER: 'https://login.example.com/realms/staff',
  OIDC_AUDIENCE: 'sponsored-agents',
  OIDC_ROLE_MAP: 'cms-admins=admin, cms-editors=editor',
};

describe('AppConfig: auth settings', () => {
  it('needs ADMIN_TOKEN unless the bootstrap identity is turned off', () => {
    expect(() => AppConfig.fromEnvironment({ MONGODB_URI: base.MONGODB_URI })).toThrow(
      /ADMIN_TOKEN is required while ADMIN_TOKEN_ENABLED/,
    );
    const off = AppConfig.fromEnvironment({ ...base, ADMIN_TOKEN_ENABLED: 'false' });
    expect(off.auth.adminToken).toBeUndefined();
  });

  it('trusts X-Forwarded-For from no one unless TRUSTED_PROXIES says so, and checks each entry', () => {
    expect(AppConfig.fromEnvironment(base).auth.trustedProxies).toBe(false);
    expect(
      AppConfig.fromEnvironment({ ...base, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1' }).auth
        .trustedProxies,
    ).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
    for (const bad of ['10.0.0.0/33', '300.1.1.1', '*', '10.0.0.1/8/2', 'example.com'])
      expect(() => AppConfig.fromEnvironment({ ...base, TRUSTED_PROXIES: bad })).toThrow(
        /TRUSTED_PROXIES/,
      );
  });

  it('is off for OIDC by default and parses the role map when on', () => {
    expect(AppConfig.fromEnvironment(base).auth.oidc).toBeUndefined();
    const config = AppConfig.fromEnvironment({ ...base, ...oidc });
    expect([...config.auth.oidc!.roleMap]).toEqual([
      ['cms-admins', 'admin'],
      ['cms-editors', 'editor'],
    ]);
    expect(config.auth.oidc!.clockSkewSeconds).toBe(30);
  });

  it('names the OIDC variable that is missing or wrong', () => {
    expect(() => AppConfig.fromEnvironment({ ...base, ...oidc, OIDC_AUDIENCE: '' })).toThrow(
      /OIDC_AUDIENCE is required with OIDC_ISSUER/,
    );
    expect(() =>
      AppConfig.fromEnvironment({ ...base, ...oidc, OIDC_ROLE_MAP: 'cms-admins=owner' }),
    ).toThrow(/OIDC_ROLE_MAP/);
    expect(() => AppConfig.fromEnvironment({ ...base, OIDC_AUDIENCE: 'x' })).toThrow(
      /need OIDC_ISSUER/,
    );
    expect(() =>
      AppConfig.fromEnvironment({
        ...base,
        ...oidc,
        NODE_ENV: 'production',
        OIDC_ISSUER: 'http://login.example.com',
      }),
    ).toThrow(/OIDC_ISSUER must be an https/);
    expect(() =>
      AppConfig.fromEnvironment({ ...base, ...oidc, OIDC_CLOCK_SKEW_SECONDS: '3600' }),
    ).toThrow(/OIDC_CLOCK_SKEW_SECONDS/);
  });

  it('requires typ at+jwt by default; any turns the check off, and only that word does', () => {
    const typeOf = (env: Record<string, string>) =>
      AppConfig.fromEnvironment({ ...base, ...oidc, ...env }).auth.oidc!.tokenType;
    expect(typeOf({})).toBe('at+jwt');
    expect(typeOf({ OIDC_REQUIRED_TOKEN_TYPE: '' })).toBe('at+jwt');
    expect(typeOf({ OIDC_REQUIRED_TOKEN_TYPE: 'application/at+jwt' })).toBe('application/at+jwt');
    expect(typeOf({ OIDC_REQUIRED_TOKEN_TYPE: 'any' })).toBeUndefined();
    for (const bad of ['at+jwt, JWT', 'none at all', '*'])
      expect(() => typeOf({ OIDC_REQUIRED_TOKEN_TYPE: bad })).toThrow(/OIDC_REQUIRED_TOKEN_TYPE/);
  });
});

describe('AppConfig: shutdown settings', () => {
  it('drains 5 s by default in production and not at all elsewhere', () => {
    expect(AppConfig.fromEnvironment({ ...base, NODE_ENV: 'production' }).http).toMatchObject({
      shutdownDrainDelayMs: 5000,
      shutdownGraceMs: 10000,
    });
    expect(AppConfig.fromEnvironment(base).http.shutdownDrainDelayMs).toBe(0);
    expect(
      AppConfig.fromEnvironment({ ...base, NODE_ENV: 'production', SHUTDOWN_DRAIN_DELAY_MS: '0' })
        .http.shutdownDrainDelayMs,
    ).toBe(0);
  });

  it('refuses a drain delay that leaves no grace time for closing', () => {
    expect(() =>
      AppConfig.fromEnvironment({
        ...base,
        SHUTDOWN_DRAIN_DELAY_MS: '10000',
        SHUTDOWN_GRACE_MS: '10000',
      }),
    ).toThrow(/SHUTDOWN_DRAIN_DELAY_MS \(10000\) must be less than SHUTDOWN_GRACE_MS/);
    expect(() => AppConfig.fromEnvironment({ ...base, SHUTDOWN_DRAIN_DELAY_MS: 'soon' })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS/,
    );
  });
});

describe('AppConfig: page action scheduler settings', () => {
  it('polls every second with a 30 s lease by default', () => {
    expect(AppConfig.fromEnvironment(base).pageActions).toEqual({
      workerEnabled: true,
      pollMs: 1000,
      leaseMs: 30000,
      maxAttempts: 10,
    });
  });

  it('refuses a lease shorter than a hung database reply plus the page lock wait', () => {
    expect(() =>
      AppConfig.fromEnvironment({
        ...base,
        MONGODB_OPERATION_TIMEOUT_MS: '5000',
        PAGE_ACTIONS_LEASE_MS: '6000',
      }),
    ).toThrow(/PAGE_ACTIONS_LEASE_MS \(6000\) must be at least MONGODB_OPERATION_TIMEOUT_MS/);
  });
});
