import request from 'supertest';
import { REQUEST_SHAPE_LIMITS as L } from '../src/core/http/request-shape';
import { auth, startApp, type TestApp } from './support/app';
import { newPage, newSlug } from './support/factories';
import { scheduleClient, type PageRef } from './support/schedule-client';

const SHAPE_ERROR = {
  statusCode: 400,
  error: 'REQUEST_SHAPE_LIMIT',
  message: expect.any(String),
  requestId: expect.any(String),
};

/** A valid page create body as JSON text, with `extra` (raw JSON) as one more field. */
const pageWith = (slug: string, extra: string): string =>
  `${JSON.stringify(newPage({ slug })).slice(0, -1)},"extra":${extra}}`;

/** `{"k0":1,"k1":1,...}` with n keys, plus the given fields. */
function manyKeys(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { ...fields };
  for (let i = 0; i < n; i++) body[`k${i}`] = 1;
  return body;
}

describe('request shape: depth, keys, array items and values are bounded before validation', () => {
  let t: TestApp;
  let schedules: ReturnType<typeof scheduleClient>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp();
    schedules = scheduleClient(t.app);
  });
  afterAll(async () => t?.close());

  async function countBySlug(slug: string): Promise<number> {
    const res = await http().get('/admin/v1/pages').query({ limit: 100 }).set(auth).expect(200);
    return res.body.items.filter((p: { slug: string }) => p.slug === slug).length;
  }

  const postPage = (body: string | object) =>
    http().post('/admin/v1/pages').set(auth).set('content-type', 'application/json').send(body);

  async function versionOf(page: PageRef): Promise<number> {
    const res = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
    return res.body.version as number;
  }

  it('refuses JSON nested 20,000 deep with a 400 naming the depth limit (not a 500), and writes nothing', async () => {
    for (const open of ['[', '{"a":']) {
      const slug = newSlug('deep');
      const close = open === '[' ? ']' : '}';
      const res = await postPage(pageWith(slug, open.repeat(20_000) + '1' + close.repeat(20_000)));
      expect(res.status).toBe(400);
      expect(res.body).toEqual(SHAPE_ERROR);
      expect(res.body.message).toBe(
        `Request body nests objects and arrays deeper than the limit of ${L.depth} levels`,
      );
      expect(await countBySlug(slug)).toBe(0);
    }
  });

  it('takes nesting up to the limit to validation, and refuses one level more', async () => {
    const nest = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    // The page object is level 1: `extra` adds levels 2 and up.
    const atLimit = await postPage(pageWith(newSlug('deep'), nest(L.depth - 1)));
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.error).toBe('VALIDATION_FAILED');
    expect(atLimit.body.message).toMatch(/property extra should not exist/);
    const over = await postPage(pageWith(newSlug('deep'), nest(L.depth)));
    expect(over.body).toEqual(SHAPE_ERROR);
    expect(over.body.message).toMatch(/deeper than the limit/);
  });

  it('refuses an object with more keys than the limit, naming the limit and where', async () => {
    const slug = newSlug('keys');
    // The probe's body: 20,000 keys (about 200 KB), under the body size limit.
    const top = await postPage(manyKeys(20_000, newPage({ slug })));
    expect(top.body).toEqual(SHAPE_ERROR);
    expect(top.body.message).toBe(
      `Request body has an object with more than the limit of ${L.keys} keys (at the top level)`,
    );
    const nested = await postPage(newPage({ slug, agent: manyKeys(L.keys + 1, { name: 'A' }) }));
    expect(nested.body).toEqual(SHAPE_ERROR);
    expect(nested.body.message).toMatch(
      new RegExp(`more than the limit of ${L.keys} keys \\(at agent\\)$`),
    );
    expect(await countBySlug(slug)).toBe(0);
  });

  it('refuses an array longer than the limit, naming the limit and where; the page is unchanged', async () => {
    const page = await schedules.page();
    const version = await versionOf(page);
    const exceptions = Array.from({ length: 5_000 }, () => '2031-01-13');
    const res = await http()
      .post(`/admin/v1/pages/${page.id}/schedule/events`)
      .set(auth)
      .set('If-Match', `"${version}"`)
      .send({ title: 'Office hours', start: '2031-01-06T09:00', exceptions });
    expect(res.body).toEqual(SHAPE_ERROR);
    expect(res.body.message).toBe(
      `Request body has an array with more than the limit of ${L.items} items (at exceptions)`,
    );
    expect(await versionOf(page)).toBe(version);
    const schedule = await http().get(`/admin/v1/pages/${page.id}/schedule`).set(auth).expect(200);
    expect(schedule.body.events).toEqual([]);
  });

  it('refuses a body with more values in all than the limit', async () => {
    const slug = newSlug('values');
    // Each array and object within its own limits; 1,200 values together.
    const sections = Array.from({ length: 300 }, (_, i) => ({ heading: `S${i}`, body: 'b', x: 1 }));
    const res = await postPage(newPage({ slug, sections }));
    expect(res.body).toEqual(SHAPE_ERROR);
    expect(res.body.message).toBe(
      `Request body has more than the limit of ${L.values} values in all`,
    );
    expect(await countBySlug(slug)).toBe(0);
  });

  it('accepts the largest bodies the DTOs allow', async () => {
    const url = 'https://example.com/' + 'p'.repeat(2000);
    const body = newPage({
      slug: newSlug('largest'),
      timezone: 'America/Chicago',
      title: 'T'.repeat(200),
      summary: 'S'.repeat(1000),
      agent: {
        name: 'N'.repeat(120),
        title: 'T'.repeat(120),
        bio: 'B'.repeat(5000),
        photoUrl: url,
        email: 'jane@example.com',
        phone: '+1 555 0100',
        websiteUrl: url,
      },
      sponsor: { name: 'A'.repeat(120), disclosure: 'D'.repeat(500), url, logoUrl: url },
      sections: Array.from({ length: 50 }, (_, i) => ({
        heading: `H${i}`.padEnd(200, 'h'),
        body: 'b'.repeat(4000),
      })),
      seo: {
        title: 'T'.repeat(200),
        description: 'D'.repeat(500),
        canonicalUrl: url,
        noindex: false,
      },
    });
    const created = await postPage(body).expect(201);
    expect(created.body.draft.sections).toHaveLength(50);

    const page: PageRef = {
      id: created.body.id,
      slug: created.body.slug,
      version: created.body.version,
    };
    const dates = Array.from({ length: 200 }, (_, i) =>
      new Date(Date.UTC(2031, 0, 7 + i)).toISOString().slice(0, 10),
    );
    const event = await schedules.addEvent(page, {
      title: 'Office hours',
      description: 'D'.repeat(5000),
      location: { name: 'Office', address: 'Main Street 1', url, online: false },
      start: '2031-01-06T09:00',
      end: '2031-01-06T10:00',
      allDay: false,
      recurrence: 'FREQ=DAILY;COUNT=1000',
      exceptions: dates,
      status: 'scheduled',
      registrationUrl: url,
    });
    expect(event.exceptions).toHaveLength(200);
  });

  it('refuses a write that would make a page larger than its content bound, and keeps the page as it was', async () => {
    const page: PageRef = await schedules.page();
    const url = 'https://example.com/' + 'p'.repeat(2000);
    const largest = {
      title: 'Office hours',
      description: 'D'.repeat(5000),
      location: { name: 'Office', address: 'Main Street 1', url, online: false },
      start: '2031-01-06T09:00',
      end: '2031-01-06T10:00',
      recurrence: 'FREQ=DAILY;COUNT=1000',
      exceptions: Array.from({ length: 200 }, (_, i) =>
        new Date(Date.UTC(2031, 0, 7 + i)).toISOString().slice(0, 10),
      ),
      registrationUrl: url,
    };
    // Each such event is ~13 KiB of content: the bound is crossed after ~20 of them.
    let added = 0;
    let refused: request.Response | undefined;
    while (!refused && added < 40) {
      const res = await http()
        .post(`/admin/v1/pages/${page.id}/schedule/events`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send(largest);
      if (res.status === 201) {
        added += 1;
        page.version = Number(JSON.parse(res.headers.etag));
      } else refused = res;
    }
    expect(added).toBeGreaterThan(10);
    expect(refused?.status).toBe(400);
    expect(refused?.body).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(refused?.body.message).toMatch(
      /draft would take \d+ KiB as JSON; a page holds at most 256 KiB/,
    );
    const stored = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
    expect(stored.body.version).toBe(page.version);
    expect(stored.body.draft.schedule.events).toHaveLength(added);
  });

  it('names the first few problems of a body with hundreds of invalid fields, and counts the rest', async () => {
    const slug = newSlug('invalid');
    // Within every shape limit: 300 sections whose two fields both have the wrong type.
    const sections = Array.from({ length: 300 }, () => ({ heading: 1, body: 2 }));
    const res = await postPage(newPage({ slug, sections })).expect(400);
    expect(res.body.error).toBe('VALIDATION_FAILED');
    expect(res.body.message).toMatch(/sections must contain no more than 50 elements/);
    expect(res.body.message).toMatch(/sections\.0\.heading/);
    expect(res.body.message).toMatch(/; … and [\d,]+ more$/);
    expect(res.body.message.length).toBeLessThan(2_000);
    expect(await countBySlug(slug)).toBe(0);
  });

  it('refuses a query string beyond the limits, on admin and public routes', async () => {
    const params = (n: number, name = (i: number) => `p${i}`) =>
      Array.from({ length: n }, (_, i) => `${name(i)}=1`).join('&');
    const admin = await http()
      .get(`/admin/v1/audit?${params(1_000)}`)
      .set(auth);
    expect(admin.body).toEqual(SHAPE_ERROR);
    expect(admin.body.message).toBe(
      `Query string has an object with more than the limit of ${L.keys} keys (at the top level)`,
    );
    const repeated = await http()
      .get(`/admin/v1/audit?${params(1_000, () => 'limit')}`)
      .set(auth);
    expect(repeated.body).toEqual(SHAPE_ERROR);
    expect(repeated.body.message).toMatch(/more than the limit of 400 items \(at limit\)$/);

    const page = await schedules.page();
    await schedules.publish(page);
    const feed = await http().get(`/v1/pages/${page.slug}/schedule.ics?${params(1_000)}`);
    expect(feed.body).toEqual(SHAPE_ERROR);
    const fewer = await http().get(`/v1/pages/${page.slug}/schedule.ics?${params(L.keys)}`);
    expect(fewer.status).toBe(400);
    expect(fewer.body.message).toMatch(
      new RegExp(`^property p0 should not exist; .*; … and ${L.keys - 10} more$`),
    );
  });

  it('takes JSON bodies only: a form-encoded body gets 415 and writes nothing', async () => {
    const slug = newSlug('form');
    const form = new URLSearchParams({ slug, title: 'T' });
    for (let i = 0; i < 20_000; i++) form.append(`k${i}`, '1');
    const res = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(form.toString());
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await countBySlug(slug)).toBe(0);
  });

  it('still refuses prototype poisoning and malformed JSON as before', async () => {
    const poisoned = await postPage(pageWith(newSlug('proto'), '{"__proto__":{"admin":true}}'));
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error).toBe('MALFORMED_JSON');
    const malformed = await postPage('{"slug": [[[');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('MALFORMED_JSON');
  });
});
