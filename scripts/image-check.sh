#!/usr/bin/env bash
# The Dockerfile's stages, replayed without a Docker engine, then the image's start command run
# the way the pod runs it:
#   1. build context = the work tree minus .dockerignore (same matching rules as Docker), checked
#      for what must and must not be in it;
#   2. `build` stage: npm ci && npm run build in a copy of that context;
#   3. `prod-deps` stage: npm ci --omit=dev from package*.json alone; no dev tooling in it;
#   4. final stage: package*.json + those node_modules + dist/, nothing else;
#   5. `node dist/main.js` in it (Node 24 from the devDependency, as in the node:24 image) as uid/gid
#      10001 (the Dockerfile's USER, the chart's runAsUser; no passwd entry, as in the image) with
#      the app directory read-only, NODE_ENV=production and the Dockerfile's NODE_OPTIONS;
#      /health/live and /metrics on their ports, /metrics absent from the API port, SIGTERM -> exit 0.
# The final stage (and the node binary) are staged in a directory of their own under /tmp, not in
# the checkout: uid 10001 must reach them, and a clone may sit under a directory it can't traverse
# (/root, a `mktemp -d`, a 0700 home). That directory is removed on exit, pass or fail.
# Step 5 needs the local stack's settings in the environment (set -a; source <(bash scripts/stack.sh
# env); set +a), or IMAGE_CHECK_STACK_WAIT_S to wait for the stack and read them (scripts/test.sh
# sets it); without either it is skipped.
#
# Exit 0: all ran and passed; 3: passed but the start was skipped; 1: failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.local/image-check"
PY="${TOOLS_PYTHON:-$ROOT/.local/tools-venv/bin/python}"
[ -x "$PY" ] || PY=python3

say() { printf '[image-check] %s\n' "$*" >&2; }
die() {
  say "FAIL: $*"
  exit 1
}

rm -rf "$WORK" && mkdir -p "$WORK/build"
STAGE=$(mktemp -d /tmp/sponsored-agents-image-check.XXXXXX) || die "could not create a staging directory under /tmp"
APP="$STAGE/app"
mkdir -p "$APP"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; fi
  rm -rf "$STAGE"
}
trap cleanup EXIT

# --- 1. build context -------------------------------------------------------------------------
"$PY" - "$ROOT" "$WORK/context.txt" <<'EOF' || die "build context"
import os, re, sys
root, out = sys.argv[1], sys.argv[2]

def compile_pattern(p):
    # Docker (moby/patternmatcher): filepath.Match syntax plus "**"; a match on a directory
    # excludes everything below it.
    p = os.path.normpath(p.strip().lstrip("/"))
    rx, i = "", 0
    while i < len(p):
        c = p[i]
        if p.startswith("**", i):
            rx += ".*"
            i += 2
            if i < len(p) and p[i] == "/":
                rx = rx[:-2] + "(.*/)?"
                i += 1
            continue
        rx += {"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c))
        i += 1
    return re.compile("^" + rx + "(/.*)?$")

rules = []
for line in open(os.path.join(root, ".dockerignore")):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    neg = line.startswith("!")
    rules.append((neg, compile_pattern(line[1:] if neg else line)))

def excluded(rel):
    ex = False
    for neg, rx in rules:
        if rx.match(rel):
            ex = not neg
    return ex

files = []
for d, dirs, names in os.walk(root):
    rel_d = os.path.relpath(d, root)
    rel_d = "" if rel_d == "." else rel_d + "/"
    dirs[:] = [x for x in dirs if not excluded(rel_d + x) or any(n for n, _ in rules)]
    for n in names:
        if not excluded(rel_d + n):
            files.append(rel_d + n)
files.sort()
problems = []
for must in ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "nest-cli.json", "src/main.ts"]:
    if must not in files:
        problems.append(f"{must} is not in the build context")
for f in files:
    parts = f.split("/")
    if parts[0] in (".git", ".local", "node_modules", "dist", "test", "coverage", "charts", "stack") \
            or re.search(r"(^|/)\.env(\.|$)", f) or f.endswith(".spec.ts") or f.endswith(".pem"):
        problems.append(f"{f} is in the build context")
for p in problems[:20]:
    print("  - " + p, file=sys.stderr)
