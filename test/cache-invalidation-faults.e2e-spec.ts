import pino from 'pino';
import { register } from 'prom-client';
import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { fastWorkerEnv, invalidationsClient } from './support/cache-invalidation';
import { CloudFrontFaultProxy } from './support/cloudfront-fault-proxy';
import { createTestDistribution, motoEndpoint, motoInvalidations } from './support/cloudfront-moto';
import { newSlug } from './support/factories';
import { pagesClient } from './support/pages-client';

type LogLine = Record<string, unknown> & { msg?: string; requestIds?: string[] };

describe('cache invalidation under CloudFront faults', () => {
  let t: TestApp;
  let proxy: CloudFrontFaultProxy;
  let distributionId: string;
  const logs: LogLine[] = [];
  let invalidations: ReturnType<typeof invalidationsClient>;

  beforeAll(async () => {
    distributionId = await createTestDistribution();
    proxy = await CloudFrontFaultProxy.start(motoEndpoint());
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    );
    t = await startApp(
      fastWorkerEnv(distributionId, proxy.url, { CDN_INVALIDATION_MAX_ATTEMPTS: '5' }),
      logger,
    );
    invalidations = invalidationsClient(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  async function publishUnder(requestId: string) {
    const pages = pagesClient(t.app);
    const page = await pages.create();
    await request(t.app.getHttpServer())
      .post(`/admin/v1/pages/${page.id}/publish`)
      .set(auth)
      .set('If-Match', `"${page.version}"`)
      .set('x-request-id', requestId)
      .expect(200);
    return page;
  }

  /** cache_invalidation_deferred_total summed over its reasons. */
  async function deferredCount(): Promise<number> {
    const metric = await register.getSingleMetric('cache_invalidation_deferred_total')?.get();
    return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  }

  const linesFor = (requestId: string, msg: string) =>
    logs.filter((l) => l.msg === msg && l.requestIds?.includes(requestId));

  it('retries throttling, 503 and dropped connections with backoff, and sends exactly once; throttling uses no attempt', async () => {
    // drop-after: moto creates the invalidation but the answer never arrives; the next attempt
    // must find it by CallerReference instead of creating a second one.
    proxy.inject('throttle', 'unavailable', 'drop', 'drop-after');
    const before = proxy.createRequests;
    const requestId = newSlug('req-faults');
    const page = await publishUnder(requestId);

    const done = await invalidations.settled(requestId);
    expect(done.attempts).toBe(3);
    expect(proxy.events.slice(before).map((e) => e.fault)).toEqual([
      'throttle',
      'unavailable',
      'drop',
      'drop-after',
    ]);
    const inMoto = (await motoInvalidations(distributionId)).filter((i) =>
      i.paths.includes(`/v1/pages/${page.slug}*`),
    );
    expect(inMoto).toHaveLength(1);
    expect(inMoto[0].id).toBe(done.cloudFrontId);

    // Each failure was logged with the causing request id and a backoff delay; the send too.
    const deferred = linesFor(requestId, 'CDN invalidation deferred: CloudFront is busy');
    expect(deferred.map((l) => [l.reason, typeof l.retryInMs])).toEqual([['throttling', 'number']]);
    const retries = linesFor(requestId, 'CDN invalidation attempt failed; will retry');
    expect(retries).toHaveLength(3);
    expect(retries.map((l) => String(l.error))).toEqual([
      expect.stringMatching(/503/),
      expect.any(String),
      expect.any(String),
    ]);
    for (const l of retries) expect(typeof l.retryInMs).toBe('number');
    expect(
      linesFor(requestId, 'CDN invalidation found already created by an earlier attempt'),
    ).toHaveLength(1);
  });

  it('backs off on TooManyInvalidationsInProgress and then sends, using no attempt for it', async () => {
    proxy.inject('too-many', 'too-many');
    const requestId = newSlug('req-too-many');
    const page = await publishUnder(requestId);
    const done = await invalidations.settled(requestId);
    expect(done.attempts).toBe(1);
    const inMoto = (await motoInvalidations(distributionId)).filter((i) =>
      i.paths.includes(`/v1/pages/${page.slug}*`),
    );
    expect(inMoto).toHaveLength(1);
  });

  it('survives a Throttling / TooManyInvalidationsInProgress storm: nothing lost, nothing failed, each page once', async () => {
    // Far more busy refusals than CDN_INVALIDATION_MAX_ATTEMPTS (5), across several changes.
    const storm = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 'too-many' : 'throttle'));
    proxy.inject(...(storm as ('throttle' | 'too-many')[]));
    const before = proxy.createRequests;
    const deferredBefore = await deferredCount();
    const runs: { requestId: string; page: Awaited<ReturnType<typeof publishUnder>> }[] = [];
    for (let i = 0; i < 4; i++) {
      const requestId = newSlug(`req-storm-${i}`);
      runs.push({ requestId, page: await publishUnder(requestId) });
    }
    for (const { requestId } of runs) {
      const done = await invalidations.settled(requestId);
      expect(done.status).toBe('completed');
      expect(done.attempts).toBe(1);
    }
    expect(proxy.events.slice(before).filter((e) => e.fault !== 'pass')).toHaveLength(24);
    const sent = await motoInvalidations(distributionId);
    for (const { page } of runs)
      expect(sent.filter((i) => i.paths.includes(`/v1/pages/${page.slug}*`))).toHaveLength(1);
    const failed = (await invalidations.list()).filter((i) => i.status === 'failed');
    expect(failed.filter((i) => runs.some((r) => r.requestId === i.requestId))).toEqual([]);
    expect((await deferredCount()) - deferredBefore).toBeGreaterThanOrEqual(24);
  });

  it('fails after the bounded attempts with the last error, and sends again on retry', async () => {
    proxy.inject('unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable');
    const requestId = newSlug('req-give-up');
    const page = await publishUnder(requestId);
    const failed = await invalidations.settled(requestId, 'failed');
    expect(failed.attempts).toBe(5);
    expect(failed.lastError).toMatch(/ServiceUnavailable/);
    expect(linesFor(requestId, 'CDN invalidation failed')).toHaveLength(1);
    expect(
      (await motoInvalidations(distributionId)).filter((i) =>
        i.paths.includes(`/v1/pages/${page.slug}*`),
      ),
    ).toHaveLength(0);

    const retried = await request(t.app.getHttpServer())
      .post(`/admin/v1/cache/invalidations/${failed.id}/retry`)
      .set(auth)
      .expect(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    const done = await invalidations.settled(requestId);
    expect(done.cloudFrontId).toBeTruthy();
    expect(
      (await motoInvalidations(distributionId)).filter((i) =>
        i.paths.includes(`/v1/pages/${page.slug}*`),
      ),
    ).toHaveLength(1);
  });

  it('does not retry a refusal such as AccessDenied', async () => {
    proxy.inject('deny');
    const before = proxy.createRequests;
    const requestId = newSlug('req-denied');
    await publishUnder(requestId);
    const failed = await invalidations.settled(requestId, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/AccessDenied/);
    expect(proxy.createRequests - before).toBe(1);
  });
});
