import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { fastWorkerEnv, invalidationsClient } from './support/cache-invalidation';
import { createTestDistribution, eventually, motoEndpoint } from './support/cloudfront-moto';
import { CommandRecorder, type RecordedCommand } from './support/command-recorder';
import { scheduleClient } from './support/schedule-client';

/** Collections whose reads decide writes: locks, claims, leases, batches, items. */
const COORDINATION = [
  'page_locks',
  'cdn_invalidations',
  'cdn_invalidation_batches',
  'cdn_invalidation_tokens',
  'schema_migrations',
  'page_actions',
  'page_action_tokens',
];
const READS = new Set(['find', 'aggregate', 'count', 'distinct', 'getMore']);

/** The two public read shapes on pages: a published page by slug, and the published list. */
const isPublicPageRead = (c: RecordedCommand) =>
  c.filters.length > 0 && c.filters.every((f) => f.status === 'published');

/**
 * Production reads DocumentDB with `secondaryPreferred`. On a lagging secondary, a coordination
 * read (a lease read back, claim tokens, a batch's items) or an admin read-after-write (the
 * version check behind If-Match) sees the past and the service corrupts its own state or answers
 * 412 for a version it just returned. The stack's FerretDB is a replica set (rs0), so the driver
 * sends `$readPreference` exactly as it would in production; this proves from what is sent that
 * only public reads carry the configured preference.
 */
describe('read preference: only public reads may go to secondaries', () => {
  let t: TestApp;
  let recorder: CommandRecorder;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    const distributionId = await createTestDistribution();
    t = await startApp({
      ...fastWorkerEnv(distributionId, motoEndpoint()),
      MONGODB_READ_PREFERENCE: 'secondaryPreferred',
      // No replica lag to allow for: this pod's reads of pages it just wrote would otherwise go
      // to the primary (PublicPagesService), and this test checks what the others carry.
      MONGODB_REPLICA_LAG_ALLOWANCE_MS: '0',
    });
    recorder = CommandRecorder.attach(t.app.get<Connection>(getConnectionToken()));
  });
  afterAll(async () => {
    recorder?.detach();
    await t?.close();
  });

  it('sends coordination and admin reads to the primary through publishes, live schedule edits, PATCH sequences and manual invalidations', async () => {
    const schedules = scheduleClient(t.app);
    const invalidations = invalidationsClient(t.app);
    const page = await schedules.page();

    // PATCH right after PATCH with the ETag just returned: a stale admin read would answer 412.
    for (let i = 0; i < 5; i++) {
      const res = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({ title: `Title ${i}` })
        .expect(200);
      page.version = Number(JSON.parse(res.headers.etag));
    }
    await schedules.publish(page);
    await schedules.addEvent(
      page,
      { title: 'Open house', start: '2031-05-01T10:00', end: '2031-05-01T12:00' },
      { live: true },
    );
    const manual = await http()
      .post('/admin/v1/cache/invalidations')
      .set(auth)
      .set('x-request-id', 'read-pref-manual')
      .send({ paths: ['/v1/pages/read-pref-manual'] })
      .expect(202);
    expect(manual.body.status).toBe('pending');
    await invalidations.settled('read-pref-manual', 'completed');

    // A sponsorship term and a scheduled action that runs (leases, tokens, the page re-read).
    const term = await http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(auth)
      .set('If-Match', `"${page.version}"`)
      .send({
        sponsorship: {
          startsAt: new Date(Date.now() + 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
        },
      })
      .expect(200);
    page.version = Number(JSON.parse(term.headers.etag));
    const other = await schedules.page();
    await http()
      .post(`/admin/v1/pages/${other.id}/actions`)
      .set(auth)
      .send({ kind: 'archive', at: new Date(Date.now() + 500).toISOString() })
      .expect(201);
    await eventually(
      async () => {
        const res = await http().get(`/admin/v1/pages/${other.id}/actions`).set(auth);
        return res.body.items[0]?.status === 'done' ? true : undefined;
      },
      { what: 'the scheduled archive to run' },
    );

    // Public reads, which may use the configured preference.
    await http().get(`/v1/pages/${page.slug}`).expect(200);
    await http().get('/v1/pages').expect(200);
    await http().get(`/v1/pages/${page.slug}/schedule`).expect(200);
    await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
    await http().get(`/admin/v1/pages/${page.id}/revisions`).set(auth).expect(200);

    const reads = recorder.commands.filter((c) => READS.has(c.name));
    const offPrimary = reads.filter((c) => c.readPreference && c.readPreference !== 'primary');

    // Every coordination read went to the primary...
    const coordination = offPrimary.filter((c) => COORDINATION.includes(c.collection ?? ''));
    expect(
      coordination.map((c) => `${c.name} ${c.collection} ${JSON.stringify(c.filters)}`),
    ).toEqual([]);
    // ...and so did every read of pages or revisions that is not a public one.
    const admin = offPrimary.filter(
      (c) =>
        (c.collection === 'pages' && !isPublicPageRead(c)) || c.collection === 'page_revisions',
    );
    expect(admin.map((c) => `${c.name} ${c.collection} ${JSON.stringify(c.filters)}`)).toEqual([]);

    // The coordination collections were read at all (the run exercised them)...
    for (const name of [
      'cdn_invalidations',
      'cdn_invalidation_batches',
      'cdn_invalidation_tokens',
      'page_actions',
    ])
      expect(reads.some((c) => c.collection === name)).toBe(true);
    // ...and the public reads did carry the configured preference (the recorder sees it).
    const publicReads = reads.filter((c) => c.collection === 'pages' && isPublicPageRead(c));
    expect(publicReads.length).toBeGreaterThanOrEqual(3);
    for (const c of publicReads) expect(c.readPreference).toBe('secondaryPreferred');
  });
});
