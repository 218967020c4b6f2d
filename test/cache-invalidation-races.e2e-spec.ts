import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { startApp, type TestApp } from './support/app';
import { fastWorkerEnv } from './support/cache-invalidation';
import {
  createTestDistribution,
  motoEndpoint,
  motoInvalidations,
  pathCounts,
} from './support/cloudfront-moto';
import { newSlug } from './support/factories';
import { AppConfig } from '../src/core/config/app-config';
import { PageOutbox } from '../src/modules/pages/page-outbox';
import { CacheInvalidationRepository } from '../src/modules/cache-invalidation/cache-invalidation.repository';
import { CacheInvalidationService } from '../src/modules/cache-invalidation/cache-invalidation.service';
import { CacheInvalidationWorker } from '../src/modules/cache-invalidation/cache-invalidation.worker';
import { CloudFrontGateway } from '../src/modules/cache-invalidation/cloudfront.gateway';

/**
 * Two workers in one process on the real local FerretDB, driven step by step: one is paused at a
 * chosen repository call (a GC pause, CPU throttling, a slow database reply) while its lease is
 * expired by hand and the other takes its batch over. No timing decides the interleaving.
 */

type Method = Extract<keyof CacheInvalidationRepository, string>;
type Args = unknown[];

interface Gate {
  method: Method;
  when: (args: Args) => boolean;
  reached: Promise<void>;
  arrive: () => void;
  release: () => void;
  released: Promise<void>;
}

/** A repository whose calls can be paused (until released) or answered by the test. */
class SteppedRepository {
  private readonly gates: Gate[] = [];
  private readonly overrides = new Map<string, (...args: Args) => unknown>();
  readonly repo: CacheInvalidationRepository;

  constructor(target: CacheInvalidationRepository) {
    this.repo = new Proxy(target, {
      get: (t, prop, receiver) => {
        const value = Reflect.get(t, prop, receiver) as unknown;
        if (typeof prop !== 'string' || typeof value !== 'function') return value;
        return async (...args: Args) => {
          const override = this.overrides.get(prop);
          if (override) return override(...args);
          const i = this.gates.findIndex((g) => g.method === prop && g.when(args));
          if (i >= 0) {
            const [gate] = this.gates.splice(i, 1);
            gate.arrive();
            await gate.released;
          }
          return (value as (...a: Args) => unknown).apply(t, args);
        };
      },
    });
  }

  /** The next call of one of `methods` (matching `when`) waits until `release()`. */
  pauseAt(methods: Method[], when: (method: Method, args: Args) => boolean = () => true) {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    let fired = false;
    for (const method of methods)
      this.gates.push({
        method,
        when: (args) => !fired && when(method, args) && (fired = true),
        reached,
        arrive,
        release,
        released,
      });
    return { reached, release };
  }

  override(method: Method, fn: ((...args: Args) => unknown) | null): void {
    if (fn) this.overrides.set(method, fn);
    else this.overrides.delete(method);
  }
}

