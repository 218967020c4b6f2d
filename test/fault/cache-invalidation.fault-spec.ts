import { eventually, motoInvalidations } from '../support/cloudfront-moto';
import { newSlug } from '../support/factories';
import { AppProcess } from './app-process';
import {
  createAndPublish,
  expectExactlyOnce,
  invalidationFaultSuite,
  settledItems,
} from './invalidation-fault-suite';

/**
 * Several real service processes on one database, sending through a fault-injecting proxy to
 * moto: many replicas at once, and a process killed in the middle of a send (the kill-and-restart
 * cycles are cache-invalidation-cycles.fault-spec).
 */
// Three app processes and a FerretDB on two cores: a hundred versioned writes each way take a while.
jest.setTimeout(300_000);

/**
 * Changes in the three-replica run: enough for every replica to claim, batch and send many times
 * over (six concurrent publishers), few enough to keep the tier near a minute on two cores.
 */
const REPLICA_CHANGES = 100;

describe('cache invalidation across processes', () => {
  const suite = invalidationFaultSuite();
  const setup = suite.setup;

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
      suite.proxy().inject(fault);
      const seen = suite.proxy().events.length;
      const slug = newSlug('crash');
      await createAndPublish(first, slug);
      const event = await suite.proxy().nextEvent(seen, 30000);
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
});
