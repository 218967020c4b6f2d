/**
 * Bounded request work (not a test): what the costliest bodies and query strings of any role
 * cost the service, against a normal write in the same run. Each case is sent one request at
 * a time; its server time comes from the service's own request histogram (its route, method
 * and status only) and is printed as a ratio to the baseline, a plain page create.
 *  - accepted: the largest page the DTOs allow (near the body size limit), and the largest
 *    event added to a page as full of such events as its content bound allows;
 *  - refused: bodies at or beyond each shape limit (depth, keys, items, values), every field
 *    invalid, strings as long as the body allows in pattern fields, malformed JSON, public
 *    query strings with too many parameters, and an event that would take a page past its
 *    content bound (MAX_PAGE_CONTENT_BYTES).
 * Run through `npm run bench -- bench/request-shape.bench.ts` (bench/run.sh builds and provides
 * the stack's environment). BENCH_MAIN=<another build's dist/main.js> measures that build
 * instead (cases it answers differently are reported, not hidden). BENCH_ROUNDS (default 5)
 * and BENCH_REQUESTS (per case and round, default 20).
 */
import mongoose from 'mongoose';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { REQUEST_SHAPE_LIMITS as L } from '../src/core/http/request-shape.ts';
import { startBenchService, type BenchService } from './bench-service.ts';

const MAIN = resolve(process.env.BENCH_MAIN ?? 'dist/main.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
const TOKEN = 'bench-admin-token-0123456789';
/** Bodies are built just under the service's default BODY_LIMIT_BYTES (256 KiB). */
const BODY_BYTES = 256 * 1024 - 512;

function start(uri: string): Promise<BenchService> {
  return startBenchService({
    MONGODB_URI: uri,
    ADMIN_TOKEN: TOKEN,
    // Every write of the run from one identity: the write limit would refuse most of them.
    ADMIN_WRITES_PER_MINUTE: '1000000',
  });
}

interface Sent {
  status: number;
  body: string;
  etag: string | null;
}

async function send(
  base: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Sent> {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body,
  });
  return { status: res.status, body: await res.text(), etag: res.headers.get('etag') };
}

let seq = 0;
const slug = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;
const url = (length: number) => 'https://example.com/' + 'p'.repeat(length - 20);

/** A page create body as an everyday editor sends it. */
const normalPage = () =>
  JSON.stringify({
    slug: slug('normal'),
    title: 'Jane Doe',
    summary: 'Your neighbourhood agent',
    agent: { name: 'Jane Doe', title: 'Realtor', email: 'jane@example.com' },
    sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
    sections: [{ heading: 'About', body: 'Twenty years of helping families move.' }],
  });

/** Every field at or near its maximum, 50 sections, just under the body size limit. */
function largestPage(): string {
  const body = {
    slug: slug('largest'),
    timezone: 'America/Chicago',
    title: 'T'.repeat(200),
    summary: 'S'.repeat(1000),
    agent: {
      name: 'N'.repeat(120),
      title: 'T'.repeat(120),
      bio: 'B'.repeat(5000),
      photoUrl: url(2048),
      email: 'jane@example.com',
      phone: '+1 555 0100',
      websiteUrl: url(2048),
    },
    sponsor: {
      name: 'A'.repeat(120),
      disclosure: 'D'.repeat(500),
      url: url(2048),
      logoUrl: url(2048),
    },
    seo: {
      title: 'T'.repeat(200),
      description: 'D'.repeat(500),
      canonicalUrl: url(2048),
      noindex: false,
    },
    sections: [] as { heading: string; body: string }[],
  };
  const room = BODY_BYTES - JSON.stringify(body).length;
  const each = Math.min(20_000, Math.floor(room / 50) - 250);
  body.sections = Array.from({ length: 50 }, (_, i) => ({
    heading: `H${i}`.padEnd(200, 'h'),
    body: 'b'.repeat(each),
  }));
  return JSON.stringify(body);
}

/** An event with every field, 200 exceptions (the DTO's maximum). */
const largestEvent = () =>
  JSON.stringify({
    title: 'T'.repeat(200),
    description: 'D'.repeat(5000),
    location: { name: 'N'.repeat(200), address: 'A'.repeat(500), url: url(2048), online: false },
    start: '2031-01-06T09:00',
    end: '2031-01-06T10:00',
    allDay: false,
    recurrence: 'FREQ=DAILY;COUNT=1000',
    exceptions: Array.from({ length: 200 }, (_, i) =>
      new Date(Date.UTC(2031, 0, 7 + i)).toISOString().slice(0, 10),
    ),
    status: 'scheduled',
    registrationUrl: url(2048),
  });

/** `{"k0":1,...}`: as many keys as fit in the body size limit (the probe sent 20,000). */
function fill(open: string, item: (i: number) => string, close: string): string {
  const parts: string[] = [];
  let length = open.length + close.length;
  for (let i = 0; length + item(i).length + 1 < BODY_BYTES; i++) {
    parts.push(item(i));
    length += item(i).length + 1;
  }
  return open + parts.join(',') + close;
}

