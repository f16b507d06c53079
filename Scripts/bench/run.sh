#!/usr/bin/env bash
# Measures lntrace's throughput on a synthetic capture (release build).
# Usage: Scripts/bench/run.sh   (writes its capture to ${TMPDIR:-/tmp}/lntrace-bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${TMPDIR:-/tmp}/lntrace-bench
mkdir -p "$work"
swift build -c release --package-path "$root" >/dev/null
bin=$root/.build/release/lntrace
"$bin" synth "$root/Scripts/bench/capture.scenario" -o "$work/bench.pcap" --keylog "$work/bench.keys" \
    --log alice=lnd:"$work/alice-lnd.log" --log alice=cln-io:"$work/alice-cln-io.log" 2>/dev/null
# Log lines that are not wire messages: what most of a real node log is.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "2024-01-01 00:00:00.%03d [INF] HSWC: ChannelLink(%d): forwarded htlc with amount %d mSAT, fees paid, routing along\n", i % 1000, i, i * 7 }' > "$work/noise.log"
size=$(stat -c %s "$work/bench.pcap")
echo "capture: $work/bench.pcap, $size bytes, 200002 messages"
for format in text jsonl; do
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" dump --format $format --keylog "$work/bench.keys" "$work/bench.pcap" >/dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v b="$size" -v f=$format -v rss="$(cat "$work/rss")" \
        'BEGIN { t = e - s; printf "dump --format %-5s %6.2f s  %6.1f MB/s  %7.0f messages/s  max RSS %d MB\n", f, t, b / t / 1e6, 200002 / t, rss / 1024 }'
done
timed() {
    local label=$1 file=$2; shift 2
    local bytes start end
    bytes=$(stat -c %s "$file")
    start=$(date +%s.%N)
    "$@" >/dev/null || true  # grep -c exits 1 when it counts nothing
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v b="$bytes" -v l="$label" 'BEGIN { t = e - s; printf "%-40s %6.2f s  %7.1f MB/s\n", l, t, b / t / 1e6 }'
}
timed "lnd log, 200k wire lines (jsonl)" "$work/alice-lnd.log" "$bin" dump --format jsonl "$work/alice-lnd.log"
timed "CLN io log, 200k [IN]/[OUT] lines (jsonl)" "$work/alice-cln-io.log" "$bin" dump --format jsonl "$work/alice-cln-io.log"
timed "log of 1M non-wire lines" "$work/noise.log" "$bin" dump --input-format lnd "$work/noise.log"
# Logs as operators have them: the format told line by line, inside a wrapper.
sed 's/^/Dec 06 12:00:00 node1 lnd[812]: /' "$work/alice-lnd.log" > "$work/alice-lnd-journald.log"
sed 's/^/Dec 06 12:00:00 node1 lnd[812]: /' "$work/noise.log" > "$work/noise-journald.log"
timed "same lnd log in journald (jsonl)" "$work/alice-lnd-journald.log" "$bin" dump --format jsonl "$work/alice-lnd-journald.log"
timed "1M non-wire lines, format detected" "$work/noise.log" "$bin" dump "$work/noise.log"
timed "1M non-wire lines in journald" "$work/noise-journald.log" "$bin" dump "$work/noise-journald.log"
timed "grep -c PEER on the same 1M lines" "$work/noise.log" grep -c PEER "$work/noise.log"
if command -v openssl >/dev/null; then
    echo "reference: $(openssl speed -evp chacha20-poly1305 -seconds 1 -bytes 1024 2>/dev/null | tail -1 | awk '{ printf "OpenSSL ChaCha20-Poly1305, 1 KB blocks, one core: %.0f MB/s", $2 / 1000 }')"
fi

# Rule checking on a channel's life: 40,000 payments, 400,008 messages.
"$bin" synth "$root/Scripts/bench/channel.scenario" -o "$work/channel.pcap" --keylog "$work/channel.keys" \
    --log alice=lnd:"$work/channel-lnd.log" --log alice=eclair:"$work/channel-eclair.log" 2>/dev/null
checked() {
    local label=$1 file=$2 count=$3; shift 3
    local bytes start end
    bytes=$(stat -c %s "$file")
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null || true  # exit 1 would mean findings
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v b="$bytes" -v l="$label" -v n="$count" -v rss="$(cat "$work/rss")" \
        'BEGIN { t = e - s; printf "%-40s %6.2f s  %7.1f MB/s  %7.0f messages/s  max RSS %d MB\n", l, t, b / t / 1e6, n / t, rss / 1024 }'
}
checked "dump, channel capture" "$work/channel.pcap" 400008 "$bin" dump --keylog "$work/channel.keys" "$work/channel.pcap"
checked "check, channel capture" "$work/channel.pcap" 400008 "$bin" check --keylog "$work/channel.keys" "$work/channel.pcap"
checked "check, channel lnd log (with lnd hazards)" "$work/channel-lnd.log" 400008 "$bin" check "$work/channel-lnd.log"
checked "check, channel lnd log, --hazards none" "$work/channel-lnd.log" 400008 "$bin" check --hazards none "$work/channel-lnd.log"
checked "check, channel eclair log" "$work/channel-eclair.log" 400008 "$bin" check "$work/channel-eclair.log"
# Memory must not grow with the trace: the first half of the log, checked alone.
head -n 200004 "$work/channel-lnd.log" > "$work/channel-lnd-half.log"
checked "check, first half of the lnd log" "$work/channel-lnd-half.log" 200004 "$bin" check "$work/channel-lnd-half.log"
