import { Schema } from 'mongoose';
import { PAGE_STATUSES } from './page.types';

export const PAGES_COLLECTION = 'pages';
export const PAGE_REVISIONS_COLLECTION = 'page_revisions';
export const PAGE_MODEL = 'Page';
export const PAGE_REVISION_MODEL = 'PageRevision';

// Content is validated by the DTOs before it gets here and is always written whole, so it is
// stored as plain objects (Mixed): no casting cost on the hot read path, and the TypeScript types
// in page.types.ts and schedule.types.ts are the one description of the shape.
export const PageSchema = new Schema(
  {
    slug: { type: String, required: true },
    formerSlugs: { type: [String], default: undefined },
    status: { type: String, enum: PAGE_STATUSES, required: true },
    version: { type: Number, required: true },
    draft: { type: Schema.Types.Mixed, required: true },
    live: { type: Schema.Types.Mixed, default: null },
    revision: { type: Number, required: true, default: 0 },
    cdnOutbox: { type: [Schema.Types.Mixed], default: [] },
    /** true while cdnOutbox holds entries, absent otherwise: the outbox poll's indexed key. */
    cdnPending: Boolean,
    auditOutbox: { type: [Schema.Types.Mixed], default: [] },
    sponsorship: { type: Schema.Types.Mixed, default: undefined },
    termSync: { type: Schema.Types.Mixed, default: undefined },
    /** true while termSync waits for the page-actions module (indexed, like cdnPending). */
    termPending: Boolean,
    nextUnpublishAt: Date,
    lastActionId: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    createdBy: String,
    createdById: String,
    updatedBy: String,
    updatedById: String,
    /** Normalised words of the draft's title, agent and sponsor names (see page-search.ts). */
    searchTerms: { type: [String], default: undefined },
  },
  { collection: PAGES_COLLECTION, versionKey: false, minimize: false, strict: true },
);
PageSchema.index({ slug: 1 }, { unique: true, name: 'slug_unique' });
PageSchema.index({ status: 1, slug: 1 }, { name: 'status_slug' });
// A public miss on a slug asks which published page was once under it (a redirect), and a new
// slug is checked against every page's former slugs. Not unique: a unique multikey index would
// also clash on every page without the field, and FerretDB reports no clash on an update anyway;
// the write path keeps former slugs apart from current ones (PagesService.assertSlugFree).
PageSchema.index({ formerSlugs: 1 }, { name: 'former_slugs' });
// The CDN worker polls `{cdnPending: true}` every second on every replica: an equality on an
// indexed key, so its cost follows the number of pending pages, not of all pages.
PageSchema.index({ cdnPending: 1 }, { name: 'cdn_pending' });
// The audit drain's range query (`auditOutbox.at < cutoff`): pages without entries are not in it.
PageSchema.index({ 'auditOutbox.at': 1 }, { name: 'audit_outbox_at' });
// The page-actions sweep polls `{termPending: true}`: bounded by the terms in flight.
PageSchema.index({ termPending: 1 }, { name: 'term_pending' });
// The admin list (page-finder.ts): each filter leads with one of these, sorted newest first with
// _id breaking ties; an equality lead walks its index in that order, a range lead sorts its matches.
PageSchema.index({ updatedAt: -1, _id: -1 }, { name: 'updated_at' });
PageSchema.index({ status: 1, updatedAt: -1, _id: -1 }, { name: 'status_updated_at' });
PageSchema.index({ slug: 1, updatedAt: -1, _id: -1 }, { name: 'slug_updated_at' });
PageSchema.index(
  { 'draft.sponsor.name': 1, updatedAt: -1, _id: -1 },
  { name: 'sponsor_updated_at' },
);
// Multikey: one entry per search word; a query word is an anchored prefix range on it.
PageSchema.index({ searchTerms: 1, updatedAt: -1, _id: -1 }, { name: 'search_terms' });
PageSchema.index(
  { 'sponsorship.endsAt': 1, updatedAt: -1, _id: -1 },
  { name: 'sponsorship_ends_at' },
);

export const PageRevisionSchema = new Schema(
  {
    pageId: { type: Schema.Types.ObjectId, required: true },
    revision: { type: Number, required: true },
    slug: { type: String, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    etag: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    publishedBy: String,
    publishedById: String,
  },
  { collection: PAGE_REVISIONS_COLLECTION, versionKey: false, minimize: false },
);
PageRevisionSchema.index(
  { pageId: 1, revision: -1 },
  { unique: true, name: 'page_revision_unique' },
);
