#!/bin/sh
# Replays the fuzz corpus (tests/fuzz/corpus/NAME/: seeds and every input
# that once crashed or hung) through each harness, built without libFuzzer
# (tests/fuzz/replay.c), so the suite keeps the harnesses compiling and the
# regressions fixed, under ASan + UBSan in the sanitizer pass.
. "$(dirname "$0")/lib.sh"

: "${SHADOW_SIM_BUILD:=$(dirname "$SHADOW_SIM")/build}"
for dir in "$TESTS_DIR"/fuzz/corpus/*/; do
        name=$(basename "$dir")
        replay=$SHADOW_SIM_BUILD/tests/replay_fuzz_$name
        if [ ! -x "$replay" ]; then
                not_ok "corpus $name" "no replayer $replay (make builds it)"
                continue
        fi
        count=$(ls "$dir" | wc -l)
        if timeout 300 "$replay" "$dir" >"$TMP/out" 2>"$TMP/err" &&
                grep -q "^$count inputs replayed, 0 unreadable" "$TMP/out"; then
                ok "corpus $name ($count inputs)"
        else
                not_ok "corpus $name" "$(tail -n 5 "$TMP/err")" "$(cat "$TMP/out")"
        fi
done
