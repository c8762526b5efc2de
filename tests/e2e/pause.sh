#!/bin/sh
# pause [TEXT] in a --script file or -e: a prepared lecture runs step by
# step. Without a terminal the prompt prints TEXT and goes on; on one it
# waits for Enter; the stepper shows TEXT over the live screen and the next
# key runs the script on to the next pause. Typed at a prompt, pause says
# what it is for.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
trace=$top/traces/sample_trace.txt

printf 'break 0x1000\npause Step 1: the PTE store of 0x1000, "watch" it\ncontinue\npause\nwhere\n' \
        >"$TMP/lecture.cmd"
"$SHADOW_SIM" --script "$TMP/lecture.cmd" "$trace" </dev/null >"$TMP/out" 2>&1
echo "status=$?" >>"$TMP/out"
expect_grep "without a terminal a pause prints its text (the rest of its line)" "$TMP/out" \
        '^Step 1: the PTE store of 0x1000, "watch" it$'
expect_grep "and the script goes on" "$TMP/out" '^Breakpoint 1 \(gva 0x1000-0x1FFF\), event #15'
expect_grep "a pause without text says Paused" "$TMP/out" '^Paused\.$'
expect_grep "the script runs to its end" "$TMP/out" '^=> #15 \[TRACE\] VM_EXIT pt_write'
expect_grep "and exits 0" "$TMP/out" '^status=0$'
if [ "$(grep -n . "$TMP/out" | grep -E 'Step 1|Breakpoint 1 \(' | cut -d: -f1 | tr '\n' ' ')" = "2 3 " ]; then
        ok "the text comes where the pause stands"
else
        not_ok "the text comes where the pause stands" "$(head -4 "$TMP/out")"
fi
printf 'run 2000\n' >"$TMP/run.cmd"
"$SHADOW_SIM" --script "$TMP/run.cmd" "$trace" </dev/null >"$TMP/run" 2>&1
expect_grep "run in a script runs to the end" "$TMP/run" '^End of trace: 28 lines applied, 103 events$'
"$SHADOW_SIM" -e 'pause one' -e 'step' -e 'pause two' "$trace" </dev/null >"$TMP/eval" 2>&1
expect_grep "-e pauses too" "$TMP/eval" '^two$'
printf 'pause typed\n' | "$SHADOW_SIM" --repl "$trace" >"$TMP/typed" 2>&1
expect_grep "typed at the prompt, pause says what it is for" "$TMP/typed" \
        '^pause \[TEXT\] is for a --script file or -e: it stops the script'
expect_no_grep "and shows no text" "$TMP/typed" '^typed$'
printf 'pause first\nbogus\n' >"$TMP/bad.cmd"
expect_status "a bad command after a pause still fails the script" 65 \
        "$SHADOW_SIM" --script "$TMP/bad.cmd" "$trace"
expect_grep "with its line" "$TMP/err" "bad.cmd:2: error: unknown command 'bogus'"

# The README's lecture runs as it is.
sed -n "/^cat > steps.cmd <<'EOF'$/,/^EOF$/p" "$top/README.md" | sed '1d;$d' >"$TMP/steps.cmd"
"$SHADOW_SIM" --script "$TMP/steps.cmd" "$trace" </dev/null >"$TMP/steps" 2>&1
if [ "$?" -eq 0 ] && [ "$(grep -c '^pause ' "$TMP/steps.cmd")" -eq 3 ] &&
        grep -q '^The VMM emulated the store and updated the shadow entry\.$' "$TMP/steps"; then
        ok "the README's paused lecture runs"
else
        not_ok "the README's paused lecture runs" "$(tail -3 "$TMP/steps")"
fi

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "pause: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 100 30

