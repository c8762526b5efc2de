#!/bin/sh
# docs/cost-model.md: every cost key of --cost help is in its table, and the
# calibration example's figures are what the current code prints.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
DOC=$top/docs/cost-model.md
TRACE=$top/traces/sortmem.lackey.gz

"$SHADOW_SIM" --cost help | sed -n 's/^  \([a-z_][a-z0-9_]*\) .*/\1/p' | sort >"$TMP/help.keys"
sed -n 's/^| `\([a-z0-9_]*\)` | [0-9].*/\1/p' "$DOC" | sort >"$TMP/doc.keys"
if [ "$(wc -l <"$TMP/help.keys")" -ge 10 ] && cmp -s "$TMP/help.keys" "$TMP/doc.keys"; then
        ok "docs/cost-model.md lists the $(wc -l <"$TMP/help.keys") keys of --cost help"
else
        not_ok "docs/cost-model.md lists the keys of --cost help" \
                "$(diff "$TMP/help.keys" "$TMP/doc.keys" | grep '^[<>]' | tr '\n' ' ')"
fi

# The example's native run and its two comparisons, as the page shows them.
zcat "$TRACE" | "$SHADOW_SIM" --quiet --stats json --mode native - >"$TMP/native"
accesses=$(sed -n 's/.*"accesses": \([0-9]*\).*/\1/p' "$TMP/native")
cycles=$(sed -n 's/.*"cycles": \([0-9]*\).*/\1/p' "$TMP/native")
expect_grep "the example's native run is current" "$DOC" "\"accesses\": $accesses, \\.\\.\\. \"cycles\": $cycles\$"
for cost in "" "--cost base_access=2"; do
        zcat "$TRACE" | "$SHADOW_SIM" --compare $cost - | grep -E '^(cycles|overhead_vs_native) ' >"$TMP/cmp"
        missing=0
        while IFS= read -r line; do
                grep -qxF -- "$line" "$DOC" || missing=1
        done <"$TMP/cmp"
        if [ "$missing" -eq 0 ]; then ok "the example's --compare ${cost:-uncalibrated} is current"; else
                not_ok "the example's --compare ${cost:-uncalibrated} is current" "$(cat "$TMP/cmp")"
        fi
done
