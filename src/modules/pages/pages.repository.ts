import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isValidObjectId, Model, Types, type UpdateQuery } from 'mongoose';
import type { AuditEntry } from '../audit/audit-entry';
import { isDuplicateKey } from '../../core/database/mongo-errors';
import { PRIMARY } from '../../core/database/read-preference';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { PageLock } from './page-lock';
import type { CdnOutboxEntry, PendingOutbox } from './schemas/outbox.types';
import { PAGE_MODEL, PAGE_REVISION_MODEL } from './schemas/page.schema';
import type {
  LiveSnapshot,
  PageContent,
  PageRecord,
  PageRevisionRecord,
  PageStatus,
  SponsorshipTerm,
  TermSync,
} from './schemas/page.types';
import type { Schedule } from './schemas/schedule.types';
import { SchemaSetup } from '../../core/database/schema-setup';
import { searchTermsOf } from './page-search';
import type { FindQuery } from './page-finder';

export type PublicPageBody = Pick<PageRecord, 'slug' | 'nextUnpublishAt'> & {
  live: Pick<NonNullable<PageRecord['live']>, 'body' | 'etag' | 'updatedAt'>;
};

export interface PublishedSummaryRecord {
  slug: string;
  /** A scheduled unpublish: the list that shows the page must not be cached past it. */
  nextUnpublishAt?: Date | null;
  live: {
    content: {
      title: string;
      summary?: string;
      agent: { name: string };
      sponsor: { name: string };
    };
    publishedAt: Date;
  };
}

/** What the public schedule endpoints read of a published page: nothing of its draft. */
export interface LiveScheduleRecord {
  slug: string;
  live: {
    content: { title: string; schedule: Schedule };
    etag: string;
    updatedAt: Date;
  };
  nextUnpublishAt?: Date | null;
}

/**
 * What one versioned write changes. The repository turns it into a single atomic update that
 * also bumps the version and stamps who and when; `outbox` is pushed in that same update.
 */
export interface PageChange {
  slug?: string;
  formerSlugs?: string[];
  status?: PageStatus;
  draft?: PageContent;
  live?: LiveSnapshot | null;
  revision?: number;
  outbox?: CdnOutboxEntry;
  sponsorship?: SponsorshipTerm | null;
  /** Also sets or clears the indexed `termPending` flag. */
  termSync?: TermSync | null;
  nextUnpublishAt?: Date | null;
  lastActionId?: string;
}

/** What a public miss on a former slug reads of the page it redirects to. */
export interface RedirectTargetRecord {
  slug: string;
  nextUnpublishAt?: Date | null;
}

/** A row of the admin find: the summary, who wrote it last and who published it. */
export type FoundPageRecord = Pick<
  PageRecord,
  '_id' | 'slug' | 'status' | 'version' | 'updatedAt' | 'updatedBy' | 'updatedById'
> & {
  draft: { title: string; agent: { name: string }; sponsor: { name: string } };
  live?: Pick<LiveSnapshot, 'publishedAt' | 'publishedBy' | 'publishedById'> | null;
};

/** Pages the start-up backfill of `searchTerms` reads at once. */
const BACKFILL_BATCH = 500;

/** Where a public read goes: the connection's read preference, or the primary. */
export interface PublicRead {
  options: { readPreference?: typeof PRIMARY };
}
const PUBLIC: PublicRead = { options: {} };
export const FROM_PRIMARY: PublicRead = { options: { readPreference: PRIMARY } };

/**
 * The only code that touches the `pages` and `page_revisions` collections; every write of a page
 * document goes through the page lock here.
 */
