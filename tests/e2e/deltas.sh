#!/bin/sh
# Counter deltas: set deltas on|off|toggle (and + in the stepper) make the
# counters show what the current line added (as of the current event, mid
# line too; the compare machine its whole line) instead of the totals: in
# the stepper's counter bar and in info stats.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..

# The prompt: info stats gains a column per machine.
printf 'step 2\ninfo stats\nset deltas on\ninfo stats\ngoto 10\ninfo stats\nset deltas off\ninfo stats\nset deltas sometimes\n' |
        "$SHADOW_SIM" --repl "$top/traces/sample_trace.txt" >"$TMP/repl" 2>&1
expect_grep "without deltas info stats shows the totals" "$TMP/repl" \
        '^exits +2 +5  VM exits'
expect_grep "set deltas on says what the counters now show" "$TMP/repl" \
        '^Counters: what the current line added \(set deltas off: the totals\)$'
expect_grep "with deltas a column per machine says what the line added" "$TMP/repl" \
        '^counter +shadow +\+line +ept +\+line  what it counts$'
expect_grep "line 11 added one exit under each scheme" "$TMP/repl" '^exits +2 +\+1 +5 +\+1  VM exits'
expect_grep "and its walk's 4 references (shadow), 5 (ept)" "$TMP/repl" \
        '^walk_refs +4 +\+4 +5 +\+5  memory references'
expect_grep "mid line, only what the events shown so far added" "$TMP/repl" \
        '^walk_refs +0 +\+0 +5 +\+5  memory references'
expect_grep "set deltas off goes back to the totals" "$TMP/repl" '^Counters: the totals$'
expect_grep "set deltas takes on, off or toggle" "$TMP/repl" \
        "^error: expected 'set deltas on', 'off' or 'toggle', found 'sometimes'$"

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "deltas: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 100 30
start "$SHADOW_SIM" -i "$top/traces/sample_trace.txt"
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t s s
check "the counters show the totals" wait_for '^shadow +exits +2 +traps +1 +hpf +1 +viol +0 +refs +4 +cyc 14341'
$TM send-keys -t t +
check "+ shows what the line added" \
        wait_for '^shadow +exits +\+1 +traps +\+0 +hpf +\+1 +viol +\+0 +refs +\+4 +cyc +\+7501'
check "the compare machine's row too" \
        wait_for '^ept +exits +\+1 +traps +\+0 +hpf +\+0 +viol +\+1 +refs +\+5 +cyc +\+3626'
check "and says so" wait_for '^Counters: what the current line added'
$TM send-keys -t t I I I I
check "mid line, what the events shown so far added" \
        wait_for '^shadow +exits +\+1 +traps +\+0 +hpf +\+0 +viol +\+0 +refs +\+0 +cyc +\+5800'
$TM send-keys -t t +
check "+ again: the totals" wait_for '^shadow +exits +2 +traps +1 +hpf +0 +viol +0 +refs +0 +cyc 12640'
command 'set deltas on'
check "set deltas on works at the command line" wait_for '^shadow +exits +\+1 +traps'
command 'goto line 8'
check "a line's 14040 cycles fit the column as +14k" wait_for '^ept +exits +\+4 .* cyc +\+14k$'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
