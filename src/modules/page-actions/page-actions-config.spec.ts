import { AppConfig } from '../../core/config/app-config';

const base = { MONGODB_URI: 'mongodb://db.example:27017/pages', ADMIN_TOKEN: 'x'.repeat(32) };

describe('page action scheduler settings', () => {
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
