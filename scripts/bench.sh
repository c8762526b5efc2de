#!/bin/sh
# The benchmark behind `make bench` (see docs/performance.md).
#
# Generates a Valgrind lackey trace of BENCH_LINES accesses (default 5
# million) with tests/bench/gen_lackey, then times, side by side on that
# file: `wc -l` (the cost of just reading the bytes) and `shadow-sim --quiet
# --mode M` for every scheme M. Each is run BENCH_RUNS times (default 3) and
# the fastest wall-clock run is kept, as other work on the machine only ever
# slows a run down. It prints seconds, the ratio to wc -l, trace events
# (access lines) per second and peak memory (/usr/bin/time -v), and checks
# the targets:
#   - shadow mode reads at least 30 million events per second;
#   - shadow mode takes at most 8 times as long as wc -l;
#   - peak memory does not grow with trace length: a trace of BENCH_BIG
#     accesses (default 50 million) over the same pages, streamed from the
#     generator through a pipe, peaks within 1 MiB of the short one.
# Exit status 0; with BENCH_STRICT=1, 1 when a target is missed.
#
# Usage: sh scripts/bench.sh [SHADOW_SIM] [GEN_LACKEY]   (make bench)
set -eu

SIM=${1:-./shadow-sim}
GEN=${2:-build/bench/gen_lackey}
LINES=${BENCH_LINES:-5000000}
BIG=${BENCH_BIG:-50000000}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-build/bench}
TIME=/usr/bin/time
MODES="native shadow-eager shadow shadow-oos ept"

[ -x "$TIME" ] || { echo "bench: $TIME is missing (sh scripts/deps.sh bench)" >&2; exit 1; }
mkdir -p "$DIR"
trace=$DIR/bench-$LINES.lackey
if [ ! -s "$trace" ]; then
        echo "generating $trace ($LINES accesses)"
        "$GEN" "$LINES" >"$trace.tmp" && mv "$trace.tmp" "$trace"
fi
# Read it once so that every command below finds it in the page cache.
cat "$trace" >/dev/null

now_ns() { date +%s%N; }

# measure NAME CMD... : runs CMD (stdout discarded) RUNS times; sets $best
# (fastest wall-clock seconds) and $rss (peak resident KiB of that run).
measure() {
        name=$1
        shift
        best= rss=
        i=0
        while [ "$i" -lt "$RUNS" ]; do
                start=$(now_ns)
                "$TIME" -v -o "$DIR/time.txt" "$@" >/dev/null
                end=$(now_ns)
                secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
                kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.txt")
                if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                        best=$secs rss=$kib
                fi
                i=$((i + 1))
        done
}

events=$(grep -c -v '^==' "$trace")
bytes=$(wc -c <"$trace")
echo "trace: $trace, $events access lines, $bytes bytes; best of $RUNS runs"
echo
printf '%-31s %8s %8s %11s %9s\n' command seconds "x wc -l" "events/s" "peak KiB"
measure "wc -l" wc -l "$trace"
wc_secs=$best
printf '%-31s %8s %8s %11s %9s\n' "wc -l" "$wc_secs" 1.0 \
        "$(awk -v n="$events" -v s="$wc_secs" 'BEGIN { printf "%.0f", n / s }')" "$rss"
shadow_secs= shadow_rss=
for mode in $MODES; do
        measure "$mode" "$SIM" --quiet --mode "$mode" "$trace"
        printf '%-31s %8s %8s %11s %9s\n' "shadow-sim --mode $mode" "$best" \
                "$(awk -v a="$best" -v b="$wc_secs" 'BEGIN { printf "%.1f", a / b }')" \
                "$(awk -v n="$events" -v s="$best" 'BEGIN { printf "%.0f", n / s }')" "$rss"
        if [ "$mode" = shadow ]; then
                shadow_secs=$best shadow_rss=$rss
        fi
done

# The same pages, ten times the accesses, never on disk.
"$GEN" "$BIG" | "$TIME" -v -o "$DIR/time.txt" "$SIM" --quiet --mode shadow - >/dev/null
big_rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.txt")
echo
echo "peak memory, --mode shadow: $shadow_rss KiB for $LINES accesses (file)," \
        "$big_rss KiB for $BIG (pipe)"

status=0
verdict() {
        if [ "$1" = met ]; then echo "target met:    $2"; else
                echo "target missed: $2"
                status=1
        fi
}
rate=$(awk -v n="$events" -v s="$shadow_secs" 'BEGIN { printf "%.1f", n / s / 1e6 }')
ratio=$(awk -v a="$shadow_secs" -v b="$wc_secs" 'BEGIN { printf "%.1f", a / b }')
verdict "$(awk -v r="$rate" 'BEGIN { print (r >= 30) ? "met" : "missed" }')" \
        ">= 30 million events/s in --mode shadow (measured $rate million)"
verdict "$(awk -v r="$ratio" 'BEGIN { print (r <= 8) ? "met" : "missed" }')" \
        "<= 8x the time of wc -l in --mode shadow (measured ${ratio}x)"
verdict "$(awk -v a="$big_rss" -v b="$shadow_rss" 'BEGIN { print (a <= b + 1024) ? "met" : "missed" }')" \
        "peak memory independent of trace length ($shadow_rss KiB vs $big_rss KiB)"
[ -n "${BENCH_STRICT:-}" ] || status=0
exit $status
