import { DateTime } from 'luxon';
import { DATE_TIME_PATTERN, LOCAL_DATE_PATTERN, LOCAL_DATE_TIME_PATTERN } from './field-rules';
import { EMAIL_PATTERN, HTTP_URL_PATTERN } from './url-rules';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('field rules (the patterns validation and the OpenAPI document share)', () => {
  it('LOCAL_DATE_PATTERN accepts exactly the real dates of 1970-2199 (every candidate tried)', () => {
    // The domain is small enough to try whole: every year 1960-2210, month 00-13, day 00-32.
    const wrong: string[] = [];
    for (let year = 1960; year <= 2210; year++)
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
          const real =
            year >= 1970 && year <= 2199 && DateTime.fromObject({ year, month, day }).isValid;
          if (LOCAL_DATE_PATTERN.test(text) !== real) wrong.push(text);
        }
    expect(wrong).toEqual([]);
    expect(LOCAL_DATE_PATTERN.test('2000-02-29')).toBe(true);
    expect(LOCAL_DATE_PATTERN.test('2100-02-29')).toBe(false);
    expect(LOCAL_DATE_PATTERN.test('1982-02-29')).toBe(false);
  });

  it('DATE_TIME_PATTERN knows the Gregorian leap years of 0000-9999', () => {
    const wrong: number[] = [];
    for (let year = 0; year <= 9999; year++) {
      const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      if (DATE_TIME_PATTERN.test(`${pad(year, 4)}-02-29T00:00:00Z`) !== leap) wrong.push(year);
    }
    expect(wrong).toEqual([]);
  });

  it('LOCAL_DATE_TIME_PATTERN takes wall-clock minutes only', () => {
    expect(LOCAL_DATE_TIME_PATTERN.test('2027-03-01T09:00')).toBe(true);
    expect(LOCAL_DATE_TIME_PATTERN.test('2027-03-01T24:00')).toBe(false);
    expect(LOCAL_DATE_TIME_PATTERN.test('2027-03-01T09:00:00')).toBe(false);
  });

  it('DATE_TIME_PATTERN takes RFC 3339 instants with seconds and Z or an offset', () => {
    for (const ok of [
      '2025-06-01T10:00:00Z',
      '2025-06-01T12:00:00.5+02:00',
      '0001-01-01T00:00:00Z',
    ])
      expect(DATE_TIME_PATTERN.test(ok)).toBe(true);
    for (const bad of [
      '2025-06-01',
      '2025-06-01T10:00Z',
      '2025-02-30T10:00:00Z',
      '2025-06-01T10:00:00',
    ])
      expect(DATE_TIME_PATTERN.test(bad)).toBe(false);
  });

  it('HTTP_URL_PATTERN: absolute http(s) links only', () => {
    for (const ok of ['https://acme.example.com', 'http://10.0.0.1:8080/a?b=c#d', 'https://x/%20'])
      expect(HTTP_URL_PATTERN.test(ok)).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      '/relative',
      'https://a b',
      'https://x/%zz',
      'ftp://x',
    ])
      expect(HTTP_URL_PATTERN.test(bad)).toBe(false);
    expect(EMAIL_PATTERN.test('jane@example.com')).toBe(true);
    expect(EMAIL_PATTERN.test('jane@localhost')).toBe(false);
  });
});
