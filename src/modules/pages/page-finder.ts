import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { decodeCursor, encodeCursor } from '../../core/http/cursor';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { MAX_QUERY_WORDS, prefixEnd, searchKey, searchWords } from './page-search';
import type { PageStatus } from './schemas/page.types';

/**
 * The admin list's filters and sorts as DocumentDB queries, each led by a declared index (see
 * page.schema.ts; test/query-shape.e2e-spec.ts holds every combination against them). Pure:
 * no database here, so the shapes are unit-tested too.
 *
 * Sort by `updatedAt` (newest first, `_id` breaking ties) or by `slug` (unique). Equality leads
 * (`status`, `sponsor`, a `q` word) walk a compound index in sort order; range leads (a `slug`
 * prefix, `termEndsBefore`, an `updatedAt` range) read only the matching index entries and sort
 * those. `sort=slug` is served by the slug indexes, so it combines with `status` and `slug` only.
 */
export const FIND_SORTS = ['updatedAt', 'slug'] as const;
export type FindSort = (typeof FIND_SORTS)[number];

export interface PageFilters {
  status?: PageStatus;
  /** Slug prefix. */
  slug?: string;
  /** Words, each a prefix of a word of the draft's title, agent name or sponsor name. */
  q?: string;
  /** The draft's sponsor name, exactly. */
  sponsor?: string;
  termEndsBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
}

/** What a list row must carry for its cursor. */
export interface CursorRow {
  _id: Types.ObjectId;
  slug: string;
  updatedAt: Date;
}

export interface FindQuery {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
  /** false: the filters cannot match anything (a `q` without a letter or digit). */
  matchable: boolean;
}

/** The filters `sort=slug` can be served with (by `slug_unique` and `status_slug`). */
const SLUG_SORT_FILTERS: readonly (keyof PageFilters)[] = ['status', 'slug'];

/** A cursor: sort, the fingerprint of sort and filters, the last row's sort key and id. */
interface FindCursor {
  s: FindSort;
  f: string;
  k: string;
  id: string;
}

const isFindCursor = (v: unknown): v is FindCursor => {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    (FIND_SORTS as readonly unknown[]).includes(c.s) &&
    typeof c.f === 'string' &&
    typeof c.k === 'string' &&
    c.k.length > 0 &&
    c.k.length <= 100 &&
    typeof c.id === 'string' &&
    /^[0-9a-f]{24}$/.test(c.id) &&
    (c.s !== 'updatedAt' || !Number.isNaN(Date.parse(c.k)))
  );
};

/** Checks the filter combination the sort can be served with; 400 naming the problem if not. */
export function checkSortFilters(filters: PageFilters, sort: FindSort): void {
  if (sort !== 'slug') return;
  const others = (Object.keys(filters) as (keyof PageFilters)[]).filter(
    (k) => filters[k] !== undefined && !SLUG_SORT_FILTERS.includes(k),
  );
  if (others.length > 0)
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `sort=slug combines only with status and slug (not ${others.join(', ')}); ` +
        'use sort=updatedAt with these filters',
    );
}

/** Ties a cursor to one sort and one set of filters: another list's cursor is refused. */
export function findFingerprint(filters: PageFilters, sort: FindSort): string {
  const canonical = JSON.stringify([
    sort,
    filters.status ?? null,
    filters.slug ?? null,
    filters.q === undefined ? null : searchWords(filters.q).map(searchKey),
    filters.sponsor ?? null,
    filters.termEndsBefore?.toISOString() ?? null,
    filters.updatedAfter?.toISOString() ?? null,
    filters.updatedBefore?.toISOString() ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeFindCursor(filters: PageFilters, sort: FindSort, last: CursorRow): string {
  const cursor: FindCursor = {
    s: sort,
    f: findFingerprint(filters, sort),
    k: sort === 'slug' ? last.slug : new Date(last.updatedAt).toISOString(),
    id: last._id.toHexString(),
  };
  return encodeCursor(cursor);
}

/** The position a cursor names, refused (400) when it was issued for another sort or filter. */
export function decodeFindCursor(
  cursor: string,
  filters: PageFilters,
  sort: FindSort,
): { key: string; id: Types.ObjectId } {
  const c = decodeCursor(cursor, isFindCursor);
  if (c.s !== sort || c.f !== findFingerprint(filters, sort))
    throw new DomainError(
      ErrorCode.BadRequest,
      'cursor belongs to another sort or filter: start again without a cursor',
    );
  return { key: c.k, id: new Types.ObjectId(c.id) };
}

/** The query of one page of the list, after the cursor's position if one is given. */
export function buildFindQuery(
  filters: PageFilters,
  sort: FindSort,
  after?: { key: string; id: Types.ObjectId },
): FindQuery {
  checkSortFilters(filters, sort);
  const parts: Record<string, unknown>[] = [];
  let matchable = true;
  if (filters.status) parts.push({ status: filters.status });
  if (filters.slug) parts.push({ slug: { $gte: filters.slug, $lt: prefixEnd(filters.slug) } });
  if (filters.q !== undefined) {
    const words = [...new Set(searchWords(filters.q).map(searchKey))];
    if (words.length === 0) matchable = false;
    if (words.length > MAX_QUERY_WORDS)
      throw new DomainError(ErrorCode.ValidationFailed, `q has more than ${MAX_QUERY_WORDS} words`);
    // Stored terms are every prefix of every word (page-search.ts): a prefix match is equality.
    for (const w of words) parts.push({ searchTerms: w });
  }
  if (filters.sponsor !== undefined) parts.push({ 'draft.sponsor.name': filters.sponsor });
  if (filters.termEndsBefore) parts.push({ 'sponsorship.endsAt': { $lt: filters.termEndsBefore } });
  if (filters.updatedAfter || filters.updatedBefore)
    parts.push({
      updatedAt: {
        ...(filters.updatedAfter ? { $gt: filters.updatedAfter } : {}),
        ...(filters.updatedBefore ? { $lt: filters.updatedBefore } : {}),
      },
    });
  if (after && sort === 'slug') parts.push({ slug: { $gt: after.key } });
  if (after && sort === 'updatedAt') {
    const at = new Date(after.key);
    // The range keeps the query on the updatedAt index; the $or breaks ties by _id.
    parts.push(
      { updatedAt: { $lte: at } },
      { $or: [{ updatedAt: { $lt: at } }, { updatedAt: at, _id: { $lt: after.id } }] },
    );
  }
  return {
    filter: parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { $and: parts },
    sort: sort === 'slug' ? { slug: 1 } : { updatedAt: -1, _id: -1 },
    matchable,
  };
}
