import { isDuplicateKey } from './mongo-errors';

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
