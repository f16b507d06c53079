#!/usr/bin/env bash
# Cross-checks lntrace against independent implementations (pyln-proto from PyPI).
# Usage: Scripts/crosscheck/run.sh [LNTRACE_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lntrace=$(realpath "${1:-$root/.build/debug/lntrace}")
venv=${LNTRACE_VENV:-$root/.build/crosscheck-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cd "$here"
"$venv/bin/python" check_dump.py "$lntrace"
