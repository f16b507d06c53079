#!/usr/bin/env bash
# Cross-checks lntrace against independent implementations:
#  - pyln-proto (PyPI) encodes messages of every type; lntrace must decode its values;
#  - tshark (Debian) lists every TCP segment; lntrace's frame numbers for every message of
#    the bundled captures must agree with them.
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

captures=()
for keys in "$root"/Fixtures/captures/synth/*.keys; do
    captures+=("${keys%.keys}.pcap" "$keys")
done
captures+=("$root/Fixtures/captures/pyln-loopback/loopback.pcapng" "$root/Fixtures/captures/pyln-loopback/keys-ephemeral.log")
captures+=("$root/Fixtures/captures/pyln-loopback/loopback.pcap" "$root/Fixtures/captures/pyln-loopback/keys-mac.log")
python3 check_frames.py "$lntrace" "${captures[@]}"
