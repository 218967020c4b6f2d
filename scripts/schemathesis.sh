#!/usr/bin/env bash
# Fuzzes the built app (dist/main.js) against the committed docs/openapi.json with schemathesis:
# every check, a fixed-seed run (reproducible) and then a bounded random run, both with the
# stateful phase (OpenAPI links: create -> get/patch/publish/...). Any failure fails the script.
#
# The app runs on a free loopback port against the local stack (database of its own), with the
# admin token, so every admin operation is reached. Started by scripts/test.sh; needs the stack's
# environment (source <(bash scripts/stack.sh env)) and a build (npm run build).
#
# Env: SCHEMATHESIS_EXAMPLES (per operation, fixed-seed run; default 15),
#      SCHEMATHESIS_RANDOM_SECONDS (time budget of the random run; default 20, 0 skips it),
#      SCHEMATHESIS_SEED (default 20261202).
# `--install-only` as the only argument installs schemathesis and exits. Other arguments are
# passed on to `st run` (e.g. `--include-operation-id TokensAdmin_list` to fuzz one
# operation while working on it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

STACK_DIR="${STACK_DIR:-$root/.local/stack}"
VENV_DIR="$STACK_DIR/venv"
REQUIREMENTS="$root/scripts/schemathesis-requirements.txt"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-15}"
RANDOM_SECONDS="${SCHEMATHESIS_RANDOM_SECONDS:-20}"
SEED="${SCHEMATHESIS_SEED:-20261202}"
results="${SCHEMATHESIS_RESULTS:-$root/.local/test-results/schemathesis}"
node="$root/node_modules/.bin/node"

say() { printf '[schemathesis] %s\n' "$*" >&2; }

# Installed beside moto in the stack's venv; reinstalled only when the pinned file changes.
stamp="$VENV_DIR/.schemathesis-requirements"
if [[ ! -x $VENV_DIR/bin/st ]] || ! cmp -s "$REQUIREMENTS" "$stamp"; then
  say "installing ${REQUIREMENTS#"$root"/} into ${VENV_DIR#"$root"/}"
  [[ -x $VENV_DIR/bin/python ]] || python3 -m venv "$VENV_DIR"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV_DIR/bin/python" -m pip install -q -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$stamp"
fi

# `--install-only`: the venv and nothing else (scripts/test.sh installs it while other tiers run).
[[ ${1:-} == --install-only ]] && exit 0

[[ -f dist/main.js ]] || { say "dist/main.js missing: run npm run build"; exit 1; }
: "${MONGODB_URI:?the stack environment is not loaded (source <(bash scripts/stack.sh env))}"

port=$(bash scripts/free-port.sh)
db="schemathesis_$$_$(date +%s)"
token="schemathesis-admin-token-$RANDOM$RANDOM"
rm -rf "$results" && mkdir -p "$results"

# Own database: the path of the stack's URI replaced, its query (replicaSet) kept.
uri=$(printf '%s' "$MONGODB_URI" | sed -E "s#^(mongodb(\+srv)?://[^/]+)/[^?]*#\1/$db#")
# The per-client and per-identity limits and load shedding are raised/off: one fuzzer from one
# address sends thousands of requests (many of them deliberately unauthenticated) in a minute, and
# a 429 or 503 there would be the limits working, not the document being wrong. Their responses
# are documented and tested in test/identity.e2e-spec.ts and test/health.e2e-spec.ts.
env PORT="$port" HOST=127.0.0.1 METRICS_PORT=0 MONGODB_URI="$uri" ADMIN_TOKEN="$token" \
  LOG_LEVEL=info LOG_SHIPPER_ENABLED=false NODE_ENV=test \
  AUTH_FAILURES_PER_MINUTE=1000000 ADMIN_WRITES_PER_MINUTE=1000000 \
  LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS=0 \
  "$node" dist/main.js >"$results/app.log" 2>&1 &
app=$!
cleanup() {
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  "$node" -e '
    const { MongoClient } = require("mongodb");
    const c = new MongoClient(process.argv[1], { serverSelectionTimeoutMS: 3000 });
    c.connect().then(() => c.db().dropDatabase()).catch(() => {}).finally(() => c.close());
  ' "$uri" || true
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && break
  kill -0 "$app" 2>/dev/null || { say "the app exited:"; cat "$results/app.log" >&2; exit 1; }
  sleep 0.2
done

# Every check is on (schemathesis enables all by default; `--checks all` on the command line would
# override the per-operation settings); scripts/schemathesis.toml lists what is adjusted and why.
common=(
  docs/openapi.json --url "$base"
  --header "Authorization: Bearer $token"
  --phases examples,coverage,fuzzing,stateful
  --request-timeout 10
  --suppress-health-check too_slow
  --warnings off
  "$@"
)

status=0
started=$SECONDS
# One worker (the default). `--workers 2` (threads in one Python process, so one core for both)
# made the fixed-seed run slower and far less steady: 158-268 s here against 76 s with one, and
# 110-336 s for the coverage phase alone in clean-clone CI runs.
say "fixed seed $SEED, $EXAMPLES examples per operation"
SCHEMATHESIS_HOOKS="$root/scripts/schemathesis_hooks.py" "$VENV_DIR/bin/st" --config-file scripts/schemathesis.toml run "${common[@]}" --seed "$SEED" --max-examples "$EXAMPLES" \
  --report junit,ndjson --report-dir "$results/seeded" | tee "$results/seeded.txt" || status=1
say "fixed-seed run: $((SECONDS - started)) s"

if [[ $RANDOM_SECONDS -gt 0 ]]; then
  started=$SECONDS
  say "random run, at most ${RANDOM_SECONDS} s"
  SCHEMATHESIS_HOOKS="$root/scripts/schemathesis_hooks.py" "$VENV_DIR/bin/st" --config-file scripts/schemathesis.toml run "${common[@]}" --phases fuzzing,stateful --max-time "$RANDOM_SECONDS" \
    --report junit,ndjson --report-dir "$results/random" | tee "$results/random.txt" || status=1
  say "random run: $((SECONDS - started)) s"
fi

# A case the tool could not run (an error, not a failure) exits 0: count it as a failure too.
if grep -qE '[0-9]+ errored' "$results"/*.txt; then
  say "schemathesis could not run some cases (see the ERRORS section above)"
  status=1
fi
if grep -q '"statusCode":5[0-9][0-9]' "$results/app.log" 2>/dev/null; then
  say "the app logged a 5xx:"
  grep '"statusCode":5[0-9][0-9]' "$results/app.log" | head -5 >&2
  status=1
fi
exit "$status"
