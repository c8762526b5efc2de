#!/bin/sh
# The batch tests under valgrind memcheck, with zero errors and zero leaks:
# every golden test and one case of each kind of bad input (a malformed v1
# and lackey line early and late, NUL bytes, binary junk, a megabyte line,
# guest memory full of tables or pages, --max-mem reached, a directory, a
# read error, a FIFO, endless input and output into a full disk, bad
# debugger commands, a name with escapes, a trace that changes), one run
# each. A valgrind run costs most of a second of
# CPU, so the whole corpus (VALGRIND_FULL=1, make test-valgrind) is not part
# of make test.
#
# Valgrind cannot run a binary built with AddressSanitizer, so this runs in
# the normal pass only; the sanitizer pass covers the same ground with
# ASan, UBSan and LeakSanitizer. `make test-fast` (SHADOW_SIM_NO_SAN) and
# SHADOW_SIM_NO_VALGRIND skip it.
. "$(dirname "$0")/lib.sh"

case $SHADOW_SIM in
*/build-san/*)
        exit 0 # the ASan binary: not for valgrind
        ;;
esac
if [ -n "${SHADOW_SIM_NO_SAN:-}${SHADOW_SIM_NO_VALGRIND:-}" ]; then
        exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
        not_ok "valgrind installed" "scripts/deps.sh installs it"
        exit 0
fi

mkdir "$TMP/logs"
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all"
VG="$VG --errors-for-leak-kinds=definite,indirect,possible --log-file=$TMP/logs/vg.%p"

# Golden tests: the same output as without valgrind.
for g in "$TESTS_DIR"/golden/*.cmd; do
        [ -f "$g" ] || continue
        base=${g%.cmd}
        actual=$(cd "$TESTS_DIR/golden" && eval "$VG \"\$SHADOW_SIM\" $(cat "$g")" 2>&1; echo "exit=$?")
        if [ "$actual" = "$(cat "$base.out")" ]; then ok "golden $(basename "$base")"; else
                not_ok "golden $(basename "$base")" "$(printf '%s\n' "$actual" | diff "$base.out" - | head -n 5)"
        fi
done

# The bad-input corpus, each case once: all of it, or one case of a kind.
only="later-line.txt truncated-pt-write.txt nul-in-line.txt binary-junk.bin utf8-bom.txt"
only="$only gpa-beyond-memory.txt tables-fill-tiny-guest.txt crlf.txt no-final-newline.txt"
only="$only lackey-missing-size.lackey lackey-nul-kind.lackey megabyte-line.txt directory"
only="$only read-error fifo cmd-break-junk-address.cmd cmd-control-chars.cmd"
only="$only truncated.gz truncated.xz truncated.zst bad-crc.gz bzip2"
only="$only lackey-outgrows-memory.lackey spaces-past-max-mem stepper-past-max-mem cmd-nul.cmd"
only="$only script-dev-zero endless-line escaped-trace-name trace-grows endless-into-full"
[ -n "${VALGRIND_FULL:-}" ] && only=
SHADOW_SIM_WRAP=$VG BAD_QUICK=1 BAD_LIMIT=120 BAD_ONLY=$only sh "$TESTS_DIR/e2e/bad_inputs.sh" |
        sed 's/^\(not ok\|ok\) - /\1 - bad_inputs /'

# Compressed and piped traces, read once (batch) and gone back in (the
# debugger: the gzip index, the text kept for xz and a pipe).
FW=$TESTS_DIR/../traces/forkwait.txt
printf 'goto line 300\nback 200\ncontinue\nback 5\n' >"$TMP/moves.cmd"
gzip -c "$FW" >"$TMP/fw.gz"
xz -c "$FW" >"$TMP/fw.xz"
failed=
for input in "$TMP/fw.gz" "$TMP/fw.xz"; do
        $VG "$SHADOW_SIM" --quiet "$input" >/dev/null 2>&1 || failed="$failed batch:$input"
        $VG "$SHADOW_SIM" --script "$TMP/moves.cmd" "$input" >/dev/null 2>&1 ||
                failed="$failed debugger:$input"
done
zstd -q -c "$FW" | $VG "$SHADOW_SIM" --script "$TMP/moves.cmd" - >/dev/null 2>&1 ||
        failed="$failed debugger:zstd-pipe"
if [ -z "$failed" ]; then ok "compressed and piped traces under memcheck"; else
        not_ok "compressed and piped traces under memcheck" "failed:$failed"
fi

# Whatever valgrind said, for every run.
errors=$(cat "$TMP"/logs/vg.* 2>/dev/null)
if [ -z "$errors" ]; then ok "no memcheck errors or leaks in $(ls "$TMP/logs" | wc -l) runs"; else
        not_ok "no memcheck errors or leaks" "$(printf '%s\n' "$errors" | head -n 20)"
fi
