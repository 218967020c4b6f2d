#!/usr/bin/env bash
# Prints a loopback TCP port that is free right now (for a server a script is about to start).
# The scripts' one copy of test/support/free-port.ts.
set -euo pipefail
exec python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
