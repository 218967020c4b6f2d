import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { newSlug } from './support/factories';
import { createToken, type StaffToken } from './support/identities';
import { pagesClient } from './support/pages-client';

interface Row {
  id: string;
  slug: string;
  title: string;
  agentName: string;
  sponsorName: string;
  updatedAt: string;
  lastEdited: { at: string; by: { id: string; name: string } };
  lastPublished: { at: string; by: { id: string; name: string } } | null;
}

/**
 * The staff workflow of the admin API: find a page (filters, sorts, cursors), preview what the
 * public would receive, compare versions, and see who last edited and published it.
 */
describe('staff workflow: find, preview, compare, who and when', () => {
  let t: TestApp;
  let pages: ReturnType<typeof pagesClient>;
  let editor: StaffToken;
  let publisher: StaffToken;
  let viewer: StaffToken;
  const http = () => request(t.app.getHttpServer());

  const find = async (query: Record<string, string | number>, as = auth): Promise<Row[]> => {
    const res = await http().get('/admin/v1/pages').query(query).set(as).expect(200);
    return res.body.items as Row[];
  };
  const patch = async (id: string, version: number, body: Record<string, unknown>, as = auth) =>
    (
      await http()
        .patch(`/admin/v1/pages/${id}`)
        .set(as)
        .set('If-Match', `"${version}"`)
        .send(body)
        .expect(200)
    ).body as { id: string; slug: string; version: number };

  beforeAll(async () => {
    t = await startApp();
    pages = pagesClient(t.app);
    editor = await createToken(t.app, 'editor', 'Ed Itor');
    publisher = await createToken(t.app, 'publisher', 'Pub Lisher');
    viewer = await createToken(t.app, 'viewer', 'Vi Ewer');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('find', () => {
    it('q: word prefixes of title, agent and sponsor names, case and accents ignored', async () => {
      const zoe = await pages.create({
        title: 'Zoë Ångström, your Qwyrtle agent',
        agent: { name: 'Zoë Ångström' },
        sponsor: { name: 'Fjørd Hömes', disclosure: 'Sponsored' },
      });
      await pages.create({
        title: 'Zoe Qwyrtleson',
        agent: { name: 'Zoe Qwyrtleson' },
        sponsor: { name: 'Acme', disclosure: 'Sponsored' },
      });
      const ids = async (q: string) => (await find({ q })).map((r) => r.id);
      expect(await ids('zoe ang')).toEqual([zoe.id]);
      expect(await ids('ÅNGSTRÖM')).toEqual([zoe.id]);
      expect(await ids('fjørd hom')).toEqual([zoe.id]); // the sponsor's name
      expect(await ids('qwyrtle')).toHaveLength(2); // a prefix of one page's word, all of another's
      expect(await ids('ngstrom')).toEqual([]); // not a word prefix: no unanchored match
      expect(await ids('zoe nobodyhere')).toEqual([]); // every word must match
      expect(await ids('--')).toEqual([]); // no word at all matches nothing
    });

    it('q follows every write of the draft: update, and restore of a revision', async () => {
      const word = `kestrel${randomWord()}`;
      const page = await pages.create({ agent: { name: `Ann ${word}` } });
      const live = await pages.action(page.id, 'publish', page.version);
      expect((await find({ q: word })).map((r) => r.id)).toEqual([page.id]);
      const renamed = await patch(page.id, live.version, { agent: { name: 'Ann Other' } });
      expect(await find({ q: word })).toEqual([]);
      expect((await find({ q: 'ann oth' })).map((r) => r.id)).toContain(page.id);
      await http()
        .post(`/admin/v1/pages/${page.id}/revisions/1/restore`)
        .set(auth)
        .set('If-Match', `"${renamed.version}"`)
        .expect(200);
      expect((await find({ q: word })).map((r) => r.id)).toEqual([page.id]);
    });

    it('slug prefix (either sort), status, sponsor exactly', async () => {
      const tag = newSlug('pfx');
      const b = await pages.create({
        slug: `${tag}-b`,
        sponsor: { name: 'Solo Sponsor Inc', disclosure: 'S' },
      });
      const a = await pages.create({ slug: `${tag}-a` });
      await pages.create({ slug: `x${tag}` });
      await pages.action(a.id, 'publish', a.version);
      expect((await find({ slug: tag, sort: 'slug' })).map((r) => r.slug)).toEqual([
        `${tag}-a`,
        `${tag}-b`,
      ]);
      // Newest first by default: a was written last (its publish).
      expect((await find({ slug: tag })).map((r) => r.slug)).toEqual([`${tag}-a`, `${tag}-b`]);
      expect((await find({ slug: tag, status: 'draft' })).map((r) => r.id)).toEqual([b.id]);
      expect(
        (await find({ slug: tag, status: 'published', sort: 'slug' })).map((r) => r.id),
      ).toEqual([a.id]);
      expect((await find({ sponsor: 'Solo Sponsor Inc' })).map((r) => r.id)).toEqual([b.id]);
      expect(await find({ sponsor: 'solo sponsor inc' })).toEqual([]);
    });

    it('termEndsBefore: pages whose sponsorship term ends before an instant', async () => {
      const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
      const soon = await pages.create();
      const later = await pages.create();
      await patch(soon.id, soon.version, {
        sponsorship: { startsAt: inDays(1), endsAt: inDays(10) },
      });
      await patch(later.id, later.version, {
        sponsorship: { startsAt: inDays(1), endsAt: inDays(40) },
      });
      const ids = (await find({ termEndsBefore: inDays(20) })).map((r) => r.id);
      expect(ids).toContain(soon.id);
      expect(ids).not.toContain(later.id);
      expect((await find({ termEndsBefore: inDays(50) })).map((r) => r.id)).toEqual(
        expect.arrayContaining([soon.id, later.id]),
      );
    });

    it('updatedAfter / updatedBefore, newest first, cursor pagination without gaps or repeats', async () => {
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await pages.create()).id);
      const after = (await find({ updatedAfter: before, limit: 100 })).map((r) => r.id);
      expect(after).toEqual([...made].reverse());
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await http()
          .get('/admin/v1/pages')
          .query({ updatedAfter: before, limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        seen.push(...(res.body.items as Row[]).map((r) => r.id));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
      const upTo = (await find({ updatedBefore: before, limit: 100 })).map((r) => r.id);
      for (const id of made) expect(upTo).not.toContain(id);
    });

    it('refuses a cursor of another sort or filter, sort=slug with other filters, unknown filters', async () => {
      for (let i = 0; i < 3; i++) await pages.create();
      const first = await http().get('/admin/v1/pages').query({ limit: 1 }).set(auth).expect(200);
      const cursor = first.body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      await http().get('/admin/v1/pages').query({ limit: 1, cursor }).set(auth).expect(200);
      const otherSort = await http()
        .get('/admin/v1/pages')
        .query({ limit: 1, cursor, sort: 'slug' })
        .set(auth)
        .expect(400);
      expect(otherSort.body.message).toMatch(/another sort or filter/);
      await http()
        .get('/admin/v1/pages')
        .query({ limit: 1, cursor, status: 'draft' })
        .set(auth)
        .expect(400);
      const combo = await http()
        .get('/admin/v1/pages')
        .query({ sort: 'slug', q: 'jane' })
        .set(auth)
        .expect(400);
      expect(combo.body.message).toMatch(/sort=slug combines only with status and slug/);
      await http().get('/admin/v1/pages').query({ title: 'Jane' }).set(auth).expect(400);
      await http().get('/admin/v1/pages').query({ slug: 'Not A Slug' }).set(auth).expect(400);
      await http()
        .get('/admin/v1/pages')
        .query({ updatedAfter: 'yesterday' })
        .set(auth)
        .expect(400);
    });

    it('pages written before searchTerms existed are found after the start-up backfill', async () => {
      const word = `osprey${randomWord()}`;
      const page = await pages.create({ title: `Old ${word} page` });
      const db = t.app.get<Connection>(getConnectionToken());
      await db
        .collection('pages')
        .updateOne({ _id: new Types.ObjectId(page.id) }, { $unset: { searchTerms: 1 } });
      await db
        .collection<{ _id: string }>('schema_migrations')
        .deleteOne({ _id: 'pages.searchTerms' });
      expect(await find({ q: word })).toEqual([]);
      // A second process on the same database runs the backfill once started.
      const migrations = db.collection<{ _id: string }>('schema_migrations');
      const until = async (done: () => Promise<boolean>) => {
        for (let i = 0; i < 100 && !(await done()); i++)
          await new Promise((r) => setTimeout(r, 100));
      };
      const other = await startApp({ MONGODB_URI: t.config.mongo.uri });
      try {
        await until(async () => (await find({ q: word })).length > 0);
        expect((await find({ q: word })).map((r) => r.id)).toEqual([page.id]);
      } finally {
        await other.app.close();
      }
      // That pass had work to do: pages a previous release writes meanwhile still lack words, so
      // only a pass that finds nothing left marks the backfill done.
      expect(await migrations.findOne({ _id: 'pages.searchTerms' })).toBeNull();
      const third = await startApp({ MONGODB_URI: t.config.mongo.uri });
      try {
        await until(async () => (await migrations.findOne({ _id: 'pages.searchTerms' })) !== null);
        expect(await migrations.findOne({ _id: 'pages.searchTerms' })).not.toBeNull();
      } finally {
        await third.app.close();
      }
    });
  });

  describe('who and when', () => {
    it('the view and the list rows name the last editor and the last publisher by actor id', async () => {
      const created = await pages.create({ slug: newSlug('who') });
      const edited = await patch(created.id, created.version, { title: 'Edited' }, editor.auth);
      const draftView = await http()
        .get(`/admin/v1/pages/${created.id}`)
        .set(viewer.auth)
        .expect(200);
      expect(draftView.body.lastEdited.by).toEqual({ id: editor.actorId, name: 'Ed Itor' });
      expect(draftView.body.lastPublished).toBeNull();
      const published = await http()
        .post(`/admin/v1/pages/${created.id}/publish`)
        .set(publisher.auth)
        .set('If-Match', `"${edited.version}"`)
        .expect(200);
      expect(published.body.lastPublished).toEqual({
        at: published.body.live.publishedAt,
        by: { id: publisher.actorId, name: 'Pub Lisher' },
      });
      await patch(created.id, published.body.version as number, { summary: 'later' }, editor.auth);
      const [row] = await find({ slug: created.slug });
      expect(row.lastEdited.by.id).toBe(editor.actorId);
      expect(row.lastPublished?.by.id).toBe(publisher.actorId);
      expect(row.lastPublished?.at).toBe(published.body.live.publishedAt);
      expect(row.agentName).toBe('Jane Doe');
      expect(row.sponsorName).toBe('Acme Realty');
    });
  });

  describe('preview', () => {
    it('is the public body the draft becomes, field for field but for what publishing decides', async () => {
      const page = await pages.create({ timezone: 'America/Chicago', seo: { title: 'SEO' } });
      const event = await http()
        .post(`/admin/v1/pages/${page.id}/schedule/events`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({
          title: 'Open house',
          start: '2031-01-06T09:00',
          end: '2031-01-06T10:00',
          recurrence: 'FREQ=WEEKLY;COUNT=3',
        })
        .expect(201);
      const version = Number(JSON.parse(event.headers.etag));
      const preview = await http()
        .get(`/admin/v1/pages/${page.id}/preview`)
        .set(viewer.auth)
        .expect(200);
      expect(preview.headers['cache-control']).toBe('no-store');
      expect(preview.headers['content-type']).toMatch(/^application\/json/);
      const window = { from: '2031-01-01', to: '2031-02-01' };
      const previewSchedule = await http()
        .get(`/admin/v1/pages/${page.id}/preview/schedule`)
        .query(window)
        .set(viewer.auth)
        .expect(200);
      expect(previewSchedule.headers['cache-control']).toBe('no-store');
      expect(previewSchedule.body.occurrences).toHaveLength(3);
      // The public has nothing yet.
      await http().get(`/v1/pages/${page.slug}`).expect(404);

      await pages.action(page.id, 'publish', version);
      const pub = await http().get(`/v1/pages/${page.slug}`).expect(200);
      const { revision, publishedAt, updatedAt, ...rest } = preview.body as Record<string, unknown>;
      const {
        revision: r,
        publishedAt: p,
        updatedAt: u,
        ...publicRest
      } = pub.body as Record<string, unknown>;
      expect(rest).toEqual(publicRest);
      expect(revision).toBe(r); // the revision publishing assigned
      expect([publishedAt, updatedAt, p, u].every((v) => typeof v === 'string')).toBe(true);
      const publicSchedule = await http()
        .get(`/v1/pages/${page.slug}/schedule`)
        .query(window)
        .expect(200);
      expect(previewSchedule.body).toEqual(publicSchedule.body);
    });

    it('answers a non-canonical window as its canonical window; refuses a bad one; needs a token', async () => {
      const page = await pages.create({ timezone: 'UTC' });
      const res = await http()
        .get(`/admin/v1/pages/${page.id}/preview/schedule`)
        .query({ from: '2031-01-01T10:30:00Z', to: '2031-01-01T11:10:00Z' })
        .set(auth)
        .expect(200);
      const canonical = await http()
        .get(`/admin/v1/pages/${page.id}/preview/schedule`)
        .query({ from: '2031-01-01T10:00Z', to: '2031-01-01T12:00Z' })
        .set(auth)
        .expect(200);
      expect(res.body).toEqual(canonical.body);
      expect(res.body.from).toMatch(/^2031-01-01T10:00:00(Z|\+00:00)$/);
      expect(res.body.to).toMatch(/^2031-01-01T12:00:00(Z|\+00:00)$/);
      await http()
        .get(`/admin/v1/pages/${page.id}/preview/schedule`)
        .query({ from: '2031-02-01', to: '2031-01-01' })
        .set(auth)
        .expect(400);
      await http().get(`/admin/v1/pages/${page.id}/preview`).expect(401);
      await http()
        .get(`/admin/v1/pages/${new Types.ObjectId().toHexString()}/preview`)
        .set(auth)
        .expect(404);
    });
  });

  describe('diff', () => {
    it('nothing vs draft for a never-published page: every field an add', async () => {
      const page = await pages.create();
      const res = await http().get(`/admin/v1/pages/${page.id}/diff`).set(viewer.auth).expect(200);
      expect(res.body.from).toEqual({ source: 'live', revision: null, exists: false });
      expect(res.body.to).toEqual({ source: 'draft', revision: null, exists: true });
      const changes = res.body.changes as { path: string; op: string; after: unknown }[];
      expect(changes.every((c) => c.op === 'add')).toBe(true);
      expect(changes.map((c) => c.path)).toEqual(
        expect.arrayContaining(['title', 'agent', 'sponsor', 'slug']),
      );
      expect(changes.find((c) => c.path === 'sponsor')?.after).toEqual({
        name: 'Acme Realty',
        disclosure: 'Sponsored by Acme Realty',
      });
    });

    it('draft vs live after an edit, and revision vs revision', async () => {
      const page = await pages.create({ title: 'First' });
      const one = await pages.action(page.id, 'publish', page.version);
      const edited = await patch(page.id, one.version, {
        title: 'Second',
        sponsor: { name: 'Acme Homes', disclosure: 'Sponsored by Acme Realty' },
      });
      const draftVsLive = await http().get(`/admin/v1/pages/${page.id}/diff`).set(auth).expect(200);
      expect(draftVsLive.body.from).toEqual({ source: 'live', revision: 1, exists: true });
      expect(draftVsLive.body.changes).toEqual([
        { path: 'sponsor.name', op: 'replace', before: 'Acme Realty', after: 'Acme Homes' },
        { path: 'title', op: 'replace', before: 'First', after: 'Second' },
      ]);
      await pages.action(page.id, 'publish', edited.version);
      const revisions = await http()
        .get(`/admin/v1/pages/${page.id}/diff`)
        .query({ from: '1', to: '2' })
        .set(auth)
        .expect(200);
      expect(revisions.body.changes).toEqual(draftVsLive.body.changes);
      const none = await http().get(`/admin/v1/pages/${page.id}/diff`).set(auth).expect(200);
      expect(none.body.changes).toEqual([]);
      await http()
        .get(`/admin/v1/pages/${page.id}/diff`)
        .query({ from: '9' })
        .set(auth)
        .expect(404);
      await http()
        .get(`/admin/v1/pages/${page.id}/diff`)
        .query({ from: 'old' })
        .set(auth)
        .expect(400);
    });
  });
});

function randomWord(): string {
  return (
    Math.random()
      .toString(36)
      .replace(/[^a-z]/g, '')
      .slice(0, 6) || 'x'
  );
}