open(out, "w").write("\n".join(files) + "\n")
print(f"[image-check] build context: {len(files)} files", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF

# --- 2. build stage ---------------------------------------------------------------------------
(cd "$ROOT" && tar -cf - -T "$WORK/context.txt") | tar -xf - -C "$WORK/build" || die "copy context"
say "build stage: npm ci && npm run build"
(cd "$WORK/build" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >"$WORK/build-npm.log" 2>&1) ||
  die "npm ci failed (build stage): $(tail -5 "$WORK/build-npm.log")"
NODE24="$WORK/build/node_modules/.bin/node"
[ -x "$NODE24" ] || NODE24=$(command -v node)
"$NODE24" -e 'process.exit(+process.versions.node.split(".")[0] === 24 ? 0 : 1)' ||
  die "Node 24 (the image's) not found; got $("$NODE24" --version)"
(cd "$WORK/build" && PATH="$WORK/build/node_modules/.bin:$PATH" npm run build >"$WORK/build.log" 2>&1) ||
  die "npm run build failed: $(tail -20 "$WORK/build.log")"
[ -f "$WORK/build/dist/main.js" ] || die "npm run build produced no dist/main.js"

# --- 3. prod-deps stage -----------------------------------------------------------------------
say "prod-deps stage: npm ci --omit=dev"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$APP/"
(cd "$APP" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error >"$WORK/prod-npm.log" 2>&1) ||
  die "npm ci --omit=dev failed: $(tail -5 "$WORK/prod-npm.log")"
# Every package the lockfile marks dev-only must be absent (typescript, say, is not: a production
# dependency needs it).
"$PY" - "$APP" <<'EOF' || die "dev-only packages in the production node_modules"
import json, os, sys
app = sys.argv[1]
lock = json.load(open(os.path.join(app, "package-lock.json")))
dev = [p for p, meta in lock.get("packages", {}).items() if p and meta.get("dev")]
present = [p for p in dev if os.path.exists(os.path.join(app, p))]
for p in present[:20]:
    print("  - " + p, file=sys.stderr)
if not present:
    print(f"[image-check] prod-deps: none of the {len(dev)} dev-only packages is installed", file=sys.stderr)
sys.exit(1 if present or not dev else 0)
EOF

# --- 4. final stage ---------------------------------------------------------------------------
cp -r "$WORK/build/dist" "$APP/dist"
extra=$(cd "$APP" && ls -A | grep -vxE 'dist|node_modules|package.json|package-lock.json' || true)
[ -z "$extra" ] || die "final stage has more than dist, node_modules, package*.json: $extra"
say "final stage: $(du -sh "$APP" | cut -f1) ($(du -sh "$APP/node_modules" | cut -f1) node_modules) in $APP"

# --- 5. start it like the pod -----------------------------------------------------------------
# Under scripts/test.sh the chart tier starts while the stack is still coming up: with
# IMAGE_CHECK_STACK_WAIT_S set, wait for it (bounded), then take its settings.
if [ -z "${MONGODB_URI:-}" ] && [ -n "${IMAGE_CHECK_STACK_WAIT_S:-}" ]; then
  say "waiting up to ${IMAGE_CHECK_STACK_WAIT_S} s for the local stack"
  deadline=$((SECONDS + IMAGE_CHECK_STACK_WAIT_S))
  until bash "$ROOT/scripts/stack.sh" status >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "the local stack was not up within ${IMAGE_CHECK_STACK_WAIT_S} s"
    sleep 5
  done
  set -a
  # shellcheck disable=SC1091
  source <(bash "$ROOT/scripts/stack.sh" env)
  set +a
fi
if [ -z "${MONGODB_URI:-}" ]; then
  say "SKIP start: MONGODB_URI is not set (run under scripts/test.sh, or source scripts/stack.sh env)"
  rm -rf "$WORK/build"
  exit 3
fi
# Its own database, so state left by other tests cannot get in the way.
MONGODB_URI=$("$PY" -c 'import sys, urllib.parse as p
u = p.urlsplit(sys.argv[1]); print(p.urlunsplit(u._replace(path="/sponsored-agents-image-check")))' "$MONGODB_URI")
export MONGODB_URI
PORT_HTTP=$(bash "$ROOT/scripts/free-port.sh")
PORT_METRICS=$(bash "$ROOT/scripts/free-port.sh")
# The image's node sits outside the app directory too; stage this one beside the app (a hard link
# when /tmp is on the same file system).
mkdir -p "$STAGE/bin" "$STAGE/tmp"
ln -f "$(readlink -f "$NODE24")" "$STAGE/bin/node" 2>/dev/null || cp "$(readlink -f "$NODE24")" "$STAGE/bin/node" ||
  die "could not stage the node binary"
NODE24="$STAGE/bin/node"
tmpdir="$STAGE/tmp"
chmod -R a+rX "$STAGE" && chmod 755 "$STAGE" && chmod 1777 "$tmpdir" || die "could not open $STAGE to uid 10001"
as_node=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && command -v unshare >/dev/null &&
  unshare -m true 2>/dev/null; then
  # Read-only app directory and uid/gid 10001, as readOnlyRootFilesystem and runAsUser do.
  setpriv --reuid 10001 --regid 10001 --clear-groups test -r "$APP/dist/main.js" -a -x "$NODE24" ||
    die "uid 10001 cannot reach $APP/dist/main.js or $NODE24 (is /tmp traversable?)"
  as_node=(unshare -m sh -c 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && cd "$0" && exec setpriv --reuid 10001 --regid 10001 --clear-groups "$@"' "$APP")
else
  say "note: not root or no unshare/setpriv: running as $(id -un) with a writable app directory"
fi
# The final stage's NODE_OPTIONS (V8 flags), as the image sets it.
NODE_OPTIONS_IMAGE="$(grep -o 'NODE_OPTIONS=[^ \\]*' "$ROOT/Dockerfile" | head -1 | cut -d= -f2-)"
say "starting: node dist/main.js (http $PORT_HTTP, metrics $PORT_METRICS, NODE_OPTIONS=$NODE_OPTIONS_IMAGE)"
(cd "$APP" && exec env NODE_ENV=production NODE_OPTIONS="$NODE_OPTIONS_IMAGE" PORT="$PORT_HTTP" METRICS_PORT="$PORT_METRICS" \
  HOST=127.0.0.1 ADMIN_TOKEN="${ADMIN_TOKEN:-image-check-admin-token-0001}" LOG_SHIPPER_ENABLED=false \
  LOG_INDEX=logs-sponsored-agents-image-check CDN_INVALIDATION_WORKER_ENABLED=false \
  SHUTDOWN_GRACE_MS=10000 SHUTDOWN_DRAIN_DELAY_MS=0 TMPDIR="$tmpdir" \
  "${as_node[@]}" "$NODE24" dist/main.js) >"$WORK/app.log" 2>&1 &
pid=$!

status() { "$PY" -c 'import sys,urllib.request as u
try: print(u.urlopen(sys.argv[1], timeout=3).status)
except Exception as e: print(getattr(e, "code", 0))' "$1"; }
for _ in $(seq 1 120); do
  [ "$(status "http://127.0.0.1:$PORT_HTTP/health/live")" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || die "the service exited during start: $(tail -20 "$WORK/app.log")"
  sleep 0.5
done
[ "$(status "http://127.0.0.1:$PORT_HTTP/health/live")" = 200 ] || die "/health/live not 200 after 60 s: $(tail -20 "$WORK/app.log")"
for _ in $(seq 1 60); do
  [ "$(status "http://127.0.0.1:$PORT_HTTP/health/ready")" = 200 ] && break
  sleep 0.5
done
[ "$(status "http://127.0.0.1:$PORT_HTTP/health/ready")" = 200 ] || die "/health/ready not 200: $(tail -20 "$WORK/app.log")"
[ "$(status "http://127.0.0.1:$PORT_METRICS/metrics")" = 200 ] || die "/metrics not served on METRICS_PORT"
[ "$(status "http://127.0.0.1:$PORT_HTTP/metrics")" = 404 ] || die "/metrics answers on the API port"
head -c 1 "$WORK/app.log" | grep -q '{' || die "first log line is not JSON: $(head -c 200 "$WORK/app.log")"

kill -TERM "$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && die "still running 15 s after SIGTERM"
wait "$pid"
rc=$?
pid=""
[ "$rc" = 0 ] || die "exit code $rc after SIGTERM: $(tail -10 "$WORK/app.log")"
say "ok: started as the image does, served health and metrics, exited 0 on SIGTERM"
# The stage copies are large; the logs stay (the staging directory goes with the EXIT trap).
rm -rf "$WORK/build"
