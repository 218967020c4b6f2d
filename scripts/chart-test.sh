#!/usr/bin/env bash
# Deployment checks, offline once scripts/tools.sh has installed its tools (all pinned, from the
# package registries, cached in .local/):
#   - helm-unittest: the suites in charts/sponsored-agents/tests (what each template renders for the
#     CI value sets, every refused value combination with its message, NOTES.txt);
#   - per value set in charts/sponsored-agents/ci/: helm lint --strict, helm template, every object
#     against the Kubernetes JSON schemas (kubernetes-validate, strict, Kubernetes 1.29 and 1.37) and
#     strictly decoded into the Kubernetes and prometheus-operator Go types
#     (stack/chart-tools/k8s-validate: the CRDs have no schema package);
#   - checkov (--framework kubernetes) on every rendered value set, against the committed skip list
#     scripts/checkov-skips.yaml (each skip with its reason; a stale skip fails too);
#   - what no tool knows (scripts/chart-checks.py): env names against the service's config schema,
#     alert PromQL and metric names against its code, the Fluent Bit Lua filter on sample records,
#     the Dockerfile against what the chart and the image replay assume;
#   - the Dockerfile: hadolint; the image's stages and start (image-check.sh);
#   - docker-compose.yml (compose-check.sh).
# Last line: "N passed, M failed" (helm-unittest's tests counted one by one; skipped checks are
# listed above it); exit 1 on failure.
#
# Env: CHART_TEST_SKIP_IMAGE=1 skips the image build replay (minutes of npm ci).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CHART=charts/sponsored-agents
OUT="$ROOT/.local/chart-test"
NS=sponsored-agents
RELEASE=pages
K8S_VERSIONS=(1.29 1.37)

mkdir -p "$ROOT/.local"
echo "tools: bash scripts/tools.sh (first run builds helm, helm-unittest and k8s-validate: a few minutes)"
bash scripts/tools.sh >"$ROOT/.local/tools.log" 2>&1 || {
  tail -20 "$ROOT/.local/tools.log"
  echo "tools.sh failed"
  echo "0 passed, 1 failed"
  exit 1
}
BIN="$ROOT/.local/bin"
PY="$ROOT/.local/tools-venv/bin/python"
HELM="$BIN/helm"
# Keep helm's config and caches inside .local (nothing is fetched: the chart has no dependencies).
export HELM_CONFIG_HOME="$ROOT/.local/helm/config" HELM_CACHE_HOME="$ROOT/.local/helm/cache" \
  HELM_DATA_HOME="$ROOT/.local/helm/data" TOOLS_PYTHON="$PY"
rm -rf "$OUT" && mkdir -p "$OUT"

passed=0 failed=0 skipped=0
failures=()
# check NAME CMD...: runs CMD, output to $OUT/NAME.log; exit 3 = skipped.
check() {
  local name=$1
  shift
  local log="$OUT/$(echo "$name" | tr ' /:' '___').log"
  "$@" >"$log" 2>&1
  local rc=$?
  if [ $rc = 0 ]; then
    passed=$((passed + 1))
    echo "ok - $name"
  elif [ $rc = 3 ]; then
    skipped=$((skipped + 1))
    echo "skip - $name: $(grep -i skip "$log" | tail -1)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "not ok - $name"
    sed 's/^/    /' "$log" | tail -25
  fi
}

render() { # render VALUES OUTFILE [extra helm args]
  local values=$1 out=$2
  shift 2
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" -f "$values" "$@" >"$out"
}

# kube_schemas RENDERED: kubernetes-validate, strict, for each Kubernetes version; its "no schema"
# warnings are for the monitoring.coreos.com kinds (k8s-validate decodes those), so any other fails.
kube_schemas() {
  local out v
  for v in "${K8S_VERSIONS[@]}"; do
    out=$("$ROOT/.local/tools-venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$1" 2>&1) || {
      echo "$out"
      return 1
    }
    echo "$out"
    if grep -v 'monitoring.coreos.com' <<<"$out" | grep -q .; then
      echo "unexpected output above (Kubernetes $v)"
      return 1
    fi
  done
  echo "every object valid against Kubernetes ${K8S_VERSIONS[*]}"
}

