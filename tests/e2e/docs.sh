#!/bin/sh
# docs/why-ept.md is regenerated from real runs, its claims still hold (the
# script checks them and fails otherwise), and the committed page is the
# one the current code produces; the README's --compare example is real output.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
if SHADOW_SIM=$SHADOW_SIM sh "$top/scripts/why-ept.sh" "$TMP/why-ept.md" >"$TMP/out" 2>"$TMP/err"; then
        ok "why-ept.sh regenerates the page and every claim holds"
else
        not_ok "why-ept.sh regenerates the page and every claim holds" "$(cat "$TMP/err")"
fi
expect_grep "the page reproduces the 24-reference 4+4 walk" "$TMP/why-ept.md" '\*\*24 references for 4\+4 levels\*\*'
expect_grep "the page reproduces the 35-reference 5+5 walk" "$TMP/why-ept.md" '\*\*35 for 5\+5\*\*'
if cmp -s "$TMP/why-ept.md" "$top/docs/why-ept.md"; then ok "docs/why-ept.md is up to date (make docs)"; else
        not_ok "docs/why-ept.md is up to date (make docs)" "$(diff "$top/docs/why-ept.md" "$TMP/why-ept.md" | head -5)"
fi

# The README's "Every scheme side by side" block: each line it shows (not
# the "..." elisions) is a line of the real --compare output.
"$SHADOW_SIM" --compare "$top/traces/sample_trace.txt" >"$TMP/compare" 2>&1
sed -n '/^\$ \.\/shadow-sim --compare traces\/sample_trace.txt$/,/^```$/p' "$top/README.md" |
        sed '1d;$d' | grep -v '^\.\.\.$' >"$TMP/readme-block"
missing=$(grep -vxFf "$TMP/compare" "$TMP/readme-block" || true)
if [ -s "$TMP/readme-block" ] && [ -z "$missing" ]; then
        ok "README's --compare block matches the real output"
else
        not_ok "README's --compare block matches the real output" "${missing:-no block found}"
fi

# The README's "Several vCPUs" block: each line it shows is a line of the
# real log.
"$SHADOW_SIM" --vcpus 3 --mode shadow "$top/tests/golden/vcpus.trace" >"$TMP/vcpus" 2>&1
sed -n '/^\$ \.\/shadow-sim --vcpus 3 --mode shadow tests\/golden\/vcpus.trace$/,/^```$/p' "$top/README.md" |
        sed '1d;$d' | grep -v '^\.\.\.$' >"$TMP/readme-vcpus"
missing=$(grep -vxFf "$TMP/vcpus" "$TMP/readme-vcpus" || true)
if [ -s "$TMP/readme-vcpus" ] && [ -z "$missing" ]; then
        ok "README's several-vCPU block matches the real log"
else
        not_ok "README's several-vCPU block matches the real log" "${missing:-no block found}"
fi
