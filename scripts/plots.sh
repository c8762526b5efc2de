#!/bin/sh
# plots.sh - regenerates the pictures in docs/plots/ (run by `make plots`).
#
# Generates each workload scenario at its default size (seed 1), takes the
# recorded Valgrind trace of traces/programs/sortmem.c, replays every one
# under every scheme with --series, and has gnuplot (scripts/plots.gp)
# draw:
#   docs/plots/exits.png     cumulative VM exits over each trace, per scheme
#   docs/plots/overhead.png  cycle overhead against native, per scenario
#                            and scheme
# The data files are kept in build/plots/ for a look at the numbers.
set -eu
cd "$(dirname "$0")/.."
SIM=${SHADOW_SIM:-./shadow-sim}
DATA=build/plots
OUT=docs/plots
SCENARIOS="forkwait tlb-stress mmap-churn context-switch boot migration"
MODES="native shadow-eager shadow shadow-oos ept"
EVERY=500 # events between two samples

if ! command -v gnuplot >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
                echo "plots: installing gnuplot with apt-get" >&2
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >&2
        else
                echo "plots: gnuplot is missing; install it with:  sudo apt-get install gnuplot-nox" >&2
                exit 1
        fi
fi

mkdir -p "$DATA" "$OUT"
for sc in $SCENARIOS sortmem; do
        if [ "$sc" = sortmem ]; then
                zcat traces/sortmem.lackey.gz >"$DATA/$sc.trace"
        else
                "$SIM" gen "$sc" >"$DATA/$sc.trace"
        fi
        for m in $MODES; do
                "$SIM" --mode "$m" --series "$EVERY" "$DATA/$sc.trace" >"$DATA/$sc.$m.csv"
        done
done

# overhead.dat: one row per scenario, one column per scheme, in percent of
# native cycles (from the last row of each series).
last_cycles() { tail -1 "$1" | awk -F, '{ print $NF }'; }
{
        echo "scenario shadow-eager shadow shadow-oos ept"
        for sc in $SCENARIOS sortmem; do
                native=$(last_cycles "$DATA/$sc.native.csv")
                label=$sc
                [ "$sc" = sortmem ] && label='"sortmem (lackey)"'
                printf '%s' "$label"
                for m in shadow-eager shadow shadow-oos ept; do
                        printf ' %s' "$(last_cycles "$DATA/$sc.$m.csv" |
                                awk -v n="$native" '{ printf "%.1f", 100 * ($1 - n) / n }')"
                done
                echo
        done
} >"$DATA/overhead.dat"

gnuplot -e "data='$DATA'; out='$OUT'" scripts/plots.gp
echo "plots: wrote $OUT/exits.png and $OUT/overhead.png (data in $DATA/)"
