import { type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import * as ical from 'node-ical';
import { auth, startApp, type TestApp } from './support/app';
import {
  endpointOccurrences,
  feedOccurrences,
  type PageRef,
  scheduleClient,
} from './support/schedule-client';

// A weekly Monday 09:00–10:30 series in Chicago: it crosses the spring-forward change (14 March
// 2027) and the fall-back change (7 November 2027).
const WEEKLY = {
  title: 'Open house',
  description: 'Coffee; questions, answers',
  location: { name: 'Acme office', address: '100 Congress Ave, Austin', online: false },
  start: '2027-03-01T09:00',
  end: '2027-03-01T10:30',
  recurrence: 'FREQ=WEEKLY;BYDAY=MO',
  registrationUrl: 'https://example.com/register',
};

describe('schedules', () => {
  let t: TestApp;
  let s: ReturnType<typeof scheduleClient>;
  const http = () => s.http();

  beforeAll(async () => {
    t = await startApp({
      SCHEDULE_MAX_EVENTS: '3',
      CACHE_S_MAXAGE: '600',
      // The outbox entries a live change records stay where the test can see them.
      CDN_INVALIDATION_WORKER_ENABLED: 'false',
    });
    s = scheduleClient(t.app);
  });
  afterAll(async () => t?.close());

  const outbox = async (page: PageRef) => {
    const doc = await t.app
      .get<Connection>(getConnectionToken())
      .collection('pages')
      .findOne({ _id: new Types.ObjectId(page.id) });
    return (doc?.cdnOutbox ?? []) as { reason: string; paths: string[] }[];
  };

  describe('admin', () => {
    it('sets the time zone with If-Match, bumping the version', async () => {
      const page = await s.page();
      const res = await s.raw('put', page, '/timezone', { timezone: 'Europe/Berlin' }).expect(200);
      expect(res.body).toEqual({ timezone: 'Europe/Berlin', events: [] });
      expect(res.headers.etag).toBe(`"${page.version + 1}"`);
      const got = await http().get(`/admin/v1/pages/${page.id}/schedule`).set(auth).expect(200);
      expect(got.body.timezone).toBe('Europe/Berlin');
    });

    it("takes a zone's current IANA name (Asia/Kolkata), keeps it as given and feeds it with its VTIMEZONE", async () => {
      const page = await s.page();
      const res = await s.raw('put', page, '/timezone', { timezone: 'Asia/Kolkata' }).expect(200);
      expect(res.body.timezone).toBe('Asia/Kolkata');
      page.version = Number(JSON.parse(res.headers.etag));
      await s.addEvent(page, { ...WEEKLY, recurrence: undefined });
      await s.publish(page);

      const got = await http().get(`/admin/v1/pages/${page.id}/schedule`).set(auth).expect(200);
      expect(got.body.timezone).toBe('Asia/Kolkata');
      const body = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(body.timezone).toBe('Asia/Kolkata');
      expect(body.occurrences.map((o) => o.start)).toEqual(['2027-03-01T09:00:00+05:30']);
      const lines = (await s.feed(page.slug)).split('\r\n');
      expect(lines).toContain('BEGIN:VTIMEZONE');
      expect(lines).toContain('TZID:Asia/Kolkata');
      expect(lines).toContain('DTSTART;TZID=Asia/Kolkata:20270301T090000');
    });

    it('creates, changes and removes an event', async () => {
      const page = await s.page();
      const created = await s.addEvent(page, WEEKLY);
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).toMatchObject({ ...WEEKLY, allDay: false, status: 'scheduled', sequence: 0 });

      const patched = await s.patchEvent(page, created.id, {
        title: 'Open house (new)',
        description: null,
      });
      expect(patched).toMatchObject({ title: 'Open house (new)', sequence: 1 });
      expect(patched.description).toBeUndefined();

      await s.raw('delete', page, `/events/${created.id}`).expect(204);
      const got = await http().get(`/admin/v1/pages/${page.id}/schedule`).set(auth).expect(200);
      expect(got.body.events).toEqual([]);
      await s.raw('delete', page, `/events/${created.id}`, undefined, page.version + 1).expect(404);
    });

    it('cancels and restores one occurrence, refusing dates without one and single events', async () => {
      const page = await s.page();
      const event = await s.addEvent(page, WEEKLY);
      const cancelled = await s.cancel(page, event.id, '2027-03-29');
      expect(cancelled.cancellations).toEqual(['2027-03-29']);

      const noOccurrence = await s
        .raw('post', page, `/events/${event.id}/cancellations`, { date: '2027-03-30' })
        .expect(400);
      expect(noOccurrence.body.message).toMatch(/^date: the event has no occurrence/);

      const restored = await s
        .raw('delete', page, `/events/${event.id}/cancellations/2027-03-29`)
        .expect(204);
      page.version = Number(JSON.parse(restored.headers.etag));
      await s.raw('delete', page, `/events/${event.id}/cancellations/2027-03-29`).expect(404);

      const single = await s.addEvent(page, { ...WEEKLY, recurrence: undefined });
      const refused = await s
        .raw('post', page, `/events/${single.id}/cancellations`, { date: '2027-03-01' })
        .expect(409);
      expect(refused.body.error).toBe('INVALID_STATE');
    });

    it('answers 428 without If-Match, 412 for a stale one, 404 for unknown events', async () => {
      const page = await s.page();
      await http()
        .post(`/admin/v1/pages/${page.id}/schedule/events`)
        .set(auth)
        .send(WEEKLY)
        .expect(428);
      await s.raw('post', page, '/events', WEEKLY, page.version + 5).expect(412);
      const missing = await s.raw('patch', page, '/events/nope', { title: 'x' }).expect(404);
      expect(missing.body.error).toBe('EVENT_NOT_FOUND');
      expect(await s.version(page)).toBe(page.version);
    });

    it.each<[string, string, string, object, RegExp]>([
      [
        'an invalid time zone',
        'put',
        '/timezone',
        { timezone: 'Mars/Olympus' },
        /^timezone must be an IANA/,
      ],
      [
        'end before start',
        'post',
        '/events',
        { ...WEEKLY, end: '2027-03-01T08:00' },
        /^end must be after start/,
      ],
      [
        'an unparsable RRULE',
        'post',
        '/events',
        { ...WEEKLY, recurrence: 'FREQ=NEVER' },
        /^recurrence is invalid/,
      ],
      [
        'a sub-daily RRULE',
        'post',
        '/events',
        { ...WEEKLY, recurrence: 'FREQ=DAILY;BYHOUR=9,17' },
        /^recurrence is invalid: BYHOUR/,
      ],
      [
        'a non-http URL',
        'post',
        '/events',
        { ...WEEKLY, registrationUrl: 'javascript:alert(1)' },
        /^registrationUrl must be a URL/,
      ],
      [
        'a long title',
        'post',
        '/events',
        { ...WEEKLY, title: 'x'.repeat(201) },
        /^title must be shorter/,
      ],
      [
        'an unknown field',
        'post',
        '/events',
        { ...WEEKLY, colour: 'red' },
        /colour should not exist/,
      ],
      [
        'a malformed time',
        'post',
        '/events',
        { ...WEEKLY, start: '1 March 2027' },
        /^start must be YYYY-MM-DDTHH:mm/,
      ],
      [
        'a start skipped by DST',
        'post',
        '/events',
        { ...WEEKLY, start: '2027-03-14T02:30', end: '2027-03-14T04:00', recurrence: undefined },
        /^start 2027-03-14T02:30 does not exist/,
      ],
      [
        'an exception that is no occurrence',
        'post',
        '/events',
        { ...WEEKLY, exceptions: ['2027-03-02'] },
        /^exceptions: the event does not occur/,
      ],
      ['a bad live flag', 'post', '/events?live=maybe', WEEKLY, /^live must be true or false/],
    ])(
      'refuses %s with a 400 naming the field, writing nothing',
      async (_name, method, path, body, message) => {
        const page = await s.page();
        const res = await s.raw(method as 'post', page, path, body).expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'VALIDATION_FAILED' });
        expect(res.body.message).toMatch(message);
        expect(await s.version(page)).toBe(page.version);
      },
    );

    it('refuses more events than SCHEDULE_MAX_EVENTS', async () => {
      const page = await s.page();
      for (let i = 0; i < 3; i++) await s.addEvent(page, WEEKLY);
      const res = await s.raw('post', page, '/events', WEEKLY).expect(400);
      expect(res.body.message).toMatch(/^events: a page has at most 3 events/);
    });

    it('refuses live=true on a page that is not published (409), writing nothing', async () => {
      const page = await s.page();
      const res = await s.raw('post', page, '/events?live=true', WEEKLY).expect(409);
      expect(res.body.error).toBe('INVALID_STATE');
      expect(await s.version(page)).toBe(page.version);
    });

    it('refuses a live change to an event that is only in the draft (409)', async () => {
      const page = await s.page();
      await s.publish(page);
      const draftOnly = await s.addEvent(page, WEEKLY);
      const res = await s
        .raw('post', page, `/events/${draftOnly.id}/cancellations?live=true`, {
          date: '2027-03-08',
        })
        .expect(409);
      expect(res.body.message).toMatch(/is not on the live page/);
    });
  });

  describe('public', () => {
    let page: PageRef;
    let eventId: string;

    beforeAll(async () => {
      page = await s.page();
      eventId = (await s.addEvent(page, { ...WEEKLY, exceptions: ['2027-03-22'] })).id;
      await s.cancel(page, eventId, '2027-03-29');
      await s.addEvent(page, {
        title: 'Fair',
        start: '2027-03-10',
        end: '2027-03-11',
        allDay: true,
      });
      await s.publish(page);
    });

    it('lists occurrences in the window, sorted, with offsets, exceptions skipped and cancellations marked', async () => {
      const body = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-31' });
      expect(body).toMatchObject({
        timezone: 'America/Chicago',
        from: '2027-03-01T00:00:00-06:00',
        to: '2027-04-01T00:00:00-05:00',
        truncated: false,
      });
      expect(body.occurrences.map((o) => [o.date, o.start, o.end, o.status])).toEqual([
        ['2027-03-01', '2027-03-01T09:00:00-06:00', '2027-03-01T10:30:00-06:00', 'scheduled'],
        ['2027-03-08', '2027-03-08T09:00:00-06:00', '2027-03-08T10:30:00-06:00', 'scheduled'],
        ['2027-03-10', '2027-03-10T00:00:00-06:00', '2027-03-12T00:00:00-06:00', 'scheduled'],
        ['2027-03-15', '2027-03-15T09:00:00-05:00', '2027-03-15T10:30:00-05:00', 'scheduled'],
        ['2027-03-29', '2027-03-29T09:00:00-05:00', '2027-03-29T10:30:00-05:00', 'cancelled'],
      ]);
      expect(body.occurrences[0]).toMatchObject({
        eventId,
        title: 'Open house',
        location: WEEKLY.location,
        allDay: false,
        recurring: true,
        registrationUrl: WEEKLY.registrationUrl,
      });
    });

    it('defaults to a 90-day window from the current hour', async () => {
      const body = await s.occurrences(page.slug);
      const from = Date.parse(body.from);
      expect(Date.now() - from).toBeGreaterThanOrEqual(0);
      expect(Date.now() - from).toBeLessThan(3_600_000);
      expect(Date.parse(body.to) - from).toBe(90 * 86_400_000);
    });

    it.each([
      [{ from: '2027-04-01', to: '2027-03-01' }, /^from must be before to/],
      [{ from: '2027-01-01', to: '2028-01-03' }, /^to must be at most 366 days/],
      [{ from: 'tomorrow' }, /^from must be a date/],
      [{ since: '2027-01-01' }, /since should not exist/],
    ])('refuses the window %j with 400', async (query, message) => {
      const res = await http().get(`/v1/pages/${page.slug}/schedule`).query(query).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('redirects (301) a window to its canonical spelling, which it serves as is', async () => {
      const base = `/v1/pages/${page.slug}/schedule`;
      for (const [asked, canonical] of [
        ['to=2027-03-31&from=2027-03-01', 'from=2027-03-01&to=2027-03-31'],
        [
          'from=2027-03-01T09:17:30&to=2027-03-02T10:05',
          'from=2027-03-01T09:00&to=2027-03-02T11:00',
        ],
        ['from=2027-03-01T09%3A00', 'from=2027-03-01T09:00'],
        ['from=2027-03-01T09:30%2B05:30', 'from=2027-03-01T04:00Z'],
      ]) {
        const res = await http().get(`${base}?${asked}`).redirects(0).expect(301);
        expect(res.headers.location).toBe(`${base}?${canonical}`);
        expect(res.headers['cache-control']).toMatch(/^public, /);
        await http().get(`${base}?${canonical}`).redirects(0).expect(200);
      }
      // A slug that cannot exist is not redirected anywhere (found by schemathesis).
      await http()
        .get('/v1/pages/%F4%87%92%8E5/schedule?to=2027-05-31&from=2027-03-01')
        .redirects(0)
        .expect(404);
      // Nor is a very long one (Fastify's router would answer 414 in its own shape).
      const long = await http()
        .get(`/v1/pages/${'a'.repeat(300)}/schedule`)
        .expect(404);
      expect(long.body).toMatchObject({ error: 'PAGE_NOT_FOUND' });
      await http().get(base).redirects(0).expect(200);
    });

    it('redirects an absolute-form request target to a path of its own, never to the host named in it', async () => {
      // supertest always sends origin-form; node:http sends the target as given.
      if (!t.app.getHttpServer().listening) await t.app.listen(0, '127.0.0.1');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const get = (path: string) =>
        new Promise<IncomingMessage>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path }, (res) => {
            res.resume();
            resolve(res);
          });
          req.on('error', reject);
          req.end();
        });
      for (const slug of [page.slug, 'no-such-page-anywhere']) {
        const res = await get(
          `http://evil.example/v1/pages/${slug}/schedule?to=2027-03-31&from=2027-03-01`,
        );
        expect(res.statusCode).toBe(301);
        expect(res.headers.location).toBe(
          `/v1/pages/${slug}/schedule?from=2027-03-01&to=2027-03-31`,
        );
      }
    });

    it('refuses any query parameter on the feed with 400, as the JSON endpoint does', async () => {
      const res = await http().get(`/v1/pages/${page.slug}/schedule.ics?r=42`).expect(400);
      expect(res.body).toMatchObject({
        error: 'VALIDATION_FAILED',
        message: 'property r should not exist',
      });
      expect(res.body.requestId).toBeDefined();
    });

    it('answers 404 for unknown and unpublished pages', async () => {
      await http().get('/v1/pages/no-such-page/schedule').expect(404);
      await http().get('/v1/pages/no-such-page/schedule.ics').expect(404);
      const draft = await s.page();
      const res = await http().get(`/v1/pages/${draft.slug}/schedule`).expect(404);
      expect(res.body.error).toBe('PAGE_NOT_FOUND');
    });

    it('is cacheable: Cache-Control, ETag per window, Last-Modified, 304 on If-None-Match', async () => {
      const query = { from: '2027-03-01', to: '2027-03-31' };
      const first = await http().get(`/v1/pages/${page.slug}/schedule`).query(query).expect(200);
      expect(first.headers['cache-control']).toMatch(/public, .*s-maxage=600/);
      expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers['last-modified']).toBeDefined();
      const again = await http()
        .get(`/v1/pages/${page.slug}/schedule`)
        .query(query)
        .set('If-None-Match', first.headers.etag)
        .expect(304);
      expect(again.headers.etag).toBe(first.headers.etag);
      const other = await http()
        .get(`/v1/pages/${page.slug}/schedule`)
        .query({ ...query, to: '2027-04-30' })
        .expect(200);
      expect(other.headers.etag).not.toBe(first.headers.etag);

      const feed = await http().get(`/v1/pages/${page.slug}/schedule.ics`).expect(200);
      expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(feed.headers['cache-control']).toMatch(/s-maxage=600/);
      await http()
        .get(`/v1/pages/${page.slug}/schedule.ics`)
        .set('If-None-Match', feed.headers.etag)
        .expect(304);
    });

    it('serves an RFC 5545 feed: VTIMEZONE, stable UID, RRULE/EXDATE, cancelled override, escaped text', async () => {
      const text = await s.feed(page.slug);
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('BEGIN:VCALENDAR');
      expect(lines).toContain('TZID:America/Chicago');
      expect(lines).toContain(`UID:${eventId}`);
      expect(lines).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
      expect(lines).toContain('EXDATE;TZID=America/Chicago:20270322T090000');
      expect(lines).toContain('RECURRENCE-ID;TZID=America/Chicago:20270329T090000');
      expect(lines).toContain('DESCRIPTION:Coffee\\; questions\\, answers');
      expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
      const parsed = ical.sync.parseICS(text)[eventId] as ical.VEvent;
      expect(parsed.description).toBe(WEEKLY.description);
      expect(parsed.rrule).toBeDefined();
    });

    it('gives the same occurrences from the endpoint and from the parsed .ics, across both DST changes', async () => {
      // Done when: a recurring event crossing a DST change, with one cancelled occurrence and one
      // exception, comes out identically from both.
      const from = '2027-02-20T00:00:00-06:00';
      const to = '2027-12-01T00:00:00-06:00';
      const body = await s.occurrences(page.slug, { from, to });
      const fromFeed = feedOccurrences(await s.feed(page.slug), new Date(from), new Date(to));
      const fromEndpoint = endpointOccurrences(body.occurrences).filter(
        (o) => o.eventId === eventId,
      );
      expect(fromFeed.filter((o) => o.eventId === eventId)).toEqual(fromEndpoint);

      const dates = body.occurrences.filter((o) => o.eventId === eventId).map((o) => o.date);
      expect(dates).not.toContain('2027-03-22'); // the exception
      expect(fromEndpoint.filter((o) => o.status === 'cancelled')).toHaveLength(1);
      // Both DST changes are inside, and 09:00 stays 09:00 local on both sides of each.
      const starts = body.occurrences.filter((o) => o.eventId === eventId).map((o) => o.start);
      expect(starts).toContain('2027-03-08T09:00:00-06:00');
      expect(starts).toContain('2027-03-15T09:00:00-05:00');
      expect(starts).toContain('2027-11-01T09:00:00-05:00');
      expect(starts).toContain('2027-11-08T09:00:00-06:00');
    });
  });

  describe('live changes', () => {
    it('shows a live cancellation on the public endpoints at once, without publishing draft edits', async () => {
      // Done when: a live cancellation shows on the public endpoints immediately without
      // publishing draft edits.
      const page = await s.page();
      const event = await s.addEvent(page, WEEKLY);
      await s.publish(page);
      const before = await http().get(`/v1/pages/${page.slug}`).expect(200);
      const occBefore = await http()
        .get(`/v1/pages/${page.slug}/schedule`)
        .query({ from: '2027-04-01', to: '2027-04-30' })
        .expect(200);
      const feedBefore = await http().get(`/v1/pages/${page.slug}/schedule.ics`).expect(200);

      // Unpublished draft edits: the page title and the event's title.
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({ title: 'Draft title, not yet published' })
        .expect(200);
      page.version += 1;
      await s.patchEvent(page, event.id, { title: 'Draft event title' });

      const cancelled = await s.cancel(page, event.id, '2027-04-12', { live: true });
      expect(cancelled).toMatchObject({
        title: 'Draft event title',
        cancellations: ['2027-04-12'],
      });

      // Occurrences: the cancellation is there, the draft event title is not.
      const after = await s.occurrences(page.slug, { from: '2027-04-01', to: '2027-04-30' });
      expect(after.occurrences.map((o) => [o.date, o.status, o.title])).toEqual([
        ['2027-04-05', 'scheduled', 'Open house'],
        ['2027-04-12', 'cancelled', 'Open house'],
        ['2027-04-19', 'scheduled', 'Open house'],
        ['2027-04-26', 'scheduled', 'Open house'],
      ]);
      // The old ETags no longer match: caches revalidating get the new representation.
      await http()
        .get(`/v1/pages/${page.slug}/schedule`)
        .query({ from: '2027-04-01', to: '2027-04-30' })
        .set('If-None-Match', occBefore.headers.etag)
        .expect(200);

      // The feed carries the cancelled override; the event's SEQUENCE moved on.
      const feed = await s.feed(page.slug);
      expect(feed).toContain('RECURRENCE-ID;TZID=America/Chicago:20270412T090000');
      expect(feed).not.toContain('Draft event title');
      expect(feed).toContain('SEQUENCE:1');
      const feedAfter = await http()
        .get(`/v1/pages/${page.slug}/schedule.ics`)
        .set('If-None-Match', feedBefore.headers.etag)
        .expect(200);
      expect(feedAfter.headers.etag).not.toBe(feedBefore.headers.etag);

      // The live page body shows the cancellation with a new ETag, and still the live title.
      const pageAfter = await http().get(`/v1/pages/${page.slug}`).expect(200);
      expect(pageAfter.headers.etag).not.toBe(before.headers.etag);
      expect(pageAfter.body.title).toBe(before.body.title);
      expect(pageAfter.body.schedule.events[0]).toMatchObject({
        title: 'Open house',
        cancellations: ['2027-04-12'],
      });
      expect(pageAfter.body.revision).toBe(before.body.revision);

      // The draft keeps its edits; the CDN paths were recorded in the same write.
      const admin = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
      expect(admin.body.draft.title).toBe('Draft title, not yet published');
      const entries = await outbox(page);
      expect(entries.map((e) => e.reason)).toContain('schedule-change');
      expect(entries.find((e) => e.reason === 'schedule-change')?.paths).toEqual(
        expect.arrayContaining([`/v1/pages/${page.slug}*`]),
      );
    });

    it('cancels a whole event live through its status, and restores it', async () => {
      const page = await s.page();
      const event = await s.addEvent(page, { ...WEEKLY, recurrence: undefined });
      await s.publish(page);
      await s.patchEvent(page, event.id, { status: 'cancelled' }, { live: true });
      const off = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(off.occurrences.map((o) => o.status)).toEqual(['cancelled']);
      expect(await s.feed(page.slug)).toContain('STATUS:CANCELLED');
      await s.patchEvent(page, event.id, { status: 'scheduled' }, { live: true });
      const on = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(on.occurrences.map((o) => o.status)).toEqual(['scheduled']);
    });

    it('adds and removes events live, and changes the live time zone', async () => {
      const page = await s.page();
      await s.publish(page);
      const added = await s.addEvent(page, { ...WEEKLY, recurrence: undefined }, { live: true });
      let live = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(live.occurrences.map((o) => o.start)).toEqual(['2027-03-01T09:00:00-06:00']);

      const tz = await s
        .raw('put', page, '/timezone?live=true', { timezone: 'Europe/Berlin' })
        .expect(200);
      page.version = Number(JSON.parse(tz.headers.etag));
      live = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(live.occurrences.map((o) => o.start)).toEqual(['2027-03-01T09:00:00+01:00']);

      const removed = await s.raw('delete', page, `/events/${added.id}?live=true`).expect(204);
      page.version = Number(JSON.parse(removed.headers.etag));
      live = await s.occurrences(page.slug, { from: '2027-03-01', to: '2027-03-02' });
      expect(live.occurrences).toEqual([]);
      expect((await outbox(page)).filter((e) => e.reason === 'schedule-change')).toHaveLength(3);
    });

    it('caps the response and says so', async () => {
      const capped = await startApp({ SCHEDULE_MAX_OCCURRENCES: '5' });
      try {
        const c = scheduleClient(capped.app);
        const page = await c.page();
        await c.addEvent(page, { ...WEEKLY, recurrence: 'FREQ=DAILY' });
        await c.publish(page);
        const body = await c.occurrences(page.slug, { from: '2027-03-01', to: '2027-12-31' });
        expect(body.truncated).toBe(true);
        expect(body.occurrences.map((o) => o.date)).toEqual([
          '2027-03-01',
          '2027-03-02',
          '2027-03-03',
          '2027-03-04',
          '2027-03-05',
        ]);
      } finally {
        await capped.close();
      }
    });
  });
});
