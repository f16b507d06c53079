#!/usr/bin/env bash
# Measures lntrace's throughput on a synthetic capture (release build).
# Usage: Scripts/bench/run.sh   (writes its capture to ${TMPDIR:-/tmp}/lntrace-bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${TMPDIR:-/tmp}/lntrace-bench
mkdir -p "$work"
swift build -c release --package-path "$root" >/dev/null
bin=$root/.build/release/lntrace
"$bin" synth "$root/Scripts/bench/capture.scenario" -o "$work/bench.pcap" --keylog "$work/bench.keys" 2>/dev/null
size=$(stat -c %s "$work/bench.pcap")
echo "capture: $work/bench.pcap, $size bytes, 200002 messages"
for format in text jsonl; do
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" dump --format $format --keylog "$work/bench.keys" "$work/bench.pcap" >/dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v b="$size" -v f=$format -v rss="$(cat "$work/rss")" \
        'BEGIN { t = e - s; printf "dump --format %-5s %6.2f s  %6.1f MB/s  %7.0f messages/s  max RSS %d MB\n", f, t, b / t / 1e6, 200002 / t, rss / 1024 }'
done
if command -v openssl >/dev/null; then
    echo "reference: $(openssl speed -evp chacha20-poly1305 -seconds 1 -bytes 1024 2>/dev/null | tail -1 | awk '{ printf "OpenSSL ChaCha20-Poly1305, 1 KB blocks, one core: %.0f MB/s", $2 / 1000 }')"
fi
