#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS (default 60) on its corpus: seeds from Fixtures/
# (Scripts/fuzz/seeds.py), what earlier runs found (.build/fuzz/corpus/TARGET, kept), and the
# regression corpus Fixtures/hostile/TARGET. A crash, hang (10 s), leak or allocation over
# 256 MB stops the run and leaves the input in .build/fuzz/artifacts/TARGET/.
# Usage: Scripts/fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags…]
#        Scripts/fuzz/run.sh all [SECONDS]    (every target in turn)
# Targets: input logs wire transport keylog scenario profile rules transaction sequence join
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${1:?usage: Scripts/fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
targets=(input logs wire transport keylog scenario profile rules transaction sequence join)
if [ "$target" = all ]; then
    for t in "${targets[@]}"; do "$0" "$t" "$seconds" "$@"; done
    exit 0
fi
work=$root/.build/fuzz
# The fuzz build: every Swift module instrumented for coverage and AddressSanitizer.
swift build --package-path Fuzz -c release --scratch-path "$work/build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
bin=$work/build/release/fuzz
[[ " ${targets[*]} " == *" $target "* ]] || { echo "no fuzz target '$target' (${targets[*]})" >&2; exit 2; }
# Seeds, from a plain build of lntrace (for dumps of the bundled captures).
swift build --product lntrace >/dev/null
if [ ! -d "$work/seeds/$target" ]; then
    python3 Scripts/fuzz/seeds.py "$root/.build/debug/lntrace" "$work/seeds"
fi
mkdir -p "$work/corpus/$target" "$work/artifacts/$target" "Fixtures/hostile/$target"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=32}
LNTRACE_FUZZ_TARGET=$target exec "$bin" "$work/corpus/$target" "$work/seeds/$target" "Fixtures/hostile/$target" \
    -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=256 -rss_limit_mb=1536 -max_len=262144 \
    -artifact_prefix="$work/artifacts/$target/" -print_final_stats=1 "$@"
