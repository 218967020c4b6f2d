/**
 * The resident memory a process of this service has before it does anything: what Node alone
 * costs, what loading the production dependencies costs, and what loading the whole module graph
 * of the built service costs (dist/app.module.js: every module of ours and every dependency it
 * imports; no connection, no request). Each in a fresh process with the Dockerfile's NODE_OPTIONS,
 * in the same memory cgroup as the load benchmark, after two full garbage collections.
 * `BENCH_NODE_OPTIONS` replaces the Dockerfile's NODE_OPTIONS.
 *
 * It answers one question for issue 13's "RSS under load <= 150 MB": how much of the figure is
 * fixed by the stack before the service's own work starts. Run: `npm run bench --
 * bench/memory-floor.ts` (it builds first; the stack bench/run.sh starts is not used).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { memoryLimit } from './memory-limit.ts';

/** The Dockerfile's, as a pod runs; `BENCH_NODE_OPTIONS` to try others (`''` for Node's defaults). */
const NODE_OPTIONS =
  process.env.BENCH_NODE_OPTIONS ??
  /^\s*NODE_OPTIONS=(\S+)/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1] ??
  '';
const LIMIT = memoryLimit(Number(process.env.BENCH_MEMORY_LIMIT_MB ?? 512));
const dependencies = Object.keys(
  (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> })
    .dependencies,
);

/** Loads `modules`, collects garbage twice and prints the process's memory, as JSON. */
const PROBE = `
for (const m of JSON.parse(process.env.PROBE_MODULES)) require(m);
setTimeout(() => {
  gc(); gc();
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+)').exec(status)[1]) / 1024;
  const spaces = {};
  for (const s of require('node:v8').getHeapSpaceStatistics())
    if (s.space_size > 0) spaces[s.space_name.replace('_space', '')] = s.space_size / 1048576;
  console.log(JSON.stringify({ rss: kb('VmRSS'), file: kb('RssFile'), anon: kb('RssAnon'), spaces }));
}, 200);
`;

interface Probe {
  rss: number;
  file: number;
  anon: number;
  spaces: Record<string, number>;
}

function probe(modules: string[]): Probe {
  const [command, args] = LIMIT.wrap(process.execPath, ['--expose-gc', '-e', PROBE]);
  const out = spawnSync(command, args, {
    env: {
      ...process.env,
      NODE_OPTIONS,
      NODE_ENV: 'production',
      PROBE_MODULES: JSON.stringify(modules),
    },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`probe of ${modules.join(', ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as Probe;
}

const cases: [string, string[]][] = [
  ['node alone', []],
  [`the ${dependencies.length} production dependencies`, ['reflect-metadata', ...dependencies]],
  ['the built service module graph', ['reflect-metadata', resolve('dist/app.module.js')]],
];
const mb = (n: number) => n.toFixed(0).padStart(5);
console.log(
  `Node ${process.versions.node}; ${LIMIT.describe()}; NODE_OPTIONS=${NODE_OPTIONS || '(none)'}\n`,
);
console.log(
  'loaded                              RSS  file  anon  V8 heap (new, old, code+trusted)',
);
try {
  for (const [name, modules] of cases) {
    const p = probe(modules);
    const s = p.spaces;
    const heap = Object.values(s).reduce((a, b) => a + b, 0);
    const code = (s.code ?? 0) + (s.trusted ?? 0) + (s.code_large_object ?? 0);
    console.log(
      `${name.padEnd(34)}${mb(p.rss)} ${mb(p.file)} ${mb(p.anon)}  ${heap.toFixed(0)} ` +
        `(${(s.new ?? 0).toFixed(0)}, ${(s.old ?? 0).toFixed(0)}, ${code.toFixed(0)}) MB`,
    );
  }
} finally {
  LIMIT.remove();
}
