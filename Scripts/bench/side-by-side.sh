#!/usr/bin/env bash
# Side by side, in one run, on one multi-connection capture: tshark alone (no Lightning
# decoding) and tshark with the Lightning dissector (Scripts/bench/tshark-lightning.sh: the
# nayutaco Lua plugin; both with every TCP heuristic dissector off, as random-looking
# payloads make some of them reassemble super-linearly) against lntrace's stats, dump,
# check without the signature rules and check with everything, at --jobs 1 and --jobs N
# (N: every core). Prints each time and peak RSS, then the ratios issue 14 sets as targets,
# against both tshark runs (the targets are meant against tshark alone).
#
# Usage: Scripts/bench/side-by-side.sh [REPEAT]
#   REPEAT: rounds of Scripts/bench/connections.scenario.in (default 1875: 8 connections,
#   each a channel with 3,750 payments, 300,000 channel messages, ~130 MB). Files go to
#   ${TMPDIR:-/tmp}/lntrace-bench. tshark alone takes about 8 minutes at the default.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${TMPDIR:-/tmp}/lntrace-bench
repeat=${1:-1875}
mkdir -p "$work"
swift build -c release --package-path "$root" >/dev/null
bin=$root/.build/release/lntrace
cores=$(nproc)
sed "s/REPEAT/$repeat/" "$root/Scripts/bench/connections.scenario.in" > "$work/connections.scenario"
"$bin" synth "$work/connections.scenario" -o "$work/connections.pcap" --keylog "$work/connections.keys" >&2
capture=$work/connections.pcap
keys=$work/connections.keys
echo "capture: $capture, $(stat -c %s "$capture") bytes; $cores cores ($(lscpu | sed -n 's/^Model name: *//p'))"

declare -A seconds rss
# measure LABEL COMMAND…: wall seconds and peak RSS (MB) of one run.
measure() {
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
    local wall kb
    read -r wall kb < "$work/time"
    seconds[$label]=$wall
    rss[$label]=$((kb / 1024))
    printf '%-34s %8.2f s  %5d MB\n' "$label" "${seconds[$label]}" "${rss[$label]}"
}

"$root/Scripts/bench/tshark-lightning.sh" --plain "$capture" "$keys" > "$work/tshark-plain.out"
seconds[plain]=$(sed -n 's/.*Lightning decoding \([0-9.]*\) s.*/\1/p' "$work/tshark-plain.out")
printf '%-34s %8.2f s\n' "tshark, no Lightning decoding" "${seconds[plain]}"
# With the plugin: the script prints the time of the tshark run alone (not its key-log conversion).
"$root/Scripts/bench/tshark-lightning.sh" "$capture" "$keys" > "$work/tshark.out"
seconds[tshark]=$(sed -n 's/.*lightning-dissector \([0-9.]*\) s.*/\1/p' "$work/tshark.out")
printf '%-34s %8.2f s  (%s)\n' "tshark + lightning-dissector" "${seconds[tshark]}" "$(sed -n 's/.* s, //p' "$work/tshark.out")"

skip=commit-sig-valid,v1-created-sig,v1-signed-sig
measure "stats" "$bin" stats --keylog "$keys" "$capture"
for jobs in 1 "$cores"; do
    measure "dump --format jsonl -j $jobs" "$bin" dump --format jsonl -j "$jobs" --keylog "$keys" "$capture"
    measure "check, no signature rules -j $jobs" "$bin" check -j "$jobs" --skip "$skip" --keylog "$keys" "$capture"
    measure "check, everything -j $jobs" "$bin" check -j "$jobs" --keylog "$keys" "$capture"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%7.3f", a / b }'; }
p=${seconds[plain]}
t=${seconds[tshark]}
n=$cores
echo
echo "ratios at -j $n                  / tshark alone  / tshark + dissector  (target)"
echo "  stats                                $(ratio "${seconds[stats]}" "$p")        $(ratio "${seconds[stats]}" "$t")   (≤ 0.12)"
echo "  check, no signature rules            $(ratio "${seconds[check, no signature rules -j $n]}" "$p")        $(ratio "${seconds[check, no signature rules -j $n]}" "$t")   (≤ 0.30)"
echo "  check, everything                    $(ratio "${seconds[check, everything -j $n]}" "$p")        $(ratio "${seconds[check, everything -j $n]}" "$t")   (≤ 1.2)"
echo "  check -j $n / check -j 1               $(ratio "${seconds[check, everything -j $n]}" "${seconds[check, everything -j 1]}")  (≤ 0.6)"
max=0
for label in "${!rss[@]}"; do [ "${rss[$label]}" -gt "$max" ] && max=${rss[$label]}; done
echo "  peak RSS of lntrace                 $max MB  (≤ 100)"
