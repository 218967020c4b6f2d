/**
 * Idle database load: the CPU a private FerretDB spends while the built service sits idle (CDN
 * worker polling every second, metrics scraped every second), with 100 and with 20,000 published
 * pages, beside the same database with the service stopped. Not a test: figures go to
 * bench/README.md. Run through `npm run bench -- bench/idle-db.bench.ts` (builds first).
 *
 * FerretDB (SQLite) uses no secondary index for queries, so this shows what the service asks for
 * per second, not how DocumentDB would answer; the query-shape e2e test proves the index use.
 */
import mongoose from 'mongoose';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../test/support/free-port.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HOST = '127.0.0.1';
const WINDOW_S = Number(process.env.BENCH_IDLE_WINDOW ?? 15);
const SIZES = (process.env.BENCH_IDLE_PAGES ?? '100,20000').split(',').map(Number);
// Run from the repository root (npm run / bench/run.sh).
const ROOT = resolve(process.cwd());
const CLK_TCK = 100;

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function share(pid: number, seconds: number, during?: () => Promise<void>): Promise<number> {
  const before = cpuSeconds(pid);
  const started = Date.now();
  const end = started + seconds * 1000;
  while (Date.now() < end) {
    await during?.();
    await sleep(1000);
  }
  return (cpuSeconds(pid) - before) / ((Date.now() - started) / 1000);
}

function startFerret(port: number, dataDir: string): ChildProcess {
  const binary = join(process.env.STACK_DIR ?? join(ROOT, '.local/stack'), 'bin', 'ferretdb');
  return spawn(
    binary,
    [
      `--listen-addr=${HOST}:${port}`,
      '--repl-set-name=rs0',
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      '--state-dir=-',
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    { stdio: 'ignore' },
  );
}

/** Published pages as the service stores them (a 4 KB live body each), inserted directly. */
async function seed(uri: string, count: number): Promise<void> {
  const connection = await mongoose.createConnection(uri).asPromise();
  const pages = connection.collection('pages');
  const body = JSON.stringify({ title: 'Jane Doe', padding: 'x'.repeat(4000) });
  const now = new Date();
  for (let i = 0; i < count; i += 500) {
    const docs = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const content = {
        title: `Agent ${j}`,
        agent: { name: 'A' },
        sponsor: { name: 'S', disclosure: 'D' },
        sections: [],
        schedule: { timezone: 'UTC', events: [] },
      };
      docs.push({
        slug: `agent-${String(j).padStart(6, '0')}`,
        status: 'published',
        version: 2,
        draft: content,
        live: { content, body, etag: `"e${j}"`, revision: 1, publishedAt: now, updatedAt: now },
        revision: 1,
        cdnOutbox: [],
        createdAt: now,
        updatedAt: now,
      });
    }
    await pages.insertMany(docs);
    if ((i / 500) % 10 === 9) console.error(`  seeded ${i + 500} of ${count}`);
  }
  await connection.close();
}

async function measure(count: number): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-idle-db-'));
  const dbPort = await freePort();
  const ferret = startFerret(dbPort, dataDir);
  const uri = `mongodb://${HOST}:${dbPort}/bench_idle?replicaSet=rs0`;
  let service: ChildProcess | undefined;
  try {
    await waitFor(
      async () => {
        const c = await mongoose
          .createConnection(uri, { serverSelectionTimeoutMS: 500 })
          .asPromise();
        await c.close();
        return true;
      },
      20_000,
      'FerretDB',
    );
    console.error(`${count} pages: seeding...`);
    const seeded = Date.now();
    await seed(uri, count);
    const seedSeconds = (Date.now() - seeded) / 1000;
    console.error(
      `${count} pages: seeded in ${((Date.now() - seeded) / 1000).toFixed(0)} s; measuring`,
    );
    const stopped = await share(ferret.pid!, WINDOW_S);

    const port = await freePort();
    const metricsPort = await freePort();
    service = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HOST,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        MONGODB_URI: uri,
        ADMIN_TOKEN: 'bench-admin-token-0123456789',
        LOG_LEVEL: 'warn',
        LOG_SHIPPER_ENABLED: 'false',
        OPENSEARCH_URL: '',
        CLOUDFRONT_DISTRIBUTION_ID: '',
        CDN_INVALIDATION_WORKER_ENABLED: 'true',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    service.once('exit', (code) => {
      if (code !== null && code !== 0) console.error(`service exited with ${code}`);
    });
    await waitFor(
      async () => (await fetch(`http://${HOST}:${port}/health/ready`)).ok,
      60_000,
      'the service to be ready',
    );
    await sleep(3000); // start-up work (indexes, the one-time outbox migration) is not idle load
    const scrape = async () => {
      await (await fetch(`http://${HOST}:${metricsPort}/metrics`)).text();
    };
    const idle = await share(ferret.pid!, WINDOW_S, scrape);
    return { pages: count, seedSeconds, stopped, idle };
  } finally {
    if (service && service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    const exited = new Promise((r) => ferret.once('exit', r));
    ferret.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, number>[] = [];
  for (const count of SIZES) results.push(await measure(count));
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    '\nIdle FerretDB CPU (share of one core), service idle with worker polling + 1 scrape/s',
  );
  console.log('pages    | service stopped | service idle | seeding');
  for (const r of results)
    console.log(
      `${String(r.pages).padEnd(8)} | ${pct(r.stopped).padEnd(15)} | ${pct(r.idle).padEnd(12)} | ${r.seedSeconds.toFixed(0)} s`,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