# The prompt on a terminal waits for Enter.
start "$SHADOW_SIM" --script "$TMP/lecture.cmd" "$trace"
check "on a terminal the pause waits for Enter" wait_for '^\(Enter goes on\)'
check "with the script stopped there" sh -c "sleep 0.3; ! $TM capture-pane -p -t t | grep -q 'event #15'"
$TM send-keys -t t Enter
check "Enter runs it on to the next pause" wait_for '^Breakpoint 1 \(gva 0x1000-0x1FFF\), event #15'
check "which waits again" wait_for '^Paused\.$'
$TM send-keys -t t Enter
check "and Enter runs it to its end" wait_for '^EXIT=0$'

# The stepper: each key at a pause runs the script on.
printf '%s\n' 'break 0x1000' 'pause Step 1: the guest is about to store the PTE of 0x1000' \
        'continue' 'pause Step 2: the store trapped' 'walk' 'pause Step 3: the walk' \
        'continue' 'pause' 'bogus' 'step' >"$TMP/tui.cmd"
start "$SHADOW_SIM" -i --script "$TMP/tui.cmd" "$trace"
check "the first pause shows its text over the screen" \
        wait_for '^Step 1: the guest is about to store the PTE of 0x1000  \(a key goes on\)' 15
check "before any move" wait_for 'Log  /.*sample_trace\.txt'
$TM send-keys -t t x
check "a key runs the script to the next pause" wait_for '^Step 2: the store trapped  \(a key goes on\)'
check "the screen follows the script's moves" wait_for '=> #15 VM_EXIT pt_write #3'
check "the key did nothing of its own" sh -c "! $TM capture-pane -p -t t | grep -q \"'x' does nothing\""
$TM send-keys -t t s
check "output of the script's commands shows, the pause's text under it" \
        wait_for '^Step 3: the walk  \(a key goes on\)'
check "(the walk's popup)" wait_for '─ walk ─'
$TM send-keys -t t Space
check "a pause without text says Paused" wait_for '^Paused  \(a key goes on\)'
check "the popup closed" wait_gone '─ walk ─'
check "s and Space ran the script on, to the second continue, and did not step" \
        wait_for 'Log  line 15  #19 '
$TM send-keys -t t Space
check "a bad command shows its line and drops the rest" sh -c "sleep 0.3; $TM capture-pane -p -t t |
        tr '\\n' ' ' | tr -s ' ' | grep -q \"tui.cmd:9: error: unknown command 'bogus' (help lists them) (the rest of the script is dropped)\""
check "the dropped step did not run" wait_for 'Log  line 15  #19 '
$TM send-keys -t t s
check "after the script keys are keys again" wait_for 'Log  line 17 '
command 'pause now'
check "typed at ':', pause says what it is for" wait_for '^pause \[TEXT\] is for a --script file or -e'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

# Ctrl-C at a pause drops the rest; a quit in the script ends the stepper.
printf '%s\n' 'pause one' 'step' 'pause two' 'quit' >"$TMP/quit.cmd"
start "$SHADOW_SIM" -i --script "$TMP/quit.cmd" "$trace"
check "the stepper opens at the first pause" wait_for '^one  \(a key goes on\)' 15
$TM send-keys -t t C-c
check "Ctrl-C at a pause drops the rest of the script" wait_for '^The rest of the script is dropped$'
$TM send-keys -t t s
check "and the next key does its own work" wait_for 'Log  line 8 '
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
start "$SHADOW_SIM" -i --script "$TMP/quit.cmd" "$trace"
check "the stepper opens at the first pause again" wait_for '^one  \(a key goes on\)' 15
$TM send-keys -t t x
check "a key runs it on" wait_for '^two  \(a key goes on\)'
$TM send-keys -t t x
check "to the quit, which ends the stepper with status 0" wait_for '^EXIT=0$'

# run in a script animates, as typed, in the stepper from the start.
start "$SHADOW_SIM" -i --script "$TMP/run.cmd" "$trace"
check "run in a script starts the animation in the stepper" wait_for 'End of trace: 28 lines applied' 15
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
