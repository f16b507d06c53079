#!/usr/bin/env bash
# A fuzzing campaign: runs each given target (default: all) for SECONDS through
# Scripts/fuzz/run.sh, JOBS at a time, keeps each run's log in .build/fuzz/logs/, and prints
# one Markdown table row per target for ROBUSTNESS.md: duration, executions, coverage
# (edges, features), corpus size, peak RSS, and the result.
# Usage: Scripts/fuzz/campaign.sh SECONDS [JOBS] [TARGET…]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
seconds=${1:?usage: Scripts/fuzz/campaign.sh SECONDS [JOBS] [TARGET…]}
jobs=${2:-1}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(input logs wire transport keylog scenario profile rules)
mkdir -p .build/fuzz/logs
# Build once (and make the seeds) before the targets run side by side.
Scripts/fuzz/run.sh wire 1 >/dev/null 2>&1 || { echo "fuzz build failed" >&2; exit 1; }
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} sh -c \
    'Scripts/fuzz/run.sh {} '"$seconds"' > .build/fuzz/logs/{}.log 2>&1; echo $? > .build/fuzz/logs/{}.status'
echo "| target | seconds | executions | coverage (edges / features) | corpus | peak RSS | result |"
echo "|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
    log=.build/fuzz/logs/$t.log
    status=$(cat .build/fuzz/logs/$t.status)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}')
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | awk '{print $2}')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | awk '{print $2}')
    result="no crash, hang, leak or allocation over 256 MB"
    [ "$status" = 0 ] || result="FAILED (exit $status): see $log"
    echo "| $t | $seconds | ${execs:-?} | ${cov:-?} / ${ft:-?} | ${corp:-?} | ${rss:-?} MB | $result |"
done
