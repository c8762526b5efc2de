# Helpers for end-to-end test scripts (sourced). Each check prints one
# TAP-style line: "ok - NAME" or "not ok - NAME" with details after "#".
# $SHADOW_SIM is the binary under test.
: "${SHADOW_SIM:=./shadow-sim}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok - $1"; }
not_ok() {
        echo "not ok - $1"
        shift
        for line in "$@"; do echo "#   $line"; done
}

# expect_status NAME STATUS CMD... : the command exits with STATUS.
expect_status() {
        name=$1 want=$2
        shift 2
        "$@" >"$TMP/out" 2>"$TMP/err"
        got=$?
        if [ "$got" -eq "$want" ]; then ok "$name"; else
                not_ok "$name" "exit $got, expected $want" "$(head -3 "$TMP/err")"
        fi
}

# expect_grep NAME FILE PATTERN : FILE has a line matching PATTERN (grep -E).
expect_grep() {
        if grep -Eq -- "$3" "$2"; then ok "$1"; else
                not_ok "$1" "no line matching /$3/ in $(basename "$2"):" "$(head -5 "$2")"
        fi
}

# expect_no_grep NAME FILE PATTERN
expect_no_grep() {
        if grep -Eq -- "$3" "$2"; then not_ok "$1" "unexpected line: $(grep -E -m1 -- "$3" "$2")"; else
                ok "$1"
        fi
}
