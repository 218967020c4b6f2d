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
set +a
echo "Admin token for this run: ADMIN_TOKEN=$ADMIN_TOKEN" >&2
exec nest start --watch
