#!/usr/bin/env bash
# Deployment checks, offline once scripts/tools.sh has installed its tools:
#   - per value set in charts/sponsored-agents/ci/: helm lint --strict, helm template, every object
#     against the Kubernetes JSON schemas (kubernetes-validate, strict, Kubernetes 1.29 and 1.37),
#     strict decoding + references + PromQL (k8s-validate), and the chart's promises
#     (scripts/chart-assert.py: public Ingress only /v1, admin Ingress VPN-only over TLS,
#     NetworkPolicy, hardened pod...);
#   - checkov (--framework kubernetes) on every rendered value set, against the committed skip list
#     scripts/checkov-skips.yaml (each skip with its reason; a stale skip fails too);
#   - bad value combinations fail to render, with the message that names the value to fix;
#   - the Fluent Bit Lua filter on sample records (LuaJIT);
#   - the Dockerfile: hadolint and its contract; the image's stages and start (image-check.sh);
#   - docker-compose.yml (compose-check.sh).
# Last line: "N passed, M failed" (skipped checks are listed above it); exit 1 on failure.
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
echo "tools: bash scripts/tools.sh (first run builds helm and k8s-validate: a few minutes)"
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

# expect_render_failure NAME MESSAGE [helm args]: rendering must fail and say MESSAGE.
expect_render_failure() {
  local message=$1
  shift
  local err
  if err=$("$HELM" template "$RELEASE" "$CHART" --namespace "$NS" "$@" 2>&1 >/dev/null); then
    echo "rendering succeeded; expected a failure saying: $message"
    return 1
  fi
  if ! grep -qF -- "$message" <<<"$err"; then
    echo "rendering failed, but without the expected message"
    echo "expected: $message"
    echo "got: $err"
    return 1
  fi
  echo "failed as expected: $(grep -F -- "$message" <<<"$err" | head -1)"
}

# NOTES.txt is only rendered by install/upgrade, which need a cluster; render it through a copy of
# the chart where a ConfigMap carries it, and look for missing values.
NOTES_CHART="$OUT/notes-chart"
cp -r "$CHART" "$NOTES_CHART"
cp "$CHART/templates/NOTES.txt" "$NOTES_CHART/notes-src.txt"
printf '%s\n' 'apiVersion: v1' 'kind: ConfigMap' 'metadata:' '  name: notes' 'data:' \
  '  notes: {{ tpl (.Files.Get "notes-src.txt") . | toJson }}' >"$NOTES_CHART/templates/notes-render.yaml"
notes() { # notes VALUES
  local text
  text=$("$HELM" template "$RELEASE" "$NOTES_CHART" --namespace "$NS" -f "$1" --show-only templates/notes-render.yaml |
    "$PY" -c 'import sys, yaml; print(yaml.safe_load(sys.stdin)["data"]["notes"])') || return 1
  echo "$text"
  if grep -q '<no value>' <<<"$text"; then
    echo "NOTES.txt has a missing value"
    return 1
  fi
  grep -q "rollout status deployment/" <<<"$text"
}

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
  kv_args=()
  for v in "${K8S_VERSIONS[@]}"; do kv_args+=(-k "$v"); done
  check "$set_name: Kubernetes JSON schemas (strict)" "$PY" scripts/chart-assert.py schema "$rendered" "${kv_args[@]}"
  check "$set_name: k8s-validate (strict types, references, PromQL)" "$BIN/k8s-validate" "$rendered"
  check "$set_name: NOTES.txt renders" notes "$values"
  check "$set_name: chart assertions" "$PY" scripts/chart-assert.py rendered "$rendered" "$values" \
    --namespace "$NS" --env-schema src/core/config/environment.schema.ts --src src
done

