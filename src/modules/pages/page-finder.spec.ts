import { Types } from 'mongoose';
import { DomainError } from '../../core/errors/domain.error';
import { buildFindQuery, decodeFindCursor, encodeFindCursor } from './page-finder';

const row = {
  _id: new Types.ObjectId(),
  slug: 'jane-doe',
  updatedAt: new Date('2027-01-02T03:04:05Z'),
};

describe('page finder queries', () => {
  it('no filter: the newest first, ties broken by _id', () => {
    expect(buildFindQuery({}, 'updatedAt')).toEqual({
      filter: {},
      sort: { updatedAt: -1, _id: -1 },
      matchable: true,
    });
  });

  it('q: one equality per normalised word on the stored prefixes, combined with $and', () => {
    const { filter } = buildFindQuery({ q: 'Zoë ÅNG', status: 'draft' }, 'updatedAt');
    expect(filter).toEqual({
      $and: [{ status: 'draft' }, { searchTerms: 'zoe' }, { searchTerms: 'ang' }],
    });
  });

  it('a q without letters or digits matches nothing (no query is sent)', () => {
    expect(buildFindQuery({ q: '  --  ' }, 'updatedAt').matchable).toBe(false);
  });

  it('slug: a prefix range, sorted by slug after the cursor', () => {
    const after = { key: 'jane-b', id: row._id };
    expect(buildFindQuery({ slug: 'jane' }, 'slug', after)).toEqual({
      filter: {
        $and: [{ slug: { $gte: 'jane', $lt: 'jane\uffff' } }, { slug: { $gt: 'jane-b' } }],
      },
      sort: { slug: 1 },
      matchable: true,
    });
  });

  it('sort=slug with a filter no slug index serves is refused', () => {
    expect(() => buildFindQuery({ q: 'jane' }, 'slug')).toThrow(/sort=slug combines only/);
  });

  it('a cursor works only with the sort and filters it was issued for', () => {
    const cursor = encodeFindCursor({ q: 'jane' }, 'updatedAt', row);
    // The same words spelled differently are the same filter.
    expect(decodeFindCursor(cursor, { q: 'JANE' }, 'updatedAt')).toEqual({
      key: row.updatedAt.toISOString(),
      id: row._id,
    });
    expect(() => decodeFindCursor(cursor, { q: 'john' }, 'updatedAt')).toThrow(DomainError);
    expect(() => decodeFindCursor(cursor, { q: 'jane' }, 'slug')).toThrow(/another sort/);
  });
});
