#!/usr/bin/env bash
# The infra tier: the AWS CDK app in infra/, offline and without AWS credentials.
#   1. npm ci in infra/ when its lock file changed (aws-cdk-lib is large: the image never has it)
#   2. jest (one process): its global setup synthesizes every stack of every environment once into
#      the assembly directory (cdk-nag's AwsSolutions checks run in that synthesis), the suites
#      assert the templates and the contracts with docs/openapi.json, src/ and the chart
#   3. tsc --noEmit (the jest transform does not typecheck)
#   4. cfn-lint (PyPI, pinned in scripts/infra-requirements.txt, venv .local/infra-venv): 0 errors
#   5. checkov on the same templates against scripts/infra-checkov-skips.yaml (venv shared with
#      the chart tier: scripts/checkov-venv.sh)
# Last line: "N passed, M failed" (jest tests, plus tsc, cfn-lint and checkov as one check each).
#
# Env: INFRA_RESULTS (directory for infra.json; default .local/test-results),
#      INFRA_CDK_OUT (assembly directory; default infra/cdk.out).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
RESULTS="${INFRA_RESULTS:-$LOCAL/test-results}"
export INFRA_CDK_OUT="${INFRA_CDK_OUT:-$ROOT/infra/cdk.out}"
mkdir -p "$RESULTS"
say() { printf '[infra] %s (at %d s)\n' "$*" "$SECONDS" >&2; }
passed=0 failed=0

cd "$ROOT/infra"
lock_sum=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -x node_modules/.bin/jest ] || [ "$(cat node_modules/.lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  say "npm ci in infra/"
  npm ci --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }
  echo "$lock_sum" >node_modules/.lock-sum
fi

# The Python tools install while jest runs (both mostly wait on downloads when cold).
venv="$LOCAL/infra-venv"
want=$(grep -vE '^[[:space:]]*(#|$)' "$ROOT/scripts/infra-requirements.txt" | sha256sum | cut -c1-16)
{
  if [ ! -x "$venv/bin/cfn-lint" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv" && python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$ROOT/scripts/infra-requirements.txt" &&
      echo "$want" >"$venv/.requirements"
  fi
  bash "$ROOT/scripts/checkov-venv.sh" >/dev/null
} >"$RESULTS/infra-tools.txt" 2>&1 &
tools_pid=$!

say "jest (synthesizes the app once into $INFRA_CDK_OUT)"
jest_rc=0
node_modules/.bin/node node_modules/jest/bin/jest.js --no-watchman --ci \
  --json --outputFile="$RESULTS/infra.json" || jest_rc=$?
if [ -f "$RESULTS/infra.json" ]; then
  read -r p f < <(node_modules/.bin/node -e \
    'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' \
    "$RESULTS/infra.json")
  passed=$((passed + p)) failed=$((failed + f))
fi
[ "$jest_rc" = 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

# The jest transform strips types without checking them: the compiler checks the app and tests.
say "tsc"
if node_modules/.bin/node node_modules/typescript/bin/tsc --noEmit -p tsconfig.json; then
  passed=$((passed + 1))
  echo "ok - tsc: the CDK app and its tests typecheck"
else
  failed=$((failed + 1))
  echo "not ok - tsc"
fi

tools_rc=0
wait "$tools_pid" || tools_rc=$?
if [ "$tools_rc" != 0 ]; then
  cat "$RESULTS/infra-tools.txt"
  echo "not ok - installing cfn-lint/checkov failed"
  echo "$passed passed, $((failed + 2)) failed"
  exit 1
fi

if ! ls "$INFRA_CDK_OUT"/*.template.json >/dev/null 2>&1; then
  echo "not ok - no synthesized templates in $INFRA_CDK_OUT"
  echo "$passed passed, $((failed + 2)) failed"
  exit 1
fi

say "cfn-lint"
# Warnings are printed, errors fail. The warnings left are W3005 (a DependsOn that CDK adds next
# to a Ref), W3010 (AZ names from the typed config, on purpose) and W8001 (an unused condition of
# CDK's kubectl provider with an adopted role).
if "$venv/bin/cfn-lint" --non-zero-exit-code error -- "$INFRA_CDK_OUT"/*.template.json >"$RESULTS/cfn-lint.txt" 2>&1; then
  passed=$((passed + 1))
  echo "ok - cfn-lint: 0 errors ($(grep -cE '^W[0-9]+' "$RESULTS/cfn-lint.txt") warnings)"
else
  failed=$((failed + 1))
  grep -A1 -E '^E[0-9]+' "$RESULTS/cfn-lint.txt"
  echo "not ok - cfn-lint"
fi

say "checkov"
if "$LOCAL/checkov-venv/bin/python" "$ROOT/scripts/infra-checkov.py" --checkov "$LOCAL/checkov-venv/bin/checkov" \
  --skips "$ROOT/scripts/infra-checkov-skips.yaml" "$INFRA_CDK_OUT"; then
  passed=$((passed + 1))
  echo "ok - checkov"
else
  failed=$((failed + 1))
  echo "not ok - checkov"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
