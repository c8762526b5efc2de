#!/bin/sh
# End-to-end tests of real and generated workloads: `shadow-sim gen` piped
# into the simulator under every scheme, its usage errors, --series CSV,
# and the recorded Valgrind lackey trace (demand-paging counts checked
# against an independent count, speed on millions of lines).
. "$(dirname "$0")/lib.sh"
TRACES="$TESTS_DIR/../traces"
MODES="native shadow-eager shadow shadow-oos ept"

# stat_of NAME FILE : the value of NAME= on the [STATS] line in FILE.
stat_of() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p"; }

# Every scenario, at its default sizes, replays in every scheme with the
# guest page faults its footer announces.
for sc in forkwait tlb-stress mmap-churn context-switch boot migration; do
        "$SHADOW_SIM" gen "$sc" >"$TMP/$sc.trace" 2>"$TMP/err"
        if [ $? -ne 0 ]; then
                not_ok "gen $sc" "$(cat "$TMP/err")"
                continue
        fi
        want=$(sed -n 's/^# guest page faults: \([0-9]*\).*/\1/p' "$TMP/$sc.trace")
        bad=""
        for m in $MODES; do
                if [ "$m" = shadow ]; then
                        "$SHADOW_SIM" gen "$sc" | "$SHADOW_SIM" --quiet --mode "$m" - >"$TMP/out" 2>&1
                else
                        "$SHADOW_SIM" --quiet --mode "$m" "$TMP/$sc.trace" >"$TMP/out" 2>&1
                fi || bad="$bad $m:exit=$?"
                got=$(stat_of guest_pf "$TMP/out")
                [ "$got" = "$want" ] || bad="$bad $m:guest_pf=$got"
                [ "$(stat_of stale_tlb "$TMP/out")" = 0 ] || bad="$bad $m:stale"
        done
        if [ -z "$bad" ] && [ -n "$want" ]; then ok "gen $sc | shadow-sim - in every mode"; else
                not_ok "gen $sc | shadow-sim - in every mode" "want guest_pf=$want:$bad"
        fi
done

# The shootdown scenario replays on as many vCPUs as it names, in every
# scheme, with the guest page faults of its footer and no stale entry used:
# every change it makes is shot down.
for n in 1 3; do
        "$SHADOW_SIM" gen shootdown --vcpus $n --iterations 30 >"$TMP/sd.trace"
        want=$(sed -n 's/^# guest page faults: \([0-9]*\).*/\1/p' "$TMP/sd.trace")
        bad=""
        for m in $MODES agile; do
                "$SHADOW_SIM" --quiet --vcpus $n --mode "$m" "$TMP/sd.trace" >"$TMP/out" 2>&1 ||
                        bad="$bad $m:exit=$?"
                [ "$(stat_of guest_pf "$TMP/out")" = "$want" ] || bad="$bad $m:guest_pf"
                [ "$(stat_of stale_tlb "$TMP/out")" = 0 ] || bad="$bad $m:stale"
        done
        if [ -z "$bad" ] && [ -n "$want" ]; then ok "gen shootdown --vcpus $n in every mode"; else
                not_ok "gen shootdown --vcpus $n in every mode" "want guest_pf=$want:$bad"
        fi
done
expect_status "gen shootdown: replayed on too few vCPUs" 65 "$SHADOW_SIM" --quiet --vcpus 2 "$TRACES/shootdown.txt"
expect_grep "gen shootdown: the missing vCPU is named" "$TMP/err" "expected a vCPU number below 2 \\(--vcpus\\), found '2'"

# The comparison reads a generated trace from a pipe.
"$SHADOW_SIM" gen forkwait | "$SHADOW_SIM" --compare - >"$TMP/cmp" 2>"$TMP/err"
expect_grep "gen forkwait | shadow-sim --compare -" "$TMP/cmp" '^overhead_vs_native +0\.0%'
result=$(awk '$1 == "exits" { print ($3 > 20 * ($6 + 1) && $4 > 20 * ($6 + 1)) ? "ok" : $0 }' "$TMP/cmp")
if [ "$result" = ok ]; then ok "forkwait: shadow paging exits 20 times more than EPT"; else
        not_ok "forkwait: shadow paging exits 20 times more than EPT" "$result"
fi

# Same seed, same bytes; another seed, another trace.
"$SHADOW_SIM" gen forkwait --seed 5 --iterations 20 >"$TMP/a"
"$SHADOW_SIM" gen forkwait --iterations=20 --seed=5 >"$TMP/b"
"$SHADOW_SIM" gen forkwait --seed 6 --iterations 20 >"$TMP/c"
if cmp -s "$TMP/a" "$TMP/b"; then ok "gen: same seed, same bytes"; else
        not_ok "gen: same seed, same bytes" "$(cmp "$TMP/a" "$TMP/b")"
