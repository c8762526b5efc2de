#!/bin/sh
# The trace's narration: the comment lines right above a line belong to
# it. where prints them, the stepper's log pane shows them above the line
# (the next line's too, before it is reached), and the batch log has them
# with --comments (tests/golden/narration.*).
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
printf 'step 3\nwhere\n' | "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/where" 2>&1
expect_grep "where prints the line's narration first" "$TMP/where" \
        '^# That PT page is now shadowed, so write-protected: this store traps and$'
if grep -n '^# the VMM updates the shadow entry' "$TMP/where" | grep -q '^2:' &&
        grep -n '^line 14: PT_WRITE' "$TMP/where" | grep -q '^3:'; then
        ok "the narration's lines come just before the line they narrate"
else
        not_ok "the narration's lines come just before the line they narrate" "$(head -4 "$TMP/where")"
fi
printf 'step\nwhere\n' | "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/header" 2>&1
if grep -q 'shadow-sim sample trace' "$TMP/header"; then
        not_ok "the file's header (a blank line below it) narrates no line" "$(cat "$TMP/header")"
else
        ok "the file's header (a blank line below it) narrates no line"
fi

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "narration: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 100 30
start "$SHADOW_SIM" -i "$top/traces/sample_trace.txt"
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
check "the log shows the first line's narration before it is reached" \
        wait_for '# Process 0 maps its first page'
$TM send-keys -t t s s
check "the narration stays above its line once passed" wait_for '# .*fills the shadow'
check "and the next line's narration shows before it" wait_for '# That PT page is now shadowed'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