@Injectable()
export class PagesRepository
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(PagesRepository.name);
  /** The running `searchTerms` backfill, and whether shutdown asked it to stop. */
  private backfill: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @InjectModel(PAGE_MODEL) private readonly pages: Model<PageRecord>,
    @InjectModel(PAGE_REVISION_MODEL) private readonly revisions: Model<PageRevisionRecord>,
    private readonly lock: PageLock,
    private readonly schema: SchemaSetup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ensureIndexes(this.pages);
    await this.schema.ensureIndexes(this.revisions);
    await this.flagUnindexedOutboxes();
  }

  /** The `searchTerms` backfill runs beside the service, not before it: no start-up delay. */
  onApplicationBootstrap(): void {
    this.backfill = this.backfillSearchTerms().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'searchTerms backfill stopped; the next start resumes it'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.backfill;
  }

  static toObjectId(id: string): Types.ObjectId | null {
    return isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
  }

  static newId(): Types.ObjectId {
    return new Types.ObjectId();
  }

  async insert(page: PageRecord): Promise<PageRecord> {
    try {
      const doc = { ...page, searchTerms: searchTermsOf(page.draft) };
      const [created] = await this.pages.insertMany([doc], { lean: true, rawResult: false });
      return created;
    } catch (error) {
      if (isDuplicateKey(error)) throw slugTaken(page.slug);
      throw error;
    }
  }

  async findById(id: string): Promise<PageRecord | null> {
    const _id = PagesRepository.toObjectId(id);
    if (!_id) return null;
    return this.pages.findById(_id).read(PRIMARY).lean<PageRecord>().exec();
  }

  /** Version of the page, or null when it is gone (resolving a deletion's write-ahead intent). */
  async currentVersion(id: string): Promise<number | null> {
    const _id = PagesRepository.toObjectId(id);
    if (!_id) return null;
    const row = await this.pages
      .findById(_id, { version: 1 })
      .read(PRIMARY)
      .lean<Pick<PageRecord, 'version'>>()
      .exec();
    return row?.version ?? null;
  }

  async slugInUse(slug: string, exceptId?: Types.ObjectId): Promise<boolean> {
    const filter = exceptId ? { slug, _id: { $ne: exceptId } } : { slug };
    return (await this.pages.exists(filter).read(PRIMARY).exec()) !== null;
  }

  /** The id of another page that redirects from `slug` (one of its former slugs), if any. */
  async redirectingPage(slug: string, exceptId?: Types.ObjectId): Promise<string | null> {
    const filter = exceptId ? { formerSlugs: slug, _id: { $ne: exceptId } } : { formerSlugs: slug };
    const row = await this.pages.exists(filter).read(PRIMARY).exec();
    return row ? String(row._id) : null;
  }

  /**
   * Applies `change` only if the page is still at `version` (optimistic concurrency), bumping the
   * version. Returns the updated page, or null when the version moved on (or the page is gone).
   */
  async applyIfVersion(
    _id: Types.ObjectId,
    version: number,
    change: PageChange,
    stamp: { actor: string; actorId: string; at: Date },
    audit: AuditEntry,
  ): Promise<PageRecord | null> {
    const { outbox, ...fields } = change;
    try {
      return await this.lock.run(_id, () => {
        // The CDN entry is stamped now, once the lock is held: the invalidation's settle delay
        // counts from the write, not from when the request began waiting for the lock.
        const entry = outbox && { ...outbox, createdAt: new Date() };
        const update: UpdateQuery<PageRecord> = {
          $set: {
            ...fields,
            // Every write of a draft goes through here (or insert): its search words with it.
            ...(change.draft ? { searchTerms: searchTermsOf(change.draft) } : {}),
            ...(entry ? { cdnPending: true } : {}),
            ...(change.termSync !== undefined ? { termPending: change.termSync !== null } : {}),
            updatedAt: stamp.at,
            updatedBy: stamp.actor,
            updatedById: stamp.actorId,
          },
          $inc: { version: 1 },
          // The audit entry rides in the same single-document update as the change: both or
          // neither.
          $push: { auditOutbox: audit, ...(entry ? { cdnOutbox: entry } : {}) },
        };
        return this.pages
          .findOneAndUpdate({ _id, version }, update, { returnDocument: 'after' })
          .lean<PageRecord>()
          .exec();
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw slugTaken(change.slug ?? '');
      throw error;
    }
  }

  async deleteIfVersion(_id: Types.ObjectId, version: number): Promise<boolean> {
    const result = await this.lock.run(_id, () =>
      this.pages
        .deleteOne({ _id, version, status: { $ne: 'published' }, cdnOutbox: { $size: 0 } })
        .exec(),
    );
    if (result.deletedCount === 1) await this.revisions.deleteMany({ pageId: _id }).exec();
    return result.deletedCount === 1;
  }

  // The public reads below go where the connection's read preference sends them (secondaries
  // in production) unless `read` says the primary: a pod reading back its own write.

  async findPublicBody(slug: string, read = PUBLIC): Promise<PublicPageBody | null> {
    return this.pages
      .findOne(
        { slug, status: 'published' },
        { slug: 1, 'live.body': 1, 'live.etag': 1, 'live.updatedAt': 1, nextUnpublishAt: 1 },
      )
      .setOptions(read.options)
      .lean<PublicPageBody>()
      .exec();
  }

  /**
   * The published page that `slug` once named (a public read: may go to a secondary). Asked only
   * after `slug` missed as a current slug, so a current slug always wins over a former one.
   */
  async findRedirectTarget(slug: string, read = PUBLIC): Promise<RedirectTargetRecord | null> {
    return this.pages
      .findOne({ formerSlugs: slug, status: 'published' }, { _id: 0, slug: 1, nextUnpublishAt: 1 })
      .setOptions(read.options)
      .lean<RedirectTargetRecord>()
      .exec();
  }

  async findLiveSchedule(slug: string, read = PUBLIC): Promise<LiveScheduleRecord | null> {
    return this.pages
      .findOne(
        { slug, status: 'published' },
        {
          _id: 0,
          slug: 1,
          'live.content.title': 1,
          'live.content.schedule': 1,
          'live.etag': 1,
          'live.updatedAt': 1,
          nextUnpublishAt: 1,
        },
      )
      .setOptions(read.options)
      .lean<LiveScheduleRecord>()
      .exec();
  }

  /** Published pages in slug order, starting after `afterSlug`; fetches one extra to detect more. */
  async listPublished(
    afterSlug: string | undefined,
    limit: number,
    read = PUBLIC,
  ): Promise<PublishedSummaryRecord[]> {
    const filter: Record<string, unknown> = { status: 'published' };
    if (afterSlug) filter.slug = { $gt: afterSlug };
    return this.pages
      .find(filter, {
        _id: 0,
        slug: 1,
        'live.content.title': 1,
        'live.content.summary': 1,
        'live.content.agent.name': 1,
        'live.content.sponsor.name': 1,
        'live.publishedAt': 1,
        nextUnpublishAt: 1,
      })
      .sort({ slug: 1 })
      .limit(limit + 1)
      .setOptions(read.options)
      .lean<PublishedSummaryRecord[]>()
      .exec();
  }

  /** One page of the admin find (page-finder.ts builds the indexed query); one extra row. */
  async findPages(query: FindQuery, limit: number): Promise<FoundPageRecord[]> {
    return this.pages
      .find(query.filter, {
        slug: 1,
        status: 1,
        version: 1,
        updatedAt: 1,
        updatedBy: 1,
        updatedById: 1,
        'draft.title': 1,
        'draft.agent.name': 1,
        'draft.sponsor.name': 1,
        'live.publishedAt': 1,
        'live.publishedBy': 1,
        'live.publishedById': 1,
      })
      .sort(query.sort)
      .limit(limit + 1)
      .read(PRIMARY)
      .lean<FoundPageRecord[]>()
      .exec();
  }

  /** Idempotent: records a published revision once, whatever retries happen. */
  async saveRevision(revision: Omit<PageRevisionRecord, '_id'>): Promise<void> {
    try {
      await this.revisions
        .updateOne(
          { pageId: revision.pageId, revision: revision.revision },
          { $setOnInsert: revision },
          { upsert: true },
        )
        .exec();
    } catch (error) {
      // Two writers racing on the same upsert: the record exists, which is all we need.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async listRevisions(pageId: Types.ObjectId, limit = 100): Promise<PageRevisionRecord[]> {
    return this.revisions
      .find({ pageId })
      .sort({ revision: -1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<PageRevisionRecord[]>()
      .exec();
  }

  async findRevision(pageId: Types.ObjectId, revision: number): Promise<PageRevisionRecord | null> {
    return this.revisions
      .findOne({ pageId, revision })
      .read(PRIMARY)
      .lean<PageRevisionRecord>()
      .exec();
  }

  // --- the audit outbox (delivered through PageAuditOutbox) --------------------------------

  async pendingAuditEntries(
    before: Date,
    limit: number,
  ): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    const rows = await this.pages
      .find({ 'auditOutbox.at': { $lt: before } }, { auditOutbox: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<Pick<PageRecord, '_id' | 'auditOutbox'>[]>()
      .exec();
    return rows.map((r) => ({ ownerId: r._id.toHexString(), entries: r.auditOutbox ?? [] }));
  }

  async removeAuditEntry(pageId: string, entry: AuditEntry): Promise<void> {
    const _id = PagesRepository.toObjectId(pageId);
    if (!_id) return;
    // As for the CDN outbox: the whole entry, under the page lock.
    await this.lock.run(_id, () =>
      this.pages.updateOne({ _id }, { $pull: { auditOutbox: entry } }).exec(),
    );
  }

  /** Pages whose term change still waits to be scheduled (indexed `termPending`). */
  async pendingTerms(limit: number): Promise<Pick<PageRecord, '_id' | 'termSync'>[]> {
    return this.pages
      .find({ termPending: true }, { termSync: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<Pick<PageRecord, '_id' | 'termSync'>[]>()
      .exec();
  }

  // --- the CDN outbox (reached from outside only through PageOutbox) ------------------------

  /** Pages with pending CDN entries, found by the indexed `cdnPending` flag. */
  async pendingOutboxes(limit: number): Promise<PendingOutbox[]> {
    const rows = await this.pages
      .find({ cdnPending: true }, { cdnOutbox: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<Pick<PageRecord, '_id' | 'cdnOutbox'>[]>()
      .exec();
    const pending: PendingOutbox[] = [];
    for (const row of rows) {
      // A drained outbox whose flag outlived a crash: clear it, nothing to hand over.
      if (row.cdnOutbox.length === 0)
        await this.lock.run(row._id, () => this.clearDrained(row._id));
      else pending.push({ pageId: row._id.toHexString(), entries: row.cdnOutbox });
    }
    return pending;
  }

  async removeOutboxEntry(pageId: string, entry: CdnOutboxEntry): Promise<void> {
    const _id = PagesRepository.toObjectId(pageId);
    if (!_id) return;
    // The whole stored entry, not just its id: matches under every $pull dialect. Under the page
    // lock, so that on FerretDB this read-modify-write cannot undo a concurrent publish, and so
    // that no entry can be pushed between the pull and the flag's clearing.
    await this.lock.run(_id, async () => {
      await this.pages.updateOne({ _id }, { $pull: { cdnOutbox: entry } }).exec();
      await this.clearDrained(_id);
    });
  }

  /** Call under the page lock: drops `cdnPending` once the outbox is empty. */
  private async clearDrained(_id: Types.ObjectId): Promise<void> {
    await this.pages
      .updateOne({ _id, cdnOutbox: { $size: 0 } }, { $unset: { cdnPending: 1 } })
      .exec();
  }

  /**
   * Pages written before `cdnPending` existed may hold entries without the flag: flag them once
   * (a scan, run a single time per database, then remembered in `schema_migrations`).
   */
  private async flagUnindexedOutboxes(): Promise<void> {
    const migrations = this.pages.db.collection<{ _id: string; at: Date }>('schema_migrations');
    const id = 'pages.cdnPending';
    if (await migrations.findOne({ _id: id }, { readPreference: PRIMARY })) return;
    // A scan of every page: on the start-up connection, whose bound allows it.
    const pages = await this.schema.startupModel(this.pages);
    const rows = await pages
      .find({ 'cdnOutbox.0': { $exists: true }, cdnPending: { $exists: false } }, { _id: 1 })
      .read(PRIMARY)
      .lean<Pick<PageRecord, '_id'>[]>()
      .exec();
    for (const { _id } of rows)
      await this.lock.run(_id, () =>
        this.pages
          .updateOne({ _id, 'cdnOutbox.0': { $exists: true } }, { $set: { cdnPending: true } })
          .exec(),
      );
    await migrations
      .updateOne({ _id: id }, { $setOnInsert: { at: new Date() } }, { upsert: true })
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
  }

  /**
   * Gives pages written without `searchTerms` (before it existed, or by a pod of the previous
   * release during a rolling deploy) their search words, in the background after start: batches
   * of BACKFILL_BATCH such pages by `_id`, each written under its lock and only while it still
   * has no words, so a draft write in between stores its own and wins (FerretDB's conditional
   * updates are not atomic). A page whose lock is busy (a write, or another pod's backfill) is
   * left for that writer or the next start. Done for good (remembered in `schema_migrations`)
   * only after a pass that found nothing left to do, so pages an old pod wrote meanwhile are
   * picked up by a later start. Stopped by shutdown between two pages.
   */
  private async backfillSearchTerms(): Promise<void> {
    const migrations = this.pages.db.collection<{ _id: string; at: Date }>('schema_migrations');
    const id = 'pages.searchTerms';
    if (await migrations.findOne({ _id: id }, { readPreference: PRIMARY })) return;
    let after = new Types.ObjectId('000000000000000000000000');
    let found = 0;
    for (;;) {
      const rows = await this.pages
        .find(
          { _id: { $gt: after }, searchTerms: { $exists: false } },
          { _id: 1, 'draft.title': 1, 'draft.agent.name': 1, 'draft.sponsor.name': 1 },
        )
        .sort({ _id: 1 })
        .limit(BACKFILL_BATCH)
        .read(PRIMARY)
        .lean<Pick<PageRecord, '_id' | 'draft'>[]>()
        .exec();
      found += rows.length;
      for (const row of rows) {
        if (this.stopping) return;
        await this.lock
          .run(row._id, () =>
            this.pages
              .updateOne(
                { _id: row._id, searchTerms: { $exists: false } },
                { $set: { searchTerms: searchTermsOf(row.draft) } },
              )
              .exec(),
          )
          .catch((error: unknown) => {
            if (!(error instanceof DomainError && error.code === ErrorCode.Conflict)) throw error;
          });
      }
      if (rows.length < BACKFILL_BATCH) break;
      after = rows[rows.length - 1]._id;
    }
    if (found > 0) return;
    await migrations
      .updateOne({ _id: id }, { $setOnInsert: { at: new Date() } }, { upsert: true })
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
  }
}

function slugTaken(slug: string): DomainError {
  return new DomainError(ErrorCode.SlugTaken, `slug "${slug}" is already used by another page`);
}
