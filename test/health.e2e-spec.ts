import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { FerretDbProcess, waitFor } from './support/ferretdb-process';
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

describe('readiness around a database outage', () => {
  let db: FerretDbProcess;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await FerretDbProcess.start();
    t = await startApp({
      MONGODB_URI: db.uri,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
      HEALTH_DB_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    try {
      await db?.start(); // the app drops its database on close
      await t?.close();
    } finally {
      await db?.destroy();
    }
  });

  const readyStatus = async () => (await http().get('/health/ready')).status;

  it('goes 503 while the database is down, serves 503 errors, and recovers when it returns', async () => {
    const page = await pagesClient(t.app).createPublished();
    expect(await readyStatus()).toBe(200);

    await db.stop();
    await waitFor(async () => (await readyStatus()) === 503, 15_000, 'readiness to fail');
    const report = await http().get('/health/ready').expect(503);
    expect(report.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    await http().get('/health/live').expect(200);

    const unavailable = await http().get(`/v1/pages/${page.slug}`).expect(503);
    expect(unavailable.body).toMatchObject({ statusCode: 503, error: 'DATABASE_UNAVAILABLE' });
    expect(JSON.stringify(unavailable.body)).not.toMatch(/stack|at \//);

    await db.start();
    await waitFor(async () => (await readyStatus()) === 200, 30_000, 'readiness to recover');
    const back = await http().get(`/v1/pages/${page.slug}`).expect(200);
    expect(back.body.slug).toBe(page.slug);
    await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
  });
});
