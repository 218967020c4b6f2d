#!/usr/bin/env bash
# Installs checkov (pinned in scripts/checkov-requirements.txt) into its own venv under .local/,
# only when missing or stale, and prints its path. Shared by the chart tier (scripts/tools.sh) and
# the infra tier (scripts/infra-test.sh), which run at the same time in scripts/test.sh: a lock
# keeps the two from building the venv over each other.
#
# Usage: bash scripts/checkov-venv.sh        Env: TOOLS_LOCAL (default <repo>/.local)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${TOOLS_LOCAL:-$ROOT/.local}"
CHECKOV_VENV="$LOCAL/checkov-venv"
CHECKOV_REQUIREMENTS="$ROOT/scripts/checkov-requirements.txt"
mkdir -p "$LOCAL"

exec 9>"$LOCAL/.checkov-venv.lock"
flock 9
want=$(grep -vE '^[[:space:]]*(#|$)' "$CHECKOV_REQUIREMENTS" | sha256sum | cut -c1-16)
if [ ! -x "$CHECKOV_VENV/bin/checkov" ] || [ "$(cat "$CHECKOV_VENV/.requirements" 2>/dev/null)" != "$want" ]; then
  printf '[tools] %s\n' "installing checkov ($(grep -E '^checkov==' "$CHECKOV_REQUIREMENTS")) into $CHECKOV_VENV (1-2 minutes, ~300 MB)" >&2
  start=$(date +%s)
  rm -rf "$CHECKOV_VENV"
  python3 -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$CHECKOV_REQUIREMENTS"
  echo "$want" >"$CHECKOV_VENV/.requirements"
  printf '[tools] %s\n' "checkov installed in $(($(date +%s) - start))s" >&2
fi
echo "$CHECKOV_VENV/bin/checkov"
