#!/usr/bin/env bash
# Load benchmark (not a test): the built service against a raw node:http server answering a
# same-size JSON body, same machine, same run: GET /health/live (per-request overhead, two rounds
# in opposite order) and GET /v1/pages/:slug. Figures and how to read them: bench/README.md.
# Tunables (see bench/http.bench.ts): BENCH_QUICK=1 (smoke check: 1 s rounds, no target
# asserted; `npm run bench:quick`), BENCH_ONLY=live, BENCH_CPU_PROF=dir, BENCH_DURATION (s,
# default 10), BENCH_CONNECTIONS (default 50), BENCH_WARMUP (s, default 5).
# Or the benchmark file given: `npm run bench -- bench/schedule.bench.ts`, `bench/idle-db.bench.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Starts the local stack if needed and leaves it running (others may be using it).
bash scripts/stack.sh up
set -a
# shellcheck disable=SC1090
source <(bash scripts/stack.sh env)
set +a

npm run --silent build
# Node 24 runs the TypeScript file directly (type stripping); `node` here is the project's.
node --disable-warning=ExperimentalWarning --disable-warning=MODULE_TYPELESS_PACKAGE_JSON \
  "${1:-bench/http.bench.ts}"
