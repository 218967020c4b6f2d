import { blockedBy, decide, nextOfflineAt } from './action-decision';

const term = {
  termId: 't1',
  startsAt: new Date('2027-01-01T00:00:00Z'),
  endsAt: new Date('2027-02-01T00:00:00Z'),
  approvedVersion: 2,
  setAt: new Date('2026-12-01T00:00:00Z'),
  setBy: 'admin',
};
const page = (over: Record<string, unknown> = {}) => ({
  status: 'draft' as const,
  lastActionId: undefined,
  sponsorship: term,
  ...over,
});
const action = (over: Record<string, unknown> = {}) => ({
  _id: 'a1',
  kind: 'publish' as const,
  source: 'api' as const,
  termId: undefined,
  ...over,
});

describe('decide', () => {
  it('runs a publish of a draft page and an unpublish of a published one', () => {
    expect(decide(action(), page())).toEqual({ run: true });
    expect(decide(action({ kind: 'unpublish' }), page({ status: 'published' }))).toEqual({
      run: true,
    });
  });

  it('skips an action of a deleted page', () => {
    expect(decide(action(), null)).toMatchObject({ outcome: 'skipped', reason: /deleted/ });
  });

  it('recognises its own earlier write: done, not run twice', () => {
    expect(decide(action(), page({ status: 'published', lastActionId: 'a1' }))).toMatchObject({
      run: false,
      outcome: 'done',
    });
  });

  it('skips what the page state made moot', () => {
    expect(decide(action({ kind: 'unpublish' }), page())).toMatchObject({
      outcome: 'skipped',
      reason: 'the page is draft, not published',
    });
    expect(decide(action({ kind: 'archive' }), page({ status: 'archived' }))).toMatchObject({
      outcome: 'skipped',
    });
    expect(decide(action(), page({ status: 'archived' }))).toMatchObject({ outcome: 'skipped' });
  });

  it("skips a term's action once the term was replaced or removed", () => {
    const a = action({ source: 'term', termId: 't0', kind: 'unpublish' });
    expect(decide(a, page({ status: 'published' }))).toMatchObject({
      outcome: 'skipped',
      reason: /term/,
    });
    expect(decide(a, page({ status: 'published', sponsorship: null }))).toMatchObject({
      outcome: 'skipped',
    });
  });

  it("does not let a term's start overwrite a page already published by hand", () => {
    expect(
      decide(action({ source: 'term', termId: 't1' }), page({ status: 'published' })),
    ).toMatchObject({ outcome: 'skipped', reason: /already published/ });
  });
});

describe('blockedBy', () => {
  const at = (s: string) => new Date(s);
  it('an earlier open action of the page goes first', () => {
    const open = [
      { _id: 'p', at: at('2027-01-01T00:00:00Z') },
      { _id: 'u', at: at('2027-01-02T00:00:00Z') },
    ];
    expect(blockedBy(open[1], open)).toBe('p');
    expect(blockedBy(open[0], open)).toBeNull();
  });
});

describe('nextOfflineAt', () => {
  it('the earliest unpublish or archive that still applies', () => {
    const open = [
      { kind: 'publish' as const, at: new Date(1), source: 'api' as const },
      { kind: 'unpublish' as const, at: new Date(5), source: 'term' as const, termId: 'old' },
      { kind: 'archive' as const, at: new Date(9), source: 'api' as const },
      { kind: 'unpublish' as const, at: new Date(7), source: 'term' as const, termId: 't1' },
    ];
    expect(nextOfflineAt({ sponsorship: term }, open)).toEqual(new Date(7));
    expect(nextOfflineAt({ sponsorship: null }, open.slice(0, 1))).toBeNull();
  });
});
