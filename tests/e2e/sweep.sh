#!/bin/sh
# shadow-sim sweep: a grid of options and traces, one CSV row per run, in a
# fixed order whatever -j is, each row the row of the single run; --list
# prints the runs as command lines that give the same rows.
. "$(dirname "$0")/lib.sh"
S=$SHADOW_SIM
TRACES=$TESTS_DIR/../traces
GRID="--mode shadow,ept --tlb-ways 2,8 --pwc on,off --pcid on,off --cost exit=1000,2000"
set -- "$TRACES/forkwait.txt" "$TRACES/boot.txt"

"$S" sweep $GRID -j 1 "$@" >"$TMP/j1.csv" 2>"$TMP/j1.err"
st=$?
"$S" sweep $GRID -j 3 "$@" >"$TMP/j3.csv" 2>&1
"$S" sweep $GRID "$@" >"$TMP/jn.csv" 2>&1
rows=$(($(wc -l <"$TMP/j1.csv") - 1))
if [ "$st" -eq 0 ] && [ ! -s "$TMP/j1.err" ] && [ "$rows" -eq 64 ]; then ok "sweep: a row per trace and combination (64)"; else
        not_ok "sweep: a row per trace and combination (64)" "exit $st, $rows rows" "$(head -2 "$TMP/j1.err")"
fi
if cmp -s "$TMP/j1.csv" "$TMP/j3.csv" && cmp -s "$TMP/j1.csv" "$TMP/jn.csv"; then ok "sweep: the same bytes with -j 1, -j 3 and the default"; else
        not_ok "sweep: the same bytes with -j 1, -j 3 and the default" "$(diff "$TMP/j1.csv" "$TMP/j3.csv" | head -3)"
fi
"$S" --quiet --stats=csv "$TRACES/forkwait.txt" | head -1 >"$TMP/header"
if [ "$(head -1 "$TMP/j1.csv")" = "$(cat "$TMP/header")" ]; then ok "sweep: the header of --stats=csv"; else
        not_ok "sweep: the header of --stats=csv"
fi

# The order: trace by trace, the last option varying fastest.
cat >"$TMP/order.py" <<'PY'
import csv, itertools, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = [(t, m, w, p, c, e) for t in sys.argv[2:] for m, w, p, c, e in
        itertools.product(["shadow", "ept"], ["2", "8"], ["on", "off"], ["on", "off"], ["1000", "2000"])]
got = [(r["trace"], r["mode"], r["tlb_ways"], r["pwc"], r["pcid"], r["cost_exit"]) for r in rows]
assert got == want, (got[:3], want[:3])
assert len(set(r["cycles"] for r in rows)) > 8  # the runs differ
PY
if python3 "$TMP/order.py" "$TMP/j1.csv" "$@" 2>"$TMP/py.err"; then ok "sweep: rows in the order of the grid"; else
        not_ok "sweep: rows in the order of the grid" "$(tail -1 "$TMP/py.err")"
fi

# --list: the same runs as command lines; each gives the sweep's row.
"$S" sweep --list $GRID "$@" >"$TMP/list"
if [ "$(wc -l <"$TMP/list")" -eq 64 ] && grep -q -- '--pcid --cost exit=2000 ' "$TMP/list"; then ok "sweep --list: a command line per run"; else
        not_ok "sweep --list: a command line per run" "$(head -2 "$TMP/list")"
fi
head -1 "$TMP/j1.csv" >"$TMP/listed.csv"
while IFS= read -r cmd; do
        eval "$cmd" | tail -n +2
done <"$TMP/list" >>"$TMP/listed.csv"
if cmp -s "$TMP/j1.csv" "$TMP/listed.csv"; then ok "sweep: each row equals its single run"; else
        not_ok "sweep: each row equals its single run" "$(diff "$TMP/j1.csv" "$TMP/listed.csv" | head -3)"
fi

# A run that fails leaves its row out and sets the status; the others run.
"$S" sweep --mode shadow,ept -j 2 "$TRACES/forkwait.txt" "$TMP/missing.txt" >"$TMP/part.csv" 2>"$TMP/part.err"
st=$?
if [ "$st" -eq 66 ] && [ "$(wc -l <"$TMP/part.csv")" -eq 3 ]; then ok "sweep: a missing trace exits 66, the other rows are printed"; else
        not_ok "sweep: a missing trace exits 66, the other rows are printed" "exit $st" "$(cat "$TMP/part.csv" | wc -l) lines"
fi
expect_grep "sweep: says which run failed" "$TMP/part.err" "--mode ept .*missing.txt exited with status 66: its row is left out"
expect_status "sweep: a bad value is a usage error" 64 "$S" sweep --tlb-ways 2,99 "$TRACES/forkwait.txt"
if [ ! -s "$TMP/out" ]; then ok "sweep: nothing runs after a bad value"; else not_ok "sweep: nothing runs after a bad value"; fi
expect_grep "sweep: names the run of the bad value" "$TMP/err" "in the run .* --tlb-ways 99 "
expect_status "sweep: an empty value is a usage error" 64 "$S" sweep --tlb-ways 2,,4 "$TRACES/forkwait.txt"
expect_status "sweep: on/off for a flag" 64 "$S" sweep --pcid yes "$TRACES/forkwait.txt"
expect_status "sweep: an option it does not vary" 64 "$S" sweep --series 5 "$TRACES/forkwait.txt"
expect_status "sweep: standard input is refused" 64 "$S" sweep --mode shadow -
expect_status "sweep: no trace is a usage error" 64 "$S" sweep --mode shadow
expect_status "sweep: -j 0 is a usage error" 64 "$S" sweep -j 0 "$TRACES/forkwait.txt"
expect_status "sweep --help" 0 "$S" sweep --help
expect_grep "sweep --help lists what it varies" "$TMP/out" '--tlb-ways'

# scripts/sweep.gp draws a sweep's CSV (when gnuplot is there: make plots
# installs it).
if command -v gnuplot >/dev/null 2>&1; then
        "$S" sweep --mode shadow,ept --tlb-ways 1,2,4 --pwc on,off "$TRACES/forkwait.txt" >"$TMP/plot.csv"
        gnuplot -e "csv='$TMP/plot.csv'; xcol='tlb_ways'; ycol='walk_refs'; where='pwc=off'; out='$TMP/plot.png'" \
                "$TESTS_DIR/../scripts/sweep.gp" 2>"$TMP/gp.err"
        if [ "$(head -c 4 "$TMP/plot.png" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ] && [ ! -s "$TMP/gp.err" ]; then
                ok "scripts/sweep.gp draws a sweep"
        else
                not_ok "scripts/sweep.gp draws a sweep" "$(head -3 "$TMP/gp.err")"
        fi
        gnuplot -e "csv='$TMP/plot.csv'; by='nothing'" "$TESTS_DIR/../scripts/sweep.gp" 2>"$TMP/gp.err"
        expect_grep "scripts/sweep.gp names a column that is not there" "$TMP/gp.err" "has no column 'nothing'"
else
        ok "scripts/sweep.gp # SKIP gnuplot is not installed"
fi