fi
if cmp -s "$TMP/a" "$TMP/c"; then not_ok "gen: another seed, another trace"; else
        ok "gen: another seed, another trace"
fi
expect_grep "gen: the header reproduces the trace" "$TMP/a" \
        '^# shadow-sim gen forkwait --seed 5 --iterations 20 --pages 32 --child-writes 4$'
sh -c "\"$SHADOW_SIM\" $(head -1 "$TMP/a" | sed 's/^# shadow-sim //')" >"$TMP/d"
if cmp -s "$TMP/a" "$TMP/d"; then ok "gen: running the header again gives the same bytes"; else
        not_ok "gen: running the header again gives the same bytes"
fi

# The samples in traces/ are what their first line makes, byte for byte.
for sc in forkwait tlb-stress mmap-churn context-switch boot migration shootdown; do
        sh -c "\"$SHADOW_SIM\" $(head -1 "$TRACES/$sc.txt" | sed 's/^# shadow-sim //')" >"$TMP/sample"
        if cmp -s "$TRACES/$sc.txt" "$TMP/sample"; then ok "traces/$sc.txt is what its header makes"; else
                not_ok "traces/$sc.txt is what its header makes" "$(cmp "$TRACES/$sc.txt" "$TMP/sample")"
        fi
done

# Usage errors exit 64 with a message; --help lists every scenario.
expect_status "gen: no scenario" 64 "$SHADOW_SIM" gen
expect_grep "gen: no scenario says what is expected" "$TMP/err" "expected a scenario"
expect_status "gen: unknown scenario" 64 "$SHADOW_SIM" gen forkbomb
expect_grep "gen: unknown scenario is named" "$TMP/err" "unknown scenario 'forkbomb'"
expect_status "gen: option of another scenario" 64 "$SHADOW_SIM" gen boot --iterations 3
expect_grep "gen: lists the scenario's options" "$TMP/err" "boot has no option --iterations; it takes --mem --vmalloc-pages"
expect_status "gen: value out of range" 64 "$SHADOW_SIM" gen forkwait --iterations 0
expect_grep "gen: the range is stated" "$TMP/err" "--iterations expects 1..100000, not '0'"
expect_status "gen: bad seed" 64 "$SHADOW_SIM" gen forkwait --seed x
expect_status "gen: missing value" 64 "$SHADOW_SIM" gen forkwait --pages
expect_status "gen: two scenarios" 64 "$SHADOW_SIM" gen forkwait boot
expect_status "gen --help" 0 "$SHADOW_SIM" gen --help
for sc in forkwait tlb-stress mmap-churn context-switch boot migration; do
        expect_grep "gen --help lists $sc" "$TMP/out" "^  $sc\$"
done
expect_status "--help" 0 "$SHADOW_SIM" --help
expect_grep "--help points to gen" "$TMP/out" 'shadow-sim gen SCENARIO'
expect_grep "--help lists --series" "$TMP/out" '--series N'
expect_status "gen: write error exits 74" 74 sh -c "\"$SHADOW_SIM\" gen mmap-churn >/dev/full"

# --series: a CSV header with one column per counter, rows every N events,
# counters that never go down, the last row equal to the [STATS] line.
"$SHADOW_SIM" gen mmap-churn --iterations 20 >"$TMP/mc.trace"
"$SHADOW_SIM" --series 100 --mode shadow "$TMP/mc.trace" >"$TMP/series.csv" 2>"$TMP/err"
"$SHADOW_SIM" --quiet --mode shadow "$TMP/mc.trace" >"$TMP/stats"
result=$(awk -F, -v stats="$(cat "$TMP/stats")" '
        NR == 1 { cols = NF; for (i = 1; i <= NF; i++) name[i] = $i
                  if ($1 != "scheme" || $5 != "exits") { print "bad header"; exit } next }
        NF != cols { print "row " NR " has " NF " columns, not " cols; exit }
        $1 != "shadow" { print "row " NR " scheme " $1; exit }
        NR == 2 { for (i = 2; i <= NF; i++) if ($i != 0) { print "first row not zero"; exit } }
        NR > 2 { for (i = 5; i <= NF; i++) if ($i + 0 < prev[i] + 0) { print name[i] " went down at row " NR; exit }
                 if ($2 % 100 != 0) last_odd++ }
        { for (i = 1; i <= NF; i++) prev[i] = $i; rows++ }
        END { if (last_odd > 1) { print "rows off the 100-event grid"; exit }
              n = split(stats, kv, /[ =]/)
              for (i = 2; i < n; i += 2) for (j = 5; j <= cols; j++)
                      if (name[j] == kv[i] && prev[j] != kv[i + 1]) { print name[j] " " prev[j] " != " kv[i + 1]; exit }
              print "ok " rows }' "$TMP/series.csv")
case $result in
ok*) ok "--series: CSV every 100 events, ends at the [STATS] values (${result#ok } rows)" ;;
*) not_ok "--series: CSV every 100 events, ends at the [STATS] values" "$result" "$(head -3 "$TMP/series.csv")" ;;
esac
expect_no_grep "--series: no log lines" "$TMP/series.csv" '^\[(TRACE|STATS)'
"$SHADOW_SIM" --series 100 --compare "$TMP/mc.trace" >"$TMP/all.csv"
blocks=$(awk -F, 'NR > 1 && $1 != last { printf "%s ", $1; last = $1 }' "$TMP/all.csv")
if [ "$blocks" = "native shadow-eager shadow shadow-oos ept agile " ] && [ "$(grep -c '^scheme,' "$TMP/all.csv")" = 1 ]; then
        ok "--series --compare: one header, one block per scheme"
