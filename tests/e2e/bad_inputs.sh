#!/bin/sh
# The bad-input corpus: every malformed or hostile input in tests/bad/ (and
# a few made here: a megabyte line, a directory, a FIFO, an unreadable
# file, bad options) must give its exact message and exit status, without
# a crash, a hang or partial output.
#
# For a malformed trace (exit 65) it also checks that standard output holds
# exactly what the lines before the bad one print, nothing of the bad line
# or after it and no [STATS] line, and that --keep-going reports the same
# error, goes on to the end and prints the [STATS] line last.
#
# $SHADOW_SIM_WRAP, when set, is a command the binary runs under (the
# valgrind pass, tests/e2e/valgrind.sh); $BAD_LIMIT is the time limit of
# one run in seconds; $BAD_QUICK, when set, skips the second and third runs
# of the partial-output and --keep-going checks and the usage errors (which
# end before any input is read); $BAD_ONLY, when set, is a list of the case
# names to run (the others are skipped).
. "$(dirname "$0")/lib.sh"

BAD="$TESTS_DIR/bad"
LIMIT=${BAD_LIMIT:-20}
WRAP=${SHADOW_SIM_WRAP:-}

# Every verdict is counted: the suite ends by saying how many cases it ran.
CASES=0
ok() {
        CASES=$((CASES + 1))
        echo "ok - $1"
}
not_ok() {
        CASES=$((CASES + 1))
        echo "not ok - $1"
        shift
        for line in "$@"; do echo "#   $line"; done
}
# report_cases : the closing line, "# N bad-input cases (M files in tests/bad)".
report_cases() {
        set -- "$BAD"/*
        echo "# $CASES bad-input cases ($# files in tests/bad)"
}

# run ARGS... : runs the binary on ARGS from tests/bad, under the time
# limit, standard input empty; output in $TMP/out and $TMP/err, exit
# status in $got.
run() {
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" "$@") </dev/null >"$TMP/out" \
                2>"$TMP/err"
        got=$?
}

# verdict NAME STATUS MESSAGE : judges the last run; returns 0 when it
# passed. A status of 124 (timeout) or above 125 (a signal) is a hang or a
# crash whatever was expected.
# selected NAME : the case is to run (see $BAD_ONLY).
selected() {
        [ -z "${BAD_ONLY:-}" ] && return 0
        case " $BAD_ONLY " in *" $1 "*) return 0 ;; esac
        return 1
}

# (Shell built-ins where they do: the script runs hundreds of cases, twice.)
first_line() {
        line=
        IFS= read -r line <"$1"
        printf '%s' "$line"
}

# last_is_stats FILE : the last line of FILE is the [STATS] line.
last_is_stats() {
        case $(tail -n 1 "$1") in "[STATS] exits="*) return 0 ;; esac
        return 1
}

verdict() {
        name=$1 want=$2 msg=$3
        first=$(first_line "$TMP/err")
        if [ "$got" -eq 124 ] || [ "$got" -gt 125 ]; then
                not_ok "$name" "hang or crash: exit $got" "$(head -n 3 "$TMP/err")"
        elif [ "$got" -ne "$want" ]; then
                not_ok "$name" "exit $got, expected $want" "$(head -n 3 "$TMP/err")"
        elif [ "$first" != "$msg" ]; then
                not_ok "$name" "stderr: $first" "expected: $msg"
        elif [ -s "$TMP/out" ] && [ -n "$(tail -c 1 "$TMP/out")" ]; then
                not_ok "$name" "standard output ends in a partial line"
        else
                return 0
        fi
        return 1
}

# bad_run NAME STATUS MESSAGE ARGS... : a run that must fail before reading
# any trace (usage, unreadable input): exit STATUS, MESSAGE as the first
# line of stderr, nothing on stdout.
bad_run() {
        name=$1 want=$2 msg=$3
        shift 3
        selected "$name" || return 0
        run "$@"
        verdict "$name" "$want" "$msg" || return
        if [ -s "$TMP/out" ]; then
                not_ok "$name" "output on stdout: $(head -c 200 "$TMP/out")"
        else
                ok "$name"
        fi
}

# bad_trace FILE STATUS MESSAGE [OPTIONS...] : runs OPTIONS FILE. With
# status 0 the trace is accepted and must end with the [STATS] line; with 65
# the partial-output and --keep-going checks above apply. MESSAGE is the
# first line of stderr ("" for none); FILE is under tests/bad or absolute.
bad_trace() {
        file=$1 want=$2 msg=$3
        shift 3
        name=$(basename "$file")
        selected "$name" || return 0
        run "$@" "$file"
        verdict "$name" "$want" "$msg" || return
        if [ "$want" -eq 0 ]; then
                if last_is_stats "$TMP/out"; then ok "$name"; else
                        not_ok "$name" "no [STATS] line at the end"
                fi
                return
        fi
        [ "$want" -eq 65 ] && [ -z "${BAD_QUICK:-}" ] || { ok "$name"; return; }
        # What the lines before the bad one print, without their [STATS].
        bad_line=${msg%%: error: *}
        bad_line=${bad_line%:*}
        bad_line=${bad_line##*:}
        case $file in /*) path=$file ;; *) path=$BAD/$file ;; esac
        head -n $((bad_line - 1)) "$path" >"$TMP/prefix"
        cp "$TMP/out" "$TMP/bad.out"
        run "$@" "$TMP/prefix"
        sed '$d' "$TMP/out" >"$TMP/prefix.out"
        if [ -z "$bad_line" ] || ! cmp -s "$TMP/prefix.out" "$TMP/bad.out"; then
                not_ok "$name" "stdout is not exactly the output of lines 1..$((bad_line - 1))" \
                        "$(diff "$TMP/prefix.out" "$TMP/bad.out" | head -n 5)"
                return
        fi
        run --keep-going "$@" "$file"
        if [ "$got" -ne 65 ] || [ "$(first_line "$TMP/err")" != "$msg" ] || ! last_is_stats "$TMP/out"; then
                not_ok "$name" "--keep-going: exit $got, $(head -n 1 "$TMP/err")" \
                        "last line: $(tail -n 1 "$TMP/out" | head -c 100)"
        else
                ok "$name"
        fi
}

KW='a keyword (PT_WRITE, PT_CLEAR, PT_PROTECT, ACCESS, R, W, X, CR3, INVLPG, TLB_FLUSH, DIRTY_LOG, CPU, SHOOTDOWN)'
GVA='a guest virtual address (hex 0x... or decimal)'

# ---- trace format v1 ---------------------------------------------------------

bad_trace truncated-pt-write.txt 65 "truncated-pt-write.txt:3:18: error: expected a guest physical address (hex 0x... or decimal), found end of line"
bad_trace truncated-no-arrow.txt 65 "truncated-no-arrow.txt:1:16: error: expected '->' between the guest virtual and physical address, found end of line"
bad_trace truncated-keyword.txt 65 "truncated-keyword.txt:1:1: error: expected $KW, found 'PT_WRI'"
bad_trace missing-gva.txt 65 "missing-gva.txt:1:7: error: expected $GVA, found end of line"
bad_trace negative-gva.txt 65 "negative-gva.txt:1:8: error: expected $GVA, found '-4096'"
bad_trace negative-asid.txt 65 "negative-asid.txt:1:5: error: expected an address space number (hex 0x... or decimal), found '-1'"
bad_trace huge-decimal.txt 65 "huge-decimal.txt:1:8: error: expected a guest virtual address that fits in 64 bits, found '99999999999999999999999'"
bad_trace overflow-hex.txt 65 "overflow-hex.txt:1:8: error: expected a guest virtual address that fits in 64 bits, found '0x10000000000000000'"
bad_trace overflow-hex-long.txt 65 "overflow-hex-long.txt:1:18: error: expected a guest physical address that fits in 64 bits, found '0xFFFFFFFFFFFFFFFFFFFFFF...'"
# Not decimal numbers, rather than numbers too big.
bad_trace decimal-exponent.txt 65 "decimal-exponent.txt:2:3: error: expected $GVA, found '1e3'"
bad_trace decimal-hex-letters.txt 65 "decimal-hex-letters.txt:1:3: error: expected $GVA, found '12abc'"
bad_trace empty-hex.txt 65 "empty-hex.txt:1:8: error: expected $GVA, found '0x'"
bad_trace asid-too-big.txt 65 "asid-too-big.txt:1:5: error: expected an address space number below 2^32, found '4294967296'"
bad_trace non-canonical.txt 65 "non-canonical.txt:2:8: error: expected a canonical guest virtual address (48 bits with 4-level paging), found '0x800000000000'"
bad_trace non-canonical-top.txt 65 "non-canonical-top.txt:1:8: error: expected a canonical guest virtual address (48 bits with 4-level paging), found '0x8000000000000000'"
bad_trace non-canonical-5level.txt 65 "non-canonical-5level.txt:1:8: error: expected a canonical guest virtual address (57 bits with 5-level paging), found '0x100000000000000'" --levels 5
bad_trace non-canonical-2level.txt 65 "non-canonical-2level.txt:1:10: error: expected a canonical guest virtual address (30 bits with 2-level paging), found '0x40000000'" --levels 2
bad_trace gpa-beyond-memory.txt 65 "gpa-beyond-memory.txt:1:18: error: expected a guest physical address below 0x100000000 (--guest-mem), found '0x100000000'"
bad_trace gpa-beyond-small-memory.txt 65 "gpa-beyond-small-memory.txt:2:18: error: expected a guest physical address below 0x1000000 (--guest-mem), found '0x1000000'" --guest-mem 16M
bad_trace gpa-large-page-past-end.txt 65 "gpa-large-page-past-end.txt:1:20: error: expected a 2M page that ends within guest memory (0x300000, --guest-mem), found '0x200000'" --guest-mem 3M
bad_trace gpa-unaligned.txt 65 "gpa-unaligned.txt:1:18: error: expected a page-aligned guest physical address, found '0x5001'"
bad_trace gpa-unaligned-1g.txt 65 "gpa-unaligned-1g.txt:1:15: error: expected a 1G-aligned guest physical address, found '0x200000'"
bad_trace large-page-too-deep.txt 65 "large-page-too-deep.txt:1:15: error: expected a page size this paging depth supports, found '0x200000'" --levels 2
bad_trace two-page-sizes.txt 65 "two-page-sizes.txt:1:29: error: expected one page size at most, found '1G'"
bad_trace bad-flags.txt 65 "bad-flags.txt:1:25: error: expected flags (letters of rwxu, or 2M/1G), found 'rwz'"
bad_trace protect-no-flags.txt 65 "protect-no-flags.txt:2:18: error: expected flags (letters of rwxu), found end of line"
bad_trace protect-page-size.txt 65 "protect-page-size.txt:1:19: error: expected flags (letters of rwxu), found '2M'"
bad_trace unknown-keyword.txt 65 "unknown-keyword.txt:3:1: error: expected $KW, found 'MAP'"
bad_trace keyword-glued.txt 65 "keyword-glued.txt:1:1: error: expected $KW, found 'PT_WRITE0x1000'"
bad_trace bad-access-kind.txt 65 "bad-access-kind.txt:1:15: error: expected an access kind R, W or X, found 'RW'"
bad_trace extra-argument.txt 65 "extra-argument.txt:1:15: error: expected end of line, found '0x2000'"
bad_trace flush-argument.txt 65 "flush-argument.txt:1:11: error: expected end of line, found 'all'"
bad_trace double-arrow.txt 65 "double-arrow.txt:1:18: error: expected a guest physical address (hex 0x... or decimal), found '->0x5000'"
bad_trace later-line.txt 65 "later-line.txt:5:15: error: expected an access kind R, W or X, found 'Z'"
bad_trace nul-in-line.txt 65 "nul-in-line.txt:2:8: error: expected $GVA, found '0x1000\\x00'"
bad_trace nul-only.bin 65 "nul-only.bin:1:1: error: expected $KW, found '\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00...'"
bad_trace binary-junk.bin 65 "binary-junk.bin:1:1: error: expected $KW, found ')\\xF8\\x85\\x12\\x00J\\xF0\\xBF\\xA3'"
bad_trace utf8-bom.txt 65 "utf8-bom.txt:1:1: error: expected $KW, found '\\xEF\\xBB\\xBFPT_WRITE'"
bad_trace bare-cr.txt 65 "bare-cr.txt:1:24: error: expected flags (letters of rwxu, or 2M/1G), found '\\x0D'"
# A CPU line names a vCPU the machine has (--vcpus).
bad_trace cpu-without-vcpus.txt 65 "cpu-without-vcpus.txt:3:5: error: expected vCPU 0 (the machine has 1 vCPU; --vcpus N for more), found '1'"
bad_trace cpu-beyond-vcpus.txt 65 "cpu-beyond-vcpus.txt:4:5: error: expected a vCPU number below 4 (--vcpus), found '4'" --vcpus 4
bad_trace cpu-no-number.txt 65 "cpu-no-number.txt:1:4: error: expected a vCPU number (hex 0x... or decimal), found end of line" --vcpus 2
bad_trace cpu-negative.txt 65 "cpu-negative.txt:1:5: error: expected a vCPU number (hex 0x... or decimal), found '-1'" --vcpus 2
bad_trace cpu-extra-argument.txt 65 "cpu-extra-argument.txt:1:9: error: expected end of line, found '0'" --vcpus 2
bad_trace shootdown-no-address.txt 65 "shootdown-no-address.txt:1:10: error: expected a guest virtual address or 'all', found end of line" --vcpus 2
bad_trace shootdown-junk.txt 65 "shootdown-junk.txt:2:11: error: expected $GVA, found 'everything'" --vcpus 2
bad_trace shootdown-non-canonical.txt 65 "shootdown-non-canonical.txt:1:11: error: expected a canonical guest virtual address (48 bits with 4-level paging), found '0x800000000000'"
bad_trace shootdown-extra-argument.txt 65 "shootdown-extra-argument.txt:1:15: error: expected end of line, found '0x1000'" --vcpus 2
bad_trace crlf-bad.txt 65 "crlf-bad.txt:2:15: error: expected an access kind R, W or X, found 'Q'"
# The guest's page tables must fit in its memory (256 frames here).
bad_trace tables-fill-tiny-guest.txt 65 "tables-fill-tiny-guest.txt:254:1: error: expected page tables that fit in guest memory (--guest-mem), found no free frame for a new table" --guest-mem 1M
bad_trace spaces-fill-tiny-guest.txt 65 "spaces-fill-tiny-guest.txt:256:1: error: expected page tables that fit in guest memory (--guest-mem), found no free frame for a new table" --guest-mem 1M

# Without --guest-mem, guest memory is all that the nested levels map.
bad_trace ept2-top-of-default-memory.txt 0 "" --ept-levels 2 --mode ept
bad_trace ept2-past-default-memory.txt 65 "ept2-past-default-memory.txt:2:18: error: expected a guest physical address below 0x40000000 (--guest-mem), found '0x40000000'" --ept-levels 2

# Accepted: empty, comments only, CRLF, no newline at the end.
bad_trace empty.txt 0 ""
bad_trace comments-only.txt 0 ""
bad_trace no-final-newline.txt 0 ""
bad_trace crlf.txt 0 ""
if selected crlf-same-as-lf; then
        tr -d '\r' <"$BAD/crlf.txt" >"$TMP/lf.txt"
        run "$BAD/crlf.txt" && cp "$TMP/out" "$TMP/crlf.out" && run "$TMP/lf.txt"
        if cmp -s "$TMP/out" "$TMP/crlf.out"; then ok crlf-same-as-lf; else
                not_ok crlf-same-as-lf "$(diff "$TMP/crlf.out" "$TMP/out" | head -n 5)"
        fi
fi

# ---- Valgrind lackey ---------------------------------------------------------

bad_trace lackey-missing-size.lackey 65 "lackey-missing-size.lackey:3:14: error: expected ',' and an access size, found end of line"
bad_trace lackey-zero-size.lackey 65 "lackey-zero-size.lackey:2:15: error: expected an access size of at least 1 byte, found '0'"
bad_trace lackey-huge-size.lackey 65 "lackey-huge-size.lackey:2:15: error: expected an access size of at most 4096 bytes, found '99999999999999999999...'"
bad_trace lackey-negative-size.lackey 65 "lackey-negative-size.lackey:2:9: error: expected an access size in decimal right after ',', found '-8'"
bad_trace lackey-size-hex.lackey 65 "lackey-size-hex.lackey:2:12: error: expected an access size in decimal, found '0x8'"
bad_trace lackey-size-plus.lackey 65 "lackey-size-plus.lackey:2:12: error: expected an access size in decimal right after ',', found '+8'"
bad_trace lackey-size-blank.lackey 65 "lackey-size-blank.lackey:2:12: error: expected an access size in decimal right after ',', found ' '"
# Indented with tabs, lackey all the same (not read as v1).
bad_trace lackey-tab-indented.lackey 0 "" -q
bad_trace lackey-overflow-address.lackey 65 "lackey-overflow-address.lackey:2:4: error: expected a hex address that fits in 64 bits, found '11ffefffd2800000000'"
bad_trace lackey-no-address.lackey 65 "lackey-no-address.lackey:2:4: error: expected a hex address, found ',8'"
bad_trace lackey-kernel-address.lackey 65 "lackey-kernel-address.lackey:2:4: error: expected a user-space address within the guest's virtual address width, found 'ffffffffff600000'"
bad_trace lackey-crosses-top.lackey 65 "lackey-crosses-top.lackey:2:4: error: expected an access that ends within user space, not past its top, found '7ffffffffffc'"
bad_trace lackey-bad-kind.lackey 65 "lackey-bad-kind.lackey:2:2: error: expected a lackey access kind I, L, S or M, found 'Q'"
bad_trace lackey-junk-after.lackey 65 "lackey-junk-after.lackey:2:11: error: expected end of line, found 'junk'"
# A NUL once passed for an access kind (strchr found the terminator).
bad_trace lackey-nul-kind.lackey 65 "lackey-nul-kind.lackey:2:1: error: expected a lackey access kind I, L, S or M, found '\\x00'"
bad_trace lackey-v1-line.lackey 65 "lackey-v1-line.lackey:2:1: error: expected a lackey access kind I, L, S or M, found 'PT_WRITE'"
# A format forced against the content.
bad_trace later-line.txt 65 "later-line.txt:1:1: error: expected a lackey access kind I, L, S or M, found 'PT_WRITE'" --format lackey
bad_trace lackey-bad-kind.lackey 65 "lackey-bad-kind.lackey:1:1: error: expected $KW, found 'I'" --format v1

# ---- long lines (made here: a megabyte is too big to keep in git) -------------

awk 'BEGIN { printf "ACCESS 0x1000"; for (i = 0; i < 4083; i++) printf " "; print "" }' >"$TMP/line-4096.txt"
awk 'BEGIN { printf "ACCESS 0x1000"; for (i = 0; i < 4084; i++) printf " "; print "" }' >"$TMP/line-4097.txt"
{ echo "PT_WRITE 0x1000->0x5000"; printf '#'; head -c 1048576 /dev/zero | tr '\0' x; echo; echo "ACCESS 0x1000"; } >"$TMP/megabyte-line.txt"
{ printf 'R 0x1000 '; head -c 1048576 /dev/zero | tr '\0' A; } >"$TMP/megabyte-no-newline.txt"
bad_trace "$TMP/line-4096.txt" 0 ""
bad_trace "$TMP/line-4097.txt" 65 "$TMP/line-4097.txt:1:4097: error: expected a line of at most 4096 characters, found a longer one"
bad_trace "$TMP/megabyte-line.txt" 65 "$TMP/megabyte-line.txt:2:4097: error: expected a line of at most 4096 characters, found a longer one"
bad_trace "$TMP/megabyte-no-newline.txt" 65 "$TMP/megabyte-no-newline.txt:1:4097: error: expected a line of at most 4096 characters, found a longer one"

# An endless line stops the run at the limit, without reading the rest
# (--keep-going reads on to its newline, which /dev/zero never has).
LONG="error: expected a line of at most 4096 characters, found a longer one"
bad_run endless-line 65 "/dev/zero:1:4097: $LONG" -q /dev/zero
if selected sparse-50g; then
        if truncate -s 50G "$TMP/sparse-50g.txt" 2>/dev/null; then
                bad_run sparse-50g 65 "$TMP/sparse-50g.txt:1:4097: $LONG" -q "$TMP/sparse-50g.txt"
                rm -f "$TMP/sparse-50g.txt"
        else
                ok "sparse-50g # SKIP no sparse files here"
        fi
fi

# ---- files that cannot be read -------------------------------------------------

mkdir "$TMP/a-directory"
bad_run directory 66 "shadow-sim: $TMP/a-directory: cannot read: Is a directory" "$TMP/a-directory"
bad_run missing-file 66 "shadow-sim: $TMP/missing.txt: cannot read: No such file or directory" "$TMP/missing.txt"
ln -s "$TMP/nowhere" "$TMP/dangling"
bad_run dangling-symlink 66 "shadow-sim: $TMP/dangling: cannot read: No such file or directory" "$TMP/dangling"
bad_run file-as-directory 66 "shadow-sim: $BAD/empty.txt/x: cannot read: Not a directory" "$BAD/empty.txt/x"
# An unreadable file. Root reads it anyway, so as root the run drops the
# capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
cp "$BAD/later-line.txt" "$TMP/unreadable.txt"
chmod 000 "$TMP/unreadable.txt"
if ! selected unreadable; then
        :
elif [ "$(id -u)" -ne 0 ]; then
        bad_run unreadable 66 "shadow-sim: $TMP/unreadable.txt: cannot read: Permission denied" "$TMP/unreadable.txt"
elif command -v setpriv >/dev/null 2>&1; then
        WRAP="setpriv --bounding-set -dac_override,-dac_read_search $WRAP"
        bad_run unreadable 66 "shadow-sim: $TMP/unreadable.txt: cannot read: Permission denied" "$TMP/unreadable.txt"
        WRAP=${SHADOW_SIM_WRAP:-}
else
        ok "unreadable # SKIP running as root without setpriv"
fi
# A read error after a successful open (EIO from the kernel).
bad_run read-error 74 "/proc/self/mem: error: read failed: Input/output error" /proc/self/mem
# Standard output that cannot be written: every output of every face ends
# with the write error, status 74, and nothing else on stderr (no run of a
# sweep starts). PATTERN is a shell pattern: where the failed write came
# before the last flush, the reason is that of the first failure.
# into_full NAME PATTERN ARGS... : runs ARGS with standard output /dev/full.
into_full() {
        name=$1 pattern=$2
        shift 2
        selected "$name" || return 0
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" "$@") </dev/null >/dev/full \
                2>"$TMP/err"
        got=$?
        case $(first_line "$TMP/err") in
        $pattern)
                if [ "$got" -ne 74 ]; then not_ok "$name" "exit $got, expected 74"; else
                        if [ "$(wc -l <"$TMP/err")" -eq 1 ]; then ok "$name"; else
                                not_ok "$name" "more on stderr:" "$(sed -n 2,3p "$TMP/err")"
                        fi
                fi
                ;;
        *) not_ok "$name" "exit $got" "stderr: $(head -n 2 "$TMP/err")" "expected: $pattern" ;;
        esac
}
NOSPACE="shadow-sim: write error: No space left on device"
WRITE_ERROR="shadow-sim: write error: *"
into_full stdout-full "$NOSPACE" --quiet crlf.txt
into_full log-into-full "$NOSPACE" crlf.txt
into_full json-into-full "$NOSPACE" --quiet --stats=json crlf.txt
into_full exits-into-full "$NOSPACE" --quiet --exits crlf.txt
into_full series-into-full "$NOSPACE" --series 1 crlf.txt
into_full compare-into-full "$NOSPACE" --compare crlf.txt
into_full compare-csv-into-full "$NOSPACE" --compare --stats=csv crlf.txt
printf 'step 3\ninfo stats\n' >"$TMP/steps.cmd"
into_full script-into-full "$NOSPACE" --script "$TMP/steps.cmd" crlf.txt
into_full eval-into-full "$NOSPACE" -e 'info stats' crlf.txt
into_full help-into-full "$WRITE_ERROR" --help
into_full version-into-full "$NOSPACE" --version
into_full cost-help-into-full "$NOSPACE" --cost help
into_full gen-help-into-full "shadow-sim gen: write error: No space left on device" gen --help
into_full gen-small-into-full "shadow-sim gen: write error: No space left on device" gen forkwait
into_full completion-into-full "shadow-sim completion: write error: *" completion bash
into_full sweep-into-full "shadow-sim sweep: write error: No space left on device" \
        sweep --mode shadow,ept --tlb-ways 1,2,4 crlf.txt
into_full sweep-list-into-full "shadow-sim sweep: write error: No space left on device" \
        sweep --list --mode shadow,ept crlf.txt
# A disk that fills at the third row stops the sweep: the runs after it
# (of a trace that does not exist) never start, so they never fail. The
# header and three rows take more than the 1.5 KiB that ulimit -f 3 allows,
# two rows less.
if selected sweep-stops-at-write-error; then
        (trap '' XFSZ && ulimit -f 3 && cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" \
                sweep -j 1 --mode shadow,ept,native crlf.txt "$TMP/none.txt") >"$TMP/sweep.csv" 2>"$TMP/err"
        got=$?
        if [ "$got" -eq 74 ] && [ "$(cat "$TMP/err")" = "shadow-sim sweep: write error: File too large" ]; then
                ok sweep-stops-at-write-error
        else
                not_ok sweep-stops-at-write-error "exit $got" "$(head -n 3 "$TMP/err")"
        fi
fi

# ---- compressed traces that cannot be read ------------------------------------------
# Made here with the command-line tools from a good trace. Each must give
# "FILE: error: ..." naming the format and exit 65, with no [STATS] line
# (the trace was cut short), under --keep-going too, and in the debugger.

# bad_data NAME MESSAGE : runs $TMP/NAME in batch, with --keep-going and
# with --script (continue).
bad_data() {
        bd_file=$1 bd_msg=$2
        selected "$bd_file" || return 0
        for how in batch keep-going script; do
                case $how in
                batch) run "$TMP/$bd_file" ;;
                keep-going) run --keep-going "$TMP/$bd_file" ;;
                script) run --script "$TMP/continue.cmd" "$TMP/$bd_file"
                        cp "$TMP/out" "$TMP/err" ;;
                esac
                verdict "$bd_file $how" 65 "$bd_msg" || return
                if grep -q '^\[STATS\]' "$TMP/out"; then
                        not_ok "$bd_file $how" "a [STATS] line for a trace cut short"
                        return
                fi
        done
        ok "$bd_file"
}
printf 'continue\n' >"$TMP/continue.cmd"
TRACE_TXT="$TESTS_DIR/../traces/forkwait.txt"
gzip -9nc "$TRACE_TXT" >"$TMP/good.gz"
xz -c "$TRACE_TXT" >"$TMP/good.xz"
zstd -q -c "$TRACE_TXT" >"$TMP/good.zst"
for z in gz xz zst; do
        head -c 600 "$TMP/good.$z" >"$TMP/truncated.$z"
done
bad_data truncated.gz "$TMP/truncated.gz: error: truncated gzip data: the input ends inside a compressed stream (in the first 600 bytes of the input)"
bad_data truncated.xz "$TMP/truncated.xz: error: truncated xz data: the input ends inside a compressed stream (in the first 600 bytes of the input)"
bad_data truncated.zst "$TMP/truncated.zst: error: truncated zstd data: the input ends inside a compressed stream (in the first 600 bytes of the input)"
# A byte of the header changed: gzip's method, xz's header CRC, zstd's
# reserved bit.
patch_byte() { # FILE OFFSET OCTAL-BYTE OUT
        { head -c "$2" "$1"; printf "\\$3"; tail -c +$(($2 + 2)) "$1"; } >"$4"
}
patch_byte "$TMP/good.gz" 2 011 "$TMP/bad-method.gz"
bad_data bad-method.gz "$TMP/bad-method.gz: error: corrupt gzip data: unknown compression method (in the first $(wc -c <"$TMP/bad-method.gz" | tr -d ' ') bytes of the input)"
patch_byte "$TMP/good.xz" 8 000 "$TMP/bad-header.xz"
bad_data bad-header.xz "$TMP/bad-header.xz: error: corrupt xz data: the compressed data is corrupt (in the first $(wc -c <"$TMP/bad-header.xz" | tr -d ' ') bytes of the input)"
patch_byte "$TMP/good.zst" 4 377 "$TMP/bad-frame.zst"
bad_data bad-frame.zst "$TMP/bad-frame.zst: error: corrupt zstd data: Unsupported frame parameter (in the first $(wc -c <"$TMP/bad-frame.zst" | tr -d ' ') bytes of the input)"
# The whole trace decodes, then the CRC at the end does not match.
size=$(wc -c <"$TMP/good.gz" | tr -d ' ')
patch_byte "$TMP/good.gz" $((size - 8)) 000 "$TMP/bad-crc.gz"
bad_data bad-crc.gz "$TMP/bad-crc.gz: error: corrupt gzip data: incorrect data check (in the first $size bytes of the input)"
{ cat "$TMP/good.gz"; echo junk; } >"$TMP/junk-after.gz"
bad_data junk-after.gz "$TMP/junk-after.gz: error: corrupt gzip data: bytes that are not gzip after the end of a member (in the first $((size + 5)) bytes of the input)"
# Formats recognised and not read: refused before any output.
printf 'BZh91AY&SY\001\002' >"$TMP/trace.bz2"
bad_run bzip2 65 "$TMP/trace.bz2: error: a bzip2-compressed file: traces are read plain or compressed with gzip, xz or zstd (decompress it first)" "$TMP/trace.bz2"
printf '\004\042\115\030\144\100' >"$TMP/trace.lz4"
bad_run lz4 65 "$TMP/trace.lz4: error: a lz4-compressed file: traces are read plain or compressed with gzip, xz or zstd (decompress it first)" "$TMP/trace.lz4"
bad_run bzip2-stepper 65 "$TMP/trace.bz2: error: a bzip2-compressed file: traces are read plain or compressed with gzip, xz or zstd (decompress it first)" --script "$TMP/continue.cmd" "$TMP/trace.bz2"

# ---- resources: address spaces, memory, output -----------------------------------

# bad_limit NAME PATTERN ARGS... : a run stopped by a limit: exit 65, the
# first line of stderr matching the shell PATTERN, no [STATS] line even
# with --keep-going (the counters would describe part of the trace).
bad_limit() {
        name=$1 pattern=$2
        shift 2
        selected "$name" || return 0
        for keep in "" --keep-going; do
                run $keep "$@"
                first=$(first_line "$TMP/err")
                if [ "$got" -ne 65 ]; then
                        not_ok "$name" "exit $got $keep" "$(head -n 3 "$TMP/err")"
                        return
                fi
                case $first in
                $pattern) ;;
                *)
                        not_ok "$name" "stderr $keep: $first" "expected: $pattern"
                        return
                        ;;
                esac
                if grep -q '^\[STATS\]' "$TMP/out"; then
                        not_ok "$name" "a [STATS] line after the limit $keep"
                        return
                fi
        done
        ok "$name"
}

# 200,000 address spaces: each CR3 finds its space in constant time (a
# linear search took half a minute here).
awk 'BEGIN { for (i = 1; i <= 200000; i++) print "CR3 " i }' >"$TMP/many-spaces.txt"
bad_trace "$TMP/many-spaces.txt" 0 "" --mode native -q
# A new space, a mapping and an access, again and again: each table holds
# one entry and takes a few dozen bytes (ptable.h), the machines grow by
# about 1.5 KiB a space under shadow paging; past --max-mem the trace is
# refused at its line.
awk 'BEGIN { for (i = 1; i <= 20000; i++) print "CR3 " i * 4099 "\nPT_WRITE 0x1000->0x5000\nR 0x1000" }' \
        >"$TMP/spaces-past-max-mem.txt"
# The same 200,000 times (10 MB): with tables of 4 KiB each space took 16
# KiB natively and 35 KiB under shadow paging, and a --max-mem of 512 MiB
# refused the trace at line 49,153 of 600,000 even natively; stored by
# their entries its machines take some 75 MB of resident memory natively,
# 255 MB under shadow paging.
awk 'BEGIN { for (i = 1; i <= 200000; i++)
        printf "CR3 %d\nPT_WRITE 0x%x->0x%x\nR 0x%x\n", i * 4099, 4194304 + (i % 64) * 4096,
                20480 + (i % 997) * 4096, 4194304 + (i % 64) * 4096 }' >"$TMP/spaces-200k.txt"
# runs_whole NAME ARGS... : the last run exited 0, said nothing on stderr
# and ended with the [STATS] line of all 200,000 accesses.
runs_whole() {
        name=$1
        case $(tail -n 1 "$TMP/out") in
        "[STATS] "*" accesses=200000 "*)
                if [ "$got" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "$name"; else
                        not_ok "$name" "exit $got" "$(head -n 2 "$TMP/err")"
                fi
                ;;
        *) not_ok "$name" "exit $got, no [STATS] of every access" "$(head -n 2 "$TMP/err")" ;;
        esac
}
if selected spaces-200k-within-max-mem; then
        run -q --mode native --max-mem 128M "$TMP/spaces-200k.txt"
        runs_whole spaces-200k-within-max-mem
fi
bad_limit spaces-200k-past-max-mem \
        "$TMP/spaces-200k.txt:*:1: error: expected a trace whose machines fit in --max-mem (64 MiB), found them at * MiB before this line" \
        -q --max-mem 64M "$TMP/spaces-200k.txt"
# Under the default --max-mem, half of a 1 GiB ulimit: every scheme alone
# runs it whole, all of them at once (--compare) are refused at their
# line. (Not under the sanitizers or valgrind, which need more address
# space than the limit leaves.)
if ! selected spaces-200k-default-max-mem; then
        :
elif [ -n "$WRAP" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
        ok "spaces-200k-default-max-mem # SKIP under a memory checker"
else
        for mode in shadow ept; do
                (ulimit -v 1048576 && cd "$BAD" && exec timeout -k 5 "$LIMIT" "$SHADOW_SIM" -q \
                        --mode $mode "$TMP/spaces-200k.txt") </dev/null >"$TMP/out" 2>"$TMP/err"
                got=$?
                runs_whole "spaces-200k-default-max-mem ($mode)"
        done
        (ulimit -v 1048576 && cd "$BAD" && exec timeout -k 5 "$LIMIT" "$SHADOW_SIM" --compare \
                "$TMP/spaces-200k.txt") </dev/null >"$TMP/out" 2>"$TMP/err"
        got=$?
        case $(first_line "$TMP/err") in
        "$TMP/spaces-200k.txt:"*":1: error: expected a trace whose machines fit in --max-mem (512 MiB), found them at "*" MiB before this line")
                if [ "$got" -eq 65 ]; then ok "spaces-200k-default-max-mem (--compare)"; else
                        not_ok "spaces-200k-default-max-mem (--compare)" "exit $got"
                fi
                ;;
        *) not_ok "spaces-200k-default-max-mem (--compare)" "exit $got" "$(head -n 2 "$TMP/err")" ;;
        esac
fi
bad_limit spaces-past-max-mem \
        "$TMP/spaces-past-max-mem.txt:*:1: error: expected a trace whose machines fit in --max-mem (16 MiB), found them at * MiB before this line" \
        --max-mem 16M "$TMP/spaces-past-max-mem.txt"
bad_limit spaces-past-max-mem-compare \
        "$TMP/spaces-past-max-mem.txt:*:1: error: expected a trace whose machines fit in --max-mem (16 MiB), found them at * MiB before this line" \
        --compare --max-mem 16M "$TMP/spaces-past-max-mem.txt"
# The debugger stops there too (its snapshots count); it can go back, and
# going on stops again (where depends on the snapshots kept).
if selected stepper-past-max-mem; then
        printf 'continue\nback 1\nstep\ncontinue\n' |
                timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl --max-mem 16M \
                        "$TMP/spaces-past-max-mem.txt" >"$TMP/out" 2>"$TMP/err"
        got=$?
        pattern="$TMP/spaces-past-max-mem.txt:*:1: error: expected a trace whose machines fit in --max-mem (16 MiB), found them and their snapshots at * MiB before this line"
        found=
        while IFS= read -r line; do
                case $line in $pattern) found="$found ${line%%:1: error:*}" ;; esac
        done <"$TMP/out"
        set -- $found
        if [ "$got" -eq 65 ] && [ $# -eq 2 ]; then ok stepper-past-max-mem; else
                not_ok stepper-past-max-mem "exit $got, stops at:$found" "$(tail -n 2 "$TMP/out")"
        fi
fi
# The debugger reports guest memory full of tables where the batch run
# does (it went on silently to the end).
if selected stepper-tables-fill-guest; then
        printf 'continue\n' >"$TMP/continue.cmd"
        run --script "$TMP/continue.cmd" --guest-mem 1M tables-fill-tiny-guest.txt
        if [ "$got" -eq 65 ] && grep -qx "tables-fill-tiny-guest.txt:254:1: error: expected page tables that fit in guest memory (--guest-mem), found no free frame for a new table" "$TMP/out"; then
                ok stepper-tables-fill-guest
        else
                not_ok stepper-tables-fill-guest "exit $got" "$(tail -n 1 "$TMP/out")"
        fi
fi
# Where malloc itself fails first (a ulimit below --max-mem): a message and
# exit status 71, no abort and no core dump. (Not under the sanitizers or
# valgrind, which need more address space than any such limit leaves.)
if ! selected out-of-memory; then
        :
elif [ -n "$WRAP" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
        ok "out-of-memory # SKIP under a memory checker"
else
        (ulimit -v 150000 && cd "$BAD" && exec timeout -k 5 "$LIMIT" "$SHADOW_SIM" -q --max-mem 8G \
                "$TMP/spaces-200k.txt") </dev/null >"$TMP/out" 2>"$TMP/err"
        got=$?
        case $(first_line "$TMP/err") in
        "shadow-sim: out of memory (allocating "*" bytes); --max-mem sets the limit that refuses a trace at its line")
                if [ "$got" -eq 71 ]; then ok out-of-memory; else not_ok out-of-memory "exit $got"; fi
                ;;
        *) not_ok out-of-memory "exit $got" "$(head -n 2 "$TMP/err")" ;;
        esac
fi
# Output that cannot be written stops the run as it goes: an endless
# trace into a full disk ends with the write error, not never.
if selected endless-into-full; then
        yes 'R 0x1000' | (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" -) \
                >/dev/full 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict endless-into-full 74 "shadow-sim: write error: No space left on device" &&
                ok endless-into-full
fi
if selected repl-into-full; then
        yes step | (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl later-line.txt) \
                >/dev/full 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict repl-into-full 74 "shadow-sim: write error: No space left on device" &&
                ok repl-into-full
fi
# Commands that end: the write error is still said, when the input ends.
if selected repl-commands-into-full; then
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl crlf.txt) \
                <"$TMP/steps.cmd" >/dev/full 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict repl-commands-into-full 74 "$NOSPACE" && ok repl-commands-into-full
fi
if selected gen-into-full; then
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" gen tlb-stress \
                --accesses 100000000) >/dev/full 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict gen-into-full 74 "shadow-sim gen: write error: No space left on device" &&
                ok gen-into-full
fi
# --compare --series writes each scheme's rows as they come: no temporary
# file (under a file size limit of 50 KB, which the rows of a scheme
# exceed); from a pipe, the same rows, interleaved.
if selected compare-series-no-temporary-file; then
        fw=$TESTS_DIR/../traces/forkwait.txt
        "$SHADOW_SIM" --compare --series 1 "$fw" >"$TMP/series.all" 2>&1
        (ulimit -f 100 && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --compare --series 1 "$fw") \
                2>"$TMP/err" | cksum >"$TMP/limited.sum"
        cksum <"$TMP/series.all" >"$TMP/all.sum"
        if [ -s "$TMP/err" ] || ! cmp -s "$TMP/limited.sum" "$TMP/all.sum"; then
                not_ok compare-series-no-temporary-file "$(head -n 2 "$TMP/err")"
        else
                ok compare-series-no-temporary-file
        fi
        timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --compare --series 1 - <"$fw" 2>"$TMP/err" |
                sort >"$TMP/piped.sorted"
        sort "$TMP/series.all" >"$TMP/all.sorted"
        if [ -s "$TMP/err" ] || ! cmp -s "$TMP/piped.sorted" "$TMP/all.sorted"; then
                not_ok compare-series-from-a-pipe "$(head -n 2 "$TMP/err")"
        else
                ok compare-series-from-a-pipe
        fi
fi
# --compare judges what its machines met, on threads of their own, in
# trace order: bad lines and tables that find no frame, skipped with
# --keep-going over many batches of ops, are reported in the order of a
# single run, and the run stops where a single run stops without it.
if selected compare-reports-in-order; then
        awk 'BEGIN { for (i = 1; i <= 10000; i++) { print "CR3 " i; print "PT_WRITE 0x1000->0x5000";
                if (i % 7 == 0) print "BAD " i } }' >"$TMP/spaces-and-bad.txt"
        for keep in --keep-going ""; do
                run --quiet --mode native --guest-mem 2M $keep "$TMP/spaces-and-bad.txt"
                cp "$TMP/err" "$TMP/single.err"
                single=$got
                run --compare --guest-mem 2M $keep "$TMP/spaces-and-bad.txt"
                if [ "$got" -eq 65 ] && [ "$single" -eq 65 ] && [ "$(wc -l <"$TMP/err")" -gt 1 -o -z "$keep" ] &&
                        cmp -s "$TMP/err" "$TMP/single.err"; then
                        ok "compare-reports-in-order ${keep:-stopping}"
                else
                        not_ok "compare-reports-in-order ${keep:-stopping}" "exit $got" \
                                "$(diff "$TMP/single.err" "$TMP/err" | head -n 4)"
                fi
        done
fi
# A lackey trace that outgrows guest memory is refused at the access whose
# page finds no frame (1M holds no data frame at all), never read as fewer
# accesses. (Quiet: the log has the access's page fault, which happened.)
bad_trace lackey-outgrows-memory.lackey 65 "lackey-outgrows-memory.lackey:2:1: error: expected pages that fit in guest memory (--guest-mem), found no free frame to page in 0x4014F0" --guest-mem 1M -q

# ---- a FIFO: read as a stream, never a hang --------------------------------------

# feed TEXT-FILE : writes it into the FIFO in the background; the open is
# inside the time limit too, so a reader that never comes cannot hang us.
feed() {
        timeout -k 5 "$LIMIT" sh -c 'cat "$1" >"$2"' feed "$1" "$TMP/fifo" &
}
if selected fifo; then
        mkfifo "$TMP/fifo"
        feed "$BAD/later-line.txt"
        run "$TMP/fifo"
        wait
        verdict fifo-bad-trace 65 "$TMP/fifo:5:15: error: expected an access kind R, W or X, found 'Z'" &&
                ok fifo-bad-trace
        feed "$BAD/crlf.txt"
        run --quiet "$TMP/fifo"
        wait
        verdict fifo-good-trace 0 "" && ok fifo-good-trace
        # A writer that stops in the middle of a line and goes away.
        printf 'PT_WRITE 0x1000->0x5000\nACCESS 0x10' >"$TMP/partial.txt"
        feed "$TMP/partial.txt"
        run --quiet "$TMP/fifo"
        wait
        verdict fifo-writer-gone 0 "" && ok fifo-writer-gone
        # Standard input is the same stream.
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" -) <"$BAD/later-line.txt" >"$TMP/out" 2>"$TMP/err"
        got=$?
        verdict stdin-bad-trace 65 "<stdin>:5:15: error: expected an access kind R, W or X, found 'Z'" && ok stdin-bad-trace
fi

# ---- debugger commands (a --script file, as the REPL and the TUI run them) ---------
# The first bad command stops the script: file:line: error: ..., exit 65.

bad_cmd() {
        file=$1 want=$2 msg=$3
        selected "$(basename "$file")" || return 0
        run --script "$file"
        verdict "$file" "$want" "$msg" && ok "$file"
}
bad_cmd cmd-extra-argument.cmd 65 "cmd-extra-argument.cmd:1: error: usage: step [N]"
bad_cmd cmd-missing-argument.cmd 65 "cmd-missing-argument.cmd:2: error: usage: translate GVA"
bad_cmd cmd-unknown.cmd 65 "cmd-unknown.cmd:2: error: unknown command 'frobnicate' (help lists them)"
bad_cmd cmd-ambiguous.cmd 65 "cmd-ambiguous.cmd:1: error: ambiguous command 're': reverse-next, reverse-continue, restart"
bad_cmd cmd-count-zero.cmd 65 "cmd-count-zero.cmd:1: error: expected a count (a positive number), found '0'"
bad_cmd cmd-count-huge.cmd 65 "cmd-count-huge.cmd:1: error: expected a count (a positive number), found '99999999999999999999999'"
bad_cmd cmd-break-nothing.cmd 65 "cmd-break-nothing.cmd:1: error: usage: break ADDR[/SIZE] | gpa ADDR[/SIZE] | exit [REASON] | KIND | event N | line N"
bad_cmd cmd-break-junk-address.cmd 65 "cmd-break-junk-address.cmd:1: error: expected an address (hex 0x... or decimal), found '0xZZZ'"
bad_cmd cmd-break-bad-size.cmd 65 "cmd-break-bad-size.cmd:1: error: expected a size such as 4K or 2M after '/', found '0'"
bad_cmd cmd-break-bad-exit.cmd 65 "cmd-break-bad-exit.cmd:1: error: expected an exit reason (pt_write, page_fault, cr3, invlpg, ept_violation, pml_full, ipi, remote_flush), found 'sideways'"
bad_cmd cmd-break-gpa-nothing.cmd 65 "cmd-break-gpa-nothing.cmd:1: error: expected an address after 'gpa'"
bad_cmd cmd-break-negative-line.cmd 65 "cmd-break-negative-line.cmd:1: error: expected a line number from 1 after 'line', found '-1'"
bad_cmd cmd-break-wraps.cmd 65 "cmd-break-wraps.cmd:1: error: 0xFFFFFFFFFFFFF000/8K runs past the top of the address space (0xFFFFFFFFFFFFFFFF)"
bad_cmd cmd-break-one-byte-short.cmd 65 "cmd-break-one-byte-short.cmd:1: error: expected a size in whole 4K pages, found 0x1FFFFF: the range would end at 0x5FFFFE, 1 byte short of a page's end (0x400000/0x200000 ends at 0x5FFFFF)"
bad_cmd cmd-break-unaligned.cmd 65 "cmd-break-unaligned.cmd:1: error: 0x1234/4K does not start on a 4K page: 0x1000/4K covers the page holding 0x1234"
bad_cmd cmd-break-non-canonical.cmd 65 "cmd-break-non-canonical.cmd:1: error: 0x900000000000 is not a canonical address with 4-level paging (the lower half ends at 0x7FFFFFFFFFFF, the upper starts at 0xFFFF800000000000)"
bad_cmd cmd-break-across-hole.cmd 65 "cmd-break-across-hole.cmd:1: error: 0x7FFFFFFFF000-0x800000000FFF runs into the non-canonical hole with 4-level paging (the lower half ends at 0x7FFFFFFFFFFF, the upper starts at 0xFFFF800000000000)"
bad_cmd cmd-break-gpa-beyond-memory.cmd 65 "cmd-break-gpa-beyond-memory.cmd:1: error: gpa 0x200000000 is beyond guest memory, which ends at gpa 0xFFFFFFFF (--guest-mem)"
bad_cmd cmd-goto-line-zero.cmd 65 "cmd-goto-line-zero.cmd:2: error: lines are numbered from 1: there is no line 0 (goto start goes before the first)"
bad_cmd cmd-run-huge.cmd 65 "cmd-run-huge.cmd:1: error: expected a speed of 1..100000 events a second, found '99999999999'"
bad_cmd cmd-delete-unknown.cmd 65 "cmd-delete-unknown.cmd:2: error: no breakpoint number 99 (info breakpoints lists them)"
bad_cmd cmd-info-nonsense.cmd 65 "cmd-info-nonsense.cmd:1: error: expected breakpoints, tlb, stats, exits, walk, guest, shadow or ept, found 'nothing'"
bad_cmd cmd-mode-nonsense.cmd 65 "cmd-mode-nonsense.cmd:1: error: expected a mode (native, shadow-eager, shadow, shadow-oos, ept, agile), found 'fast'"
bad_cmd cmd-set-nonsense.cmd 65 "cmd-set-nonsense.cmd:1: error: expected 'set speed N' with N events a second, 1..100000"
# What was typed reaches the terminal escaped: no escape sequence, no raw byte.
bad_cmd cmd-control-chars.cmd 65 "cmd-control-chars.cmd:1: error: unknown command 'step\\x01\\x1B[2J' (help lists them)"
bad_cmd cmd-not-utf8.cmd 65 "cmd-not-utf8.cmd:1: error: unknown command '\\xFF\\xFE' (help lists them)"
bad_cmd cmd-binary.cmd 65 "cmd-binary.cmd:1:3: error: expected a command line of text, found a NUL byte"
awk 'BEGIN { for (i = 0; i < 1100; i++) printf "x"; print "" }' >"$TMP/cmd-long-line.cmd"
bad_cmd "$TMP/cmd-long-line.cmd" 65 "$TMP/cmd-long-line.cmd:1: error: expected a command line of at most 1023 characters, found a longer one"
# A NUL byte is no text: "step" before it is not run.
bad_cmd cmd-nul.cmd 65 "cmd-nul.cmd:1:5: error: expected a command line of text, found a NUL byte"
# Endless command input is read no further than the line limit.
bad_run script-dev-zero 65 "/dev/zero:1:1: error: expected a command line of text, found a NUL byte" --script /dev/zero

# run_stdin FILE ARGS... : run with standard input from FILE ("-" closed).
run_stdin() {
        input=$1
        shift
        if [ "$input" = - ]; then
                (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" "$@") <&- >"$TMP/out" 2>"$TMP/err"
        else
                (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" "$@") <"$input" >"$TMP/out" 2>"$TMP/err"
        fi
        got=$?
}
if selected repl-stdin; then
        run_stdin /dev/zero --repl empty.txt
        verdict repl-dev-zero 65 "<stdin>:1:1: error: expected a command line of text, found a NUL byte" &&
                ok repl-dev-zero
        awk 'BEGIN { for (i = 0; i < 5000; i++) printf "x"; print ""; print "step" }' >"$TMP/long.cmds"
        run_stdin "$TMP/long.cmds" --repl later-line.txt
        if verdict repl-long-line 65 "<stdin>:1: error: expected a command line of at most 1023 characters, found a longer one"; then
                # The next line still runs.
                if grep -q '^line 1: ' "$TMP/out"; then ok repl-long-line; else
                        not_ok repl-long-line "the line after the long one did not run" "$(head -n 2 "$TMP/out")"
                fi
        fi
        run_stdin "$TMP" --repl empty.txt
        verdict repl-stdin-directory 74 "<stdin>: error: read failed: Is a directory" && ok repl-stdin-directory
        run_stdin "$TMP" -
        verdict stdin-directory 66 "shadow-sim: <stdin>: cannot read: Is a directory" && ok stdin-directory
        # Closed, standard input is /dev/null: the trace is not read as commands.
        run_stdin - --repl later-line.txt
        verdict repl-stdin-closed 0 "" && ok repl-stdin-closed
        # A directory on standard input, for every batch face.
        run_stdin "$TMP" --compare -
        verdict compare-stdin-directory 66 "shadow-sim: <stdin>: cannot read: Is a directory" &&
                ok compare-stdin-directory
        run_stdin "$TMP" --series 10 -
        verdict series-stdin-directory 66 "shadow-sim: <stdin>: cannot read: Is a directory" &&
                ok series-stdin-directory
        run_stdin "$TMP" --script "$TMP/steps.cmd" -
        verdict stepper-stdin-directory 66 "shadow-sim: <stdin>: cannot read: Is a directory" &&
                ok stepper-stdin-directory
        # A read error on standard input (opened for writing only: EBADF).
        : >"$TMP/write-only"
        for face in "-" "--compare -" "--repl empty.txt"; do
                case_name="stdin-read-error ($face)"
                (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" $face) 0>"$TMP/write-only" \
                        >"$TMP/out" 2>"$TMP/err"
                got=$?
                verdict "$case_name" 74 "<stdin>: error: read failed: Bad file descriptor" &&
                        ok "$case_name"
        done
fi
# Standard output closed: pointed at /dev/null, the log goes nowhere and
# the bad line is still reported with its status (not a write error).
if selected stdout-closed; then
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" later-line.txt) >&- 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict stdout-closed 65 "later-line.txt:5:15: error: expected an access kind R, W or X, found 'Z'" &&
                ok stdout-closed
fi
# A script that opens and then cannot be read: a read error (74), not a
# missing file.
bad_run script-read-error 74 "/proc/self/mem: error: read failed: Input/output error" --script /proc/self/mem
# debugger_stop NAME STATUS MESSAGE ARGS... : a debugger run whose move
# stops where the trace cannot be read on; the stop is said on standard
# output (as every stop of the debugger is), the status is the batch run's.
debugger_stop() {
        name=$1 want=$2 msg=$3
        shift 3
        selected "$name" || return 0
        run "$@"
        if [ "$got" -ne "$want" ]; then
                not_ok "$name" "exit $got, expected $want" "$(head -n 3 "$TMP/err")"
        elif ! grep -qF -- "$msg" "$TMP/out"; then
                not_ok "$name" "stop not said: $(tail -n 2 "$TMP/out")"
        else
                ok "$name"
        fi
}
# A trace that opens and then fails to read: in the debugger too a read
# error (74), as in the batch run, not a bad line (65); a bad line stays 65.
printf 'continue\n' >"$TMP/continue.cmd"
printf 'run 100000\n' >"$TMP/run.cmd"
debugger_stop debugger-trace-read-error 74 "/proc/self/mem: error: read failed: Input/output error" \
        --script "$TMP/continue.cmd" /proc/self/mem
debugger_stop debugger-eval-trace-read-error 74 "/proc/self/mem: error: read failed: Input/output error" \
        -e continue /proc/self/mem
debugger_stop debugger-bad-line 65 "later-line.txt:5:15: error: expected an access kind R, W or X" \
        --script "$TMP/continue.cmd" later-line.txt
# run in a script runs (animated, as at the prompt) and its stop counts.
debugger_stop script-run-bad-line 65 "later-line.txt:5:15: error: expected an access kind R, W or X" \
        --script "$TMP/run.cmd" later-line.txt
if selected repl-trace-read-error; then
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl /proc/self/mem) \
                <"$TMP/continue.cmd" >"$TMP/out" 2>"$TMP/err"
        got=$?
        [ "$got" -eq 74 ] && grep -qF "read failed: Input/output error" "$TMP/out" &&
                ok repl-trace-read-error || not_ok repl-trace-read-error "exit $got, expected 74"
fi
# The stop's own message is lost when standard output is full: the run
# says so (74), not only the trace's status.
if selected script-stop-into-full; then
        (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --script "$TMP/continue.cmd" \
                later-line.txt) >/dev/full 2>"$TMP/err"
        got=$?
        : >"$TMP/out"
        verdict script-stop-into-full 74 "$NOSPACE" && ok script-stop-into-full
fi
# An endless command line without a NUL (text that never ends): reported
# as soon as it passes the limit; a script stops there, the REPL goes on
# at the next line, in bounded memory (ulimit -v 300 MB, which the
# memory checkers cannot run under).
if selected endless-command-line; then
        tr '\0' x </dev/zero | (cd "$BAD" && exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" \
                --script /dev/stdin empty.txt) >"$TMP/out" 2>"$TMP/err"
        got=$?
        verdict script-endless-line 65 \
                "/dev/stdin:1: error: expected a command line of at most 1023 characters, found a longer one" &&
                ok script-endless-line
        vmem=300000
        [ -n "$WRAP" ] || [ -n "${ASAN_OPTIONS:-}" ] && vmem=unlimited
        { head -c 50000000 /dev/zero | tr '\0' x; printf '\nstep\n'; } | (ulimit -v $vmem && cd "$BAD" &&
                exec timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl later-line.txt) >"$TMP/out" 2>"$TMP/err"
        got=$?
        if verdict repl-50mb-line 65 "<stdin>:1: error: expected a command line of at most 1023 characters, found a longer one"; then
                if grep -q '^line 1: ' "$TMP/out"; then ok repl-50mb-line; else
                        not_ok repl-50mb-line "the line after the long one did not run"
                fi
        fi
fi
# A script that cannot be read.
mkdir -p "$TMP/script-dir"
bad_run script-directory 66 "shadow-sim: $TMP/script-dir: cannot read: Is a directory" --script "$TMP/script-dir"
bad_run script-missing 66 "shadow-sim: $TMP/none.cmd: cannot read: No such file or directory" --script "$TMP/none.cmd"

# ---- the generator's usage ---------------------------------------------------------

GEN_TRY="Try 'shadow-sim gen --help' for more information."
bad_run gen-short-option 64 "shadow-sim gen: unknown option '-q'" gen forkwait -q
bad_run gen-child-writes-past-pages 64 "shadow-sim gen: --child-writes 100 is more than --pages 4: the child writes distinct pages of its parent's" gen forkwait --child-writes 100 --pages 4
bad_run gen-past-limit 64 "shadow-sim gen: context-switch with these sizes makes 1000020000114 memory accesses, more than the limit of 100000000; --max-accesses N raises it (0: none)" gen context-switch --slices 10000000 --accesses 100000
bad_run gen-past-own-limit 64 "shadow-sim gen: forkwait with these sizes makes 1142 memory accesses, more than the limit of 1000; --max-accesses N raises it (0: none)" gen forkwait --max-accesses 1000

# ---- names and values that hold escape sequences ----------------------------------
# A file name, an option value or an argument is shown escaped, as trace
# content is: no escape sequence reaches the terminal, no newline fakes a
# line of output. UTF-8 text stays as it is.
esc_name=$(printf 'x\033]0;pwned\007')
nl_name=$(printf 'a\nb.txt')
bad_run escaped-file-name 66 "shadow-sim: x\\x1B]0;pwned\\x07: cannot read: No such file or directory" "$esc_name"
bad_run newline-in-name 66 "shadow-sim: a\\x0Ab.txt: cannot read: No such file or directory" "$nl_name"
bad_run utf8-name-kept 66 "shadow-sim: données.txt: cannot read: No such file or directory" données.txt
bad_run escaped-option-value 64 "shadow-sim: unknown mode '\\x1B[2J' (native, shadow-eager, shadow, shadow-oos, ept, agile)" --mode "$(printf '\033[2J')"
bad_run escaped-gen-argument 64 "shadow-sim gen: unknown scenario '\\x1B[2J' (forkwait, tlb-stress, leaf-churn, mmap-churn, context-switch, boot, migration, shootdown)" gen "$(printf '\033[2J')"
cp "$BAD/later-line.txt" "$TMP/$esc_name"
bad_run escaped-trace-name 65 "$TMP/x\\x1B]0;pwned\\x07:5:15: error: expected an access kind R, W or X, found 'Z'" -q "$TMP/$esc_name"
cp "$BAD/cmd-unknown.cmd" "$TMP/$esc_name.cmd"
bad_run escaped-script-name 65 "$TMP/x\\x1B]0;pwned\\x07.cmd:2: error: unknown command 'frobnicate' (help lists them)" --script "$TMP/$esc_name.cmd"
if selected escaped-search-text; then
        printf 'search %s\n' "$(printf '\033]0;pwned\007')" >"$TMP/search.cmd"
        run --script "$TMP/search.cmd"
        if grep -q "$(printf '\033')" "$TMP/out" "$TMP/err"; then
                not_ok escaped-search-text "an escape character in the output"
        elif grep -q "^'\\\\x1B\]0;pwned\\\\x07' not found after event 0$" "$TMP/out"; then
                ok escaped-search-text
        else
                not_ok escaped-search-text "$(head -n 3 "$TMP/out")"
        fi
fi

# ---- the environment ----------------------------------------------------------------

# changed_under CASE HOW : steps 3 lines of a copy of the sample, changes the
# file (HOW: a shell command on $f), then goes back a line: the debugger
# must say the trace changed (exit 65), not replay another trace.
changed_under() {
        name=$1 how=$2 why=$3
        selected "$name" || return 0
        f=$TMP/$name.txt
        cp "$TESTS_DIR/../traces/sample_trace.txt" "$f"
        rm -f "$TMP/cmds" && mkfifo "$TMP/cmds"
        timeout -k 5 "$LIMIT" $WRAP "$SHADOW_SIM" --repl "$f" <"$TMP/cmds" >"$TMP/out" 2>"$TMP/err" &
        pid=$!
        exec 3>"$TMP/cmds"
        echo "step 3" >&3
        tries=0
        # The change must come after the debugger opened the file: on a
        # loaded machine under the sanitizers its first answer can take long.
        until grep -q '^line [0-9]*: ' "$TMP/out" || [ $tries -ge 900 ]; do
                sleep 0.1
                tries=$((tries + 1))
        done
        sh -c "$how" changed "$f"
        echo "back 1" >&3
        echo "step" >&3
        exec 3>&-
        wait $pid
        got=$?
        msg="$f: the trace changed since it was opened ($why): quit and open it again to step through it"
        if [ "$got" -eq 65 ] && [ "$(grep -c -F -x -- "$msg" "$TMP/out")" -eq 2 ]; then ok "$name"; else
                not_ok "$name" "exit $got" "$(tail -n 2 "$TMP/out")" "expected twice: $msg"
        fi
}
changed_under trace-grows 'echo "R 0x1000" >>"$1"' "its size changed"
changed_under trace-replaced 'cp "$1" "$1.new" && mv "$1.new" "$1"' "another file has its name"
changed_under trace-rewritten 'sed "s/0x1000/0x2000/" "$1" >"$1.new" && cat "$1.new" >"$1"' "it was written"
changed_under trace-touched 'touch -d "2001-01-01" "$1"' "it was written"
# A relative XDG_STATE_HOME is ignored (XDG Base Directory): the history
# goes under $HOME/.local/state, not into the current directory.
if ! selected relative-xdg-state-home; then
        :
elif command -v script >/dev/null 2>&1; then
        mkdir -p "$TMP/cwd" "$TMP/home"
        (cd "$TMP/cwd" && printf 'break 0x1000\nquit\n' |
                XDG_STATE_HOME=relative/state HOME="$TMP/home" \
                        timeout -k 5 "$LIMIT" script -qec "$WRAP $SHADOW_SIM --repl" /dev/null) >/dev/null 2>&1
        if [ -e "$TMP/cwd/relative" ]; then
                not_ok relative-xdg-state-home "history written under the current directory"
        elif grep -q '^break 0x1000$' "$TMP/home/.local/state/shadow-sim/history" 2>/dev/null; then
                ok relative-xdg-state-home
        else
                not_ok relative-xdg-state-home "no history in \$HOME/.local/state/shadow-sim"
        fi
else
        ok "relative-xdg-state-home # SKIP no script(1)"
fi

# ---- bad options and usage ----------------------------------------------------------

if [ -n "${BAD_QUICK:-}" ]; then
        report_cases
        exit 0
fi

TRY="Try 'shadow-sim --help' for more information."
bad_run unknown-option 64 "shadow-sim: unknown option '--bogus'" --bogus
bad_run unknown-short-option 64 "shadow-sim: unknown option '-Z'" -Z
bad_run missing-argument 64 "shadow-sim: option '--mode' needs an argument" --mode
bad_run unknown-mode 64 "shadow-sim: unknown mode 'vmware' (native, shadow-eager, shadow, shadow-oos, ept, agile)" --mode vmware
bad_run two-traces 64 "shadow-sim: expected at most one trace file, found 'b.txt' too" a.txt b.txt
bad_run levels-too-deep 64 "shadow-sim: --levels expects 2..5, not '6'" --levels 6
bad_run levels-not-a-number 64 "shadow-sim: --levels expects 2..5, not 'four'" --levels four
bad_run ept-levels-negative 64 "shadow-sim: --ept-levels expects 2..5, not '-4'" --ept-levels -4
bad_run tlb-sets-not-power 64 "shadow-sim: --tlb-sets must be a power of two from 1 to 65536" --tlb-sets 3
bad_run vcpus-zero 64 "shadow-sim: --vcpus expects 1..64, not '0'" --vcpus 0
bad_run vcpus-too-many 64 "shadow-sim: --vcpus expects 1..64, not '65'" --vcpus 65
bad_run tlb-ways-zero 64 "shadow-sim: --tlb-ways expects 1..64, not '0'" --tlb-ways 0
bad_run guest-mem-tiny 64 "shadow-sim: --guest-mem must be a multiple of 4K and at least 1M" --guest-mem 1K
bad_run guest-mem-overflow 64 "shadow-sim: --guest-mem expects a size such as 512M or 4G, not '99999999999999999999G'" --guest-mem 99999999999999999999G
bad_run guest-mem-past-ept 64 "shadow-sim: --guest-mem is larger than 2-level nested paging maps (30 bits)" --ept-levels 2 --guest-mem 4G
bad_run cost-unknown-key 64 "shadow-sim: unknown cost key 'coffee' (see --cost help)" --cost coffee=1
bad_run cost-empty 64 "shadow-sim: expected key=value in --cost, found an empty item" --cost ''
bad_run cost-trailing-comma 64 "shadow-sim: expected key=value in --cost, found an empty item (a ',' too many)" --cost exit=1,
bad_run cost-leading-comma 64 "shadow-sim: expected key=value in --cost, found an empty item (a ',' too many)" --cost ,exit=1
bad_run cost-negative 64 "shadow-sim: expected a number of cycles for 'exit', found '-1'" --cost exit=-1
bad_run format-unknown 64 "shadow-sim: --format expects auto, v1 or lackey, not 'pcap'" --format pcap
bad_run stats-unknown 64 "shadow-sim: --stats expects text, json or csv, not 'xml'" --stats xml
bad_run ad-emulation-bad 64 "shadow-sim: --ad-emulation expects on or off, not 'maybe'" --ad-emulation maybe
# Options that a face would ignore are refused, naming the first.
DEBUGGER="is for the batch run; the debugger (-i, --repl, --script, -e) does not use it"
bad_run repl-compare 64 "shadow-sim: --compare $DEBUGGER" --repl --compare empty.txt
bad_run repl-series 64 "shadow-sim: --series $DEBUGGER" --repl --series 10 empty.txt
bad_run repl-stats 64 "shadow-sim: --stats $DEBUGGER" --repl --stats json empty.txt
bad_run script-quiet 64 "shadow-sim: --quiet $DEBUGGER" --script cmd-unknown.cmd -q
bad_run stepper-keep-going 64 "shadow-sim: --keep-going $DEBUGGER" -i -k empty.txt
bad_run series-stats 64 "shadow-sim: --stats does not apply to --series, which prints CSV rows instead of the statistics" --series 10 --stats json empty.txt
bad_run repl-threads 64 "shadow-sim: --threads $DEBUGGER" --repl --threads 2 empty.txt
bad_run threads-zero 64 "shadow-sim: --threads expects a number of threads, 1 to 256, not '0'" -q --threads 0
bad_run threads-junk 64 "shadow-sim: --threads expects a number of threads, 1 to 256, not '2x'" -q --threads 2x
bad_run max-mem-tiny 64 "shadow-sim: --max-mem expects a size of at least 16M, such as 512M or 8G, not '1M'" --max-mem 1M
if selected help-guest-mem-default; then
        run --help
        if grep -q 'all that --ept-levels 2 maps: 1G' "$TMP/out"; then ok help-guest-mem-default; else
                not_ok help-guest-mem-default "--help does not say the default follows --ept-levels"
        fi
fi
bad_run stepper-without-terminal 64 "shadow-sim: -i draws on a terminal, and standard output is none (--repl and the batch command write to a pipe or a file)" -i empty.txt
if selected usage-hint; then
        run --bogus
        if [ "$(sed -n 2p "$TMP/err")" = "$TRY" ]; then ok usage-hint; else
                not_ok usage-hint "second line: $(sed -n 2p "$TMP/err")"
        fi
fi

report_cases
