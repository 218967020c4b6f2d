/**
 * The built service as the benchmarks measure it: `node dist/main.js` (or BENCH_MAIN's build) in
 * production mode on free loopback ports, with the background work that would blur a
 * measurement off (log shipping, the CDN worker, load shedding) and `env` over that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/support/free-port.ts';

const HOST = '127.0.0.1';

export interface BenchService {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** The service's `/metrics` URL. */
  metrics: string;
}

/** Starts the service and waits until it is ready (30 s at most). */
export async function startBenchService(env: Record<string, string>): Promise<BenchService> {
  const [http, metrics] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [resolve(process.env.BENCH_MAIN ?? 'dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST,
      PORT: String(http),
      METRICS_PORT: String(metrics),
      LOG_SHIPPER_ENABLED: 'false',
      CDN_INVALIDATION_WORKER_ENABLED: 'false',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      // Measure the work, not the shedding of it.
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://${HOST}:${http}`;
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, base, metrics: `http://${HOST}:${metrics}/metrics` };
    await sleep(100);
  }
  child.kill();
  throw new Error('service not ready after 30 s');
}
