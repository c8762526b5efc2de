#!/bin/sh
# The stepper's quiz mode (quiz on, key p): a step first asks about the
# line it would run, whose outcome stays hidden until the answer; the
# answer makes the step and says right or wrong, the key bar keeps the
# score. At the prompt, the reply is the next line.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..

# The README's example is real output.
printf 'quiz on\nstep 3\nstep\nyes\nstep\nyes\ngoto line 24\nstep\n24\n' |
        "$SHADOW_SIM" --repl --mode ept --pwc off >"$TMP/readme-run" 2>&1
sed -n "/^\$ printf 'quiz on/,/^\`\`\`\$/p" "$top/README.md" | sed '1d;$d' | grep -v '^\.\.\.$' \
        >"$TMP/readme-block"
missing=$(grep -vxFf "$TMP/readme-run" "$TMP/readme-block" || true)
if [ -s "$TMP/readme-block" ] && [ -z "$missing" ]; then
        ok "the README's quiz mode example is the real output"
else
        not_ok "the README's quiz mode example is the real output" "${missing:-no block found}"
fi
expect_grep "a wrong answer at the prompt is followed by the line's log" "$TMP/readme-run" \
        '^    \[TRACE\] ACCESS 0x1000 W gpa=0x5000 hpa=0x8A000 tlb=hit refs=0$'
expect_grep "then by where the step stopped" "$TMP/readme-run" '^line 17: ACCESS 0x1000 W'

printf 'quiz on\nstep\n' | "$SHADOW_SIM" --repl >"$TMP/eof" 2>&1
status=$?
expect_grep "end of input drops the question" "$TMP/eof" \
        '^no answer: the question is dropped, nothing moved$'
if [ "$status" -eq 0 ] && ! grep -q '^line 8:' "$TMP/eof"; then
        ok "and moves nothing"
else
        not_ok "and moves nothing" "status $status: $(cat "$TMP/eof")"
fi
printf 'quiz on\nstep\nmaybe\n' | "$SHADOW_SIM" --repl >"$TMP/bad" 2>&1
expect_grep "a reply that cannot be read counts wrong and says the form" "$TMP/bad" \
        "^cannot read 'maybe': expected yes or no; counted wrong, the answer is yes \(quiz 0/1\)$"
printf 'quiz on\nstep\nstep\n4\n' | "$SHADOW_SIM" --repl --mode native >"$TMP/native" 2>&1
if [ "$(grep -c '^Quiz,' "$TMP/native")" -eq 1 ] && grep -q '^right (quiz 1/1)$' "$TMP/native" &&
        grep -A1 '^Quiz, line 11: ACCESS 0x2000 R$' "$TMP/native" | grep -q 'How many memory references'; then
        ok "under native, which has no exits, a store passes and an access is asked its references"
else
        not_ok "under native, which has no exits, a store passes and an access is asked its references" \
                "$(grep -A3 '^Quiz,' "$TMP/native")"
fi
printf 'quiz on\nstep 2\nback\ngoto 3\nstepi\ncontinue\n' | "$SHADOW_SIM" --repl >"$TMP/moves" 2>&1
if grep -q '^Quiz,' "$TMP/moves"; then
        not_ok "counts, back, goto, stepi and continue ask nothing" "$(grep -A1 '^Quiz,' "$TMP/moves")"
else
        ok "counts, back, goto, stepi and continue ask nothing"
fi

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "quizmode: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 100 30
start "$SHADOW_SIM" -i "$top/traces/sample_trace.txt"
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t p
check "p turns the quiz on, its score at the right of the key bar" wait_for 'q Quit +quiz 0/0 *$'
check "and the log keeps the next line's narration back" \
        wait_for '# \(the quiz shows the narration once the line has run\)'
$TM send-keys -t t s
check "s asks about the line it would run" \
        wait_for '^Quiz, line 8: PT_WRITE 0x2000->0x6000 rw\. Does this line cause a VM exit under'
check "and reads the answer on the command line" wait_for '^answer> *$'
check "the line's events are not in the log before the answer" sh -c \
        "! $TM capture-pane -p -t t | grep -q 'SHADOW_PAGE\|VM_EXIT'"
check "nor in the counters" wait_for '^shadow +exits +0 '
$TM send-keys -t t -l 'yes'
$TM send-keys -t t Enter
check "a right answer says so with the score" wait_for '^right \(quiz 1/1\)'
check "the key bar counts it" wait_for 'q Quit +quiz 1/1 *$'
check "and the step is made: its events are in the log" wait_for '=> #8 PT_WRITE 0x2000->0x6000'
$TM send-keys -t t s
check "the next step asks about the next line" wait_for '^Quiz, line 11: ACCESS 0x2000 R\.'
check "its hidden page fault is not in the log yet" sh -c \
        "! $TM capture-pane -p -t t | grep -q 'VM_EXIT page_fault'"
check "nor in the counters" wait_for '^shadow +exits +1 +traps +1 +hpf +0 '
$TM send-keys -t t -l 'no'
$TM send-keys -t t Enter
check "a wrong answer gives the answer and the score" wait_for '^wrong: the answer is yes \(quiz 1/2\)'
check "the key bar counts it too" wait_for 'q Quit +quiz 1/2 *$'
check "and the step reveals the exit" wait_for 'VM_EXIT page_fault #2 0x2000 R'
check "with its explanation" wait_for 'hidden page fault -> VM exit #2'
$TM send-keys -t t s
check "a third question" wait_for '^Quiz, line 14: PT_WRITE 0x1000->0x5000'
$TM send-keys -t t Escape
check "Esc drops it" wait_for 'the question is dropped, nothing moved'
check "and counts nothing" wait_for 'q Quit +quiz 1/2 *$'
check "nor moves" sh -c "! $TM capture-pane -p -t t | grep -q 'VM_EXIT pt_write #3'"
$TM send-keys -t t S
check "S goes back without a question" wait_for 'Log  line 8  #8'
check "and no answer is asked for" wait_gone '^answer>'
command 'quiz off'
check "quiz off says the score" wait_for '^Quiz off: 1 of 2 right'
check "and the key bar drops it" wait_gone 'quiz [0-9]+/[0-9]+ *$'
$TM send-keys -t t s
check "a step then moves at once" wait_for 'Log  line 11  #14'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
