#!/bin/sh
# The trace's narration: the comment lines right above a line belong to
# it. where prints them, the stepper's log pane shows them above the line
# (the next line's too, before it is reached), set narration on starts the
# explanation with them (the stepper's explain rows, where's), and the
# batch log has them with --comments (tests/golden/narration.*).
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

printf 'set narration on\nstep 3\n' | "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/on" 2>&1
if head -3 "$TMP/on" | grep -q '^line 14: PT_WRITE' && ! grep -q '^# ' "$TMP/on" &&
        grep -A2 '^   # That PT page is now shadowed' "$TMP/on" | grep -q '^   guest wrote a PTE in a write-protected'; then
        ok "with set narration on, where gives the narration just before the explanation"
else
        not_ok "with set narration on, where gives the narration just before the explanation" "$(cat "$TMP/on")"
fi
printf 'set narration on\nset narration off\nstep 3\n' | "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/off" 2>&1
expect_grep "set narration off puts it above the line again" "$TMP/off" '^# That PT page is now shadowed'

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
$TM send-keys -t t ':'
$TM send-keys -t t -l 'set narration on'
$TM send-keys -t t Enter
check "set narration on says what it does" wait_for '^Explanation: the trace.s narration of the line first'
check "the explanation starts with the line's narration" \
        poll "screen | grep -A1 '^ept  ' | tail -1 | grep -q '^First touch: a TLB miss. Under shadow paging'"
check "and goes on with what the machine did" wait_for '^TLB miss and no shadow entry allows this read'
$TM send-keys -t t ':'
$TM send-keys -t t -l 'set narration off'
$TM send-keys -t t Enter
check "set narration off: the explanation alone" \
        poll "screen | grep -A1 '^ept  ' | tail -1 | grep -q '^TLB miss and no shadow entry'"
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
