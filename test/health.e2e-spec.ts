import request from 'supertest';
import { startApp, type TestApp } from './support/app';
import { MetricsServer } from '../src/core/metrics/metrics.server';
import { waitFor } from './support/ferretdb-process';
import { freePort } from './support/free-port';
import { pagesClient } from './support/pages-client';

describe('health probes', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t?.close());

  it('answers liveness, readiness and startup with the database up', async () => {
    await http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect(ready.headers['cache-control']).toBe('no-store');
    await http().get('/health/startup').expect(200);
  });
});

describe('load shedding', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp({
      // Well above what a busy shared test machine adds, well below what the blocker causes.
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '40',
      LOAD_SHED_SAMPLE_INTERVAL_MS: '100',
      LOAD_SHED_RETRY_AFTER_SECONDS: '1',
      METRICS_PORT: String(await freePort()),
      HOST: '127.0.0.1',
    });
  });
  afterAll(async () => t?.close());

  it('sheds requests with 503 + Retry-After while the event loop lags; liveness and /metrics answer, readiness fails; then recovers', async () => {
    const page = await pagesClient(t.app).createPublished();
    const metricsUrl = `http://127.0.0.1:${t.app.get(MetricsServer).port}`;
    // Blocks the loop 150 ms of every 160: what a CPU-bound request storm does to it.
    const blocker = setInterval(() => {
      const end = Date.now() + 150;
      while (Date.now() < end);
    }, 160);
    try {
      let shed: request.Response | undefined;
      await waitFor(
        async () => {
          const res = await http().get(`/v1/pages/${page.slug}`);
          if (res.status === 503) shed = res;
          return shed !== undefined;
        },
        10000,
        'a shed public request',
      );
      expect(shed!.headers['retry-after']).toBe('1');
      expect(shed!.body).toMatchObject({ statusCode: 503, error: 'OVERLOADED' });
      expect(shed!.body.requestId).toBe(shed!.headers['x-request-id']);
      let readyDown = false;
      await waitFor(
        async () => {
          const res = await http().get('/health/ready');
          readyDown = res.status === 503 && res.body.error?.load?.status === 'down';
          return readyDown;
        },
        10000,
        'readiness to report the load',
      );
      for (let i = 0; i < 5; i++) {
        await http().get('/health/live').expect(200, { status: 'ok' });
        await request(metricsUrl).get('/metrics').expect(200);
      }
    } finally {
      clearInterval(blocker);
    }
    await waitFor(
      async () =>
        (await http().get(`/v1/pages/${page.slug}`)).status === 200 &&
        (await http().get('/health/ready')).status === 200,
      20000,
      'recovery',
    );
  });
});
