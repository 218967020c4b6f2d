#!/usr/bin/env bash
# Local development: the stack up, then the service in watch mode on it (http://127.0.0.1:3000).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/nest ] || npm ci --no-audit --no-fund
bash scripts/stack.sh up
set -a
# shellcheck disable=SC1090
source <(bash scripts/stack.sh env)
# A fixed token for local runs only; real deployments set ADMIN_TOKEN from a secret.
: "${ADMIN_TOKEN:=local-dev-admin-token}"
: "${HOST:=127.0.0.1}"
: "${PORT:=3000}"
# Log lines for a person (pino-pretty, a devDependency); JSON everywhere else.
: "${LOG_FORMAT:=pretty}"
set +a

# Whether nothing listens on HOST:$1 yet.
port_free() {
  node -e 'const s = require("net").createServer().once("error", () => process.exit(1));
    s.listen(+process.argv[2], process.argv[1], () => s.close(() => process.exit(0)));' "$HOST" "$1"
}
# A second checkout's `npm run dev` (its stack moved with STACK_*_PORT) needs API and metrics
# ports of its own. The API port is the one people type, so it is never changed behind their
# back; the metrics port, unless set, is the first free one from 9464.
if ! port_free "$PORT"; then
  echo "Port $PORT on $HOST is taken (another npm run dev?): run with PORT=<another port> npm run dev" >&2
  exit 1
fi
if [ -n "${METRICS_PORT:-}" ]; then
  if [ "$METRICS_PORT" != 0 ] && ! port_free "$METRICS_PORT"; then
    echo "Port $METRICS_PORT on $HOST is taken: run with METRICS_PORT=<another port> (or 0: no metrics)" >&2
    exit 1
  fi
else
  METRICS_PORT=9464
  until port_free "$METRICS_PORT"; do METRICS_PORT=$((METRICS_PORT + 1)); done
fi
export METRICS_PORT

echo "API: http://$HOST:$PORT (Swagger UI at /docs); metrics: $([ "$METRICS_PORT" = 0 ] && echo off || echo "http://$HOST:$METRICS_PORT/metrics")" >&2
echo "Admin token for this run: ADMIN_TOKEN=$ADMIN_TOKEN" >&2
exec nest start --watch
