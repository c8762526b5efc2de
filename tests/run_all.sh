#!/bin/sh
# Runs the whole test suite and ends with "N passed, N failed".
#
# Every test reports TAP-style lines ("ok - name" / "not ok - name"):
# - cmocka unit tests (build/tests/test_*, CMOCKA_MESSAGE_OUTPUT=TAP);
# - golden tests: tests/golden/NAME.cmd holds the arguments (run from
#   tests/golden); stdout, stderr and the exit status must equal NAME.out
#   (scripts/update-golden.sh rewrites the .out files after a reviewed change);
# - end-to-end scripts: tests/e2e/*.sh, run with $SHADOW_SIM set to the
#   binary under test and $SHADOW_SIM_BUILD to its build directory (test
#   programs such as the fuzz corpus replayers live there).
# The suite runs against build/ and, unless SHADOW_SIM_NO_SAN is set,
# again against the ASan + UBSan build in build-san/.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
log=$(mktemp)
trap 'rm -f "$log" "$log.unit"' EXIT

run_suite() {
        tag=$1
        bindir=$2
        binary=$3
        export SHADOW_SIM="$top/$binary"
        export SHADOW_SIM_BUILD="$top/$bindir"
        for t in "$bindir"/tests/test_*; do
                [ -x "$t" ] || continue
                case "$t" in *.d) continue ;; esac
                name=$(basename "$t")
                CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log.unit" 2>&1
                status=$?
                sed -n "s/^\(not ok\|ok\) [0-9]* *-* */\1 - $tag $name: /p" "$log.unit"
                # A binary that crashed or failed after its cases still fails.
                if [ "$status" -ne 0 ]; then
                        echo "not ok - $tag $name: exited with status $status"
                        grep -v '^ok ' "$log.unit" | tail -5 | sed 's/^/#   /'
                fi
        done
        for g in tests/golden/*.cmd; do
                [ -f "$g" ] || continue
                base=${g%.cmd}
                actual=$(cd tests/golden && eval "\"\$SHADOW_SIM\" $(cat "$(basename "$g")")" 2>&1; echo "exit=$?")
                if [ "$actual" = "$(cat "$base.out" 2>/dev/null)" ]; then
                        echo "ok - $tag golden $(basename "$base")"
                else
                        echo "not ok - $tag golden $(basename "$base")"
                        printf '%s\n' "$actual" | diff "$base.out" - 2>&1 | head -20 | sed 's/^/#   /'
                fi
        done
        for s in tests/e2e/*.sh; do
                [ -f "$s" ] || continue
                sh "$s" 2>&1 | sed -n -e "s/^\(not ok\|ok\) - /\1 - $tag $(basename "$s" .sh): /p" -e '/^#/p'
        done
}

run_suite normal build shadow-sim | tee -a "$log"
if [ -z "${SHADOW_SIM_NO_SAN:-}" ]; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
                run_suite asan+ubsan build-san build-san/shadow-sim | tee -a "$log"
fi

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
if [ "$failed" -gt 0 ]; then
        echo
        echo "Failed:"
        grep '^not ok - ' "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
