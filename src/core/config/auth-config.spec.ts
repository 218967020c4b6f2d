import { AppConfig } from './app-config';

const base = { MONGODB_URI: 'mongodb://db.example:27017/pages', ADMIN_TOKEN: 'x'.repeat(32) };
const oidc = {
  OIDC_ISSUER: 'https://login.example.com/realms/staff',
  OIDC_AUDIENCE: 'sponsored-agents',
  OIDC_ROLE_MAP: 'cms-admins=admin, cms-editors=editor',
};

describe('auth configuration', () => {
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
