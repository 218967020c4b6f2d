import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as ical from 'node-ical';
import request from 'supertest';
import { auth } from './app';
import { pagesClient } from './pages-client';

export interface PublicOccurrence {
  eventId: string;
  date: string;
  title: string;
  start: string;
  end: string;
  allDay: boolean;
  status: 'scheduled' | 'cancelled';
}

/** A page under test with its current version, so calls chain If-Match without noise. */
export interface PageRef {
  id: string;
  slug: string;
  version: number;
}

/** Schedule admin calls that track the page version, and public-read helpers. */
export function scheduleClient(app: NestFastifyApplication) {
  const http = () => request(app.getHttpServer());
  const pages = pagesClient(app);
  const base = (page: PageRef) => `/admin/v1/pages/${page.id}/schedule`;
  const track = (page: PageRef, res: request.Response) => {
    if (res.headers.etag) page.version = Number(JSON.parse(res.headers.etag));
    return res;
  };
  const live = (on?: boolean) => (on ? '?live=true' : '');

  return {
    http,
    pages,
    async page(overrides: Record<string, unknown> = {}): Promise<PageRef> {
      const p = await pages.create({ timezone: 'America/Chicago', ...overrides });
      return { id: p.id, slug: p.slug, version: p.version };
    },
    async publish(page: PageRef): Promise<void> {
      page.version = (await pages.action(page.id, 'publish', page.version)).version;
    },
    async addEvent(page: PageRef, body: Record<string, unknown>, opts: { live?: boolean } = {}) {
      const res = await http()
        .post(`${base(page)}/events${live(opts.live)}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send(body)
        .expect(201);
      track(page, res);
      return res.body as { id: string } & Record<string, unknown>;
    },
    async patchEvent(
      page: PageRef,
      eventId: string,
      body: Record<string, unknown>,
      opts: { live?: boolean } = {},
    ) {
      const res = await http()
        .patch(`${base(page)}/events/${eventId}${live(opts.live)}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send(body)
        .expect(200);
      return track(page, res).body as Record<string, unknown>;
    },
    async cancel(page: PageRef, eventId: string, date: string, opts: { live?: boolean } = {}) {
      const res = await http()
        .post(`${base(page)}/events/${eventId}/cancellations${live(opts.live)}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({ date })
        .expect(201);
      return track(page, res).body as Record<string, unknown>;
    },
    /** Sends an admin schedule request as-is (for refusals); returns the raw response. */
    raw(
      method: 'post' | 'patch' | 'put' | 'delete',
      page: PageRef,
      path: string,
      body?: object,
      version = page.version,
    ) {
      const req = http()
        [method](`${base(page)}${path}`)
        .set(auth)
        .set('If-Match', `"${version}"`);
      return body ? req.send(body) : req;
    },
    async version(page: PageRef): Promise<number> {
      const res = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
      return res.body.version as number;
    },
    async occurrences(slug: string, query: Record<string, string> = {}) {
      // A non-canonical window is redirected once to its canonical spelling.
      const res = await http()
        .get(`/v1/pages/${slug}/schedule`)
        .query(query)
        .redirects(1)
        .expect(200);
      return res.body as {
        occurrences: PublicOccurrence[];
        truncated: boolean;
        from: string;
        to: string;
        timezone: string;
      };
    },
    async feed(slug: string): Promise<string> {
      const res = await http()
        .get(`/v1/pages/${slug}/schedule.ics`)
        .buffer(true)
        .parse(textParser)
        .expect(200);
      return res.body as string;
    },
  };
}

function textParser(res: request.Response, done: (err: Error | null, body: string) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => done(null, text));
}

/**
 * The occurrences an independent iCalendar parser (node-ical) reads from a feed for [from, to),
 * in the shape of the occurrences endpoint (instants compared, not strings).
 */
export function feedOccurrences(ics: string, from: Date, to: Date) {
  const out: { eventId: string; start: number; end: number; status: string; title: string }[] = [];
  for (const component of Object.values(ical.sync.parseICS(ics))) {
    if (!component || component.type !== 'VEVENT') continue;
    const vevent = component;
    // Overrides (RECURRENCE-ID) are applied by expanding their series.
    if (vevent.recurrenceid) continue;
    for (const instance of ical.expandRecurringEvent(vevent, { from, to, expandOngoing: true })) {
      const start = new Date(instance.start).getTime();
      if (start >= to.getTime()) continue;
      const event = instance.event;
      out.push({
        eventId: vevent.uid,
        start,
        end: new Date(instance.end).getTime(),
        status: event.status === 'CANCELLED' ? 'cancelled' : 'scheduled',
        title: typeof event.summary === 'string' ? event.summary : event.summary.val,
      });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.eventId.localeCompare(b.eventId));
}

export function endpointOccurrences(occurrences: PublicOccurrence[]) {
  return occurrences
    .map((o) => ({
      eventId: o.eventId,
      start: Date.parse(o.start),
      end: Date.parse(o.end),
      status: o.status,
      title: o.title,
    }))
    .sort((a, b) => a.start - b.start || a.eventId.localeCompare(b.eventId));
}
