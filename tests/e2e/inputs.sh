#!/bin/sh
# Traces from every kind of input: compressed files (gzip, xz, zstd, as
# the command-line tools write them, detected from their bytes whatever
# their name) and pipes give the same log, statistics and stepper moves as
# the plain file, in batch, in the debugger (--script) and in the stepper
# in a terminal, where a piped trace leaves the keys to /dev/tty.
. "$(dirname "$0")/lib.sh"
S=$SHADOW_SIM
TRACES=$TESTS_DIR/../traces

# The shipped lackey trace of a real program runs compressed as it is.
"$S" --quiet "$TRACES/sortmem.lackey.gz" >"$TMP/gz.out" 2>"$TMP/gz.err"
st=$?
gzip -dc "$TRACES/sortmem.lackey.gz" >"$TMP/sortmem.lackey"
"$S" --quiet "$TMP/sortmem.lackey" >"$TMP/plain.out" 2>&1
if [ "$st" -eq 0 ] && [ ! -s "$TMP/gz.err" ] && cmp -s "$TMP/gz.out" "$TMP/plain.out"; then
        ok "traces/sortmem.lackey.gz runs as the plain trace"
else
        not_ok "traces/sortmem.lackey.gz runs as the plain trace" "exit $st" "$(head -2 "$TMP/gz.err")"
fi

# One workload in every encoding, under a name that does not say which.
"$S" gen forkwait --iterations 40 >"$TMP/fw.txt"
gzip -9nc "$TMP/fw.txt" >"$TMP/fw.gzip"
xz -c "$TMP/fw.txt" >"$TMP/fw.xz-data"
zstd -q -c "$TMP/fw.txt" >"$TMP/fw.zstd-data"
# Several members, streams and frames in one file read as one text.
head -n 300 "$TMP/fw.txt" | gzip -c >"$TMP/fw.members"
tail -n +301 "$TMP/fw.txt" | gzip -c >>"$TMP/fw.members"
"$S" "$TMP/fw.txt" >"$TMP/want.log" 2>&1
# (The comparison without the rows that name the input and its compression.)
"$S" --compare --stats=csv "$TMP/fw.txt" 2>&1 | grep -Ev '^(trace|compression),' >"$TMP/want.cmp"
for f in fw.gzip fw.xz-data fw.zstd-data fw.members; do
        "$S" "$TMP/$f" >"$TMP/got.log" 2>&1
        if cmp -s "$TMP/want.log" "$TMP/got.log"; then ok "$f: the same log as the plain trace"; else
                not_ok "$f: the same log as the plain trace" "$(diff "$TMP/want.log" "$TMP/got.log" | head -3)"
        fi
        "$S" --compare --stats=csv - <"$TMP/$f" 2>&1 | grep -Ev '^(trace|compression),' >"$TMP/got.cmp"
        if cmp -s "$TMP/want.cmp" "$TMP/got.cmp"; then ok "$f from a pipe: the same comparison"; else
                not_ok "$f from a pipe: the same comparison" "$(head -3 "$TMP/got.cmp")"
        fi
done

# The debugger on each: forward, back across snapshots, to a line, to the
# end and back to the start; the same answers as on the plain file.
cat >"$TMP/moves.cmd" <<'EOF'
step 400
info stats
back 350
where
goto line 700
info stats
reverse-continue
continue
info stats
goto 3
backi 1
where
EOF
# moves ARGS... : the debugger's answers, without the figure of how far
# through the file it stands (by compressed bytes; unknown on a pipe).
moves() {
        "$S" --script "$TMP/moves.cmd" "$@" 2>&1 | sed 's/, [0-9]*%\]$/]/'
}
moves "$TMP/fw.txt" >"$TMP/want.moves"
for f in fw.gzip fw.xz-data fw.zstd-data fw.members; do
        moves "$TMP/$f" >"$TMP/got.moves"
        if cmp -s "$TMP/want.moves" "$TMP/got.moves"; then ok "$f: the debugger moves as on the plain trace"; else
                not_ok "$f: the debugger moves as on the plain trace" \
                        "$(diff "$TMP/want.moves" "$TMP/got.moves" | head -3)"
        fi
done
"$S" gen forkwait --iterations 40 | moves - >"$TMP/got.moves"
if cmp -s "$TMP/want.moves" "$TMP/got.moves"; then ok "a piped trace: the debugger goes back as on a file"; else
        not_ok "a piped trace: the debugger goes back as on a file" "$(diff "$TMP/want.moves" "$TMP/got.moves" | head -3)"
fi
zstd -q -c "$TMP/fw.txt" | moves - >"$TMP/got.moves"
if cmp -s "$TMP/want.moves" "$TMP/got.moves"; then ok "a piped zstd trace: the same moves"; else
        not_ok "a piped zstd trace: the same moves" "$(diff "$TMP/want.moves" "$TMP/got.moves" | head -3)"
fi
# The text of a pipe is kept in $TMPDIR: where it cannot be, the debugger
# says so and exits 74.
printf 'step\n' >"$TMP/step.cmd"
"$S" gen forkwait | TMPDIR=$TMP/none "$S" --script "$TMP/step.cmd" - >"$TMP/out" 2>"$TMP/err"
st=$?
if [ "$st" -eq 74 ]; then ok "no temporary directory for a piped trace exits 74"; else
        not_ok "no temporary directory for a piped trace exits 74" "exit $st"
fi
expect_grep "and says why" "$TMP/err" '^<stdin>: error: cannot create a temporary file to keep the text for going back: No such file or directory$'
# With no terminal, the commands of --repl cannot come from one.
if command -v setsid >/dev/null 2>&1; then
        setsid -w "$S" --repl - <"$TMP/fw.txt" >"$TMP/out" 2>"$TMP/err"
        st=$?
        if [ "$st" -eq 64 ]; then ok "--repl on a piped trace without a terminal exits 64"; else
                not_ok "--repl on a piped trace without a terminal exits 64" "exit $st"
        fi
        expect_grep "and says commands come from /dev/tty" "$TMP/err" 'commands are read from the terminal: cannot open /dev/tty'
fi

# ---- the stepper in a terminal on a piped trace ------------------------------

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "inputs: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 110 32
$TM send-keys -t t -l "$S gen forkwait --iterations 40 | $S -i - ; echo EXIT=\$?"
$TM send-keys -t t Enter
check "-i - shows the stepper on a piped trace" wait_for 'Guest PT.*Shadow PT' 15
check "the log pane names the trace <stdin>" wait_for 'Log .*<stdin>' 
$TM send-keys -t t s s s
check "keys come from the terminal: three steps" wait_for '=> #[0-9]+ '
$TM send-keys -t t ':'
$TM send-keys -t t -l 'goto line 500'
$TM send-keys -t t Enter
check "goto line 500 on the pipe" wait_for 'Log +line 500 '
$TM send-keys -t t ':'
$TM send-keys -t t -l 'back 400'
$TM send-keys -t t Enter
check "back 400 on the pipe" wait_for 'Log +line [0-9]{1,2} '
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear; $S -i $TMP/fw.xz-data ; echo EXIT=\$?"
$TM send-keys -t t Enter
check "-i on an xz file" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t ':'
$TM send-keys -t t -l 'goto line 900'
$TM send-keys -t t Enter
check "goto line 900 in the xz file" wait_for 'Log +line 90[0-9] '
$TM send-keys -t t S
check "a step back in the xz file" wait_for 'Log +line 899 '
$TM send-keys -t t q
check "q leaves with status 0 again" wait_for '^EXIT=0$'
