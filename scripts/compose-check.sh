#!/usr/bin/env bash
# Validates docker-compose.yml offline, without a Docker engine: `docker compose config` when the
# Compose plugin is there, else Debian's docker-compose package (installed when missing and this
# runs as root with apt). Then checks what the file must keep: the four services, MongoDB 7,
# OpenSearch 2.19 with security off, the API built from the Dockerfile and hardened.
#
# Exit 0: valid; 1: invalid; 3: no compose implementation could be had (said on stderr).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="$ROOT/docker-compose.yml"
PY="${TOOLS_PYTHON:-$ROOT/.local/tools-venv/bin/python}"
[ -x "$PY" ] || PY=python3
say() { printf '[compose-check] %s\n' "$*" >&2; }

compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's docker-compose package (validates without an engine)"
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } >/tmp/compose-check-apt.log 2>&1; then
    compose=(docker-compose)
  else
    say "could not install docker-compose: $(tail -3 /tmp/compose-check-apt.log)"
  fi
fi
if [ ${#compose[@]} -eq 0 ]; then
  say "SKIP: neither 'docker compose' nor docker-compose is available"
  exit 3
fi
say "using: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || true))"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# No engine is contacted for `config`; DOCKER_HOST points nowhere to make sure of it.
if ! (cd "$ROOT" && DOCKER_HOST=unix:///nonexistent "${compose[@]}" -f "$FILE" config >"$out" 2>"$out.err"); then
  say "invalid: $(cat "$out.err")"
  rm -f "$out.err"
  exit 1
fi
rm -f "$out.err"

"$PY" - "$out" <<'PYEOF'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c.get("services", {})
problems = []
want = {"mongo", "opensearch", "opensearch-dashboards", "api"}
if set(s) != want:
    problems.append(f"services {sorted(s)} != {sorted(want)}")
img = lambda n: str(s.get(n, {}).get("image", ""))
if not img("mongo").startswith("mongo:7"):
    problems.append(f"mongo image {img('mongo')} is not MongoDB 7")
if not img("opensearch").startswith("opensearchproject/opensearch:2.19"):
    problems.append(f"opensearch image {img('opensearch')} is not OpenSearch 2.19")
if not img("opensearch-dashboards").startswith("opensearchproject/opensearch-dashboards:2.19"):
    problems.append("dashboards image is not 2.19")
env = lambda n: {str(k): str(v) for k, v in (s.get(n, {}).get("environment") or {}).items()} \
    if isinstance(s.get(n, {}).get("environment"), dict) \
    else dict(e.split("=", 1) for e in s.get(n, {}).get("environment") or [])
if env("opensearch").get("DISABLE_SECURITY_PLUGIN") != "true" or env("opensearch").get("discovery.type") != "single-node":
    problems.append("opensearch is not single-node with the security plugin disabled")
api = s.get("api", {})
build = api.get("build") or {}
if not build or str(build.get("dockerfile", "Dockerfile")).split("/")[-1] != "Dockerfile":
    problems.append("api is not built from the Dockerfile")
e = env("api")
if not e.get("MONGODB_URI", "").startswith("mongodb://mongo:"):
    problems.append("api MONGODB_URI does not point at the mongo service")
if not e.get("OPENSEARCH_URL", "").startswith("http://opensearch:9200"):
    problems.append("api OPENSEARCH_URL does not point at the opensearch service")
if not api.get("read_only"):
    problems.append("api is not read_only")
if "ALL" not in (api.get("cap_drop") or []):
    problems.append("api does not drop all capabilities")
for n, svc in s.items():
    for p in svc.get("ports") or []:
        host_ip = p.get("host_ip") if isinstance(p, dict) else str(p).split(":")[0]
        if host_ip != "127.0.0.1":
            problems.append(f"{n} publishes {p} beyond 127.0.0.1")
for p in problems:
    print("  - " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PYEOF
rc=$?
[ $rc = 0 ] && say "ok: docker-compose.yml is valid"
exit $rc
