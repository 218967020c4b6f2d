import mongoose from 'mongoose';
import { resolve } from 'node:path';
import { ADMIN_TOKEN, isolatedMongoUri } from '../support/app';
import { eventually } from '../support/cloudfront-moto';
import { newPage } from '../support/factories';
import { AppProcess } from '../support/app-process';

/**
 * Real service processes on one database whose scheduler is frozen in the middle of an action
 * (just before or just after its page write, by a preloaded hook) and then SIGKILLed: the action
 * must run exactly once, taken over after its lease.
 */
jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..');
const BUILD = resolve(ROOT, process.env.FAULT_APP_MAIN ?? 'dist/main.js', '..');
const PRELOAD = resolve(__dirname, 'hang-in-scheduled-action.ts');
const LEASE_MS = 4000;
const authHeader = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function call(app: AppProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...authHeader, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function env(uri: string, hang: { rate: number; where: string }): Record<string, string> {
  return {
    MONGODB_URI: uri,
    ADMIN_TOKEN,
    MONGODB_OPERATION_TIMEOUT_MS: '1000',
    PAGE_ACTIONS_POLL_MS: '100',
    PAGE_ACTIONS_LEASE_MS: String(LEASE_MS),
    CDN_INVALIDATION_POLL_MS: '200',
    NODE_OPTIONS: `--import ${PRELOAD}`,
    FAULT_PAGES_SERVICE: resolve(BUILD, 'modules/pages/pages.service.js'),
    FAULT_HANG_RATE: String(hang.rate),
    FAULT_HANG_WHERE: hang.where,
  };
}

const frozen = (app: AppProcess) =>
  app.logs().find((l) => l.msg === 'fault: frozen mid-action') as
    { actionId: string; when: string } | undefined;

describe('scheduled actions across SIGKILL', () => {
  let conn: mongoose.Connection;
  let uri: string;

  beforeEach(async () => {
    uri = isolatedMongoUri();
    conn = await mongoose.createConnection(uri, { retryWrites: false }).asPromise();
  });
  afterEach(async () => {
    await AppProcess.killAll();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  it.each(['after', 'before'])(
    'killed %s its page write: the action runs once, after the lease, on another process',
    async (where) => {
      const first = await AppProcess.start('first', env(uri, { rate: 1, where }));
      const page = await call(first, 'POST', '/admin/v1/pages', newPage());
      // Far enough ahead that the request lands before it on a loaded machine.
      const at = new Date(Date.now() + 3000);
      const action = await call(first, 'POST', `/admin/v1/pages/${String(page.id)}/actions`, {
        kind: 'publish',
        at: at.toISOString(),
        version: page.version,
      });
      const hit = await eventually(async () => frozen(first), { what: 'the freeze' });
      expect(hit).toMatchObject({ actionId: action.id, when: where });
      await first.kill('SIGKILL');

      const second = await AppProcess.start('second', env(uri, { rate: 0, where }));
      const done = await eventually(
        async () => {
          const a = await call(second, 'GET', `/admin/v1/page-actions/${String(action.id)}`);
          return a.status === 'done' ? a : undefined;
        },
        { what: 'the action to be done', timeoutMs: 30000 },
      );
      // Not before the dead process's lease ran out.
      expect(Date.parse(String(done.ranAt)) - at.getTime()).toBeGreaterThanOrEqual(LEASE_MS - 500);
      // After the write, the survivor finds the action's stamp on the page and writes nothing.
      expect(done.reason).toEqual(where === 'after' ? 'already applied by an earlier run' : null);
      const stored = await conn.collection('pages').findOne({ slug: page.slug });
      expect(stored).toMatchObject({ status: 'published', revision: 1 });
      expect(await conn.collection('page_revisions').countDocuments({})).toBe(1);
    },
  );

  it('over repeated freeze-and-SIGKILL cycles on three processes, every action ran exactly once', async () => {
    const apps = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        AppProcess.start(`node-${n}`, env(uri, { rate: 0.5, where: 'either' })),
      ),
    );
    const PAGES = 8;
    const pages: Record<string, unknown>[] = [];
    const creating = Date.now();
    for (let i = 0; i < PAGES; i++) {
      const page = await call(apps[i % 3], 'POST', '/admin/v1/pages', newPage());
      pages.push(page);
    }
    // A publish, then an unpublish, of each page: 16 actions within a few seconds. They must all
    // be scheduled before the first falls due (a process may freeze running one), so the first is
    // due after twice the time the 16 requests are expected to take at the pace the 8 creates
    // took (a loaded machine may take seconds for them), and none is due sooner than 2 s after
    // its request is sent.
    const start = Date.now() + Math.max(3000, 2 * 2 * (Date.now() - creating));
    for (const [i, page] of pages.entries()) {
      const base = Math.max(start + i * 250, Date.now() + 2000);
      await call(apps[0], 'POST', `/admin/v1/pages/${String(page.id)}/actions`, {
        kind: 'publish',
        at: new Date(base).toISOString(),
        version: page.version,
      });
      await call(apps[1], 'POST', `/admin/v1/pages/${String(page.id)}/actions`, {
        kind: 'unpublish',
        at: new Date(base + 1500).toISOString(),
      });
    }

    let kills = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const open = await conn
        .collection('page_actions')
        .countDocuments({ status: { $in: ['scheduled', 'running'] } });
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`${open} actions still open after ${kills} kills`);
      for (const [i, app] of apps.entries()) {
        if (!frozen(app)) continue;
        await app.kill('SIGKILL');
        kills++;
        // The replacements freeze less often, so the run converges.
        apps[i] = await AppProcess.start(
          `node-${i}-${kills}`,
          env(uri, { rate: 0.2, where: 'either' }),
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(kills).toBeGreaterThanOrEqual(2);
    const actions = await conn.collection('page_actions').find({}).toArray();
    expect(actions).toHaveLength(PAGES * 2);
    expect(actions.filter((a) => a.status !== 'done')).toEqual([]);
    // Exactly once: each page was published once (one revision) and is unpublished again, and
    // each change put exactly one entry through the CDN path.
    const stored = await conn.collection('pages').find({}).toArray();
    for (const page of stored) expect(page).toMatchObject({ status: 'draft', revision: 1 });
    expect(await conn.collection('page_revisions').countDocuments({})).toBe(PAGES);
    const items = await eventually(
      async () => {
        const all = await conn.collection('cdn_invalidations').find({}).toArray();
        return all.length >= PAGES * 2 ? all : undefined;
      },
      { what: 'every change in the CDN path' },
    );
    expect(items.filter((i) => i.reason === 'publish')).toHaveLength(PAGES);
    expect(items.filter((i) => i.reason === 'unpublish')).toHaveLength(PAGES);
  });
});
