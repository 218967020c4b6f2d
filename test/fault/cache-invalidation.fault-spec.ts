import mongoose from 'mongoose';
import { ADMIN_TOKEN, isolatedMongoUri } from '../support/app';
import { CloudFrontFaultProxy } from '../support/cloudfront-fault-proxy';
import {
  createTestDistribution,
  eventually,
  motoEndpoint,
  motoInvalidations,
  pathCounts,
  type MotoInvalidation,
} from '../support/cloudfront-moto';
import { newPage, newSlug } from '../support/factories';
import { AppProcess } from '../support/app-process';

/**
 * Several real service processes on one database, sending through a fault-injecting proxy to
 * moto. moto does not deduplicate CallerReference, so every duplicate send would show there.
 */
// Three app processes and a FerretDB on two cores: a hundred versioned writes each way take a while.
jest.setTimeout(300_000);

/**
 * Changes in the three-replica run: enough for every replica to claim, batch and send many times
 * over (six concurrent publishers), few enough to keep the tier near a minute on two cores.
 */
const REPLICA_CHANGES = 100;

const authHeader = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function call(
  app: AppProcess,
  method: string,
  path: string,
  { body, ifMatch }: { body?: unknown; ifMatch?: number } = {},
) {
  const headers: Record<string, string> = { ...authHeader };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Creates and publishes a page; true once the publish is known to have committed. */
async function createAndPublish(app: AppProcess, slug: string): Promise<boolean> {
  const created = await call(app, 'POST', '/admin/v1/pages', { body: newPage({ slug }) });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  const published = await call(app, 'POST', `/admin/v1/pages/${String(created.body.id)}/publish`, {
    ifMatch: Number(created.body.version),
  });
  if (published.status !== 200) throw new Error(`publish answered ${published.status}`);
  return true;
}

interface Db {
  uri: string;
  conn: mongoose.Connection;
}

async function openDb(): Promise<Db> {
  const uri = isolatedMongoUri();
  const conn = await mongoose.createConnection(uri, { retryWrites: false }).asPromise();
  return { uri, conn };
}

/** Waits until every change is recorded and CloudFront has completed all of them. */
async function settledItems(db: Db, expected: number) {
  try {
    return await eventually(
      async () => {
        const outbox = await db.conn
          .collection('pages')
          .countDocuments({ 'cdnOutbox.0': { $exists: true } });
        const items = await db.conn.collection('cdn_invalidations').find({}).toArray();
        const open = items.filter((i) => i.status !== 'completed');
        return outbox === 0 && items.length >= expected && open.length === 0 ? items : undefined;
      },
      { timeoutMs: 90000, intervalMs: 250, what: 'all invalidations to complete' },
    );
  } catch (error) {
    // Say where things stand, so a failure can be diagnosed from the test output alone.
    const count = async (name: string) =>
      db.conn
        .collection(name)
        .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
        .toArray();
    const state = {
      outboxPages: await db.conn
        .collection('pages')
        .countDocuments({ 'cdnOutbox.0': { $exists: true } }),
      items: await count('cdn_invalidations'),
      batches: await count('cdn_invalidation_batches'),
      open: await db.conn
        .collection('cdn_invalidation_batches')
        .find({ status: { $ne: 'completed' } })
        .limit(5)
        .toArray(),
    };
    throw new Error(`${(error as Error).message}; state: ${JSON.stringify(state)}`, {
      cause: error,
    });
  }
}

/**
 * Each published page is covered by an invalidation, its own path or a wider wildcard the worker
 * merged it into when CloudFront's in-progress wildcards ran short; its own path went out at most
 * once; nothing was sent twice.
 */
function expectExactlyOnce(sent: MotoInvalidation[], published: string[], unpublished: string[]) {
  const counts = pathCounts(sent);
  const covered = (url: string) =>
    sent.some((i) => i.paths.some((p) => p.endsWith('*') && url.startsWith(p.slice(0, -1))));
  const wrong = published
    .map((slug) => ({
      slug,
      own: counts.get(`/v1/pages/${slug}*`) ?? 0,
      covered: covered(`/v1/pages/${slug}?x=1`),
    }))
    .filter((c) => c.own > 1 || !c.covered);
  expect(wrong).toEqual([]);
  for (const slug of unpublished) expect(counts.get(`/v1/pages/${slug}*`)).toBeUndefined();
  // Every CloudFront request carried a batch of its own.
  expect(new Set(sent.map((i) => i.callerReference)).size).toBe(sent.length);
}

function workerEnv(db: Db, distributionId: string, endpoint: string): Record<string, string> {
  return {
    MONGODB_URI: db.uri,
    ADMIN_TOKEN,
    CLOUDFRONT_DISTRIBUTION_ID: distributionId,
    CLOUDFRONT_ENDPOINT: endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'testing',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing',
    CDN_INVALIDATION_POLL_MS: '100',
    // One identity drives hundreds of writes a minute here; the per-identity limit is not under test.
    ADMIN_WRITES_PER_MINUTE: '100000',
    // Nor is load shedding: three replicas and their database share two cores with the test, and
    // an event-loop stall there is the machine, not the service (shedding has its own e2e test).
    LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    CDN_INVALIDATION_BATCH_WINDOW_MS: '200',
    CDN_INVALIDATION_LEASE_MS: '5000',
    CLOUDFRONT_REQUEST_TIMEOUT_MS: '1000',
    CDN_INVALIDATION_BACKOFF_BASE_MS: '50',
    CDN_INVALIDATION_BACKOFF_MAX_MS: '500',
    CDN_INVALIDATION_SEND_INTERVAL_MS: '20',
    CDN_INVALIDATION_STATUS_POLL_MS: '100',
  };
}

describe('cache invalidation across processes', () => {
  let proxy: CloudFrontFaultProxy;
  const dbs: Db[] = [];

  beforeAll(async () => {
    proxy = await CloudFrontFaultProxy.start(motoEndpoint());
  });
  afterEach(async () => {
    await AppProcess.killAll();
  });
  afterAll(async () => {
    await AppProcess.killAll();
    await proxy?.close();
    for (const db of dbs) {
      await db.conn.dropDatabase().catch(() => undefined);
      await db.conn.close();
    }
  });

  async function setup() {
    const db = await openDb();
    dbs.push(db);
    const distributionId = await createTestDistribution();
    return { db, distributionId, env: workerEnv(db, distributionId, proxy.url) };
  }

  it(`three replicas, ${REPLICA_CHANGES} changes: every change invalidated, none twice`, async () => {
    const { db, distributionId, env } = await setup();
    const apps = await Promise.all(
      ['a', 'b', 'c'].map((n) => AppProcess.start(`replica-${n}`, env)),
    );
    const slugs = Array.from({ length: REPLICA_CHANGES }, () => newSlug('replica'));
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async (_, worker) => {
        while (next < slugs.length) {
          const i = next++;
          await createAndPublish(apps[(i + worker) % apps.length], slugs[i]);
        }
      }),
    );

    const items = await settledItems(db, REPLICA_CHANGES);
    expect(items).toHaveLength(REPLICA_CHANGES);
    const sent = await motoInvalidations(distributionId);
    expectExactlyOnce(sent, slugs, []);
    // Batching: far fewer CloudFront requests than changes, each within CloudFront's limits.
    expect(sent.length).toBeLessThan(REPLICA_CHANGES);
    for (const inv of sent)
      expect(inv.paths.filter((p) => p.endsWith('*')).length).toBeLessThanOrEqual(15);
  });

  it.each(['hold-after', 'hold-before'] as const)(
    'a process killed mid-send (%s): another finishes after the lease, exactly once',
    async (fault) => {
      const { db, distributionId, env } = await setup();
      const first = await AppProcess.start('first', env);
      proxy.inject(fault);
      const seen = proxy.events.length;
      const slug = newSlug('crash');
      await createAndPublish(first, slug);
      const event = await proxy.nextEvent(seen, 30000);
      expect(event.fault).toBe(fault);
      expect(event.senderPid).toBe(first.pid);
      await first.kill('SIGKILL');

      const second = await AppProcess.start('second', env);
      const [item] = await settledItems(db, 1);
      const sent = await motoInvalidations(distributionId);
      expectExactlyOnce(sent, [slug], []);
      expect(sent).toHaveLength(1);
      expect(item.cloudFrontId).toBe(sent[0].id);
      const recovered = () =>
        second
          .logs()
          .filter((l) => l.msg === 'CDN invalidation found already created by an earlier attempt');
      // When moto already had it, the survivor found it instead of sending it again. Log lines
      // are written through a buffer (flushed every 500 ms), so give them a moment to land.
      if (fault === 'hold-after')
        await eventually(async () => (recovered().length > 0 ? true : undefined), {
          timeoutMs: 5000,
          what: 'the survivor to log that it found the earlier attempt',
        });
      else await new Promise((r) => setTimeout(r, 1000));
      expect(recovered()).toHaveLength(fault === 'hold-after' ? 1 : 0);
    },
  );

  it('over repeated SIGKILL-and-restart cycles during a stream of publishes, every change is invalidated exactly once', async () => {
    const { db, distributionId, env } = await setup();
    const apps = await Promise.all(['a', 'b', 'c'].map((n) => AppProcess.start(`node-${n}`, env)));
    const attempted: string[] = [];
    let streaming = true;

    // The stream: publishes through whichever processes are up; a publish cut off by a kill may or
    // may not have committed, so the database says afterwards which ones did.
    const publisher = (async () => {
      let i = 0;
      while (streaming) {
        const alive = apps.filter((a) => a.running);
        if (alive.length === 0) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const slug = newSlug('stream');
        attempted.push(slug);
        const ok = await createAndPublish(alive[i++ % alive.length], slug).catch(() => false);
        if (!ok) await new Promise((r) => setTimeout(r, 20));
      }
    })();

    // Each cycle kills the very process that is sending, alternately before and after moto
    // received its request, then starts a replacement.
    const faults = ['hold-after', 'hold-before'] as const;
    try {
      for (let cycle = 0; cycle < 6; cycle++) {
        const seen = proxy.events.length;
        proxy.inject(faults[cycle % 2]);
        const event = await proxy.nextEvent(seen, 30000);
        const victim = apps.findIndex((a) => a.pid === event.senderPid);
        expect(victim).toBeGreaterThanOrEqual(0);
        await apps[victim].kill('SIGKILL');
        apps[victim] = await AppProcess.start(`node-${victim}-restart-${cycle}`, env);
      }
    } finally {
      streaming = false;
      await publisher;
    }

    const pages = await db.conn
      .collection('pages')
      .find({ status: 'published' }, { projection: { slug: 1 } })
      .toArray();
    const published = pages.map((p) => String(p.slug));
    expect(published.length).toBeGreaterThan(20);
    const items = await settledItems(db, published.length);
    expect(items.filter((i) => i.status === 'failed')).toEqual([]);
    const sent = await motoInvalidations(distributionId);
    expectExactlyOnce(
      sent,
      published,
      attempted.filter((s) => !published.includes(s)),
    );
  });
});
