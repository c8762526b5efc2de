#!/bin/sh
# The walk command: the current event's walk drawn as the literature draws
# it (the guest levels down, each one's nested walk across), a reference
# highlighted and described; walk + and W step through it.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
cmds='break 0x1000\nc\nc\nmode ept\nwalk\nwalk 24\nwalk +\nwalk 25\nwalk -\n'
printf "$cmds" | "$SHADOW_SIM" --repl --pwc off "$top/traces/sample_trace.txt" >"$TMP/out" 2>&1
expect_grep "walk counts the cold 2D walk" "$TMP/out" '24 references, 24 read'
expect_grep "a guest level's row: its nested walk, then its entry" "$TMP/out" \
        '^  guest L4 0xFFFFF000 +\[1\] +2 +3 +4 +-> +5$'
expect_grep "the data frame's row comes last" "$TMP/out" '^  data gpa 0x5000 +21 +22 +23 +24$'
expect_grep "walk 24 highlights and describes the last reference" "$TMP/out" \
        '^  \[24\] nested L1  EPT table #[0-9]+\[5\] for gpa 0x5000: -> hpa 0x8A000$'
if [ "$(grep -c '^  \[24\] ' "$TMP/out")" -eq 2 ]; then
        ok "walk + stops at the last reference"
else
        not_ok "walk + stops at the last reference" "$(grep '^  \[' "$TMP/out")"
fi
expect_grep "walk 25 is refused with the range" "$TMP/out" 'expected a reference 1\.\.24, \+ or -'
expect_grep "walk - goes back one" "$TMP/out" '^  \[23\] nested L2'
printf 'break 0x1000\nc\nc\nmode ept\nwalk\n' | "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/pwc" 2>&1
expect_grep "with the caches on, saved references are in parentheses" "$TMP/pwc" \
        '^  guest L3 0xFFFFE000 +\(2\)$'

# The README's grid is real output.
printf 'goto 19\nwalk 12\n' | "$SHADOW_SIM" --repl --mode ept --pwc off "$top/traces/sample_trace.txt" \
        >"$TMP/readme-run" 2>&1
sed -n '/^\$ \.\/shadow-sim --repl --mode ept --pwc off traces\/sample_trace.txt/,/^```$/p' \
        "$top/README.md" | sed '1d;$d' >"$TMP/readme-grid"
missing=$(grep -vxFf "$TMP/readme-run" "$TMP/readme-grid" || true)
if [ -s "$TMP/readme-grid" ] && [ -z "$missing" ]; then
        ok "the README's walk grid is the real output"
else
        not_ok "the README's walk grid is the real output" "${missing:-no grid found}"
fi

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "walkview: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 120 40
start "$SHADOW_SIM" -i --mode ept --pwc off "$top/traces/sample_trace.txt"
check "the stepper opens" wait_for 'Guest PT.*EPT' 15
command 'goto 19'
$TM send-keys -t t W
check "W draws the walk with its first reference highlighted" wait_for 'guest L4 0xFFFFF000 +\[1\]'
$TM send-keys -t t W
check "W again highlights the next one" wait_for 'guest L4 0xFFFFF000 +1 +\[2\]'
check "and describes it" wait_for '\[2\] nested L3'
$TM send-keys -t t Escape q
check "q leaves with status 0" wait_for '^EXIT=0$'
