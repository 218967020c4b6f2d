import { Injectable } from '@nestjs/common';
import { type CursorPage } from '../../core/http/cursor';
import { parseInstant } from '../../core/time/instant';
import type { AdminListQuery } from './dto/list-pages.query';
import {
  buildFindQuery,
  decodeFindCursor,
  encodeFindCursor,
  type FindSort,
  type PageFilters,
} from './page-finder';
import { type FoundPageRecord, PagesRepository } from './pages.repository';

/** The admin list: find pages by slug prefix, words, sponsor, term end, last write; sorted. */
@Injectable()
export class PageFindService {
  constructor(private readonly repo: PagesRepository) {}

  async find(query: AdminListQuery): Promise<CursorPage<FoundPageRecord>> {
    const sort: FindSort = query.sort ?? 'updatedAt';
    const filters = filtersOf(query);
    const after = query.cursor ? decodeFindCursor(query.cursor, filters, sort) : undefined;
    const built = buildFindQuery(filters, sort, after);
    if (!built.matchable) return { items: [], nextCursor: null };
    const rows = await this.repo.findPages(built, query.limit);
    const items = rows.slice(0, query.limit);
    return {
      items,
      nextCursor:
        rows.length > query.limit ? encodeFindCursor(filters, sort, items[items.length - 1]) : null,
    };
  }
}

function filtersOf(query: AdminListQuery): PageFilters {
  const filters: PageFilters = {};
  if (query.status) filters.status = query.status;
  if (query.slug) filters.slug = query.slug;
  if (query.q !== undefined) filters.q = query.q;
  if (query.sponsor !== undefined) filters.sponsor = query.sponsor;
  if (query.termEndsBefore)
    filters.termEndsBefore = parseInstant('termEndsBefore', query.termEndsBefore);
  if (query.updatedAfter) filters.updatedAfter = parseInstant('updatedAfter', query.updatedAfter);
  if (query.updatedBefore)
    filters.updatedBefore = parseInstant('updatedBefore', query.updatedBefore);
  return filters;
}