describe('cache invalidation: a slow worker and the one that took its batch over', () => {
  let t: TestApp;
  let db: Connection;
  let distributionId: string;
  let base: CacheInvalidationRepository;

  beforeAll(async () => {
    distributionId = await createTestDistribution();
    t = await startApp(
      fastWorkerEnv(distributionId, motoEndpoint(), { CDN_INVALIDATION_WORKER_ENABLED: 'false' }),
    );
    db = t.app.get<Connection>(getConnectionToken());
    base = t.app.get(CacheInvalidationRepository);
  });
  afterAll(async () => t?.close());
  afterEach(async () => {
    // Each test starts from an empty invalidation state (the distribution is shared).
    for (const c of ['cdn_invalidations', 'cdn_invalidation_batches', 'cdn_invalidation_tokens'])
      await db.collection(c).deleteMany({});
  });

  /** A worker whose polls the test runs itself (`tick()`), never on its own timer. */
  function worker(stepped: SteppedRepository): CacheInvalidationWorker {
    const w = new CacheInvalidationWorker(
      t.app.get(AppConfig),
      stepped.repo,
      t.app.get(PageOutbox),
      t.app.get(CloudFrontGateway),
      t.app.get(CacheInvalidationService),
    );
    // Its poll loop is never started, so it would consider itself stopped after assembling.
    Object.defineProperty(w, 'stopped', { get: () => false });
    return w;
  }

  /** Pending items, old enough for the batch window; each invalidates one page of its own. */
  async function seed(n: number, ageMs = 10_000): Promise<{ id: string; path: string }[]> {
    const now = new Date();
    const seeded = [];
    for (let i = 0; i < n; i++) {
      const id = new Types.ObjectId().toHexString();
      const path = `/v1/pages/${newSlug('race')}*`;
      await base.insertItem({
        _id: id,
        source: 'admin',
        reason: 'manual',
        requestId: newSlug('req'),
        paths: [path],
        status: 'pending',
        batchId: null,
        attempts: 0,
        createdAt: new Date(now.getTime() - ageMs),
        updatedAt: now,
      });
      seeded.push({ id, path });
    }
    return seeded;
  }

  /** What a lease expiry looks like to everyone else: the slow worker still believes it owns. */
  async function expireLeases(): Promise<void> {
    await db
      .collection('cdn_invalidation_batches')
      .updateMany({}, { $set: { leaseUntil: new Date(Date.now() - 1000) } });
  }

  const items = () =>
    db
      .collection<{ _id: string; status: string; batchId: string | null }>('cdn_invalidations')
      .find({})
      .toArray();

  /** Lets the worker poll until every item is completed (or the rounds run out). */
  async function runUntilSettled(w: CacheInvalidationWorker, rounds = 60): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await w.tick();
      if ((await items()).every((it) => it.status === 'completed')) return;
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  /** Every seeded path went to CloudFront exactly once, and every item is completed. */
  async function expectExactlyOnce(seeded: { id: string; path: string }[]): Promise<void> {
    const counts = pathCounts(await motoInvalidations(distributionId));
    expect(seeded.map((s) => [s.path, counts.get(s.path) ?? 0])).toEqual(
      seeded.map((s) => [s.path, 1]),
    );
    const byId = new Map((await items()).map((i) => [i._id, i]));
    expect(seeded.map((s) => [s.id, byId.get(s.id)?.status])).toEqual(
      seeded.map((s) => [s.id, 'completed']),
    );
  }

  const isItemToken = (id: string) => (_m: Method, args: Args) =>
    typeof args[0] === 'string' && args[0].startsWith(`item:${id}:`);

  it('the slow assembler records its claims after the taker sent and completed the batch: they stay completed', async () => {
    const seeded = await seed(3);
    const slow = new SteppedRepository(base);
    const taker = new SteppedRepository(base);
    // The slow worker has won all its claim tokens, then stalls before its next database call.
    const stall = slow.pauseAt(['markClaimed']);
    const slowTick = worker(slow).tick();
    await stall.reached;

    await expireLeases();
    taker.override('oldestOpenItem', () => null); // the taker only works through due batches
    await runUntilSettled(worker(taker));
    expect((await items()).map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);

    stall.release();
    await slowTick;
    taker.override('oldestOpenItem', null);
    await runUntilSettled(worker(taker), 10);
    await expectExactlyOnce(seeded);
  });

  it('the slow assembler claims an item after the taker read the claims and before it froze: the item is still sent, once', async () => {
    const seeded = await seed(3);
    const last = seeded[2].id;
    const slow = new SteppedRepository(base);
    const taker = new SteppedRepository(base);
    // The slow worker stalls before the claim token of its last item.
    const beforeLastClaim = slow.pauseAt(['takeToken'], isItemToken(last));
    const slowTick = worker(slow).tick();
    await beforeLastClaim.reached;

    await expireLeases();
    taker.override('oldestOpenItem', () => null);
    // The taker has read the batch's claims (two of three) and stalls before reading the items.
    const takerFreezing = taker.pauseAt(['itemsByIds']);
    const takerTick = worker(taker).tick();
    await takerFreezing.reached;

    // The slow worker claims its last item, finds it lost the lease while the batch is still
    // being assembled, and leaves it to the new owner.
    beforeLastClaim.release();
    await slowTick;

    takerFreezing.release();
    await takerTick;
    taker.override('oldestOpenItem', null);
    await runUntilSettled(worker(taker));
    await expectExactlyOnce(seeded);
  });

  /**
   * The slow worker inserts its batch and stalls before its first claim token; once its lease has
   * expired, `taker` takes the batch over, sees no claims and stalls before deleting the empty
   * batch; then the slow worker claims every item, fails to freeze (it lost the lease) and leaves
   * the batch, still assembling, to its new owner. Resolves with the taker still stalled.
   */
  async function takerAboutToDropWhileSlowClaims(
    seeded: { id: string }[],
    taker: SteppedRepository,
  ): Promise<{ takerTick: Promise<void>; releaseDelete: () => void }> {
    const slow = new SteppedRepository(base);
    const beforeClaims = slow.pauseAt(['takeToken'], isItemToken(seeded[0].id));
    const slowTick = worker(slow).tick();
    await beforeClaims.reached;

    await expireLeases();
    taker.override('oldestOpenItem', () => null); // the taker only works through due batches
    const beforeDelete = taker.pauseAt(['deleteOwnedBatch']);
    const takerTick = worker(taker).tick();
    await beforeDelete.reached;

    beforeClaims.release();
    await slowTick;
    return { takerTick, releaseDelete: beforeDelete.release };
  }

  it('the taker finds no claims and drops the batch while the slow assembler is claiming: the items are still sent, once', async () => {
    const seeded = await seed(3);
    const taker = new SteppedRepository(base);
    const { takerTick, releaseDelete } = await takerAboutToDropWhileSlowClaims(seeded, taker);
    releaseDelete();
    await takerTick;
    taker.override('oldestOpenItem', null);
    await runUntilSettled(worker(taker));
    await expectExactlyOnce(seeded);
  });

  it('both the slow assembler and its taker stall before recording the claims, a third worker sends and completes the batch: the items stay completed', async () => {
    const seeded = await seed(3);
    const slow = new SteppedRepository(base);
    const taker = new SteppedRepository(base);
    const third = new SteppedRepository(base);
    const slowStall = slow.pauseAt(['markClaimed']);
    const slowTick = worker(slow).tick();
    await slowStall.reached;

    // The taker freezes the batch, then stalls past its lease before recording the claims.
    await expireLeases();
    taker.override('oldestOpenItem', () => null);
    const takerStall = taker.pauseAt(['markClaimed']);
    const takerTick = worker(taker).tick();
    await takerStall.reached;

    // A third worker takes the frozen batch over, sends it and sees it completed.
    await expireLeases();
    third.override('oldestOpenItem', () => null);
    await runUntilSettled(worker(third));
    expect((await items()).map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);

    // The two late recordings land afterwards.
    takerStall.release();
    await takerTick;
    slowStall.release();
    await slowTick;
    third.override('oldestOpenItem', null);
    await runUntilSettled(worker(third), 10);
    await expectExactlyOnce(seeded);
  });

  /** Polls with the sweep held off: what is stranded stays stranded. */
  async function pollWithoutSweep(stepped: SteppedRepository, polls: number): Promise<void> {
    stepped.override('openItemsCreatedBefore', () => []);
    for (let i = 0; i < polls; i++) await worker(stepped).tick();
    stepped.override('openItemsCreatedBefore', null);
  }

  const dbDown = () => Promise.reject(new Error('connection reset'));

  it('the hand-back after a dropped batch is lost to a database error: the sweep hands the items back and they are sent, once', async () => {
    const seeded = await seed(3, 60_000);
    const taker = new SteppedRepository(base);
    taker.override('openItemsCreatedBefore', () => []);
    const { takerTick, releaseDelete } = await takerAboutToDropWhileSlowClaims(seeded, taker);

    // The taker drops the batch it found empty; handing the late claims back then fails.
    taker.override('requeueClaimed', dbDown);
    releaseDelete();
    await expect(takerTick).rejects.toThrow('connection reset');
    taker.override('requeueClaimed', null);
    taker.override('oldestOpenItem', null);
    taker.override('openItemsCreatedBefore', null);

    // Without the sweep they are stuck: claimed into a batch that no longer exists.
    await pollWithoutSweep(taker, 3);
    expect((await items()).map((i) => i.status)).toEqual([
      'in-progress',
      'in-progress',
      'in-progress',
    ]);

    await runUntilSettled(worker(taker));
    await expectExactlyOnce(seeded);
  });

  it('a batch CloudFront completed at once whose item update was lost: the sweep marks the items completed, nothing is sent again', async () => {
    const seeded = await seed(2, 60_000);
    const stepped = new SteppedRepository(base);
    stepped.override('openItemsCreatedBefore', () => []);
    stepped.override('syncItems', dbDown);
    await expect(worker(stepped).tick()).rejects.toThrow('connection reset');
    stepped.override('syncItems', null);
    stepped.override('openItemsCreatedBefore', null);
    const [batch] = await db.collection('cdn_invalidation_batches').find({}).toArray();
    expect(batch.status).toBe('completed'); // moto, like CloudFront at times, completes at once

    await pollWithoutSweep(stepped, 3);
    expect((await items()).map((i) => i.status)).toEqual(['in-progress', 'in-progress']);

    await runUntilSettled(worker(stepped));
    await expectExactlyOnce(seeded);
    expect((await items()).map((i) => i.batchId)).toEqual([batch._id, batch._id]);
  });
});
