import { motoInvalidations } from '../support/cloudfront-moto';
import { newSlug } from '../support/factories';
import { AppProcess } from './app-process';
import {
  createAndPublish,
  expectExactlyOnce,
  invalidationFaultSuite,
  settledItems,
} from './invalidation-fault-suite';

/**
 * Three real service processes on one database, sending through a fault-injecting proxy to moto,
 * while the one sending is killed again and again (cache-invalidation.fault-spec has the single
 * kills and the replica run).
 */
// Three app processes, their restarts and a FerretDB on two cores.
jest.setTimeout(300_000);

describe('cache invalidation across kill-and-restart cycles', () => {
  const suite = invalidationFaultSuite();
  const setup = suite.setup;

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
        const seen = suite.proxy().events.length;
        suite.proxy().inject(faults[cycle % 2]);
        const event = await suite.proxy().nextEvent(seen, 30000);
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
