import { Injectable } from '@nestjs/common';
import { PublicCache } from '../../../core/cache/public-cache';
import {
  type CacheHit,
  publicRepresentation,
  type PublicRepresentation,
  representationBytes,
} from '../../../core/cache/public-representation';
import { decodeCursor, isNonEmptyString, paginate } from '../../../core/http/cursor';
import { contentEtag } from '../../../core/http/preconditions';
import { toPublicList } from '../page.presenter';
import { AppConfig } from '../../../core/config/app-config';
import {
  FROM_PRIMARY,
  type LiveScheduleRecord,
  PagesRepository,
  type PublicRead,
} from '../pages.repository';
import { assertPossibleSlug, pageNotFound } from '../public-paths';

/** A public read of a former slug: the page is live under `movedTo` (answered `301`). */
export interface PageMoved {
  movedTo: string;
  /** The target's scheduled unpublish: the redirect is not cacheable past it either. */
  notAfter: Date | null;
}

/** What a public read of a slug finds: the live page, a redirect, or nothing (`404`). */
export type PublicPageLookup = PublicRepresentation | PageMoved;

export const isMoved = (found: PublicPageLookup | LiveScheduleRecord): found is PageMoved =>
  'movedTo' in found;

const lookupBytes = (found: PublicPageLookup | null): number =>
  found && isMoved(found) ? 64 + found.movedTo.length : representationBytes(found);

/** The earliest of some instants, or null when there is none. */
const earliest = (instants: (Date | null | undefined)[]): Date | null =>
  instants.reduce<Date | null>((min, at) => (at && (!min || at < min) ? at : min), null);

// Cache keys: a page's slug (its body, a redirect or a "not found"), and the list pages, all of
// one group (`list`) that a pod's own write evicts at once (PublicCache.evict).
const publicPageKey = (slug: string): string => `page:${slug}`;
const LIST_GROUP = 'list';
const publicListKey = (limit: number, after: string | undefined): string =>
  `${LIST_GROUP}:${limit}:${after ?? ''}`;

/**
 * The public reads of pages, cached in this pod (PublicCache): the live page or its redirect, the
 * published list, what the schedule views read, and the fresh-copy lookups of the fast path
 * (public-read.fast-path.ts). The one owner of their cache keys: the write path (PagesService)
 * evicts through `evictPages`, never by key.
 */
@Injectable()
export class PublicPagesService {
  /**
   * Keys this pod wrote less than the replica-lag allowance ago, and until when: their loads read
   * the primary, so a lagging secondary cannot hand this pod the copy from before its own write
   * (to serve, and cache for a TTL). Writes are few; entries past their time are dropped.
   */
  private readonly ownWrites = new Map<string, number>();
  private readonly lagMs: number;

  constructor(
    private readonly repo: PagesRepository,
    private readonly cache: PublicCache,
    config: AppConfig,
  ) {
    this.lagMs = config.mongo.replicaLagAllowanceMs;
  }

  /**
   * Drops this pod's cached reads of the pages under `slugs` (bodies, redirects, "not found"s)
   * and, with `list`, every cached list page: called by a write of those pages, so this pod reads
   * its own writes at once. The schedule views hold no entry here: they read the page each time
   * and cache their renders by the live ETag.
   */
  evictPages(slugs: Iterable<string>, list: boolean): void {
    const keys = [...new Set(slugs)].map(publicPageKey);
    const now = Date.now();
    for (const [key, until] of this.ownWrites) if (until <= now) this.ownWrites.delete(key);
    if (this.lagMs > 0)
      for (const key of list ? [...keys, LIST_GROUP] : keys)
        this.ownWrites.set(key, now + this.lagMs);
    this.cache.evict(keys, list ? [LIST_GROUP] : []);
  }

  /** Where a load of `key` reads: the primary right after this pod wrote it (see ownWrites). */
  private readFor(key: string): PublicRead | undefined {
    const until = this.ownWrites.get(key);
    return until !== undefined && until > Date.now() ? FROM_PRIMARY : undefined;
  }

  /**
   * The live page as served (its exact public JSON and validators), or where it moved when `slug`
   * is a former slug of a published page; 404 otherwise. Cached, see PublicCache.
   */
  async publicPage(slug: string): Promise<CacheHit<PublicPageLookup>> {
    assertPossibleSlug(slug);
    const hit = await this.lookupPublic(slug);
    if (!hit.value) throw pageNotFound(slug);
    return { ...hit, value: hit.value };
  }

  /**
   * One cache entry per slug: the current slug's live page (one read: the hot path), else, on a
   * miss, the published page that the slug once named, else "not found"; each cached alike.
   */
  private lookupPublic(slug: string): Promise<CacheHit<PublicPageLookup | null>> {
    const key = publicPageKey(slug);
    return this.cache.get(
      key,
      async (): Promise<PublicPageLookup | null> => {
        const read = this.readFor(key);
        const page = await this.repo.findPublicBody(slug, read);
        if (page?.live)
          return publicRepresentation({
            body: page.live.body,
            etag: page.live.etag,
            lastModified: page.live.updatedAt,
            notAfter: page.nextUnpublishAt ?? null,
          });
        const target = await this.repo.findRedirectTarget(slug, read);
        return target && { movedTo: target.slug, notAfter: target.nextUnpublishAt ?? null };
      },
      lookupBytes,
    );
  }

  /**
   * The live page from the in-process cache alone, when a fresh copy is there (PublicCache
   * peekFresh); undefined otherwise, and for a cached redirect or "not found": `publicPage`
   * answers those.
   */
  cachedPublicPage(slug: string): CacheHit<PublicRepresentation> | undefined {
    const hit = this.cache.peekFresh<PublicPageLookup | null>(publicPageKey(slug));
    return hit?.value && !isMoved(hit.value) ? (hit as CacheHit<PublicRepresentation>) : undefined;
  }

  /** What the public schedule views read of a live page, or where it moved (a former slug). */
  async findLiveSchedule(slug: string): Promise<LiveScheduleRecord | PageMoved> {
    assertPossibleSlug(slug);
    const record = await this.repo.findLiveSchedule(slug, this.readFor(publicPageKey(slug)));
    if (record?.live) return record;
    // A miss asks the page's cache entry, which knows redirects (and caches a "not found").
    const { value } = await this.lookupPublic(slug);
    if (value && isMoved(value)) return value;
    throw pageNotFound(slug);
  }

  /** One page of the published list, rendered (cached per limit and cursor). */
  async publicList(limit: number, cursor?: string): Promise<CacheHit<PublicRepresentation>> {
    const after = cursor ? decodeCursor(cursor, isNonEmptyString) : undefined;
    const hit = await this.cache.get(
      publicListKey(limit, after),
      async (): Promise<PublicRepresentation> => {
        const rows = await this.repo.listPublished(after, limit, this.readFor(LIST_GROUP));
        const page = paginate(rows, limit, (last) => last.slug);
        const body = JSON.stringify(toPublicList(page.items, page.nextCursor));
        // The list shows each page's title and summary: no cache may keep it past the earliest
        // scheduled unpublish among them (as for the page itself, see publicCacheHeaders).
        const notAfter = earliest(page.items.map((r) => r.nextUnpublishAt));
        return publicRepresentation({ body, etag: contentEtag(body), notAfter });
      },
      representationBytes,
    );
    return { ...hit, value: hit.value };
  }

  /** The first page of the published list from the in-process cache alone, when fresh there. */
  cachedPublicList(limit: number): CacheHit<PublicRepresentation> | undefined {
    return this.cache.peekFresh<PublicRepresentation>(publicListKey(limit, undefined));
  }
}