function deepest(): string {
  const levels = Math.floor(BODY_BYTES / 2);
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** Within every shape limit: as many sections as the value limit allows, every field invalid. */
function everyFieldInvalid(): string {
  const n = Math.floor((L.values - 40) / 3);
  const page = JSON.parse(normalPage()) as Record<string, unknown>;
  page.sections = Array.from({ length: n }, () => ({ heading: 1, body: 2 }));
  return JSON.stringify(page);
}

/** Within every shape limit: objects full of unknown keys. */
function unknownKeys(): string {
  const page = JSON.parse(normalPage()) as Record<string, unknown>;
  const perObject = L.keys;
  const objects = Math.floor((L.values - 40) / (perObject + 1));
  page.sections = Array.from({ length: objects }, (_, o) =>
    Object.fromEntries(Array.from({ length: perObject }, (_, k) => [`u${o}_${k}`, k])),
  );
  return JSON.stringify(page);
}

/** The pattern fields (URLs, email) holding strings as long as the body allows. */
const LONG_FIELDS = 5;
const LONG_BYTES = Math.floor((BODY_BYTES - 600) / LONG_FIELDS);
function longPatternStrings(): string {
  const each = LONG_BYTES;
  const long = 'https://example.com/' + '%'.repeat(each - 20);
  const page = JSON.parse(normalPage()) as Record<string, unknown>;
  page.agent = { name: 'A', photoUrl: long, websiteUrl: long, email: 'a'.repeat(each) };
  page.sponsor = { name: 'A', disclosure: 'D', url: long, logoUrl: long };
  return JSON.stringify(page);
}

const queryOf = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');

interface Case {
  name: string;
  kind: 'baseline' | 'accepted' | 'refused';
  method: string;
  /** The route template, as the service labels its metrics. */
  route: string;
  status: number;
  /** Sends one request (it may prepare what it needs first, unmeasured on another route). */
  run: () => Promise<Sent>;
}

/** The service's metrics, once per reading (each scrape costs the service some CPU). */
const scrapeText = async (metrics: string): Promise<string> => (await fetch(metrics)).text();

/** Sum of the samples of `name` whose labels contain every fragment. */
function sample(text: string, name: string, fragments: string[]): number {
  return text
    .split('\n')
    .filter(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        fragments.every((f) => l.includes(f)),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const uri = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27018/x');
  uri.pathname = `/bench_request_shape_${process.pid}`;
  const { child, base, metrics } = await start(uri.toString());
  try {
    // The costliest accepted event write: the largest event, added to a page holding as many of
    // them as its content bound allows. Two pages are filled until the bound refuses an event:
    // `room` then gets its last event back before each measured add (removed again, unmeasured,
    // on the DELETE route); `full` stays full and measures the refusal.
    type EventPage = { id: string; version: number; events: string[] };
    async function fillPage(): Promise<EventPage> {
      const created = await send(base, 'POST', '/admin/v1/pages', normalPage());
      const p = { ...(JSON.parse(created.body) as { id: string; version: number }), events: [] };
      for (;;) {
        const res = await addEvent(p);
        if (res.status === 400) return p;
        if (res.status !== 201) throw new Error(`event: ${res.status} ${res.body}`);
      }
    }
    async function addEvent(p: EventPage): Promise<Sent> {
      const res = await send(
        base,
        'POST',
        `/admin/v1/pages/${p.id}/schedule/events`,
        largestEvent(),
        { 'if-match': `"${p.version}"` },
      );
      if (res.status === 201) {
        p.version = Number(JSON.parse(res.etag ?? '0'));
        p.events.push((JSON.parse(res.body) as { id: string }).id);
      }
      return res;
    }
    async function removeLastEvent(p: EventPage): Promise<void> {
      const res = await send(
        base,
        'DELETE',
        `/admin/v1/pages/${p.id}/schedule/events/${p.events.pop()}`,
        undefined,
        { 'if-match': `"${p.version}"` },
      );
      if (!res.etag) throw new Error(`event removal: ${res.status} ${res.body}`);
      p.version = Number(JSON.parse(res.etag));
    }
    const room = await fillPage();
    const full = await fillPage();
    const fits = room.events.length;
    const publicSlug = JSON.parse(
      (await send(base, 'POST', '/admin/v1/pages', normalPage())).body,
    ) as { slug: string };

    const deep = deepest();
    const keys = fill('{', (i) => `"k${i}":1`, '}');
    const items = fill('[', () => '0', ']');
    const invalid = everyFieldInvalid();
    const unknown = unknownKeys();
    const long = longPatternStrings();
    const malformed = largestPage().slice(0, -2);
    const pagesRoute = 'route="/admin/v1/pages"';
    const post = (body: () => string) => () => send(base, 'POST', '/admin/v1/pages', body());
    const cases: Case[] = [
      {
        name: 'normal page create (baseline)',
        kind: 'baseline',
        method: 'POST',
        route: pagesRoute,
        status: 201,
        run: post(normalPage),
      },
      {
        name: `largest page create (50 sections, ${(largestPage().length / 1024).toFixed(0)} KiB)`,
        kind: 'accepted',
        method: 'POST',
        route: pagesRoute,
        status: 201,
        run: post(largestPage),
      },
      {
        name: `largest event (every field, 200 exceptions) as the ${fits}th on one page`,
        kind: 'accepted',
        method: 'POST',
        route: 'route="/admin/v1/pages/:id/schedule/events"',
        status: 201,
        run: async () => {
          await removeLastEvent(room);
          return addEvent(room);
        },
      },
      {
        name: `largest event on a page already at its content bound (${fits} of them)`,
        kind: 'refused',
        method: 'POST',
        route: 'route="/admin/v1/pages/:id/schedule/events"',
        status: 400,
        run: () => addEvent(full),
      },
      {
        name: `nested ${deep.length / 2} deep`,
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => deep),
      },
      {
        name: `${keys.split(',').length} keys in one object`,
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => keys),
      },
      {
        name: `${items.split(',').length} items in one array`,
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => items),
      },
      {
        name: 'every field invalid, at the value limit',
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => invalid),
      },
      {
        name: 'unknown keys, at the key and value limits',
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => unknown),
      },
      {
        name: `${LONG_FIELDS} pattern fields of ${(LONG_BYTES / 1024).toFixed(0)} KiB each`,
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => long),
      },
      {
        name: 'malformed JSON, 256 KiB',
        kind: 'refused',
        method: 'POST',
        route: pagesRoute,
        status: 400,
        run: post(() => malformed),
      },
      {
        name: 'public schedule, 1,000 query parameters',
        kind: 'refused',
        method: 'GET',
        route: 'route="/v1/pages/:slug/schedule"',
        status: 400,
        run: () => send(base, 'GET', `/v1/pages/${publicSlug.slug}/schedule?${queryOf(1000)}`),
      },
      {
        name: `public feed, ${L.keys} unknown query parameters`,
        kind: 'refused',
        method: 'GET',
        route: 'route="/v1/pages/:slug/schedule.ics"',
        status: 400,
        run: () =>
          send(base, 'GET', `/v1/pages/${publicSlug.slug}/schedule.ics?${queryOf(L.keys)}`),
      },
    ];

    const serverMs = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const cpuMs = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const answer = new Map<Case, { status: number; bytes: number }>();
    for (const c of cases) for (let i = 0; i < 3; i++) await c.run(); // warm up the JIT
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const labels = [c.route, `method="${c.method}"`, `status="${c.status}"`];
        const before = await scrapeText(metrics);
        for (let i = 0; i < REQUESTS; i++) {
          const res = await c.run();
          answer.set(c, { status: res.status, bytes: Buffer.byteLength(res.body) });
        }
        const after = await scrapeText(metrics);
        const delta = (name: string, fragments: string[]) =>
          sample(after, name, fragments) - sample(before, name, fragments);
        const n = delta('http_request_duration_seconds_count', labels);
        const sum = delta('http_request_duration_seconds_sum', labels);
        // The service's CPU in the window: what the requests cost the pod's event loop (the rest
        // of the server time is waiting, mostly for the database).
        const cpu = delta('process_cpu_seconds_total', []);
        if (n > 0) {
          serverMs.get(c)?.push((sum / n) * 1000);
          cpuMs.get(c)?.push((cpu / n) * 1000);
        }
      }
    }

    const baseline = median(serverMs.get(cases[0]) ?? []);
    const baselineCpu = median(cpuMs.get(cases[0]) ?? []);
    console.log(
      `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown'}; node ${process.version}`,
    );
    console.log(
      `build: ${MAIN}; ${ROUNDS} rounds × ${REQUESTS} requests per case; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`shape limits: ${JSON.stringify(L)}`);
    console.log(
      'case | answer | server ms | × baseline | service CPU ms | × baseline (medians of rounds)',
    );
    const worst = { accepted: [0, 0], refused: [0, 0] };
    for (const c of cases) {
      const ms = median(serverMs.get(c) ?? []);
      const cpu = median(cpuMs.get(c) ?? []);
      const a = answer.get(c);
      const [ratio, cpuRatio] = [ms / baseline, cpu / baselineCpu];
      if (c.kind !== 'baseline' && a?.status === c.status)
        worst[c.kind] = [Math.max(worst[c.kind][0], ratio), Math.max(worst[c.kind][1], cpuRatio)];
      const note = a?.status === c.status ? '' : ` (expected ${c.status}: not counted)`;
      console.log(
        `${c.kind} ${c.name} | ${a?.status} ${a?.bytes} B${note} | ${ms.toFixed(2)} | ` +
          `${ratio.toFixed(2)} | ${cpu.toFixed(2)} | ${cpuRatio.toFixed(2)}`,
      );
    }
    const x = ([server, cpu]: number[]) => `${server.toFixed(2)}× (CPU ${cpu.toFixed(2)}×)`;
    console.log(
      `worst accepted: ${x(worst.accepted)} a normal write; worst refused: ${x(worst.refused)}`,
    );
  } finally {
    child.kill('SIGTERM');
    const connection = mongoose.createConnection(uri.toString());
    await connection
      .asPromise()
      .then(() => connection.dropDatabase())
      .catch(() => undefined)
      .finally(() => connection.close());
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
