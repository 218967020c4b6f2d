import { Injectable } from '@nestjs/common';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import type { DiffSideDto, PageDiffDto } from './dto/staff.dto';
import { comparable, diffPages } from './page-diff';
import { publicPageJson } from './live-snapshot';
import { PagesRepository } from './pages.repository';
import { PagesService } from './pages.service';
import type { PageContent, PageRecord } from './schemas/page.types';

/** One side of a comparison: what it is and its content (null: nothing there). */
interface Side {
  meta: DiffSideDto;
  slug: string;
  content: PageContent | null;
}

/**
 * Read-only staff views of a page before it goes live: the draft in its public shape, and the
 * field-level differences between any two of a revision, the live snapshot and the draft.
 * Nothing here is cached or reaches the public cache or the CDN.
 */
@Injectable()
export class PagePreviewService {
  constructor(
    private readonly repo: PagesRepository,
    private readonly pages: PagesService,
  ) {}

  /**
   * The public JSON the draft would be served as if published now: the same builder as the live
   * body (live-snapshot.ts), with the revision publishing would assign and the current time.
   */
  async preview(id: string): Promise<{ page: PageRecord; body: string }> {
    const page = await this.pages.get(id);
    const now = new Date();
    return { page, body: publicPageJson(page.slug, page.draft, page.revision + 1, now, now) };
  }

  /** `from`/`to`: `live`, `draft` or a revision number. */
  async diff(id: string, from = 'live', to = 'draft'): Promise<PageDiffDto> {
    const page = await this.pages.get(id);
    const [a, b] = [await this.side(page, from), await this.side(page, to)];
    return {
      from: a.meta,
      to: b.meta,
      changes: diffPages(
        a.content && comparable(a.slug, a.content),
        b.content && comparable(b.slug, b.content),
      ),
    };
  }

  private async side(page: PageRecord, which: string): Promise<Side> {
    if (which === 'draft')
      return {
        meta: { source: 'draft', revision: null, exists: true },
        slug: page.slug,
        content: page.draft,
      };
    if (which === 'live')
      return {
        meta: { source: 'live', revision: page.live?.revision ?? null, exists: Boolean(page.live) },
        slug: page.slug,
        content: page.live?.content ?? null,
      };
    const revision = Number(which);
    // The live revision's record may still be pending (see PagesService.recordLiveRevision):
    // the snapshot holds the same content.
    if (page.live?.revision === revision)
      return {
        meta: { source: 'revision', revision, exists: true },
        slug: page.slug,
        content: page.live.content,
      };
    const record = await this.repo.findRevision(page._id, revision);
    if (!record)
      throw new DomainError(ErrorCode.RevisionNotFound, `page has no revision ${revision}`);
    return {
      meta: { source: 'revision', revision, exists: true },
      slug: record.slug,
      content: record.content,
    };
  }
}
