import { AppConfig } from './app-config';
import { buildMongoOptions } from './mongo-options';

const base = { MONGODB_URI: 'mongodb://db.example:27017/pages', ADMIN_TOKEN: 'x'.repeat(32) };

describe('buildMongoOptions', () => {
  it('defaults to DocumentDB-safe options without TLS', () => {
    const options = buildMongoOptions(AppConfig.fromEnvironment(base).mongo);
    expect(options).toMatchObject({
      uri: 'mongodb://db.example:27017/pages',
      retryWrites: false,
      readPreference: 'primary',
      bufferCommands: false,
      monitorCommands: true,
    });
    expect(options.tls).toBeUndefined();
    expect(options.tlsCAFile).toBeUndefined();
  });

  it('turns TLS on with the CA bundle and honours the read preference', () => {
    const options = buildMongoOptions(
      AppConfig.fromEnvironment({
        ...base,
        MONGODB_TLS_CA_FILE: '/etc/docdb/global-bundle.pem',
        MONGODB_READ_PREFERENCE: 'secondaryPreferred',
      }).mongo,
    );
    expect(options).toMatchObject({
      tls: true,
      tlsCAFile: '/etc/docdb/global-bundle.pem',
      readPreference: 'secondaryPreferred',
      retryWrites: false,
    });
  });

  it('bounds every step of an operation: connect, server selection, the wait for a pooled connection and each reply', () => {
    const options = buildMongoOptions(
      AppConfig.fromEnvironment({
        ...base,
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: '3000',
        MONGODB_OPERATION_TIMEOUT_MS: '2500',
      }).mongo,
    );
    expect(options).toMatchObject({
      serverSelectionTimeoutMS: 3000,
      connectTimeoutMS: 3000,
      waitQueueTimeoutMS: 3000,
      socketTimeoutMS: 2500,
    });
    expect(buildMongoOptions(AppConfig.fromEnvironment(base).mongo).socketTimeoutMS).toBe(5000);
  });

  it('lets retryable writes be turned on explicitly for MongoDB proper', () => {
    const options = buildMongoOptions(
      AppConfig.fromEnvironment({ ...base, MONGODB_RETRY_WRITES: 'true' }).mongo,
    );
    expect(options.retryWrites).toBe(true);
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