# --- helm-unittest: each test counts -------------------------------------------------------------
unittest_log="$OUT/helm-unittest.log"
"$BIN/helm-unittest" --strict --color=false "$CHART" >"$unittest_log" 2>&1
unittest_rc=$?
# Its summary line: "Tests: [N failed, ][N passed, ]N total".
ut_passed=$(grep -m1 '^Tests:' "$unittest_log" | grep -o '[0-9]* passed' | cut -d' ' -f1)
ut_total=$(grep -m1 '^Tests:' "$unittest_log" | grep -o '[0-9]* total' | cut -d' ' -f1)
ut_passed=${ut_passed:-0}
if [ -z "$ut_total" ] || [ "$ut_total" = 0 ]; then
  failed=$((failed + 1))
  failures+=("helm-unittest (no test ran)")
  echo "not ok - helm-unittest ran no test"
  tail -25 "$unittest_log" | sed 's/^/    /'
else
  passed=$((passed + ut_passed))
  failed=$((failed + ut_total - ut_passed))
  # One line per suite: " PASS  <suite>\t<file>".
  grep -E '^ (PASS|FAIL) ' "$unittest_log" |
    sed -E 's/^ PASS +/ok - helm-unittest: /; s/^ FAIL +/not ok - helm-unittest: /; s/\t.*$//'
  if [ "$unittest_rc" != 0 ]; then
    [ "$ut_total" != "$ut_passed" ] || failed=$((failed + 1)) # errored without a failed test
    failures+=("helm-unittest (see $unittest_log)")
    grep -vE '^\s*$' "$unittest_log" | grep -vE '^ PASS ' | head -60 | sed 's/^/    /'
  fi
  echo "helm-unittest: $ut_passed of $ut_total tests passed"
fi

# --- each CI value set ------------------------------------------------------------------------
sets=("$CHART"/ci/*.yaml)
[ -e "${sets[0]}" ] || {
  echo "no value sets in $CHART/ci"
  echo "0 passed, 1 failed"
  exit 1
}
for values in "${sets[@]}"; do
  set_name=$(basename "$values" .yaml)
  rendered="$OUT/$set_name.rendered.yaml"
  check "$set_name: helm lint --strict" "$HELM" lint --strict "$CHART" --namespace "$NS" -f "$values"
  check "$set_name: helm template" render "$values" "$rendered"
  if [ ! -s "$rendered" ]; then
    continue
  fi
  check "$set_name: Kubernetes JSON schemas (kubernetes-validate, strict)" kube_schemas "$rendered"
  check "$set_name: strict decoding (k8s-validate)" "$BIN/k8s-validate" "$rendered"
done

# --- checkov: one run over every rendered value set (its start-up is most of its cost) -----------
rendered_sets=("$OUT"/*.rendered.yaml)
check "checkov on every value set (skip list: scripts/checkov-skips.yaml)" "$PY" scripts/chart-checks.py checkov \
  --checkov "$ROOT/.local/checkov-venv/bin/checkov" --skips scripts/checkov-skips.yaml "${rendered_sets[@]}"

# --- what no tool knows about this project (scripts/chart-checks.py) ----------------------------
check "env names declared by the service's config schema" "$PY" scripts/chart-checks.py env "${rendered_sets[@]}"
check "alerts: PromQL parses, metrics registered in src/" "$PY" scripts/chart-checks.py alerts "${rendered_sets[@]}"
check "Fluent Bit Lua filter (LuaJIT)" "$PY" scripts/chart-checks.py lua "$OUT/production-values.rendered.yaml"
check "Dockerfile: what the chart and the image replay assume" "$PY" scripts/chart-checks.py dockerfile Dockerfile

# --- Dockerfile, image, compose ------------------------------------------------------------------
check "Dockerfile: hadolint" "$ROOT/.local/tools-venv/bin/hadolint" --failure-threshold info Dockerfile
if [ "${CHART_TEST_SKIP_IMAGE:-0}" = 1 ]; then
  skipped=$((skipped + 1))
  echo "skip - image stages and start: CHART_TEST_SKIP_IMAGE=1"
else
  check "image: stages replayed, start command run as in the pod" bash scripts/image-check.sh
fi
check "docker-compose.yml: compose config" bash scripts/compose-check.sh

echo
echo "logs: $OUT"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
[ "$skipped" = 0 ] || echo "skipped: $skipped (see the skip lines above)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
