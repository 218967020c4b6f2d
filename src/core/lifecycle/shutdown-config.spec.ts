import { AppConfig } from '../config/app-config';

const base = { MONGODB_URI: 'mongodb://db.example:27017/pages', ADMIN_TOKEN: 'x'.repeat(32) };

describe('shutdown settings', () => {
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
