import { randomBytes } from 'node:crypto';
import { register } from 'prom-client';
import request from 'supertest';
import type { AppConfig } from '../src/core/config/app-config';
import { LEVELS, levelName, type LogDocument } from '../src/modules/log-search/log-document';
import { TEMPLATE_VERSION, buildIndexTemplate } from '../src/modules/log-search/log-index-template';
import { LogRepository } from '../src/modules/log-search/log.repository';
import { auth, startApp, type TestApp } from './support/app';
import { deleteLogStream, seedLogs } from './support/log-stream';
import { pagesClient } from './support/pages-client';

const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? '';
// A data stream per test file and purpose, so parallel files and reruns never see each other's records.
const run = `${process.pid}-${randomBytes(3).toString('hex')}`;
const streamName = (purpose: string) => `logs-sponsored-agents-e2e-${purpose}-${run}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openSearch(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${OPENSEARCH_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function droppedTotal(): Promise<number> {
  const metric = await register.getSingleMetric('log_shipper_dropped_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

interface Entry {
  id: string;
  timestamp: string;
  level: string;
  msg?: string;
  requestId?: string;
  route?: string;
  statusCode?: number;
  method?: string;
  err?: { message?: string };
}

describe('log search (real OpenSearch node)', () => {
  beforeAll(() => {
    if (!OPENSEARCH_URL) throw new Error('OPENSEARCH_URL is not set: source `stack.sh env` first');
  });

  describe('a request made against the service', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      t = await startApp({ LOG_INDEX: streamName('live') }, undefined, { shipLogs: true });
    });
    afterAll(async () => {
      await t?.close();
      if (t) await deleteLogStream(t.config);
    });

    /** Makes a request with its own id and polls the admin log search for its access line. */
    async function requestAndFindWithin(ms: number): Promise<{ requestId: string; line?: Entry }> {
      const requestId = `e2e-find-me-${randomBytes(6).toString('hex')}`;
      const res = await http()
        .get('/v1/pages/no-such-page')
        .set('x-request-id', requestId)
        .expect(404);
      expect(res.headers['x-request-id']).toBe(requestId);

      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const found = await http().get('/admin/v1/logs').query({ requestId }).set(auth);
        // While the data stream's shard starts, OpenSearch answers searches with 503. That is
        // "not searchable yet", not a pass.
        if (found.status !== 503) {
          expect(found.status).toBe(200);
          const line = (found.body.items as Entry[]).find((i) => i.msg === 'request completed');
          if (line) return { requestId, line };
        }
        await sleep(200);
      }
      return { requestId };
    }

    it('is found by its request id through the admin log search within five seconds', async () => {
      // The stream's first record creates it; on a node that has just booted, with other suites
      // indexing beside it, that alone has taken longer than five seconds in CI. A service in
      // production writes into a stream that exists, so the first line is given 30 s and the
      // issue's bound applies to the line after it.
      const first = await requestAndFindWithin(30_000);
      expect(first.line).toMatchObject({ requestId: first.requestId });

      // The "Done when": shipped, indexed and searchable within 5 s, with no explicit refresh.
      const { requestId, line } = await requestAndFindWithin(5000);
      expect(line).toMatchObject({
        requestId,
        method: 'GET',
        route: '/v1/pages/:slug',
        statusCode: 404,
        level: 'info',
      });
    });

    it('reports OpenSearch as up in readiness', async () => {
      const res = await http().get('/health/ready').expect(200);
      expect(res.body.details.opensearch).toMatchObject({ status: 'up' });
    });
  });

  describe('filters, pagination and histogram over seeded records', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());
    const T0 = Date.parse('2025-03-01T12:00:00.000Z');
    const window = { from: '2025-03-01T11:00:00.000Z', to: '2025-03-01T13:00:00.000Z' };
    const docs: LogDocument[] = [];

    let seeded = 0;
    const doc = (time: number, fields: Record<string, unknown>): LogDocument => ({
      '@timestamp': new Date(time).toISOString(),
      logId: `seed-${String((seeded += 1)).padStart(4, '0')}`,
      level: LEVELS.info,
      levelName: 'info',
      service: 'sponsored-agents',
      ...fields,
    });

    beforeAll(async () => {
      // Thirty request lines, three per minute sharing one millisecond (the tiebreaker's job).
      const statuses = [200, 404, 503, 200, 304];
      for (let i = 0; i < 30; i += 1) {
        const statusCode = statuses[i % 5];
        const level = statusCode >= 500 ? LEVELS.error : LEVELS.info;
        docs.push(
          doc(T0 + Math.floor(i / 3) * 60_000, {
            level,
            levelName: levelName(level),
            msg: 'request completed',
            requestId: `seed-req-${i}`,
            method: 'GET',
            route: i % 2 === 0 ? '/v1/pages/:slug' : '/v1/pages',
            statusCode,
            responseTimeMs: i,
          }),
        );
      }
      docs.push(
        doc(T0 + 5 * 60_000 + 1, {
          level: LEVELS.warn,
          levelName: 'warn',
          msg: 'schedule cache stale for page jane-doe',
        }),
        doc(T0 + 7 * 60_000 + 1, {
          level: LEVELS.error,
          levelName: 'error',
          msg: 'publish failed',
          err: { type: 'Error', message: 'write conflict on page', stack: 'Error: write conflict' },
        }),
        doc(T0 + 8 * 60_000 + 1, { level: LEVELS.debug, levelName: 'debug', msg: 'debug detail' }),
        doc(T0 + 9 * 60_000 + 1, { level: LEVELS.fatal, levelName: 'fatal', msg: 'fatal thing' }),
        doc(T0 - 2 * 86_400_000, { msg: 'ancient schedule record' }),
      );
      t = await startApp({ LOG_INDEX: streamName('seed') });
      await seedLogs(t.config, docs);
    });
    afterAll(async () => {
      if (t) await deleteLogStream(t.config);
      await t?.close();
    });

    const inWindow = (d: LogDocument) => {
      const time = Date.parse(d['@timestamp']);
      return time >= Date.parse(window.from) && time < Date.parse(window.to);
    };
    const idsOf = (items: Entry[]) => items.map((i) => i.id).sort();
    const expectedIds = (pred: (d: LogDocument) => boolean) =>
      docs
        .filter((d) => inWindow(d) && pred(d))
        .map((d) => d.logId)
        .sort();
    const search = async (query: Record<string, string | number>) =>
      (
        await http()
          .get('/admin/v1/logs')
          .query({ ...window, size: 200, ...query })
          .set(auth)
          .expect(200)
      ).body as { items: Entry[]; total: number; nextCursor: string | null };

    it('finds message words (all of them) in the message or the error message', async () => {
      const stale = await search({ q: 'schedule stale' });
      expect(stale.items.map((i) => i.msg)).toEqual(['schedule cache stale for page jane-doe']);
      const conflict = await search({ q: 'write conflict' });
      expect(conflict.items.map((i) => i.err?.message)).toEqual(['write conflict on page']);
      expect((await search({ q: 'schedule missing' })).items).toEqual([]);
      // Text that looks like query DSL is only text.
      expect((await search({ q: '{"match_all":{}}' })).items).toEqual([]);
    });

    it('filters by minimum level', async () => {
      const res = await search({ level: 'warn' });
      expect(idsOf(res.items)).toEqual(expectedIds((d) => d.level >= LEVELS.warn));
      expect(new Set(res.items.map((i) => i.level))).toEqual(new Set(['warn', 'error', 'fatal']));
      const all = await search({ level: 'trace' });
      expect(all.items).toHaveLength(expectedIds(() => true).length);
    });

    it('filters by exact route', async () => {
      const res = await search({ route: '/v1/pages' });
      expect(idsOf(res.items)).toEqual(expectedIds((d) => d.route === '/v1/pages'));
      expect(res.items).toHaveLength(15);
    });

    it('filters by exact status and by status class', async () => {
      const notFound = await search({ status: '404' });
      expect(idsOf(notFound.items)).toEqual(expectedIds((d) => d.statusCode === 404));
      const serverErrors = await search({ status: '5xx' });
      expect(idsOf(serverErrors.items)).toEqual(
        expectedIds((d) => typeof d.statusCode === 'number' && d.statusCode >= 500),
      );
      expect(serverErrors.items.length).toBeGreaterThan(0);
    });

    it('filters by request id', async () => {
      const res = await search({ requestId: 'seed-req-4' });
      expect(res.items.map((i) => i.requestId)).toEqual(['seed-req-4']);
    });

    it('filters by time range, start inclusive and end exclusive', async () => {
      const from = new Date(T0 + 3 * 60_000).toISOString();
      const to = new Date(T0 + 6 * 60_000).toISOString();
      const res = await search({ from, to });
      const expected = docs
        .filter((d) => d['@timestamp'] >= from && d['@timestamp'] < to)
        .map((d) => d.logId)
        .sort();
      expect(idsOf(res.items)).toEqual(expected);
      expect(expected).toHaveLength(10); // minutes 3, 4 and 5 (9 requests) + the warn line
      const wide = await search({ from: '2025-02-27T00:00:00.000Z', to: window.to });
      expect(wide.items.map((i) => i.msg)).toContain('ancient schedule record');
      expect((await search({})).items.map((i) => i.msg)).not.toContain('ancient schedule record');
    });

    it('pages newest first over more than three pages without repeating or skipping a record', async () => {
      const seen: Entry[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await search({ size: 4, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
        expect(pages).toBeLessThan(50);
      } while (cursor);
      expect(pages).toBeGreaterThan(3);
      const ids = seen.map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(expectedIds(() => true));
      const times = seen.map((i) => Date.parse(i.timestamp));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('counts per interval and level in a histogram whose buckets sum to the hit count', async () => {
      const filterSets: Record<string, string>[] = [
        {},
        { level: 'warn' },
        { route: '/v1/pages/:slug', status: '2xx' },
      ];
      for (const filters of filterSets) {
        const hits = await search(filters);
        const res = await http()
          .get('/admin/v1/logs/histogram')
          .query({ ...window, interval: '1m', ...filters })
          .set(auth)
          .expect(200);
        const buckets = res.body.buckets as { count: number; levels: Record<string, number> }[];
        expect(buckets).toHaveLength(120);
        const sum = buckets.reduce((s, b) => s + b.count, 0);
        expect(sum).toBe(hits.total);
        expect(res.body.total).toBe(hits.total);
        const perLevel = buckets.reduce(
          (s, b) => s + Object.values(b.levels).reduce((x, y) => x + y, 0),
          0,
        );
        expect(perLevel).toBe(sum);
      }
    });

    it('validates every input and allows no other index or raw query', async () => {
      const bad = async (query: Record<string, string>) =>
        http().get('/admin/v1/logs').query(query).set(auth).expect(400);
      await bad({ size: '1000' });
      await bad({ level: 'loud' });
      await bad({ status: '5x' });
      await bad({ from: 'yesterday' });
      await bad({ from: window.to, to: window.from });
      await bad({ from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
      await bad({ index: 'other-index' });
      await bad({ query: '{"match_all":{}}' });
      await bad({ cursor: 'not-a-cursor' });
      await http()
        .get('/admin/v1/logs/histogram')
        .query({ from: '2025-02-01T00:00:00Z', to: '2025-03-01T00:00:00Z', interval: '1m' })
        .set(auth)
        .expect(400);
      await http().get('/admin/v1/logs').expect(401);
    });
  });

  describe('index template', () => {
    const stream = streamName('tpl');
    let repo: LogRepository;

    const osConfig: Pick<AppConfig, 'openSearch'> = {
      openSearch: {
        url: OPENSEARCH_URL,
        awsSigV4: false,
        awsService: 'es',
        shipperEnabled: false,
        requestTimeoutMs: 5000,
        region: 'us-east-1',
        logIndex: stream,
        shipper: { batchSize: 1, queueMax: 1, flushIntervalMs: 1000 },
      },
    };

    beforeAll(() => {
      repo = LogRepository.fromConfig(osConfig);
    });
    afterAll(async () => {
      await deleteLogStream(osConfig);
      await repo.close();
    });

    const backingIndices = async () =>
      (
        (await openSearch('GET', `/_data_stream/${stream}`)) as {
          data_streams: { indices: unknown[] }[];
        }
      ).data_streams[0].indices.length;
    const installedVersion = async () =>
      (
        (await openSearch('GET', `/_index_template/${stream}`)) as {
          index_templates: { index_template: { version: number } }[];
        }
      ).index_templates[0].index_template.version;

    it('upgrades an older template without losing records, idempotently, and never downgrades', async () => {
      const old = buildIndexTemplate(stream);
      await openSearch('PUT', `/_index_template/${stream}`, {
        ...old,
        version: 0,
        template: { ...old.template, mappings: { ...old.template.mappings, _meta: {} } },
      });
      await openSearch('POST', `/${stream}/_doc?refresh=true`, {
        '@timestamp': new Date().toISOString(),
        logId: 'before-upgrade',
        level: 30,
        msg: 'written under the old template',
      });
      expect(await backingIndices()).toBe(1);

      expect(await repo.ensureTemplate()).toBe('upgraded');
      expect(await installedVersion()).toBe(TEMPLATE_VERSION);
      expect(await backingIndices()).toBe(2);
      const kept = await repo.search({ query: { term: { logId: 'before-upgrade' } } });
      expect(kept.hits).toHaveLength(1);

      expect(await repo.ensureTemplate()).toBe('current');
      expect(await backingIndices()).toBe(2);

      await openSearch('PUT', `/_index_template/${stream}`, {
        ...old,
        version: TEMPLATE_VERSION + 1,
      });
      expect(await repo.ensureTemplate()).toBe('newer-installed');
      expect(await installedVersion()).toBe(TEMPLATE_VERSION + 1);
    });
  });

  describe('with OpenSearch down', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      // A closed port stands in for a stopped node; the shared node keeps serving other tests.
      t = await startApp(
        {
          OPENSEARCH_URL: 'http://127.0.0.1:1',
          LOG_INDEX: streamName('down'),
          LOG_SHIPPER_QUEUE_MAX: '20',
          LOG_SHIPPER_BATCH_SIZE: '5',
          LOG_SHIPPER_FLUSH_INTERVAL_MS: '100',
        },
        undefined,
        { shipLogs: true },
      );
    });
    afterAll(async () => t?.close());

    it('answers log search with 503 and a clear message', async () => {
      const res = await http().get('/admin/v1/logs').set(auth).expect(503);
      expect(res.body).toMatchObject({ error: 'LOG_SEARCH_UNAVAILABLE', statusCode: 503 });
      expect(res.body.message).toMatch(/Log search is unavailable: OpenSearch did not answer/);
      await http().get('/admin/v1/logs/histogram').set(auth).expect(503);
    });

    it('keeps serving public pages while the shipper drops and counts instead of queueing', async () => {
      const pages = pagesClient(t.app);
      const page = await pages.createPublished();
      const before = await droppedTotal();
      for (let i = 0; i < 100; i += 1) {
        await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(t.logShipper!.stats().queued).toBeLessThanOrEqual(20);
      }
      expect(t.logShipper!.stats().dropped).toBeGreaterThanOrEqual(60);
      expect((await droppedTotal()) - before).toBeGreaterThanOrEqual(60);
    });

    it('reports OpenSearch as degraded in readiness without failing it', async () => {
      const res = await http().get('/health/ready').expect(200);
      expect(res.body.details.opensearch).toMatchObject({ status: 'degraded' });
      expect(res.body.details.database).toMatchObject({ status: 'up' });
    });
  });
});
