#!/bin/sh
# bench-session.sh - how fast the stepper moves on a trace of millions of
# events, next to the batch engine on the same trace.
#
#   sh scripts/bench-session.sh            (make bench-session runs it)
#
# Environment: ACCESSES (default 3000000) random accesses of the generated
# tlb-stress trace, MODE (default shadow), BENCH_DIR (default a temporary
# directory, removed at the end) where the trace is written, BREAKPOINTS=1
# to time continue with thousands of breakpoints and a search that finds
# nothing instead (session_bench --breakpoints).
set -eu

ACCESSES=${ACCESSES:-3000000}
MODE=${MODE:-shadow}
make --no-print-directory -s shadow-sim build/bench/session_bench

if [ -n "${BENCH_DIR:-}" ]; then
    dir=$BENCH_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
trace=$dir/tlb-stress-$ACCESSES.trace
if [ ! -s "$trace" ]; then
    ./shadow-sim gen tlb-stress --accesses "$ACCESSES" >"$trace"
fi

# Seconds a command takes (wall clock), output discarded.
seconds() {
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$start $end" | awk '{ printf "%.1f ms", ($2 - $1) * 1000 }'
}

echo "trace: $(wc -l <"$trace") lines, $(wc -c <"$trace") bytes ($trace)"
printf '%-40s %13s\n' "wc -l" "$(seconds wc -l "$trace")"
printf '%-40s %13s\n' "shadow-sim --quiet --mode $MODE" \
    "$(seconds ./shadow-sim --quiet --mode "$MODE" "$trace")"
if [ -n "${BREAKPOINTS:-}" ]; then
    ./build/bench/session_bench --breakpoints "$trace" "$MODE"
else
    ./build/bench/session_bench "$trace" "$MODE"
fi
