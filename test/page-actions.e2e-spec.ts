import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { fastWorkerEnv } from './support/cache-invalidation';
import {
  createTestDistribution,
  eventually,
  motoEndpoint,
  motoInvalidations,
} from './support/cloudfront-moto';
import { createToken } from './support/identities';
import { fromNow, pageActionsClient } from './support/page-actions-client';
import { pagesClient } from './support/pages-client';

/**
 * Sponsorship terms end to end: the running app's own scheduler (default poll interval) and
 * CDN worker against FerretDB and moto, nothing driven by the test but the one PATCH.
 */
describe('sponsorship terms go live and come down by themselves', () => {
  let t: TestApp;
  let distributionId: string;

  beforeAll(async () => {
    distributionId = await createTestDistribution();
    t = await startApp(fastWorkerEnv(distributionId, motoEndpoint()));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a term starting in 3 s and ending in 8 s: public, then 404, one CloudFront invalidation each', async () => {
    const pages = pagesClient(t.app);
    const actions = pageActionsClient(t.app);
    const page = await pages.create();
    const publisher = await createToken(t.app, 'publisher', 'term-setter');
    const startsAt = fromNow(3000);
    const endsAt = fromNow(8000);
    const set = await actions
      .http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(publisher.auth)
      .set('If-Match', `"${page.version}"`)
      .send({ sponsorship: { startsAt, endsAt } })
      .expect(200);
    expect(set.body.sponsorship).toMatchObject({ startsAt, endsAt, scheduled: true });
    expect(set.body.nextUnpublishAt).toBe(endsAt);
    const http = () => request(t.app.getHttpServer());
    await http().get(`/v1/pages/${page.slug}`).expect(404);

    // Public within 5 s of the start (polled every 100 ms).
    const live = await eventually(
      async () => {
        const res = await http().get(`/v1/pages/${page.slug}`);
        return res.status === 200 ? { res, at: Date.now() } : undefined;
      },
      { timeoutMs: 10_000, what: 'the page to go public' },
    );
    expect(live.at - Date.parse(startsAt)).toBeLessThan(5000);
    // While its unpublish is scheduled nothing may cache it past the end of the term.
    const cc = String(live.res.headers['cache-control']);
    const secs = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(cc)![1]);
    const left = (Date.parse(endsAt) - live.at) / 1000;
    expect(secs('s-maxage') + secs('stale-while-revalidate')).toBeLessThanOrEqual(left + 1);
    expect(secs('s-maxage') + secs('stale-if-error')).toBeLessThanOrEqual(left + 1);
    expect(Date.parse(String(live.res.headers.expires))).toBeLessThanOrEqual(
      Date.parse(endsAt) + 1000,
    );

    const gone = await eventually(
      async () => {
        const res = await http().get(`/v1/pages/${page.slug}`);
        return res.status === 404 ? Date.now() : undefined;
      },
      { timeoutMs: 15_000, what: 'the page to come down' },
    );
    expect(gone - Date.parse(endsAt)).toBeLessThan(5000);
    expect(gone).toBeGreaterThanOrEqual(Date.parse(endsAt));

    const sent = await eventually(
      async () => {
        const all = await motoInvalidations(distributionId);
        const mine = all.filter((i) => i.paths.includes(`/v1/pages/${page.slug}*`));
        return mine.length >= 2 ? mine : undefined;
      },
      { what: 'two invalidations in moto' },
    );
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives
    const all = await motoInvalidations(distributionId);
    expect(all.filter((i) => i.paths.includes(`/v1/pages/${page.slug}*`))).toHaveLength(2);
    expect(sent).toHaveLength(2);

    const ran = await actions.ofPage(page.id);
    expect(ran.map((a) => [a.kind, a.status, a.source])).toEqual([
      ['publish', 'done', 'term'],
      ['unpublish', 'done', 'term'],
    ]);
    const revisions = await http()
      .get(`/admin/v1/pages/${page.id}/revisions`)
      .set(auth)
      .expect(200);
    expect(revisions.body.items).toHaveLength(1);
    // The write path: the publish recorded revision 1 and bumped the version.
    const admin = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
    expect(admin.body).toMatchObject({ status: 'draft', revision: 1 });
    expect(admin.body.version).toBeGreaterThan(page.version + 2);

    // The audit trail has every write: the actions' creation by the publisher, and the
    // scheduler's publish and unpublish on the publisher's behalf.
    const trail = await http()
      .get(`/admin/v1/audit?pageId=${page.id}&limit=100`)
      .set(auth)
      .expect(200);
    const events = (
      trail.body.items as {
        action: string;
        actor: { id: string; name: string };
        onBehalfOf?: { id: string; name: string };
        target?: { type: string; id: string };
      }[]
    ).reverse();
    const actionIds = ran.map((a) => a.id);
    expect(
      events
        .filter((e) => e.action.startsWith('page-action.'))
        .map((e) => [e.action, e.actor.id, e.target?.id]),
    ).toEqual([
      ['page-action.created', publisher.actorId, actionIds[0]],
      ['page-action.created', publisher.actorId, actionIds[1]],
    ]);
    const scheduled = events.filter((e) => e.actor.id === 'scheduler');
    expect(
      scheduled
        .filter((e) => e.action !== 'page.schedule-synced')
        .map((e) => [e.action, e.onBehalfOf]),
    ).toEqual([
      ['page.published', { id: publisher.actorId, name: 'term-setter' }],
      ['page.unpublished', { id: publisher.actorId, name: 'term-setter' }],
    ]);
  });

  it('audits scheduling and cancelling an action, by whoever did it', async () => {
    const pages = pagesClient(t.app);
    const actions = pageActionsClient(t.app);
    const page = await pages.create();
    const publisher = await createToken(t.app, 'publisher', 'scheduler-user');
    const http = () => request(t.app.getHttpServer());
    const created = await http()
      .post(`/admin/v1/pages/${page.id}/actions`)
      .set(publisher.auth)
      .send({ kind: 'archive', at: fromNow(3_600_000) })
      .expect(201);
    expect(created.body.createdById).toBe(publisher.actorId);
    await http().post(`/admin/v1/page-actions/${created.body.id}/cancel`).set(auth).expect(200);
    const trail = await http()
      .get(`/admin/v1/audit?pageId=${page.id}&limit=100`)
      .set(auth)
      .expect(200);
    expect(
      (trail.body.items as { action: string; actor: { id: string }; target?: { id: string } }[])
        .filter((e) => e.action.startsWith('page-action.'))
        .map((e) => [e.action, e.actor.id, e.target?.id]),
    ).toEqual([
      ['page-action.cancelled', 'bootstrap', created.body.id],
      ['page-action.created', publisher.actorId, created.body.id],
    ]);
    expect(await actions.get(created.body.id as string)).toMatchObject({ status: 'cancelled' });
    // Delivered and acknowledged at once: nothing is left riding in the action's document.
    const stored = await t.app
      .get<Connection>(getConnectionToken())
      .collection<{ _id: string; auditOutbox?: unknown[] }>('page_actions')
      .findOne({ _id: created.body.id as string });
    expect(stored?.auditOutbox).toEqual([]);
  });
});
