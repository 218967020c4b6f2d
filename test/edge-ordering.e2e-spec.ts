import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { fastWorkerEnv } from './support/cache-invalidation';
import { createTestDistribution, eventually, motoEndpoint } from './support/cloudfront-moto';
import { pagesClient } from './support/pages-client';
import { RecordingEdge } from './support/recording-edge';

const TTL_MS = 1500;

/**
 * The ordering invariant behind the in-process cache: CloudFront must never re-fetch a
 * pre-change copy after the invalidation of that change. Other edge locations keep the origin's
 * cache hot with the old copy right up to the write; if the purge came before that copy expired,
 * the recording edge would re-fetch it and keep it for s-maxage (5 minutes). The invalidation is
 * therefore sent no earlier than write + PUBLIC_CACHE_TTL_MS + MONGODB_REPLICA_LAG_ALLOWANCE_MS
 * (CDN_INVALIDATION_SETTLE_MS, refused at boot when shorter).
 */
describe('edge ordering: the edge never holds the old copy after its purge', () => {
  let t: TestApp;
  let distributionId: string;

  beforeAll(async () => {
    distributionId = await createTestDistribution();
    t = await startApp({
      ...fastWorkerEnv(distributionId, motoEndpoint()),
      PUBLIC_CACHE_TTL_MS: String(TTL_MS),
      MONGODB_REPLICA_LAG_ALLOWANCE_MS: '200',
      CDN_INVALIDATION_SETTLE_MS: String(TTL_MS + 200),
    });
  });
  afterAll(async () => t?.close());

  it('publishes v2 while viewers hammer the slug, and the edge re-fetches only v2 after the purge', async () => {
    const http = () => request(t.app.getHttpServer());
    const pages = pagesClient(t.app);
    const v1 = await pages.createPublished({ title: 'Version one' });
    const path = `/v1/pages/${v1.slug}`;
    const edge = new RecordingEdge(t.app.getHttpServer(), distributionId);
    const oldEtag = (await edge.get(path)).etag;
    edge.watch();

    // Viewers at this edge, and at every other edge location (straight to the origin, which
    // keeps the origin's cache filled with v1 until the write).
    let hammering = true;
    const viewers = [
      (async () => {
        while (hammering) {
          await edge.get(path);
          await new Promise((r) => setTimeout(r, 5));
        }
      })(),
      (async () => {
        while (hammering) {
          await http().get(path);
          await new Promise((r) => setTimeout(r, 2));
        }
      })(),
    ];
    try {
      await new Promise((r) => setTimeout(r, 300));
      const patched = await http()
        .patch(`/admin/v1/pages/${v1.id}`)
        .set(auth)
        .set('If-Match', `"${v1.version}"`)
        .send({ title: 'Version two' })
        .expect(200);
      await pages.action(v1.id, 'publish', Number(JSON.parse(patched.headers.etag)));

      const purge = await eventually(
        async () =>
          edge.purges.find((p) => p.paths.some((q) => path.startsWith(q.replace(/\*$/, '')))),
        { what: 'the publish to reach the edge as a purge' },
      );
      // Keep viewing for longer than the origin cache's TTL after the purge.
      await new Promise((r) => setTimeout(r, TTL_MS + 500));
      hammering = false;
      await Promise.all(viewers);

      const afterPurge = edge.fills.filter((f) => f.at >= purge.at && f.path === path);
      expect(afterPurge.length).toBeGreaterThan(0);
      expect(afterPurge.filter((f) => f.etag === oldEtag)).toEqual([]);
      const current = await http().get(path).expect(200);
      expect(current.body.title).toBe('Version two');
      expect((await edge.get(path)).etag).toBe(current.headers.etag);
    } finally {
      hammering = false;
      edge.stop();
      await Promise.all(viewers);
    }
  });
});