# --- checkov: one run over every rendered value set (its start-up is most of its cost) -----------
rendered_sets=("$OUT"/*.rendered.yaml)
check "checkov on every value set (skip list: scripts/checkov-skips.yaml)" "$PY" scripts/chart-assert.py checkov \
  --checkov "$ROOT/.local/checkov-venv/bin/checkov" --skips scripts/checkov-skips.yaml "${rendered_sets[@]}"

# --- bad values must fail with a message naming the value ---------------------------------------
MIN="$CHART/ci/minimal-values.yaml"
check "fails: admin Ingress without VPN CIDRs" expect_render_failure \
  "ingress.admin.vpnCidrs is required when ingress.admin.enabled is true" \
  -f "$MIN" --set-json 'ingress.admin.vpnCidrs=[]'
check "fails: no MONGODB_URI and no existing Secret" expect_render_failure \
  "secret.mongodbUri (MONGODB_URI) is required unless secret.existingSecret" \
  -f "$MIN" --set secret.mongodbUri=
check "fails: no ADMIN_TOKEN and no existing Secret" expect_render_failure \
  "secret.adminToken (ADMIN_TOKEN) is required unless secret.existingSecret" \
  -f "$MIN" --set secret.adminToken=
check "fails: SigV4 without a region" expect_render_failure \
  "config.awsRegion is required when config.opensearch.sigv4 is true" \
  -f "$MIN" --set config.opensearch.sigv4=true --set config.opensearch.url=https://search.example.com
check "fails: CA bundle enabled without a source" expect_render_failure \
  "set exactly one of documentdb.caBundle.pem" \
  -f "$MIN" --set documentdb.caBundle.pem=
check "fails: CA bundle from two sources" expect_render_failure \
  "set exactly one of documentdb.caBundle.pem" \
  -f "$MIN" --set documentdb.caBundle.existingSecret=ca
check "fails: grace period shorter than preStop + SHUTDOWN_GRACE_MS" expect_render_failure \
  "terminationGracePeriodSeconds (30) must exceed preStopSleepSeconds + config.shutdownGraceMs/1000 (30 s)" \
  -f "$MIN" --set terminationGracePeriodSeconds=30 --set preStopSleepSeconds=10 --set config.shutdownGraceMs=20000
check "fails: in-app shipper and Fluent Bit both on" expect_render_failure \
  "config.logShipperEnabled and fluentBit.enabled are both true" \
  -f "$MIN" --set config.logShipperEnabled=true --set config.opensearch.url=http://os:9200 --set fluentBit.enabled=true
check "fails: Fluent Bit SigV4 without a region" expect_render_failure \
  "fluentBit.opensearch.awsAuth is true: set fluentBit.opensearch.awsRegion or config.awsRegion" \
  -f "$MIN" --set fluentBit.enabled=true --set config.opensearch.url=https://search.example.com
check "fails: public Ingress annotation that could route more paths" expect_render_failure \
  "ingress.public.annotations: nginx.ingress.kubernetes.io/server-snippet is not allowed" \
  -f "$MIN" --set-string 'ingress.public.annotations.nginx\.ingress\.kubernetes\.io/server-snippet=location /admin {}'
check "fails: admin Ingress annotation that widens the source range" expect_render_failure \
  "ingress.admin.annotations: nginx.ingress.kubernetes.io/allowlist-source-range is not allowed" \
  -f "$MIN" --set-string 'ingress.admin.annotations.nginx\.ingress\.kubernetes\.io/allowlist-source-range=0.0.0.0/0'
check "fails: admin Ingress annotation with the alias whitelist-source-range" expect_render_failure \
  "ingress.admin.annotations: nginx.ingress.kubernetes.io/whitelist-source-range is not allowed" \
  -f "$MIN" --set-string 'ingress.admin.annotations.nginx\.ingress\.kubernetes\.io/whitelist-source-range=0.0.0.0/0'
check "fails: admin Ingress snippet annotation" expect_render_failure \
  "ingress.admin.annotations: nginx.ingress.kubernetes.io/configuration-snippet is not allowed" \
  -f "$MIN" --set-string 'ingress.admin.annotations.nginx\.ingress\.kubernetes\.io/configuration-snippet=allow all;'
check "fails: admin Ingress TLS without a Secret" expect_render_failure \
  "ingress.admin.tls.secretName is required when ingress.admin.tls.enabled is true" \
  -f "$MIN" --set ingress.admin.tls.secretName=
check "fails: admin Ingress TLS without hosts" expect_render_failure \
  "ingress.admin.hosts is required when ingress.admin.tls.enabled is true" \
  -f "$MIN" --set-json 'ingress.admin.hosts=[]'
check "fails: NetworkPolicy that no ingress controller passes" expect_render_failure \
  "networkPolicy.apiFrom is empty but an Ingress is enabled" \
  -f "$MIN" --set-json 'networkPolicy.apiFrom=[]'
check "fails (schema): NetworkPolicy peer without a namespace selector" expect_render_failure \
  "missing property 'namespaceSelector'" \
  -f "$MIN" --set-json 'networkPolicy.apiFrom=[{"podSelector":{}}]'
check "fails: settle delay shorter than the in-process cache TTL + replica lag allowance" expect_render_failure \
  "config.cloudfront.settleMs (1500) must be at least config.cache.publicTtlMs + config.mongodb.replicaLagAllowanceMs (2000)" \
  -f "$MIN" --set config.cloudfront.settleMs=1500
check "fails: page-actions lease shorter than a database reply + the page lock's wait" expect_render_failure \
  "PAGE_ACTIONS_LEASE_MS (30000) must be at least config.mongodb.operationTimeoutMs + 3000 (33000)" \
  -f "$MIN" --set config.mongodb.operationTimeoutMs=30000
check "fails: CDN lease shorter than two CloudFront calls" expect_render_failure \
  "CDN_INVALIDATION_LEASE_MS (15000) must be at least twice CLOUDFRONT_REQUEST_TIMEOUT_MS (20000)" \
  -f "$MIN" --set-string config.extraEnv.CDN_INVALIDATION_LEASE_MS=15000
check "fails: Retry-After shorter than a load-shedding sample" expect_render_failure \
  "config.loadShedding.retryAfterSeconds must be at least config.loadShedding.sampleIntervalMs" \
  -f "$MIN" --set config.loadShedding.retryAfterSeconds=1 --set config.loadShedding.sampleIntervalMs=2000
check "fails: HPA without a target" expect_render_failure \
  "autoscaling.enabled needs autoscaling.targetCPUUtilizationPercentage" \
  -f "$MIN" --set autoscaling.targetCPUUtilizationPercentage=0
check "fails (schema): a path added to the public Ingress" expect_render_failure \
  "additional properties 'paths' not allowed" \
  -f "$MIN" --set 'ingress.public.paths[0]=/admin'
check "fails (schema): VPN CIDR that is not a CIDR" expect_render_failure \
  "at '/ingress/admin/vpnCidrs/0': '10.0.0.1' does not match pattern" \
  -f "$MIN" --set 'ingress.admin.vpnCidrs[0]=10.0.0.1'
check "fails (schema): ADMIN_TOKEN shorter than 16 characters" expect_render_failure \
  "at '/secret/adminToken': minLength: got 5, want 16" \
  -f "$MIN" --set secret.adminToken=short
check "fails (schema): misspelt value" expect_render_failure \
  "additional properties 'replicas' not allowed" \
  -f "$MIN" --set replicas=3

# --- Fluent Bit filter, Dockerfile, image, compose -----------------------------------------------
check "Fluent Bit Lua filter (LuaJIT)" "$PY" scripts/chart-assert.py lua "$OUT/production-values.rendered.yaml"
check "Dockerfile: hadolint" "$ROOT/.local/tools-venv/bin/hadolint" --failure-threshold info Dockerfile
check "Dockerfile: image contract" "$PY" scripts/chart-assert.py dockerfile Dockerfile
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
