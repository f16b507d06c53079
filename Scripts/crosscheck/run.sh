#!/usr/bin/env bash
# Cross-checks lntrace against independent implementations:
#  - pyln-proto (PyPI) encodes messages of every type; lntrace must decode its values;
#  - tshark (Debian) lists every TCP segment; lntrace's frame numbers for every message of
#    the bundled captures must agree with them;
#  - independent Python models (Scripts/fixtures/pyln_channel_capture.py, pyln_gossip_capture.py,
#    pyln_close_capture.py)
#    decide where their captures break the rules; lntrace's findings must be exactly those.
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

# Rule verdicts on captures lntrace did not make: pyln-proto peers over kernel TCP, with
# channel states and BOLT #3 signatures computed by an independent Python model.
python3 check_rules.py "$lntrace" "$root/Fixtures/captures/pyln-channels"
# The same, with nine faults in one channel life that goes on after each: one root per fault.
python3 check_rules.py "$lntrace" "$root/Fixtures/captures/pyln-cascade"
# BOLT #7 gossip signed by an independent Python encoder (pyln-bolt7, coincurve): signatures,
# direction bits, timestamps and node_announcement's fields.
python3 check_rules.py "$lntrace" "$root/Fixtures/captures/pyln-gossip"
# Simple closes (closing_complete/closing_sig) whose closing transactions an independent Python
# builder made and signed: fees, dust, signature records and signatures.
python3 check_rules.py "$lntrace" "$root/Fixtures/captures/pyln-close"

# lntrace's JSON reports against the repository's JSON Schema, by the jsonschema package.
"$venv/bin/python" check_schema.py "$lntrace" "$root"
