import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { register } from 'prom-client';
import request from 'supertest';
import { auth, isolatedMongoUri, startApp, type TestApp } from './support/app';
import { fastWorkerEnv, invalidationsClient } from './support/cache-invalidation';
import {
  createTestDistribution,
  eventually,
  motoEndpoint,
  motoInvalidations,
  pathCounts,
} from './support/cloudfront-moto';
import { callerReference } from '../src/modules/cache-invalidation/invalidation-planner';
import { newSlug } from './support/factories';
import { pagesClient } from './support/pages-client';

const pagePaths = (slug: string) => [`/v1/pages/${slug}*`];
const LIST = ['/v1/pages', '/v1/pages?*'];
/** CloudFront semantics: a wildcard covers every URL it is a prefix of; a file path only itself. */
const covers = (paths: string[], url: string) =>
  paths.some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p));

describe('cache invalidation', () => {
  let t: TestApp;
  let distributionId: string;
  let pages: ReturnType<typeof pagesClient>;
  let invalidations: ReturnType<typeof invalidationsClient>;
  const http = () => request(t.app.getHttpServer());

  /** Runs a page action under a known request id, so its invalidation can be found. */
  async function act(id: string, action: string, version: number, requestId: string) {
    const res = await http()
      .post(`/admin/v1/pages/${id}/${action}`)
      .set(auth)
      .set('If-Match', `"${version}"`)
      .set('x-request-id', requestId)
      .expect(200);
    return res.body as { id: string; slug: string; version: number };
  }

  beforeAll(async () => {
    distributionId = await createTestDistribution();
    t = await startApp(fastWorkerEnv(distributionId, motoEndpoint()));
    pages = pagesClient(t.app);
    invalidations = invalidationsClient(t.app);
  });
  afterAll(async () => t?.close());

  it('sends a publish to CloudFront with exactly the page, schedule and list paths, and reports it completed', async () => {
    const page = await pages.create();
    const requestId = newSlug('req-publish');
    await act(page.id, 'publish', page.version, requestId);

    const done = await invalidations.settled(requestId);
    const expected = [...pagePaths(page.slug), ...LIST].sort();
    expect(done).toMatchObject({
      source: 'page',
      reason: 'publish',
      pageId: page.id,
      requestId,
      paths: expected,
      attempts: 1,
      lastError: null,
    });
    expect(done.cloudFrontId).toBeTruthy();

    const inMoto = (await motoInvalidations(distributionId)).filter(
      (i) => i.id === done.cloudFrontId,
    );
    expect(inMoto).toHaveLength(1);
    // The batch may carry other changes of this file, but this page's paths exactly once.
    expect(inMoto[0].paths).toEqual(expect.arrayContaining(expected));
    expect(inMoto[0].callerReference).toContain(done.batchId);
    const counts = pathCounts(await motoInvalidations(distributionId));
    for (const p of pagePaths(page.slug)) expect(counts.get(p)).toBe(1);

    // The outbox entry left the page once it was recorded as an invalidation.
    const stored = await t.app
      .get<Connection>(getConnectionToken())
      .collection('pages')
      .findOne({ slug: page.slug });
    expect(stored?.cdnOutbox).toEqual([]);
  });

  it('invalidates on unpublish and archive, and both slugs on a rename', async () => {
    const a = await pages.createPublished();
    const unpublishId = newSlug('req-unpublish');
    await act(a.id, 'unpublish', a.version, unpublishId);
    const unpublished = await invalidations.settled(unpublishId);
    expect(unpublished.paths).toEqual([...pagePaths(a.slug), ...LIST].sort());
    // What CloudFront was sent reaches every cached variant of the page: its query strings too.
    const sent = (await motoInvalidations(distributionId)).find(
      (i) => i.id === unpublished.cloudFrontId,
    );
    for (const url of [
      `/v1/pages/${a.slug}`,
      `/v1/pages/${a.slug}?x=1`,
      `/v1/pages/${a.slug}/schedule?from=2027-03-01`,
      `/v1/pages/${a.slug}/schedule.ics`,
    ])
      expect(covers(sent!.paths, url)).toBe(true);

    const b = await pages.createPublished();
    const archiveId = newSlug('req-archive');
    await act(b.id, 'archive', b.version, archiveId);
    expect((await invalidations.settled(archiveId)).reason).toBe('archive');

    const c = await pages.createPublished();
    const renameId = newSlug('req-rename');
    const slug = newSlug('renamed');
    await http()
      .patch(`/admin/v1/pages/${c.id}`)
      .set(auth)
      .set('If-Match', `"${c.version}"`)
      .set('x-request-id', renameId)
      .send({ slug })
      .expect(200);
    const renamed = await invalidations.settled(renameId);
    expect(renamed.reason).toBe('slug-change');
    expect(renamed.paths).toEqual([...pagePaths(c.slug), ...pagePaths(slug), ...LIST].sort());
    expect(pathCounts(await motoInvalidations(distributionId)).get(`/v1/pages/${slug}*`)).toBe(1);
  });

  it('invalidates the former slugs (redirects) with the page: on another rename, a publish, an unpublish, an archive; the old slug alone when its redirect goes', async () => {
    const page = await pages.createPublished();
    const patch = async (version: number, body: object, requestId: string) => {
      const res = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', `"${version}"`)
        .set('x-request-id', requestId)
        .send(body)
        .expect(200);
      return res.body as { version: number; slug: string };
    };
    const second = newSlug('second');
    const third = newSlug('third');
    const first = await patch(page.version, { slug: second }, newSlug('req-rename-1'));
    const renameId = newSlug('req-rename-2');
    const renamed = await patch(first.version, { slug: third }, renameId);
    // The old URL, the new one, and the first slug, whose cached 301 pointed at the old one.
    expect((await invalidations.settled(renameId)).paths).toEqual(
      [...pagePaths(page.slug), ...pagePaths(second), ...pagePaths(third), ...LIST].sort(),
    );
    const every = [...pagePaths(page.slug), ...pagePaths(second), ...pagePaths(third), ...LIST];

    const unpublishId = newSlug('req-unpublish');
    const down = await act(page.id, 'unpublish', renamed.version, unpublishId);
    expect((await invalidations.settled(unpublishId)).paths).toEqual([...every].sort());
    const publishId = newSlug('req-publish');
    const up = await act(page.id, 'publish', down.version, publishId);
    expect((await invalidations.settled(publishId)).paths).toEqual([...every].sort());

    const removeId = newSlug('req-remove');
    const removed = await http()
      .delete(`/admin/v1/pages/${page.id}/redirects/${page.slug}`)
      .set(auth)
      .set('If-Match', `"${up.version}"`)
      .set('x-request-id', removeId)
      .expect(200);
    const gone = await invalidations.settled(removeId);
    expect(gone).toMatchObject({ reason: 'redirect-removed', paths: pagePaths(page.slug) });
    const sent = (await motoInvalidations(distributionId)).find((i) => i.id === gone.cloudFrontId);
    for (const url of [
      `/v1/pages/${page.slug}`,
      `/v1/pages/${page.slug}/schedule?from=2027-03-01`,
      `/v1/pages/${page.slug}/schedule.ics`,
    ])
      expect(covers(sent!.paths, url)).toBe(true);

    const archiveId = newSlug('req-archive');
    await act(page.id, 'archive', Number(JSON.parse(removed.headers.etag)), archiveId);
    expect((await invalidations.settled(archiveId)).paths).toEqual(
      [...pagePaths(second), ...pagePaths(third), ...LIST].sort(),
    );
  });

  it('coalesces changes recorded within the window into one invalidation, shared paths once', async () => {
    const dist = await createTestDistribution();
    const uri = isolatedMongoUri();
    // A replica without a worker records the changes; a worker replica then finds all of them
    // older than the window and sends them together.
    const writer = await startApp(
      fastWorkerEnv(dist, motoEndpoint(), {
        MONGODB_URI: uri,
        CDN_INVALIDATION_WORKER_ENABLED: 'false',
      }),
    );
    try {
      const writerPages = pagesClient(writer.app);
      const published = [];
      for (let i = 0; i < 3; i++) published.push(await writerPages.createPublished());
      expect(await motoInvalidations(dist)).toEqual([]);

      const worker = await startApp(fastWorkerEnv(dist, motoEndpoint(), { MONGODB_URI: uri }));
      try {
        const sent = await eventually(async () => {
          const all = await motoInvalidations(dist);
          return all.length > 0 ? all : undefined;
        });
        expect(sent).toHaveLength(1);
        expect(sent[0].paths).toEqual(
          [...published.flatMap((p) => pagePaths(p.slug)), ...LIST].sort(),
        );
        const items = await eventually(async () => {
          const all = await invalidationsClient(worker.app).list();
          return all.length === 3 && all.every((i) => i.status === 'completed') ? all : undefined;
        });
        expect(new Set(items.map((i) => i.batchId)).size).toBe(1);
        expect(new Set(items.map((i) => i.cloudFrontId))).toEqual(new Set([sent[0].id]));
      } finally {
        await worker.app.close();
      }
    } finally {
      await writer.close();
    }
  });

  it('merges pages into a wider wildcard when CloudFront has too few in progress, and shows the budget in use', async () => {
    const dist = await createTestDistribution();
    const uri = isolatedMongoUri();
    const app = await startApp(fastWorkerEnv(dist, motoEndpoint(), { MONGODB_URI: uri }));
    try {
      // Another change of ours still in progress holds 14 of CloudFront's 15 wildcards.
      const now = new Date();
      await app.app
        .get<Connection>(getConnectionToken())
        .collection<{ _id: string } & Record<string, unknown>>('cdn_invalidation_batches')
        .insertOne({
          _id: 'in-progress-elsewhere',
          distributionId: dist,
          status: 'sent',
          itemIds: [],
          requestIds: [],
          paths: Array.from({ length: 14 }, (_, i) => `/v1/pages/busy-${i}*`),
          attempts: 1,
          uncertain: false,
          nextAttemptAt: new Date(now.getTime() + 3_600_000),
          leaseGen: 1,
          leaseOwner: null,
          leaseUntil: null,
          cloudFrontId: 'I-NOT-IN-MOTO',
          createdAt: now,
          updatedAt: now,
        });
      const requestId = newSlug('req-widen');
      const page = await pagesClient(app.app).create();
      await request(app.app.getHttpServer())
        .post(`/admin/v1/pages/${page.id}/publish`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .set('x-request-id', requestId)
        .expect(200);
      const done = await invalidationsClient(app.app).settled(requestId);
      // The item keeps its own paths; what went out is one wildcard covering them all.
      expect(done.paths).toEqual([...pagePaths(page.slug), ...LIST].sort());
      const sent = (await motoInvalidations(dist)).find((i) => i.id === done.cloudFrontId)!;
      expect(sent.paths).toEqual(['/v1/pages*']);
      // Sent under the reference of what was sent, so an uncertain retry finds it.
      expect(sent.callerReference).toBe(callerReference(done.batchId!, ['/v1/pages*']));
      for (const url of [`/v1/pages/${page.slug}?x=1`, '/v1/pages', '/v1/pages?limit=2'])
        expect(covers(sent.paths, url)).toBe(true);

      const metrics = await register.metrics();
      expect(metrics).toMatch(/^cache_invalidation_in_progress_paths\{kind="wildcard"\} 14$/m);
      expect(metrics).toMatch(
        /^cache_invalidation_in_progress_limit_paths\{kind="wildcard"\} 15$/m,
      );
      expect(metrics).toMatch(/^cache_invalidation_widened_total [1-9]/m);
    } finally {
      await app.close();
    }
  });

  it('accepts a manual invalidation with 202, sends it, and lists it by status', async () => {
    const requestId = newSlug('req-manual');
    const res = await http()
      .post('/admin/v1/cache/invalidations')
      .set(auth)
      .set('x-request-id', requestId)
      .send({ paths: ['/v1/pages/manual-a', '/v1/pages/manual-*', '/v1/pages/manual-a'] })
      .expect(202);
    expect(res.body).toMatchObject({
      source: 'admin',
      reason: 'manual',
      requestId,
      paths: ['/v1/pages/manual-*', '/v1/pages/manual-a'],
    });
    expect(['pending', 'in-progress', 'sent', 'completed']).toContain(res.body.status);
    expect(res.headers.location).toBe(`/admin/v1/cache/invalidations/${res.body.id}`);

    const done = await invalidations.settled(requestId);
    expect(done.id).toBe(res.body.id);
    expect((await invalidations.get(done.id)).cloudFrontId).toBe(done.cloudFrontId);
    const completed = await invalidations.list({ status: 'completed' });
    expect(completed.map((i) => i.id)).toContain(done.id);
    expect(completed.every((i) => i.status === 'completed')).toBe(true);
    expect((await invalidations.list({ status: 'failed' })).map((i) => i.id)).not.toContain(
      done.id,
    );

    // Only failed or skipped invalidations can be retried.
    const refused = await http()
      .post(`/admin/v1/cache/invalidations/${done.id}/retry`)
      .set(auth)
      .expect(409);
    expect(refused.body.error).toBe('INVALID_STATE');
  });

  it('exposes backlog, oldest pending age and sent/failed counts as metrics', async () => {
    const value = async (name: string) =>
      (await register.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
    const sentBefore = await value('cache_invalidation_sent_total');

    const requestId = newSlug('req-metrics');
    await http()
      .post('/admin/v1/cache/invalidations')
      .set(auth)
      .set('x-request-id', requestId)
      .send({ paths: ['/metrics-probe'] })
      .expect(202);
    await invalidations.settled(requestId);
    // The gauges show the backlog as of the worker's last poll (no database work per scrape).
    await eventually(
      async () =>
        (await value('cache_invalidation_backlog')) === 0 &&
        (await value('cache_invalidation_oldest_pending_age_seconds')) === 0
          ? true
          : undefined,
      { what: 'the backlog gauges to show the sent invalidation gone' },
    );
    expect(await value('cache_invalidation_sent_total')).toBeGreaterThan(sentBefore);
  });

  it('counts recorded but unsent invalidations in the backlog, oldest first', async () => {
    const dist = await createTestDistribution();
    const uri = isolatedMongoUri();
    const recorder = await startApp(
      fastWorkerEnv(dist, motoEndpoint(), {
        MONGODB_URI: uri,
        CDN_INVALIDATION_WORKER_ENABLED: 'false',
      }),
    );
    try {
      await pagesClient(recorder.app).createPublished();
      await pagesClient(recorder.app).createPublished();
      const backlog = await register.getSingleMetric('cache_invalidation_backlog')!.get();
      expect(backlog.values[0].value).toBe(2);
      const age = await register
        .getSingleMetric('cache_invalidation_oldest_pending_age_seconds')!
        .get();
      expect(age.values[0].value).toBeGreaterThan(0);
    } finally {
      await recorder.close();
    }
    // Back to this file's app, whose invalidations are all sent (as of its worker's last poll).
    await eventually(
      async () =>
        (await register.getSingleMetric('cache_invalidation_backlog')!.get()).values[0].value === 0
          ? true
          : undefined,
      { what: "the backlog gauge to fall back to this file's app" },
    );
  });

  it('paginates the list with a cursor, newest first', async () => {
    for (let i = 0; i < 3; i++)
      await http()
        .post('/admin/v1/cache/invalidations')
        .set(auth)
        .send({ paths: [`/page-${i}`] })
        .expect(202);
    const first = await http()
      .get('/admin/v1/cache/invalidations')
      .query({ limit: 2 })
      .set(auth)
      .expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await http()
      .get('/admin/v1/cache/invalidations')
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(auth)
      .expect(200);
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('refuses invalid paths and unknown ids', async () => {
    const bad = async (paths: unknown, pattern: RegExp) => {
      const res = await http()
        .post('/admin/v1/cache/invalidations')
        .set(auth)
        .send({ paths })
        .expect(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      expect(res.body.message).toMatch(pattern);
    };
    await bad(['no-slash'], /start with/);
    await bad(['/a/*/b'], /last character/);
    await bad(['/with space'], /URL-encode/);
    await bad([], /paths/);
    await bad(
      Array.from({ length: 16 }, (_, i) => `/w${i}*`),
      /at most 15 wildcard/,
    );
    await bad(
      Array.from({ length: 101 }, (_, i) => `/f${i}`),
      /paths/,
    );
    await http()
      .post('/admin/v1/cache/invalidations')
      .set(auth)
      .send({ paths: ['/ok'], extra: 1 })
      .expect(400);
    await http()
      .post('/admin/v1/cache/invalidations')
      .send({ paths: ['/ok'] })
      .expect(401);

    const missing = await http()
      .get('/admin/v1/cache/invalidations/65f000000000000000000000')
      .set(auth)
      .expect(404);
    expect(missing.body.error).toBe('INVALIDATION_NOT_FOUND');
    await http()
      .post('/admin/v1/cache/invalidations/65f000000000000000000000/retry')
      .set(auth)
      .expect(404);
    await http()
      .get('/admin/v1/cache/invalidations')
      .query({ status: 'lost' })
      .set(auth)
      .expect(400);
  });
});

describe('cache invalidation without a distribution', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(fastWorkerEnv('', motoEndpoint()));
  });
  afterAll(async () => t?.close());

  it('records public changes as skipped, so local runs work', async () => {
    const pages = pagesClient(t.app);
    const page = await pages.create();
    const requestId = newSlug('req-skip');
    await request(t.app.getHttpServer())
      .post(`/admin/v1/pages/${page.id}/publish`)
      .set(auth)
      .set('If-Match', `"${page.version}"`)
      .set('x-request-id', requestId)
      .expect(200);
    const skipped = await invalidationsClient(t.app).settled(requestId, 'skipped');
    expect(skipped).toMatchObject({ attempts: 0, cloudFrontId: null });
    expect(skipped.paths).toContain(`/v1/pages/${page.slug}*`);
  });
});
