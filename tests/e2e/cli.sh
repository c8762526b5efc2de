#!/bin/sh
# The batch command's contracts: the sample log, modes, exit statuses,
# error positions, --keep-going, --quiet, --stats=json, determinism.
. "$(dirname "$0")/lib.sh"
S=$SHADOW_SIM
SAMPLE=$TESTS_DIR/../traces/sample_trace.txt

"$S" >"$TMP/builtin" 2>&1
"$S" "$SAMPLE" >"$TMP/file" 2>&1
if cmp -s "$TMP/builtin" "$TMP/file"; then ok "built-in sample equals traces/sample_trace.txt"; else
        not_ok "built-in sample equals traces/sample_trace.txt"; fi
# The seed excerpt: a PT write to a shadowed table, then its shadow update.
grep -A1 -x '\[TRACE\] PT_WRITE 0x1000->0x5000' "$TMP/file" >"$TMP/pair"
expect_grep "PT_WRITE is followed by its SHADOW_UPDATE" "$TMP/pair" '^\[TRACE\] SHADOW_UPDATE 0x1000->0x8A000$'
expect_grep "last line is the stats" "$TMP/file" '^\[STATS\] exits=[0-9]+ tlb_flushes=[0-9]+ '
if tail -1 "$TMP/file" | grep -q '^\[STATS\]'; then ok "stats line comes last"; else not_ok "stats line comes last"; fi
expect_grep "every ACCESS line has gpa, hpa, tlb and refs" "$TMP/file" \
        '^\[TRACE\] ACCESS 0x[0-9A-F]+ [RWX] gpa=0x[0-9A-F]+ hpa=0x[0-9A-F]+ tlb=(hit|miss) refs=[0-9]+$'

for m in native ept shadow shadow-oos shadow-eager; do
        expect_status "--mode $m runs the sample" 0 "$S" --mode "$m" "$SAMPLE"
done
"$S" --mode ept --pwc off "$SAMPLE" >"$TMP/ept"
expect_no_grep "EPT: no PT-write, CR3 or INVLPG exits" "$TMP/ept" 'VM_EXIT (pt_write|cr3|invlpg)'
expect_grep "EPT without page-walk caches: a cold walk makes 24 references" "$TMP/ept" 'ACCESS 0x2000 R .* refs=24$'

"$S" --quiet "$SAMPLE" >"$TMP/quiet"
if [ "$(wc -l <"$TMP/quiet")" -eq 1 ] && grep -q '^\[STATS\]' "$TMP/quiet"; then ok "--quiet prints only the stats"
else not_ok "--quiet prints only the stats" "$(head -2 "$TMP/quiet")"; fi
"$S" --quiet --stats=json "$SAMPLE" >"$TMP/json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["stats"]["exits"] > 0 and "tlb_flushes" in d["stats"]' "$TMP/json" 2>/dev/null
then ok "--stats=json is JSON with the counters"; else not_ok "--stats=json is JSON with the counters" "$(cat "$TMP/json")"; fi

"$S" "$SAMPLE" >"$TMP/run2" 2>&1
if cmp -s "$TMP/file" "$TMP/run2"; then ok "two runs are byte-identical"; else not_ok "two runs are byte-identical"; fi

printf 'R 0x1000\nPT_WRITE 0x1000->0x5000\n' | "$S" --mode native - >"$TMP/stdin" 2>&1
expect_grep "- reads standard input" "$TMP/stdin" '^\[TRACE\] PT_WRITE 0x1000->0x5000$'

# Errors: file:line:col, exit 65, nothing on stdout after the bad line.
printf 'PT_WRITE 0x1000->0x5000\nACCESS 0x1000 Q\nACCESS 0x1000\n' >"$TMP/bad.trace"
expect_status "a malformed line exits 65" 65 "$S" "$TMP/bad.trace"
expect_grep "the error names file:line:col" "$TMP/err" "^$TMP/bad.trace:2:15: error: expected an access kind R, W or X, found 'Q'\$"
expect_no_grep "no stats after an error" "$TMP/out" 'STATS'
expect_no_grep "no events for lines after the error" "$TMP/out" 'ACCESS'
expect_grep "events before the error were printed" "$TMP/out" 'PT_WRITE 0x1000->0x5000'
printf 'BOGUS\nR 0x1000\nR 0x1000 R R\n' >"$TMP/bad2.trace"
expect_status "--keep-going still exits 65" 65 "$S" --keep-going --mode native "$TMP/bad2.trace"
if [ "$(grep -c ': error: ' "$TMP/err")" -eq 2 ]; then ok "--keep-going reports every bad line"; else
        not_ok "--keep-going reports every bad line" "$(cat "$TMP/err")"; fi
expect_grep "--keep-going goes on and prints stats" "$TMP/out" '^\[STATS\] .*guest_pf=1 '
printf 'R 0x1000' >"$TMP/nonl.trace"
expect_status "a file without a final newline is fine" 0 "$S" "$TMP/nonl.trace"
printf 'PT_WRITE 0x1000->0x5000\r\nR 0x1000\r\n' >"$TMP/crlf.trace"
expect_status "CRLF line endings are fine" 0 "$S" "$TMP/crlf.trace"
: >"$TMP/empty.trace"
expect_status "an empty trace runs nothing" 0 "$S" "$TMP/empty.trace"
expect_grep "an empty trace still prints stats" "$TMP/out" '^\[STATS\] exits=0 '
head -c 300 /dev/urandom >"$TMP/junk.trace"
printf '\001\002\003garbage\n' >>"$TMP/junk.trace"
expect_status "binary garbage exits 65" 65 "$S" "$TMP/junk.trace"

expect_status "a missing file exits 66" 66 "$S" "$TMP/no-such-file"
expect_grep "a missing file is named" "$TMP/err" 'no-such-file: cannot read'
expect_status "a directory exits 66" 66 "$S" "$TMP"
expect_status "an unknown option exits 64" 64 "$S" --frobnicate
expect_status "an unknown mode exits 64" 64 "$S" --mode turbo
expect_status "two traces exit 64" 64 "$S" a b
expect_status "--levels 6 exits 64" 64 "$S" --levels 6
expect_status "--tlb-sets 3 exits 64" 64 "$S" --tlb-sets 3
expect_status "--help exits 0" 0 "$S" --help
expect_grep "--help lists --mode" "$TMP/out" '--mode MODE'
expect_status "--version exits 0" 0 "$S" --version
expect_grep "--version prints the version" "$TMP/out" '^shadow-sim [0-9]+\.[0-9]+'
