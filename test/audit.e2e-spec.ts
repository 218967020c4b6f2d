import { randomBytes } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import request from 'supertest';
import { AuditService } from '../src/modules/audit/audit.service';
import { auth, startApp, type TestApp } from './support/app';
import { newPage } from './support/factories';
import { createToken, staffTokens, type StaffToken } from './support/identities';

interface Event {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; id: string; name: string };
  role?: string;
  page?: { id: string; slug: string };
  version?: { before: number | null; after: number | null };
  changes?: string[];
  onBehalfOf?: { id: string; name: string };
  requestId?: string;
  clientRequestId?: string;
  sourceIp?: string;
}

describe('audit trail', () => {
  let t: TestApp;
  let staff: Record<'viewer' | 'editor' | 'publisher' | 'admin', StaffToken>;
  const http = () => request(t.app.getHttpServer());
  const db = () => t.app.get<Connection>(getConnectionToken());

  beforeAll(async () => {
    t = await startApp({ AUDIT_DRAIN_INTERVAL_MS: '600000' });
    staff = await staffTokens(t.app);
  });
  afterAll(() => t.close());

  async function trail(query: string): Promise<Event[]> {
    const res = await http().get(`/admin/v1/audit?${query}`).set(auth).expect(200);
    return res.body.items as Event[];
  }

  it('names each of two staff editing and publishing one page, with versions, in order', async () => {
    const alice = staff.editor;
    const bob = staff.publisher;
    const created = await http()
      .post('/admin/v1/pages')
      .set(alice.auth)
      .set('X-Request-Id', 'req-alice-create')
      .send(newPage())
      .expect(201);
    // The response echoes the caller's id; the audit keeps it apart from the server's own.
    expect(created.headers['x-request-id']).toBe('req-alice-create');
    const id = created.body.id as string;
    const step = (who: StaffToken, path: string, version: number, body?: object) => {
      const r = body
        ? http().patch(`/admin/v1/pages/${id}`).send(body)
        : http().post(`/admin/v1/pages/${id}/${path}`);
      return r.set(who.auth).set('If-Match', `"${version}"`).expect(200);
    };
    await step(alice, '', 1, { title: 'First edit' });
    await step(bob, 'publish', 2);
    await step(alice, '', 3, { summary: 'Second edit', agent: { name: 'Jane Q. Doe' } });
    await step(bob, 'publish', 4);
    // Bob cannot delete (admin only); Alice cannot publish.
    await http()
      .post(`/admin/v1/pages/${id}/publish`)
      .set(alice.auth)
      .set('If-Match', '"5"')
      .expect(403);

    const events = (await trail(`pageId=${id}`)).reverse();
    expect(
      events.map((e) => [e.action, e.actor.name, e.role, e.version?.before, e.version?.after]),
    ).toEqual([
      ['page.created', alice.name, 'editor', null, 1],
      ['page.updated', alice.name, 'editor', 1, 2],
      ['page.published', bob.name, 'publisher', 2, 3],
      ['page.updated', alice.name, 'editor', 3, 4],
      ['page.published', bob.name, 'publisher', 4, 5],
    ]);
    expect(events[0]).toMatchObject({
      actor: { kind: 'token', id: alice.actorId },
      page: { id, slug: created.body.slug },
      clientRequestId: 'req-alice-create',
      sourceIp: '127.0.0.1',
    });
    expect(events[0].requestId).toEqual(expect.any(String));
    expect(events[0].requestId).not.toBe('req-alice-create');
    // Without an X-Request-Id of the caller's there is one id: the server's.
    expect(events[1].clientRequestId).toBeUndefined();
    expect(events[1].changes).toEqual(['draft.title']);
    // The agent object is replaced whole: its title, not sent again, is gone too.
    expect(events[3].changes).toEqual(['draft.agent.name', 'draft.agent.title', 'draft.summary']);
    expect(events[2].changes).toEqual(expect.arrayContaining(['status', 'live', 'revision']));

    // Delivered at once: nothing is left riding in the page document.
    const stored = await db()
      .collection('pages')
      .findOne({ _id: new Types.ObjectId(id) });
    expect(stored?.auditOutbox).toEqual([]);
    // The page names its writers by id, with the display name beside.
    expect(stored).toMatchObject({
      createdBy: alice.name,
      createdById: alice.actorId,
      updatedBy: bob.name,
      updatedById: bob.actorId,
      live: { publishedBy: bob.name, publishedById: bob.actorId },
    });

    const revisions = await http().get(`/admin/v1/pages/${id}/revisions`).set(staff.viewer.auth);
    expect(
      revisions.body.items.map((r: { publishedBy: string; publishedById: string }) => [
        r.publishedBy,
        r.publishedById,
      ]),
    ).toEqual([
      [bob.name, bob.actorId],
      [bob.name, bob.actorId],
    ]);
  });

  it('filters by actor, action and time, newest first, and pages by cursor without gaps', async () => {
    const all = await trail('limit=100');
    for (let i = 1; i < all.length; i++) expect(all[i - 1].at >= all[i].at).toBe(true);

    const byId = await trail(`actor=${staff.publisher.actorId}&limit=100`);
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((e) => e.actor.id === staff.publisher.actorId)).toBe(true);

    const published = await trail('action=page.published&limit=100');
    expect(published.length).toBe(2);
    const future = await trail(
      `from=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`,
    );
    expect(future).toEqual([]);
    const upToFirst = await trail(`to=${encodeURIComponent(all[all.length - 1].at)}&limit=100`);
    expect(upToFirst.map((e) => e.id)).toContain(all[all.length - 1].id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http()
        .get(`/admin/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth)
        .expect(200);
      seen.push(...res.body.items.map((e: Event) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('filters by the stable actor id: a token named "bootstrap" is not the bootstrap identity', async () => {
    const impostor = await createToken(t.app, 'editor', 'bootstrap');
    const made = await http().post('/admin/v1/pages').set(impostor.auth).send(newPage());
    expect(made.status).toBe(201);
    const asBootstrap = await trail('actor=bootstrap&limit=100');
    expect(asBootstrap.length).toBeGreaterThan(0);
    expect(asBootstrap.every((e) => e.actor.id === 'bootstrap')).toBe(true);
    expect(asBootstrap.map((e) => e.page?.id)).not.toContain(made.body.id);
    const mine = await trail(`actor=${encodeURIComponent(impostor.actorId)}`);
    expect(mine.map((e) => [e.action, e.actor.name, e.page?.id])).toEqual([
      ['page.created', 'bootstrap', made.body.id],
    ]);
    // A display name is no filter at all.
    expect(await trail(`actor=${encodeURIComponent(staff.publisher.name)}`)).toEqual([]);
  });

  it('finds, under an actor id, the rows written before actor ids were qualified (bare token id)', async () => {
    const tokenId = randomBytes(12).toString('hex');
    await db()
      .collection<{ _id: string } & Record<string, unknown>>('audit_events')
      .insertOne({
        _id: randomBytes(12).toString('hex'),
        at: new Date(),
        action: 'page.updated',
        actor: { kind: 'token', id: tokenId, name: 'old row' },
        changes: [],
      });
    const found = await trail(`actor=${encodeURIComponent(`token:${tokenId}`)}`);
    expect(found.map((e) => e.actor)).toEqual([{ kind: 'token', id: tokenId, name: 'old row' }]);
    expect(await trail(`actor=${tokenId}`)).toHaveLength(1);
  });

  it('refuses bad filters with 400', async () => {
    const bad = [
      'pageId=not-a-page',
      'action=page.nuked',
      'from=yesterday',
      'to=2027-13-01T00:00:00Z',
      'from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z',
      'cursor=garbage',
      `cursor=${Buffer.from(JSON.stringify(['x', 1])).toString('base64url')}`,
      'limit=0',
      'limit=101',
      'limit=ten',
      'sort=asc',
      `actor=${'a'.repeat(601)}`,
      'actor[$ne]=x',
    ];
    for (const query of bad) {
      const res = await http().get(`/admin/v1/audit?${query}`).set(auth);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, requestId: expect.any(String) });
    }
  });

  it('is for admins only', async () => {
    await http().get('/admin/v1/audit').set(staff.publisher.auth).expect(403);
    await http().get('/admin/v1/audit').set(staff.admin.auth).expect(200);
  });

  it('audits live schedule changes (publisher only) and manual CDN invalidations', async () => {
    const page = await http().post('/admin/v1/pages').set(auth).send(newPage()).expect(201);
    await http()
      .post(`/admin/v1/pages/${page.body.id}/publish`)
      .set(auth)
      .set('If-Match', '"1"')
      .expect(200);
    const event = { title: 'Open house', start: '2027-03-01T09:00', end: '2027-03-01T10:30' };
    const path = `/admin/v1/pages/${page.body.id}/schedule/events`;
    await http()
      .post(`${path}?live=true`)
      .set(staff.editor.auth)
      .set('If-Match', '"2"')
      .send(event)
      .expect(403);
    await http().post(path).set(staff.editor.auth).set('If-Match', '"2"').send(event).expect(201);
    await http()
      .post(`${path}?live=true`)
      .set(staff.publisher.auth)
      .set('If-Match', '"3"')
      .send(event)
      .expect(201);
    const events = await trail(`pageId=${page.body.id}&action=schedule.event-added`);
    expect(
      events.map((e) => [e.actor.name, e.changes?.some((c) => c.startsWith('live.'))]),
    ).toEqual([
      [staff.publisher.name, true],
      [staff.editor.name, false],
    ]);

    await http()
      .post('/admin/v1/cache/invalidations')
      .set(staff.editor.auth)
      .send({ paths: ['/v1/pages/x'] })
      .expect(403);
    const inv = await http()
      .post('/admin/v1/cache/invalidations')
      .set(staff.publisher.auth)
      .send({ paths: ['/v1/pages/x'] })
      .expect(202);
    const [requested] = await trail('action=cdn.invalidation.requested');
    expect(requested).toMatchObject({
      actor: { id: staff.publisher.actorId },
      target: { type: 'invalidation', id: inv.body.id },
    });
  });

  it('delivers, exactly once, an entry a crashed write left in its page', async () => {
    const page = await http().post('/admin/v1/pages').set(auth).send(newPage()).expect(201);
    const entryId = new Types.ObjectId().toHexString();
    // What a process that died right after its page update leaves behind.
    await db()
      .collection('pages')
      .updateOne(
        { _id: new Types.ObjectId(page.body.id) },
        {
          $push: {
            auditOutbox: {
              id: entryId,
              at: new Date(Date.now() - 10_000),
              action: 'page.updated',
              actor: { kind: 'token', id: staff.editor.actorId, name: staff.editor.name },
              role: 'editor',
              page: { id: page.body.id, slug: page.body.slug },
              version: { before: 1, after: 2 },
              changes: ['draft.title'],
              requestId: 'req-crashed',
            },
          } as never,
        },
      );
    expect(await trail(`pageId=${page.body.id}&action=page.updated`)).toEqual([]);
    const audit = t.app.get(AuditService);
    await audit.drain();
    await audit.drain();
    const delivered = await trail(`pageId=${page.body.id}&action=page.updated`);
    expect(delivered.map((e) => [e.id, e.requestId])).toEqual([[entryId, 'req-crashed']]);
    const stored = await db()
      .collection('pages')
      .findOne({ _id: new Types.ObjectId(page.body.id) });
    expect(stored?.auditOutbox).toEqual([]);
  });

  it('audits a deletion, and resolves a deletion intent a crash left unresolved', async () => {
    const gone = await http().post('/admin/v1/pages').set(auth).send(newPage()).expect(201);
    await http()
      .delete(`/admin/v1/pages/${gone.body.id}`)
      .set(staff.publisher.auth)
      .set('If-Match', '"1"')
      .expect(403);
    await http()
      .delete(`/admin/v1/pages/${gone.body.id}`)
      .set(staff.admin.auth)
      .set('If-Match', '"1"')
      .expect(204);
    expect(await trail(`pageId=${gone.body.id}&action=page.deleted`)).toMatchObject([
      { actor: { id: staff.admin.actorId }, version: { before: 1, after: null } },
    ]);

    // Intents a crash left: one whose page is gone (the delete happened), one whose page is
    // still there (it did not).
    const kept = await http().post('/admin/v1/pages').set(auth).send(newPage()).expect(201);
    const intent = (pageId: string, slug: string) => ({
      _id: new Types.ObjectId().toHexString(),
      at: new Date(Date.now() - 120_000),
      action: 'page.deleted',
      actor: { kind: 'token', id: staff.admin.actorId, name: staff.admin.name },
      page: { id: pageId, slug },
      version: { before: 1, after: null },
      intent: true,
    });
    const vanished = new Types.ObjectId().toHexString();
    await db()
      .collection('audit_events')
      .insertMany([intent(vanished, 'vanished'), intent(kept.body.id, kept.body.slug)] as never[]);
    expect(await trail(`pageId=${vanished}`)).toEqual([]);
    await t.app.get(AuditService).drain();
    expect(await trail(`pageId=${vanished}`)).toHaveLength(1);
    expect(await trail(`pageId=${kept.body.id}&action=page.deleted`)).toEqual([]);
    expect(await db().collection('audit_events').countDocuments({ intent: true })).toBe(0);
  });
});
