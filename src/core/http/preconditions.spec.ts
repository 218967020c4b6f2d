import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { contentEtag, ifNoneMatchHits, parseIfMatch, versionEtag } from './preconditions';

const codeOf = (fn: () => unknown): ErrorCode | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return undefined;
};

describe('parseIfMatch', () => {
  it('reads quoted, bare and weak version tags', () => {
    expect(parseIfMatch('"7"')).toBe(7);
    expect(parseIfMatch('12')).toBe(12);
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch(versionEtag(41))).toBe(41);
  });

  it('requires the header and refuses garbage', () => {
    expect(codeOf(() => parseIfMatch(undefined))).toBe(ErrorCode.PreconditionRequired);
    expect(codeOf(() => parseIfMatch(' '))).toBe(ErrorCode.PreconditionRequired);
    expect(codeOf(() => parseIfMatch('"abc"'))).toBe(ErrorCode.BadRequest);
    expect(codeOf(() => parseIfMatch('*'))).toBe(ErrorCode.BadRequest);
  });
});

describe('ifNoneMatchHits', () => {
  const etag = contentEtag('{"a":1}');

  it('matches exact, weak, listed and wildcard tags', () => {
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
  });

  it('misses on other tags or no header', () => {
    expect(ifNoneMatchHits('"other"', etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
  });

  it('derives distinct strong tags from distinct bodies', () => {
    expect(contentEtag('{"a":1}')).not.toBe(contentEtag('{"a":2}'));
    expect(contentEtag('{"a":1}')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  });
});
