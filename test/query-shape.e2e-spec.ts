import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { MetricsServer } from '../src/core/metrics/metrics.server';
import { AuditService } from '../src/modules/audit/audit.service';
import { auth, startApp, type TestApp } from './support/app';
import { fastWorkerEnv, invalidationsClient } from './support/cache-invalidation';
import { createTestDistribution, eventually, motoEndpoint } from './support/cloudfront-moto';
import { CommandRecorder } from './support/command-recorder';
import { freePort } from './support/free-port';
import { createToken } from './support/identities';
import { declaredIndexes, queryShapeViolations, servingIndexes } from './support/query-shape';
import { pagesClient } from './support/pages-client';
import { scheduleClient } from './support/schedule-client';

const PAGES = 24;
const soon = (ms: number) => new Date(Date.now() + 1000 + ms).toISOString();

/**
 * FerretDB uses no secondary index, so its timings say nothing about 20,000 pages on DocumentDB.
 * What does: the shape of every query. This records every command the service sends over a
 * representative run (publishes, live schedule edits, renames, list pages deep in the cursor,
 * the CDN worker's busy and idle polls, metrics scrapes) and holds each filter and sort against
 * the indexes the schemas declare (test/support/query-shape.ts).
 */
describe('query shapes: every query the service sends is served by a declared index', () => {
  let t: TestApp;
  let recorder: CommandRecorder;
  let metricsUrl: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    const distributionId = await createTestDistribution();
    t = await startApp({
      ...fastWorkerEnv(distributionId, motoEndpoint()),
      METRICS_PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
    metricsUrl = `http://127.0.0.1:${t.app.get(MetricsServer).port}`;
    // From here on: start-up (index creation, the one-time outbox migration) is not the run.
    recorder = CommandRecorder.attach(t.app.get<Connection>(getConnectionToken()));
  });
  afterAll(async () => {
    recorder?.detach();
    await t?.close();
  });

  it('leads with an indexed key, sorts by an index, bounds every result, never $exists on array positions', async () => {
    const schedules = scheduleClient(t.app);
    const invalidations = invalidationsClient(t.app);
    const pages: Awaited<ReturnType<typeof schedules.page>>[] = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await schedules.page();
      await schedules.publish(page);
      pages.push(page);
    }
    for (const page of pages.slice(0, 3))
      await schedules.addEvent(
        page,
        {
          title: 'Office hours',
          start: '2031-01-06T09:00',
          end: '2031-01-06T10:00',
          recurrence: 'FREQ=WEEKLY',
        },
        { live: true },
      );
    const renamed = pages[3];
    const rename = await http()
      .patch(`/admin/v1/pages/${renamed.id}`)
      .set(auth)
      .set('If-Match', `"${renamed.version}"`)
      .send({ slug: `${renamed.slug}-new` })
      .expect(200);
    renamed.version = Number(JSON.parse(rename.headers.etag));
    // The old slug redirects (a public miss, then the redirect lookup), for the page and its
    // views; then its redirect is removed.
    await http().get(`/v1/pages/${renamed.slug}`).redirects(0).expect(301);
    await http().get(`/v1/pages/${renamed.slug}/schedule.ics`).redirects(0).expect(301);
    await http().get('/v1/pages/no-such-page-or-redirect').expect(404);
    const removed = await http()
      .delete(`/admin/v1/pages/${renamed.id}/redirects/${renamed.slug}`)
      .set(auth)
      .set('If-Match', `"${renamed.version}"`)
      .expect(200);
    renamed.version = Number(JSON.parse(removed.headers.etag));
    await schedules.pages.action(pages[4].id, 'unpublish', pages[4].version);

    // Scheduled actions and terms: a term on a live page, actions, their lists and a cancel;
    // the scheduler polls (and runs one due action) in the background throughout.
    const termPage = pages[5];
    await http()
      .patch(`/admin/v1/pages/${termPage.id}`)
      .set(auth)
      .set('If-Match', `"${termPage.version}"`)
      .send({ sponsorship: { startsAt: soon(0), endsAt: soon(3600_000) } })
      .expect(200);
    const due = await http()
      .post(`/admin/v1/pages/${pages[6].id}/actions`)
      .set(auth)
      .send({ kind: 'unpublish', at: soon(300) })
      .expect(201);
    for (let i = 1; i <= 4; i++)
      await http()
        .post(`/admin/v1/pages/${pages[7].id}/actions`)
        .set(auth)
        .send({ kind: 'archive', at: soon(i * 60_000) })
        .expect(201);
    await http()
      .post(`/admin/v1/page-actions/${String(due.body.id)}/cancel`)
      .set(auth)
      .expect((res) => expect([200, 409]).toContain(res.status));
    await http()
      .post(`/admin/v1/pages/${pages[8].id}/actions`)
      .set(auth)
      .send({ kind: 'unpublish', at: soon(200) })
      .expect(201);

    // Lists, deep in the cursor: public, admin, invalidations.
    for (const [path, headers] of [
      ['/v1/pages', {}],
      ['/admin/v1/pages', auth],
      ['/admin/v1/cache/invalidations', auth],
      ['/admin/v1/page-actions', auth],
      [`/admin/v1/pages/${pages[7].id}/actions`, auth],
    ] as const) {
      let cursor: string | null = null;
      let seen = 0;
      do {
        const res: request.Response = await http()
          .get(path)
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .set(headers)
          .expect(200);
        seen += (res.body.items as unknown[]).length;
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toBeGreaterThan(3);
    }
    // Tokens and the audit trail: a token made by a token, used (its lineage checked), refused
    // (a counted refusal), its maker revoked (the lineage cascade); the trail by actor and
    // action; one drain pass over every audit outbox (pages, tokens, page actions).
    const maker = await createToken(t.app, 'admin', 'qs-maker');
    const made = await createToken(t.app, 'viewer', 'qs-made', maker.auth);
    await http().get('/admin/v1/pages').set(made.auth).expect(200);
    await http().post('/admin/v1/pages').set(made.auth).send({}).expect(403);
    await http().post('/admin/v1/pages').set(made.auth).send({}).expect(403);
    await http().delete(`/admin/v1/tokens/${maker.id}`).set(auth).expect(204);
    await http().get('/admin/v1/tokens').query({ limit: 3 }).set(auth).expect(200);
    await http().get('/admin/v1/audit').query({ actor: maker.actorId }).set(auth).expect(200);
    await http().get('/admin/v1/audit').query({ action: 'auth.forbidden' }).set(auth).expect(200);
    await t.app.get(AuditService).drain();

    // Public and admin reads of one page.
    await http().get(`/v1/pages/${pages[0].slug}`).expect(200);
    await http().get(`/v1/pages/${pages[0].slug}/schedule`).expect(200);
    await http().get(`/v1/pages/${pages[0].slug}/schedule.ics`).expect(200);
    await http().get(`/admin/v1/pages/${pages[0].id}/revisions`).set(auth).expect(200);

    // The worker's busy polls (everything reaches CloudFront), then idle ones, with scrapes.
    await eventually(
      async () => {
        const open = (await invalidations.list()).filter((i) =>
          ['pending', 'in-progress'].includes(i.status),
        );
        return open.length === 0 ? true : undefined;
      },
      { what: 'every invalidation to leave pending/in-progress' },
    );
    for (let i = 0; i < 3; i++) {
      await request(metricsUrl).get('/metrics').expect(200);
      await new Promise((r) => setTimeout(r, 150));
    }

    await eventually(
      async () => {
        const res = await http().get(`/admin/v1/pages/${pages[8].id}/actions`).set(auth);
        return res.body.items[0]?.status === 'done' ? true : undefined;
      },
      { what: 'the scheduled unpublish to run' },
    );

    const commands = recorder.commands;
    // The run did exercise the hot paths (a vacuous pass would prove nothing).
    expect(
      commands.some((c) => c.collection === 'pages' && c.filters.some((f) => 'cdnPending' in f)),
    ).toBe(true);
    expect(commands.some((c) => c.collection === 'cdn_invalidation_batches')).toBe(true);
    expect(
      commands.some((c) => c.collection === 'pages' && c.filters.some((f) => 'formerSlugs' in f)),
    ).toBe(true);
    expect(commands.some((c) => c.collection === 'page_actions' && c.name === 'find')).toBe(true);
    expect(
      commands.some((c) => c.collection === 'api_tokens' && c.filters.some((f) => 'lineage' in f)),
    ).toBe(true);
    expect(
      queryShapeViolations(commands, declaredIndexes(t.app.get(getConnectionToken()))),
    ).toEqual([]);
  });

  it('the rules catch what they are for (the old outbox poll, an unindexed sort, an unbounded find)', () => {
    const indexes = declaredIndexes(t.app.get<Connection>(getConnectionToken()));
    const cmd = (filter: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      name: 'find',
      database: 'db',
      collection: 'pages',
      filters: [filter],
      command: {},
      ...extra,
    });
    expect(
      queryShapeViolations([cmd({ 'cdnOutbox.0': { $exists: true } }, { limit: 200 })], indexes),
    ).toHaveLength(2);
    expect(
      queryShapeViolations(
        [cmd({ status: 'published' }, { sort: { 'live.publishedAt': -1 }, limit: 5 })],
        indexes,
      ),
    ).toHaveLength(1);
    // An empty filter walks an index only in an indexed order; an unanchored word is a scan.
    expect(
      queryShapeViolations([cmd({}, { sort: { 'draft.title': 1 }, limit: 5 })], indexes),
    ).toHaveLength(2);
    const unanchored = cmd({ searchTerms: { $regex: 'ang' } }, { limit: 5 });
    expect(queryShapeViolations([unanchored], indexes)).toHaveLength(1);
    expect(servingIndexes([unanchored], indexes)).toEqual([{ command: unanchored, index: null }]);
    expect(queryShapeViolations([cmd({ status: 'published' })], indexes)).toHaveLength(1);
    expect(queryShapeViolations([cmd({ slug: 'a-page' })], indexes)).toEqual([]);
  });

  it('the admin find: every filter and sort, deep in the cursor, is served by its declared index', async () => {
    const pages = pagesClient(t.app);
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
    const since = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 4; i++) {
      const page = await pages.create({
        slug: `finder-${i}-${Date.now().toString(36)}`,
        title: `Zoë Ångström ${i}`,
        sponsor: { name: 'Finder Sponsor', disclosure: 'Sponsored' },
      });
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({ sponsorship: { startsAt: inDays(1), endsAt: inDays(10 + i) } })
        .expect(200);
    }
    const indexes = declaredIndexes(t.app.get<Connection>(getConnectionToken()));
    // Each query of the list, with the index that serves its first page.
    const cases: [Record<string, string>, string][] = [
      [{}, 'updated_at'],
      [{ sort: 'slug' }, 'slug_unique'],
      [{ status: 'draft' }, 'status_updated_at'],
      [{ status: 'draft', sort: 'slug' }, 'status_slug'],
      [{ slug: 'finder-' }, 'slug_updated_at'],
      [{ slug: 'finder-', sort: 'slug' }, 'slug_unique'],
      [{ q: 'zoe ang' }, 'search_terms'],
      // Two equality leads that both hold the sort: either serves; the first declared is named.
      [{ q: 'zoe', status: 'draft' }, 'status_updated_at'],
      [{ sponsor: 'Finder Sponsor' }, 'sponsor_updated_at'],
      [{ termEndsBefore: inDays(60) }, 'sponsorship_ends_at'],
      [{ updatedAfter: since, updatedBefore: inDays(1) }, 'updated_at'],
      [{ status: 'draft', updatedAfter: since }, 'status_updated_at'],
    ];
    for (const [query, expected] of cases) {
      const from = recorder.commands.length;
      let cursor: string | null = null;
      let seen = 0;
      let requests = 0;
      do {
        requests += 1;
        const res: request.Response = await http()
          .get('/admin/v1/pages')
          .query({ ...query, limit: 1, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        seen += (res.body.items as unknown[]).length;
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toBeGreaterThan(1);
      const finds = recorder.commands
        .slice(from)
        .filter((c) => c.collection === 'pages' && c.name === 'find' && c.sort);
      // One find per request: no query of the list goes unchecked.
      expect(finds).toHaveLength(requests);
      expect(queryShapeViolations(finds, indexes)).toEqual([]);
      const served = servingIndexes(finds, indexes);
      expect({ query, index: served[0].index }).toEqual({ query, index: expected });
      expect(served.every((s) => s.index !== null)).toBe(true);
    }
  });
});
