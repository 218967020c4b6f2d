import { isDatabaseUnavailable, isDuplicateKey } from './mongo-errors';

describe('isDuplicateKey', () => {
  it('recognises MongoDB/DocumentDB and FerretDB unique-index clashes', () => {
    expect(isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error' })).toBe(true);
    expect(isDuplicateKey({ codeName: 'DuplicateKey' })).toBe(true);
    expect(
      isDuplicateKey({
        code: 1,
        codeName: 'InternalError',
        message: "constraint failed: UNIQUE constraint failed: index 'pages_slug_unique' (2067)",
      }),
    ).toBe(true);
  });

  it('does not mistake other failures for a clash', () => {
    expect(isDuplicateKey({ code: 1, message: 'disk I/O error' })).toBe(false);
    expect(isDuplicateKey(new Error('Server selection timed out'))).toBe(false);
    expect(isDuplicateKey(undefined)).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  const named = (name: string, message: string, extra: object = {}) =>
    Object.assign(new Error(message), { name, ...extra });

  it('recognises network, selection and timeout errors of the driver', () => {
    for (const name of [
      'MongoServerSelectionError',
      'MongoNetworkError',
      'MongoNetworkTimeoutError',
      'MongoPoolClearedError',
      'MongoWaitQueueTimeoutError',
      'MongoNotConnectedError',
    ])
      expect(isDatabaseUnavailable(named(name, 'x'))).toBe(true);
  });

  it('recognises wrapped network failures: a bulk write error around ECONNRESET, a cause chain', () => {
    expect(isDatabaseUnavailable(named('MongoBulkWriteError', 'read ECONNRESET'))).toBe(true);
    const wrapped = new Error('insert failed', {
      cause: named('MongoNetworkError', 'connection 3 to 127.0.0.1:27018 closed'),
    });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('recognises a primary that is going away by its server code', () => {
    expect(isDatabaseUnavailable(named('MongoServerError', 'not primary', { code: 10107 }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(named('MongoServerError', 'shutting down', { code: 91 }))).toBe(
      true,
    );
  });

  it('leaves real bugs and refusals alone (they stay 500 / 4xx)', () => {
    expect(isDatabaseUnavailable(named('MongoServerError', 'bad query', { code: 2 }))).toBe(false);
    expect(isDatabaseUnavailable(named('MongoBulkWriteError', 'E11000 duplicate key'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
