import request from 'supertest';
import { register } from 'prom-client';
import { PageActionsService } from '../src/modules/page-actions/page-actions.service';
import { PageActionsWorker } from '../src/modules/page-actions/page-actions.worker';
import { PagesService } from '../src/modules/pages/pages.service';
import { auth, startApp, type TestApp } from './support/app';
import { encodeCursor } from '../src/core/http/cursor';
import { fromNow, pageActionsClient } from './support/page-actions-client';
import { pagesClient } from './support/pages-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The scheduler is driven by hand here (its timer is off), so each case can place a page change
 * exactly where it wants relative to a run.
 */
describe('scheduled page actions: API and edge cases', () => {
  let t: TestApp;
  let worker: PageActionsWorker;
  const http = () => request(t.app.getHttpServer());
  const pages = () => pagesClient(t.app);
  const actions = () => pageActionsClient(t.app);
  const adminPage = async (id: string) =>
    (await http().get(`/admin/v1/pages/${id}`).set(auth).expect(200)).body as {
      status: string;
      version: number;
      nextUnpublishAt: string | null;
      live: { content: { title: string } } | null;
    };

  beforeAll(async () => {
    t = await startApp({ PAGE_ACTIONS_WORKER_ENABLED: 'false' });
    worker = t.app.get(PageActionsWorker);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('create: 400 for the past, > 2 years ahead or no offset; 409 for the same instant; list and cancel', async () => {
    const page = await pages().create();
    await actions().schedule(page.id, { kind: 'unpublish', at: fromNow(-1000) }, 400);
    await actions().schedule(
      page.id,
      { kind: 'unpublish', at: new Date(Date.now() + 3 * 365 * 86400_000).toISOString() },
      400,
    );
    await actions().schedule(page.id, { kind: 'unpublish', at: '2030-01-01T00:00:00' }, 400);
    const at = fromNow(3600_000);
    const created = await actions().schedule(page.id, { kind: 'archive', at });
    expect(created.body).toMatchObject({ kind: 'archive', status: 'scheduled', at });
    const clash = await actions().schedule(page.id, { kind: 'unpublish', at }, 409);
    expect(clash.body).toMatchObject({
      error: 'CONFLICT',
      message: expect.stringMatching(/already has an action/),
    });
    // The same instant written with another offset is the same instant.
    const d = new Date(at);
    const offset = new Date(d.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    await actions().schedule(page.id, { kind: 'unpublish', at: offset }, 409);

    const other = await pages().create();
    for (let i = 1; i <= 4; i++)
      await actions().schedule(other.id, { kind: 'archive', at: fromNow(3600_000 + i * 1000) });
    // Across pages, upcoming in a window, three to a page of results.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http()
        .get('/admin/v1/page-actions')
        .query({ from: fromNow(0), to: fromNow(7200_000), limit: 3, ...(cursor ? { cursor } : {}) })
        .set(auth)
        .expect(200);
      seen.push(...(res.body.items as { id: string }[]).map((i) => i.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(await actions().ofPage(other.id)).toHaveLength(4);

    const cancelled = await http()
      .post(`/admin/v1/page-actions/${created.body.id as string}/cancel`)
      .set(auth)
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    // Its instant is free again.
    await actions().schedule(page.id, { kind: 'unpublish', at });
    await http().get('/admin/v1/page-actions/nope').set(auth).expect(404);
  });

  it('a publish goes live with the approved draft version even if the draft moved on', async () => {
    const page = await pages().create({ title: 'Approved title' });
    await actions().schedule(page.id, { kind: 'publish', at: fromNow(1000) }, 400); // no version
    await actions().schedule(
      page.id,
      { kind: 'publish', at: fromNow(1000), version: page.version + 1 },
      412,
    );
    const action = await actions().schedule(page.id, {
      kind: 'publish',
      at: fromNow(800),
      version: page.version,
    });
    await http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(auth)
      .set('If-Match', `"${page.version}"`)
      .send({ title: 'Edited after approval' })
      .expect(200);
    await sleep(900);
    await worker.tick();
    const pub = await http().get(`/v1/pages/${page.slug}`).expect(200);
    expect(pub.body.title).toBe('Approved title');
    const after = await adminPage(page.id);
    expect(after.status).toBe('published');
    const done = await actions().get(action.body.id as string);
    expect(done).toMatchObject({ status: 'done', approvedVersion: page.version });
    // Run again (as a replica whose lease expired would): nothing is applied twice.
    await worker.tick();
    expect((await adminPage(page.id)).version).toBe(after.version);
  });

  it('an action whose page state makes it moot is skipped with the reason, once', async () => {
    const page = await pages().create();
    const action = await actions().schedule(page.id, { kind: 'unpublish', at: fromNow(600) });
    await sleep(700);
    await worker.tick();
    await worker.tick();
    expect(await actions().get(action.body.id as string)).toMatchObject({
      status: 'skipped',
      reason: 'the page is draft, not published',
    });
  });

  it('an action of a deleted page is skipped, not an error loop', async () => {
    const page = await pages().create();
    const action = await actions().schedule(page.id, {
      kind: 'publish',
      at: fromNow(600),
      version: page.version,
    });
    await http()
      .delete(`/admin/v1/pages/${page.id}`)
      .set(auth)
      .set('If-Match', `"${page.version}"`)
      .expect(204);
    await sleep(700);
    await worker.tick();
    expect(await actions().get(action.body.id as string)).toMatchObject({
      status: 'skipped',
      reason: 'the page was deleted',
    });
  });

  it('a term edited while its publish runs: exactly one outcome (the edit wins the race)', async () => {
    const page = await pages().create();
    const first = await actions().setTerm(page.id, page.version, {
      startsAt: fromNow(600),
      endsAt: fromNow(3600_000),
    });
    await sleep(700);
    // The edit lands between the scheduler's read of the page and its write.
    const service = t.app.get(PagesService);
    const original = service.applyScheduledAction.bind(service);
    const spy = jest
      .spyOn(service, 'applyScheduledAction')
      .mockImplementationOnce(async (...args) => {
        await actions().setTerm(page.id, Number(first.body.version), {
          startsAt: fromNow(3600_000),
          endsAt: fromNow(7200_000),
        });
        return original(...args);
      });
    try {
      await worker.tick();
    } finally {
      spy.mockRestore();
    }
    await http().get(`/v1/pages/${page.slug}`).expect(404);
    const all = await actions().ofPage(page.id);
    expect(all.map((a) => [a.kind, a.status])).toEqual([
      ['publish', 'skipped'],
      ['unpublish', 'cancelled'],
      ['publish', 'scheduled'],
      ['unpublish', 'scheduled'],
    ]);
    expect(all[0].reason).toMatch(/term was changed/);
  });

  it('a term edited while its publish runs: exactly one outcome (the run wins, the stale edit gets 412)', async () => {
    const page = await pages().create();
    const first = await actions().setTerm(page.id, page.version, {
      startsAt: fromNow(600),
      endsAt: fromNow(3600_000),
    });
    await sleep(700);
    await worker.tick();
    await actions().setTerm(
      page.id,
      Number(first.body.version),
      { startsAt: fromNow(3600_000), endsAt: fromNow(7200_000) },
      412,
    );
    await http().get(`/v1/pages/${page.slug}`).expect(200);
    const all = await actions().ofPage(page.id);
    expect(all.map((a) => [a.kind, a.status])).toEqual([
      ['publish', 'done'],
      ['unpublish', 'scheduled'],
    ]);
  });

  it('an action being run cannot be cancelled: it is run or cancelled, never both', async () => {
    const page = await pages().createPublished();
    const action = await actions().schedule(page.id, { kind: 'unpublish', at: fromNow(600) });
    const id = action.body.id as string;
    await sleep(700);
    const service = t.app.get(PagesService);
    const original = service.applyScheduledAction.bind(service);
    let cancelStatus = 0;
    const spy = jest
      .spyOn(service, 'applyScheduledAction')
      .mockImplementationOnce(async (...args) => {
        cancelStatus = (await http().post(`/admin/v1/page-actions/${id}/cancel`).set(auth)).status;
        return original(...args);
      });
    try {
      await worker.tick();
    } finally {
      spy.mockRestore();
    }
    expect(cancelStatus).toBe(409);
    expect((await actions().get(id)).status).toBe('done');
    await http().get(`/v1/pages/${page.slug}`).expect(404);
  });

  it('DST: a term ending at local midnight is stored as that instant; local input needs its zone', async () => {
    const page = await pages().createPublished();
    // Europe/Berlin switches to CEST on 2027-03-28: midnight of the 29th is 22:00Z on the 28th.
    const res = await actions().setTerm(page.id, page.version, {
      startsAt: '2027-03-01T00:00',
      endsAt: '2027-03-29T00:00',
      timezone: 'Europe/Berlin',
    });
    expect(res.body.sponsorship).toMatchObject({
      startsAt: '2027-02-28T23:00:00.000Z',
      endsAt: '2027-03-28T22:00:00.000Z',
      approvedVersion: null, // already live: the term only schedules its unpublish
    });
    const version = Number(res.body.version);
    expect((await actions().ofPage(page.id)).map((a) => [a.kind, a.at])).toEqual([
      ['unpublish', '2027-03-28T22:00:00.000Z'],
    ]);
    await actions().setTerm(
      page.id,
      version,
      { startsAt: '2027-03-01T00:00', endsAt: '2027-03-29T00:00' },
      400,
    );
    await actions().setTerm(
      page.id,
      version,
      { startsAt: '2027-03-01T00:00', endsAt: '2027-03-28T02:30', timezone: 'Europe/Berlin' },
      400,
    );
  });

  it('while an unpublish is scheduled, page, schedule and feed are not cacheable past it', async () => {
    const page = await pages().createPublished();
    const free = await http().get(`/v1/pages/${page.slug}`).expect(200);
    expect(free.headers.expires).toBeUndefined();
    const at = fromNow(120_000);
    await actions().schedule(page.id, { kind: 'unpublish', at });
    expect((await adminPage(page.id)).nextUnpublishAt).toBe(at);
    // The list page that shows it: its cursor is the slug just before (a list is `slug > cursor`).
    const before = encodeCursor(page.slug.slice(0, -1));
    const list = await http().get('/v1/pages').query({ limit: 1, cursor: before }).expect(200);
    expect(list.body.items.map((i: { slug: string }) => i.slug)).toEqual([page.slug]);
    for (const path of ['', '/schedule', '/schedule.ics', `?limit=1&cursor=${before}`]) {
      const res = await http()
        .get(path.startsWith('?') ? `/v1/pages${path}` : `/v1/pages/${page.slug}${path}`)
        .expect(200);
      const cc = String(res.headers['cache-control']);
      const n = (d: string) => Number(new RegExp(`${d}=(\\d+)`).exec(cc)![1]);
      expect(n('s-maxage') + n('stale-while-revalidate')).toBeLessThanOrEqual(120);
      expect(n('s-maxage') + n('stale-if-error')).toBeLessThanOrEqual(120);
      expect(Date.parse(String(res.headers.expires))).toBeLessThanOrEqual(Date.parse(at));
    }
  });

  it('a term PATCH whose scheduling fails is finished by the sweep: nothing lost', async () => {
    const page = await pages().create();
    const service = t.app.get(PageActionsService);
    const spy = jest
      .spyOn(service, 'termChanged')
      .mockRejectedValueOnce(new Error('database went away'));
    let res;
    try {
      res = await actions().setTerm(page.id, page.version, {
        startsAt: fromNow(3600_000),
        endsAt: fromNow(7200_000),
      });
    } finally {
      spy.mockRestore();
    }
    expect(res.body.sponsorship.scheduled).toBe(false);
    expect(await actions().ofPage(page.id)).toEqual([]);
    await worker.tick();
    expect((await actions().ofPage(page.id)).map((a) => [a.kind, a.status])).toEqual([
      ['publish', 'scheduled'],
      ['unpublish', 'scheduled'],
    ]);
    const after = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
    expect(after.body.sponsorship.scheduled).toBe(true);
    expect(after.body.nextUnpublishAt).toBe(after.body.sponsorship.endsAt);
  });

  it('removing a term cancels its actions and lifts the cache cap', async () => {
    const page = await pages().createPublished();
    const set = await actions().setTerm(page.id, page.version, {
      startsAt: fromNow(1000),
      endsAt: fromNow(600_000),
    });
    expect((await http().get(`/v1/pages/${page.slug}`).expect(200)).headers.expires).toBeDefined();
    const removed = await actions().setTerm(page.id, Number(set.body.version), null);
    expect(removed.body).toMatchObject({ sponsorship: null, nextUnpublishAt: null });
    expect((await actions().ofPage(page.id)).map((a) => a.status)).toEqual(['cancelled']);
    expect(
      (await http().get(`/v1/pages/${page.slug}`).expect(200)).headers.expires,
    ).toBeUndefined();
  });

  it('clock skew: due times come from the database clock, not the replica clock', async () => {
    const page = await pages().createPublished();
    const action = await actions().schedule(page.id, { kind: 'unpublish', at: fromNow(1500) });
    // This replica's clock runs 10 minutes fast: it must not run the action early.
    const real = Date.now.bind(Date);
    const skew = jest.spyOn(Date, 'now').mockImplementation(() => real() + 600_000);
    try {
      await worker.tick();
      expect((await actions().get(action.body.id as string)).status).toBe('scheduled');
    } finally {
      skew.mockRestore();
    }
    await sleep(1600);
    await worker.tick();
    expect((await actions().get(action.body.id as string)).status).toBe('done');
  });

  it('metrics: due-but-not-run count and the oldest lateness', async () => {
    const page = await pages().createPublished();
    await actions().schedule(page.id, { kind: 'unpublish', at: fromNow(500) });
    await sleep(1600);
    const value = async (name: string) =>
      (await register.getSingleMetric(name)!.get()).values[0].value;
    expect(await value('page_actions_due')).toBeGreaterThanOrEqual(1);
    expect(await value('page_actions_oldest_lateness_seconds')).toBeGreaterThan(1);
    await worker.tick();
    expect(await value('page_actions_due')).toBe(0);
    expect(await value('page_actions_oldest_lateness_seconds')).toBe(0);
  });
});