else
        not_ok "--series --compare: one header, one block per scheme" "blocks: $blocks"
fi
grep '^shadow,' "$TMP/all.csv" >"$TMP/block"
grep '^shadow,' "$TMP/series.csv" >"$TMP/alone"
if cmp -s "$TMP/block" "$TMP/alone"; then ok "--series --compare: the shadow block equals --mode shadow"; else
        not_ok "--series --compare: the shadow block equals --mode shadow"
fi
expect_status "--series 0 is refused" 64 "$SHADOW_SIM" --series 0

# The recorded lackey trace: guest #PFs equal the distinct pages touched,
# counted here with awk (an access over a page boundary touches two), in
# every scheme.
pages=$(zcat "$TRACES/sortmem.lackey.gz" | awk '
        function hex(s,   i, n) { n = 0; s = tolower(s)
                for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                return n }
        /^(==|--|\*\*)[0-9]+/ { next }
        NF == 2 { split($2, a, ","); x = hex(a[1])
                  pg[sprintf("%.0f", int(x / 4096))] = 1
                  pg[sprintf("%.0f", int((x + a[2] - 1) / 4096))] = 1 }
        END { for (p in pg) n++; print n }')
bad=""
for m in $MODES; do
        zcat "$TRACES/sortmem.lackey.gz" | "$SHADOW_SIM" --quiet --mode "$m" - >"$TMP/out" 2>&1 ||
                bad="$bad $m:exit=$?"
        got=$(stat_of guest_pf "$TMP/out")
        [ "$got" = "$pages" ] || bad="$bad $m:guest_pf=$got"
done
if [ -z "$bad" ] && [ "$pages" -gt 10 ]; then ok "lackey: guest #PFs = $pages distinct pages in every mode"; else
        not_ok "lackey: guest #PFs = distinct pages in every mode" "awk counts $pages:$bad"
fi
zcat "$TRACES/sortmem.lackey.gz" | "$SHADOW_SIM" --quiet --format lackey --mode ept - >"$TMP/out"
expect_grep "lackey: --format lackey reads it" "$TMP/out" "guest_pf=$pages "

# Millions of lines in --quiet mode at full speed: the trace four times
# over (pages already mapped fault no more).
lines=$(($(zcat "$TRACES/sortmem.lackey.gz" | wc -l) * 4))
for i in 1 2 3 4; do zcat "$TRACES/sortmem.lackey.gz"; done >"$TMP/big.lackey"
t0=$(date +%s%N)
"$SHADOW_SIM" --quiet --mode shadow "$TMP/big.lackey" >"$TMP/out" 2>&1
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
expect_grep "lackey: $lines lines, faults only the first time" "$TMP/out" "guest_pf=$pages "
case "$SHADOW_SIM" in
*build-san*) ok "lackey: $lines lines in ${ms} ms (sanitizer build: not timed)" ;;
*)
        # At least a million lines a second (it does several times that).
        if [ "$ms" -lt $((lines / 1000)) ]; then ok "lackey: $lines lines in ${ms} ms"; else
                not_ok "lackey: $lines lines in ${ms} ms, slower than a million lines a second"
        fi
        ;;
esac

# A malformed lackey line: file:line:col, exit 65, the lines before it
# replayed and no statistics.
printf '==1== banner\nI  0401000,4\n L 1fff000618;8\n' >"$TMP/bad.lackey"
expect_status "lackey: malformed line exits 65" 65 "$SHADOW_SIM" "$TMP/bad.lackey"
expect_grep "lackey: error names file:line:col" "$TMP/err" \
        "bad.lackey:3:14: error: expected ',' and an access size, found ';8'"
expect_grep "lackey: the lines before the error ran" "$TMP/out" '^\[TRACE\] ACCESS 0x401000 X '
expect_no_grep "lackey: no stats after an error" "$TMP/out" 'STATS'
