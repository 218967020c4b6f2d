#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, starts the local stack
# (and stops it again if it was not already running), then lint, typecheck, OpenAPI and
# configuration reference freshness, unit tests, e2e and fault tests against the real services,
# schemathesis against the app, and the chart and infra tiers (in the background from the start).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

[ -x node_modules/.bin/jest ] || npm ci --no-audit --no-fund

started_stack=0
if ! bash scripts/stack.sh status >/dev/null 2>&1; then
  started_stack=1
fi
results="$root/.local/test-results"
rm -rf "$results" && mkdir -p "$results"

# Each step header says when it began, so a CI log shows where the minutes went.
step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS" >&2; }

# The stack (and the schemathesis venv beside it) comes up in the background while the tiers
# that need neither run: on a fresh machine that is FerretDB's Go build, the OpenSearch jars
# and two pip installs, mostly downloads, overlapped with lint, typecheck, build and unit tests.
step "stack up (in the background; output before the e2e tier)"
{ bash scripts/stack.sh up && bash scripts/schemathesis.sh --install-only; } >"$results/stack.txt" 2>&1 &
stack_pid=$!
chart_pid=
infra_pid=
cleanup() {
  if [ -n "$stack_pid" ]; then wait "$stack_pid" 2>/dev/null || true; fi
  if [ -n "$infra_pid" ]; then kill -- -"$infra_pid" 2>/dev/null || true; fi
  # The chart tier runs in a session of its own: stop all of it (helm, npm ci, the image replay
  # waiting for the stack), not just its shell.
  if [ -n "$chart_pid" ]; then kill -- -"$chart_pid" 2>/dev/null || true; fi
  if [ "$started_stack" = 1 ]; then bash scripts/stack.sh down || true; fi
}
trap cleanup EXIT

# The chart tier (helm, checkov, the image replay) needs neither the build nor, until the image
# replay's last step (the start command as in the pod), the stack; it is mostly waiting on
# installs and subprocesses, so it runs beside the test tiers to keep CI short. Its image replay
# waits for the stack before that last step.
# It runs niced: cold, its tools (helm, helm-unittest and k8s-validate built from Go source,
# checkov's venv) are about 570 CPU-seconds, more than any other tier, and it is needed only at
# the end, while the stack, lint, unit, e2e and the lease-timed fault tier are each in the way of
# the next.
if [ -f scripts/chart-test.sh ]; then
  step "chart (in the background, niced; output at the end)"
  IMAGE_CHECK_STACK_WAIT_S=900 setsid -w nice -n 10 \
    bash -c 'bash scripts/chart-test.sh; rc=$?; echo "chart tier finished at $(($(date +%s) - $1)) s"; exit $rc' \
    _ "$(date +%s)" >"$results/chart.txt" 2>&1 &
  chart_pid=$!
fi

# The infra tier (the CDK app in infra/: npm ci there, one jest process that synthesizes every
# stack once, cfn-lint, checkov) needs neither the stack nor the build. It runs beside the other
# tiers from the start, niced like the chart tier; it shares the checkov venv with it
# (scripts/checkov-venv.sh locks the install).
if [ -f scripts/infra-test.sh ]; then
  step "infra (in the background, niced; output at the end)"
  INFRA_RESULTS="$results" setsid -w nice -n 10 \
    bash -c 'bash scripts/infra-test.sh; rc=$?; echo "infra tier finished at $(($(date +%s) - $1)) s"; exit $rc' \
    _ "$(date +%s)" >"$results/infra.txt" 2>&1 &
  infra_pid=$!
fi

step lint && npm run --silent lint
step typecheck && npm run --silent check
step build && npm run --silent build
step openapi && npm run --silent openapi:check
step config-doc && npm run --silent config-doc:check
step unit && npm run --silent test:unit -- --json --outputFile="$results/unit.json"

step "stack (waiting for it)"
stack_status=0
wait "$stack_pid" || stack_status=$?
stack_pid=
cat "$results/stack.txt" >&2
[ "$stack_status" = 0 ] || { echo "the stack did not come up (exit $stack_status)" >&2; exit "$stack_status"; }
# The service reads the stack's settings from the environment, as in production.
set -a
# shellcheck disable=SC1090
source <(bash scripts/stack.sh env)
set +a

# Two suites at a time: e2e suites mostly wait on the stack (each has a database of its own), so
# on two cores the tier takes ~105 s instead of ~185 s in band (Jest's default there: one worker).
step e2e && npm run --silent test:e2e -- --maxWorkers=2 --json --outputFile="$results/e2e.json"
# The fault tier on the dist/ just built (`npm run test:fault` compiles a private copy so that a
# concurrent `nest build` cannot empty it under restarting processes; nothing here rebuilds dist/).
# Its suites run one at a time: two at a time took ~135 s instead of ~176 s here, but beside a
# niced CPU load (the chart tier's, cold) a database wait or a scheduled time ran out.
step fault && npm run --silent test:fault:dist -- --json --outputFile="$results/fault.json"
# The OpenAPI document against the running app: any schemathesis failure or 5xx fails the run.
# After the fault tier, not beside it: the fault tier's multi-process races are tuned with short
# leases and must not share the two cores with a fuzzer.
step schemathesis && bash scripts/schemathesis.sh
if [ -n "$chart_pid" ]; then
  chart_status=0
  wait "$chart_pid" || chart_status=$?
  chart_pid=
  step chart && cat "$results/chart.txt"
  [ "$chart_status" = 0 ] || { echo "chart tests failed (exit $chart_status)" >&2; exit "$chart_status"; }
fi

if [ -n "$infra_pid" ]; then
  infra_status=0
  wait "$infra_pid" || infra_status=$?
  infra_pid=
  step infra && cat "$results/infra.txt"
  [ "$infra_status" = 0 ] || { echo "infra tests failed (exit $infra_status)" >&2; exit "$infra_status"; }
fi

# One closing line for every runner together.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of ["unit.json", "e2e.json", "fault.json"]) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
  }
  try {
    const m = /(\d+) passed, (\d+) failed/.exec(fs.readFileSync(process.argv[1] + "/chart.txt", "utf8"));
    if (m) { passed += +m[1]; failed += +m[2]; }
  } catch {}
  // The last such line of the infra tier counts its jest tests (infra.json), cfn-lint and checkov.
  try {
    const lines = [...fs.readFileSync(process.argv[1] + "/infra.txt", "utf8").matchAll(/^(\d+) passed, (\d+) failed$/gm)];
    const m = lines[lines.length - 1];
    if (m) { passed += +m[1]; failed += +m[2]; }
  } catch {}
  console.log(`Tests: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
' "$results"
