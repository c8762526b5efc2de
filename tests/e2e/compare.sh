#!/bin/sh
# --compare: every scheme on one trace in one pass; the cost model's keys.
. "$(dirname "$0")/lib.sh"
S=$SHADOW_SIM
SAMPLE=$TESTS_DIR/../traces/sample_trace.txt

expect_status "--compare runs" 0 "$S" --compare "$SAMPLE"
cp "$TMP/out" "$TMP/table"
expect_grep "the table has a column per scheme" "$TMP/table" '^counter +native +shadow-eager +shadow +shadow-oos +ept +agile$'
expect_grep "the table ends with the overhead vs native" "$TMP/table" '^overhead_vs_native +0\.0%'
# Each column equals the single-scheme run's stats.
for m in native shadow-eager shadow shadow-oos ept; do
        col=$(awk -v m="$m" 'NR==1 { for (i = 2; i <= NF; i++) if ($i == m) c = i }
                NR>1 && $1 != "overhead_vs_native" { printf "%s=%s ", $1, $c }' "$TMP/table")
        single=$("$S" --quiet --mode "$m" "$SAMPLE" | sed 's/^\[STATS\] //; s/ overhead=.*//')
        if [ "$col " = "$single " ] || [ "$col" = "$single " ]; then ok "the $m column equals --mode $m"; else
                not_ok "the $m column equals --mode $m" "compare: $col" "single:  $single"; fi
done
"$S" --compare --stats=json "$SAMPLE" >"$TMP/json"
if python3 - "$TMP/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["schemes"]
assert list(d) == ["native", "shadow-eager", "shadow", "shadow-oos", "ept", "agile"], list(d)
d = {m: d[m]["stats"] for m in d}
assert d["native"]["exits"] == 0 and d["shadow"]["exit_pt_write"] > 0
assert d["ept"]["exit_pt_write"] == 0 and d["ept"]["ept_violations"] > 0
assert d["native"]["overhead_pct"] == 0.0
PY
then ok "--compare --stats=json has every scheme"; else not_ok "--compare --stats=json has every scheme" "$(cat "$TMP/json")"; fi
"$S" --compare --stats=csv "$SAMPLE" >"$TMP/csv"
expect_grep "--compare --stats=csv has a header" "$TMP/csv" '^field,native,shadow-eager,shadow,shadow-oos,ept,agile$'
expect_grep "--compare --stats=csv has the exits row" "$TMP/csv" '^exits,0,[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+$'
printf 'R 0x1000\nPT_WRITE 0x1000->0x5000\nR 0x1000\n' | "$S" --compare - >"$TMP/stdin"
expect_grep "--compare reads a pipe once for every scheme" "$TMP/stdin" '^accesses +1 +1 +1 +1 +1 +1$'
# A trace of many batches (the machines run on threads of their own, a
# batch of 4096 ops at a time): each column still equals the single run.
"$S" gen tlb-stress --accesses 60000 --seed 5 >"$TMP/long.trace"
"$S" --compare --stats=csv "$TMP/long.trace" >"$TMP/long.csv"
for m in native shadow-eager shadow shadow-oos ept agile; do
        col=$(awk -F, -v m="$m" 'NR == 1 { for (i = 2; i <= NF; i++) if ($i == m) c = i }
                NR > 1 && $1 == "exits" || $1 == "walk_refs" || $1 == "tlb_misses" || $1 == "cycles" {
                        printf "%s=%s ", $1, $c }' "$TMP/long.csv")
        single=$("$S" --quiet --mode "$m" "$TMP/long.trace" |
                awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^(exits|walk_refs|tlb_misses|cycles)=/) printf "%s ", $i }')
        if [ -n "$col" ] && [ "$col" = "$single" ]; then ok "a long trace: the $m column equals --mode $m"; else
                not_ok "a long trace: the $m column equals --mode $m" "compare: $col" "single:  $single"; fi
done
# A run without a log reads on a thread of its own beside the machines
# (--threads, one a core by default): the same statistics as the logged run,
# which reads and simulates on one thread, and as --threads 1 or 3.
SORTMEM=$TESTS_DIR/../traces/sortmem.lackey.gz
for m in native shadow ept agile; do
        for t in "$TMP/long.trace" "$SORTMEM"; do
                logged=$("$S" --mode "$m" "$t" | tail -1)
                for threads in "" "--threads 1" "--threads 3"; do
                        # shellcheck disable=SC2086 # $threads is two words or none
                        quiet=$("$S" --quiet --mode "$m" $threads "$t")
                        what="--quiet --mode $m ${threads:-(default threads)} on $(basename "$t") equals the logged run"
                        if [ -n "$quiet" ] && [ "$quiet" = "$logged" ]; then ok "$what"; else
                                not_ok "$what" "quiet:  $quiet" "logged: $logged"; fi
                done
        done
done
printf 'R 0x1000\nBAD\n' >"$TMP/bad.trace"
expect_status "--compare stops at a bad line with 65" 65 "$S" --compare "$TMP/bad.trace"

expect_status "--cost help exits 0" 0 "$S" --cost help
expect_grep "--cost help lists exit with its default" "$TMP/out" '^  exit +1500 '
expect_grep "--cost help lists walk_ref" "$TMP/out" '^  walk_ref '
"$S" --quiet --cost exit=0,page_fault=0,pt_write=0,cr3=0,invlpg=0,shadow_page=0,guest_pf=0,pt_store=0,access=0,walk_ref=1 "$SAMPLE" >"$TMP/cost"
walk=$(sed 's/.* walk_refs=\([0-9]*\) .*/\1/' "$TMP/cost")
cycles=$(sed 's/.* cycles=\([0-9]*\).*/\1/' "$TMP/cost")
if [ "$walk" = "$cycles" ]; then ok "--cost overrides: with only walk_ref=1 cycles equal walk references"; else
        not_ok "--cost overrides" "walk_refs=$walk cycles=$cycles"; fi
expect_status "--cost with an unknown key exits 64" 64 "$S" --cost nope=1
expect_grep "--cost names the unknown key" "$TMP/err" "unknown cost key 'nope'"
expect_status "--cost with a bad value exits 64" 64 "$S" --cost exit=lots

printf 'PT_WRITE 0x1000->0x5000\nR 0x1000\nTLB_FLUSH\nR 0x1000\n' >"$TMP/walk.trace"
"$S" --mode ept --pwc off --levels 5 --ept-levels 5 "$TMP/walk.trace" >"$TMP/35"
expect_grep "5+5 levels: a cold 2D walk makes 35 references" "$TMP/35" 'ACCESS 0x1000 R .*tlb=miss refs=35$'
"$S" --mode ept --pwc on "$TMP/walk.trace" >"$TMP/pwc"
last=$(grep 'ACCESS' "$TMP/pwc" | tail -1 | sed 's/.*refs=//')
if [ "$last" -lt 24 ]; then ok "--pwc on shrinks the 24-reference walk (to $last)"; else
        not_ok "--pwc on shrinks the 24-reference walk" "refs=$last"; fi
