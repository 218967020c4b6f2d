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
