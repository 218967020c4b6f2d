import { DomainError } from '../../core/errors/domain.error';
import { DEFAULT_WINDOW_MS, resolveFilters } from './log-search.service';

describe('resolveFilters', () => {
  const now = new Date('2025-06-10T12:00:00Z');

  it('defaults to the last 24 hours', () => {
    const f = resolveFilters({}, now);
    expect(f.to).toEqual(now);
    expect(now.getTime() - f.from.getTime()).toBe(DEFAULT_WINDOW_MS);
  });

  it('counts the default window back from an explicit end', () => {
    const f = resolveFilters({ to: '2025-06-01T00:00:00Z' }, now);
    expect(f.from.toISOString()).toBe('2025-05-31T00:00:00.000Z');
  });

  it('accepts a range of exactly 31 days and refuses a longer one', () => {
    expect(() =>
      resolveFilters({ from: '2025-05-01T00:00:00Z', to: '2025-06-01T00:00:00Z' }, now),
    ).not.toThrow();
    expect(() =>
      resolveFilters({ from: '2025-05-01T00:00:00Z', to: '2025-06-01T00:00:00.001Z' }, now),
    ).toThrow(DomainError);
  });

  it('refuses an empty or inverted range', () => {
    expect(() =>
      resolveFilters({ from: '2025-06-01T00:00:00Z', to: '2025-06-01T00:00:00Z' }, now),
    ).toThrow(/before/);
  });

  it('ignores a blank text query and keeps the other filters as given', () => {
    const f = resolveFilters({ q: '   ', level: 'error', status: '5xx', route: '/v1/pages' }, now);
    expect(f).toMatchObject({ q: undefined, level: 'error', status: '5xx', route: '/v1/pages' });
  });
});
