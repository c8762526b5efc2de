#!/bin/sh
# The stepper in a real terminal: a private tmux server runs a shell, the
# shell runs shadow-sim -i, keys go in with send-keys and the screen comes
# back with capture-pane. Every check polls the screen with a timeout
# instead of sleeping a fixed time.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "tui: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi

. "$(dirname "$0")/tmux_lib.sh"

cat >"$TMP/t.txt" <<'TRACE'
# a small lecture
PT_WRITE 0x2000->0x6000
ACCESS 0x2000
PT_WRITE 0x1000->0x5000
W 0x1000
R 0x1000
CR3 1
PT_WRITE 0x2000->0x9000
R 0x2000
CR3 0
PT_CLEAR 0x1000
INVLPG 0x1000
R 0x1000
TRACE

# the line of the stats bar for the main scheme
stats_line() {
        screen | grep -E '^shadow +exits' | head -1
}

stepper_pid() {
        pgrep -P "$($TM display -p -t t '#{pane_pid}')" -x shadow-sim
}

tmux_shell 100 30
start "$SHADOW_SIM" -i "$TMP/t.txt"

check "tui shows the four panes" wait_for 'Guest PT.*Shadow PT' 15
check "tui shows the log and TLB panes" wait_for 'Log .*TLB'
check "tui starts with no current event" sh -c "! $TM capture-pane -p -t t | grep -q '=> #'"
check "tui shows the F-key bar" wait_for 'F1 Help +F10 Step +F11 StepI +F5 Cont'

$TM send-keys -t t s
check "a step highlights the first line's last event" wait_for '=> #8 PT_WRITE 0x2000->0x6000'
check "a step updates the counters" wait_for '^shadow +exits +1 +traps +1 '
check "the explain line says why" wait_for 'not write-protected'
$TM send-keys -t t s
check "a second step moves the highlight" wait_for '=> #14 ACCESS 0x2000 R'
check "a second step updates the counters" wait_for '^shadow +exits +2 +traps +1 +hpf +1 '
check "the TLB pane marks the new entry" wait_for 'new +2\.0 0x2000->0xA9000'

before=$(stats_line)
$TM send-keys -t t s
wait_for '=> #18 TLB_FLUSH' 10
$TM send-keys -t t S
check "back restores the highlight" wait_for '=> #14 ACCESS 0x2000 R'
after=$(stats_line)
if [ -n "$before" ] && [ "$before" = "$after" ]; then ok "back restores the counters"; else
        not_ok "back restores the counters" "before: $before" "after:  $after"
fi
$TM send-keys -t t F10
check "F10 steps" wait_for '=> #18 TLB_FLUSH'
$TM send-keys -t t I
check "I steps back one event" wait_for '=> #17 SHADOW_UPDATE'
$TM send-keys -t t F11
check "F11 steps one event" wait_for '=> #18 TLB_FLUSH'

# A breakpoint typed at the command line, then continue.
$TM send-keys -t t C-l
$TM send-keys -t t ':'
$TM send-keys -t t -l 'restart'
$TM send-keys -t t Enter
wait_for 'Start of trace'
$TM send-keys -t t b
$TM send-keys -t t -l '0x1000'
$TM send-keys -t t Enter
check "break announces the breakpoint" wait_for 'Breakpoint 1: gva 0x1000-0x1FFF'
$TM send-keys -t t c
check "continue stops on the breakpoint" wait_for 'Breakpoint 1 \(gva 0x1000-0x1FFF\), event #15, hit 1 time'
check "the stop is the trapped PT write" wait_for '=> #15 VM_EXIT pt_write #3'
check "the explain line tells the trap" wait_for 'write-protected table page -> VM exit #3'
$TM send-keys -t t i
check "the guest tree marks the trapped store" wait_for '\[  1\] 0x1000->0x5000 rw.*<TRAPPED'
$TM send-keys -t t i
check "the shadow tree marks the updated entry" wait_for '\[  1\] 0x1000->hpa 0x8A000.*<updated'
$TM send-keys -t t c
check "continue stops again on the next line" wait_for 'event #19, hit 2 times'
$TM send-keys -t t C
check "reverse-continue goes back to the first hit" wait_for 'event #15, hit 3 times'

# Help opens and closes.
$TM send-keys -t t '?'
check "? opens the help" wait_for 'Help: keys run commands'
check "help lists keys with their commands" wait_for 's F10 +step one trace line'
$TM send-keys -t t Escape
check "Esc closes the help" wait_gone 'Help: keys run commands'
$TM send-keys -t t F1
check "F1 opens the help" wait_for 'Help: keys run commands'
$TM send-keys -t t q
check "q closes the help, not the stepper" wait_gone 'Help: keys run commands'
check "the stepper is still there" wait_for 'Guest PT'

# Space on the selected entry of the guest tree (the one the current
# event stores into, 0x1000, which has breakpoint 1) clears and sets it.
# At the exit (#15) the store has not happened yet: the entry appears at
# the PT_WRITE that follows.
$TM send-keys -t t i
check "the exit comes before the store: the entry appears at the PT_WRITE" wait_for '=> #16 PT_WRITE'
$TM send-keys -t t ':'
$TM send-keys -t t -l 'focus guest'
$TM send-keys -t t Enter
$TM send-keys -t t Space
check "Space clears the breakpoint of the selected entry" wait_for 'Deleted breakpoint 1: gva 0x1000-0x1FFF'
$TM send-keys -t t Space
check "Space sets it again" wait_for 'Breakpoint 2: gva 0x1000-0x1FFF'
# Enter closes the table above the selected entry and opens it again.
$TM send-keys -t t Up Enter
check "Enter collapses a table" wait_for '\+\[  0\] -> L1 0xFFFFC000'
check "a collapsed table hides its entries" sh -c "! $TM capture-pane -p -t t | grep -q '0x2000->0x6000 rw'"
$TM send-keys -t t Enter
check "Enter expands it again" wait_for '\[  2\] 0x2000->0x6000 rw'
$TM send-keys -t t Tab Tab

# Search the log.
$TM send-keys -t t /
$TM send-keys -t t -l 'cr3 #'
$TM send-keys -t t Enter
check "/ searches forward" wait_for '=> #[0-9]+ VM_EXIT cr3 #'

# run animates and a key pauses it.
$TM send-keys -t t ':'
$TM send-keys -t t -l 'set speed 5'
$TM send-keys -t t Enter r
check "r runs" wait_for 'Running at 5 events a second'
$TM send-keys -t t x
check "a key pauses the run" wait_for 'Paused'
$TM send-keys -t t ':'
$TM send-keys -t t -l 'goto 15'
$TM send-keys -t t Enter

# Zoom and focus.
$TM send-keys -t t z
check "z zooms the log" sh -c "sleep 0.2; ! $TM capture-pane -p -t t | grep -q 'Guest PT'"
$TM send-keys -t t z
check "z again brings the panes back" wait_for 'Guest PT.*Shadow PT'

# Resizes, down to a notice and back.
$TM resize-window -t t -x 80 -y 24
check "80x24 shows every pane" wait_for 'Guest PT.*Shadow PT'
check "80x24 shows the stats" wait_for '^ept +exits'
$TM resize-window -t t -x 40 -y 12
check "40x12 says the terminal is too small" wait_for 'Terminal too small: 40x12'
$TM resize-window -t t -x 20 -y 5
check "20x5 says it too" wait_for 'Too small: 20x5'
$TM resize-window -t t -x 100 -y 30
check "back to 100x30 redraws the panes" wait_for 'Guest PT.*Shadow PT'
check "the position survived the resizes" wait_for '=> #15 VM_EXIT pt_write #3'

# Another scheme at the same line.
$TM send-keys -t t ':'
$TM send-keys -t t -l 'mode ept'
$TM send-keys -t t Enter
check "mode ept shows the nested table" wait_for 'EPT +[0-9]+ nested tables'
check "mode ept compares with shadow" wait_for '^shadow +exits'

# q leaves with status 0 and the shell prompt comes back.
$TM send-keys -t t q
check "q exits with status 0" wait_for '^EXIT=0$'
check "the shell prompt is back" wait_for '^PROMPT\$ *$'
if grep -q '^break 0x1000$' "$TMP/state/shadow-sim/history" 2>/dev/null; then
        ok "the command line keeps its history"
else
        not_ok "the command line keeps its history" "$(cat "$TMP/state/shadow-sim/history" 2>&1)"
fi

# At 80 columns the counter rows line up whatever the schemes' names, every
# number in one format of at most 5 characters; the key bar keeps q Quit;
# the log title says what its percentage is (and gives none for a pipe,
# whose length is not known).
$TM resize-window -t t -x 80 -y 24
start "$SHADOW_SIM" -i --mode shadow-eager -e "'goto line 300'" -e "'compare shadow-oos'" \
        "$TESTS_DIR/../traces/forkwait.txt"
wait_for '^shadow-oos +exits' 15
screen | grep -E '^shadow-(eager|oos) +exits' >"$TMP/rows"
if [ "$(wc -l <"$TMP/rows")" -eq 2 ] &&
        [ "$(awk '{ print length($0) }' "$TMP/rows" | sort -u | wc -l)" -eq 1 ] &&
        [ "$(for w in exits traps hpf viol refs cyc; do
                awk -v w=" $w " '{ print index($0, w) }' "$TMP/rows" | sort -u | wc -l
             done | sort -u)" = 1 ]; then
        ok "at 80 columns the counter rows line up (shadow-eager against shadow-oos)"
else
        not_ok "at 80 columns the counter rows line up (shadow-eager against shadow-oos)" "$(cat "$TMP/rows")"
fi
awk '{ for (i = 3; i <= NF; i += 2) print $i }' "$TMP/rows" >"$TMP/numbers"
if [ "$(wc -l <"$TMP/numbers")" -eq 12 ] && grep -q '[kM]$' "$TMP/numbers" &&
        ! grep -Evq '^([0-9]{1,5}|[0-9]\.[0-9]{2}[kMGTPE]|[0-9]{2}\.[0-9][kMGTPE]|[0-9]{3}[kMGTPE])$' "$TMP/numbers"; then
        ok "the counters use one format of at most 5 characters"
else
        not_ok "the counters use one format of at most 5 characters" "$(tr '\n' ' ' <"$TMP/numbers")"
fi
check "at 80 columns the key bar keeps q Quit" sh -c "$TM capture-pane -p -t t | tail -1 | grep -q ' q Quit *$'"
check "the log title says what its percentage is" wait_for 'Log  line 300  #795  74% of the trace'
$TM send-keys -t t q
wait_for '^EXIT=0$'
$TM resize-window -t t -x 100 -y 30
start "cat $TMP/t.txt | $SHADOW_SIM" -i -
wait_for 'Guest PT' 15
$TM send-keys -t t s
check "from a pipe the log title gives no share of the trace" wait_for 'Log  line 2  #8  <stdin>'
$TM send-keys -t t q
wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# Keys from a pipe: the message says what works (a piped trace is named
# '-', its keys then come from the terminal; --repl reads a pipe).
start "echo s | $SHADOW_SIM" -i "$TMP/t.txt"
check "-i with keys from a pipe exits 64" wait_for '^EXIT=64$'
check "it says a piped trace is named '-' and --repl reads a pipe" sh -c \
        "$TM capture-pane -p -J -t t | grep -q \"a trace on standard input is named '-' (... | shadow-sim -i -), and keys then come from the terminal; --repl reads commands from a pipe\""

# A line the stepper cannot go past (the machines reached --max-mem): the
# log lists no line after it, and the error is shown whole, wrapped. (A
# new address space a line: some 1.5 KiB each under shadow paging, as its
# tables of one entry are stored small.)
awk 'BEGIN { for (i = 1; i <= 20000; i++)
        printf "CR3 %d\nPT_WRITE 0x1000->0x5000\nR 0x1000\n", i * 4099 }' >"$TMP/mem.txt"
$TM resize-window -t t -x 80 -y 24
start "$SHADOW_SIM" -i --max-mem 16M "$TMP/mem.txt"
wait_for 'Guest PT' 15
$TM send-keys -t t ':'
$TM send-keys -t t -l 'goto end'
$TM send-keys -t t Enter
check "the log says no later line can be reached" wait_for '^. +\(refused: no later line can be reached\)' 30
check "the log lists no line after the refused one" sh -c \
        "! $TM capture-pane -p -t t | grep -A20 '=> #' | grep -Eq '^. +[0-9]+ (PT_WRITE|ACCESS)'"
check "the error is shown whole, wrapped" poll \
        "screen | tr '\n' ' ' | tr -s ' ' | grep -q 'mem.txt:[0-9]*:1: error: expected a trace whose machines fit in --max-mem (16 MiB), found them and their snapshots at [0-9]* MiB before this line'" 30
# An error longer than the message and explain rows opens a popup.
$TM send-keys -t t ':'
$TM send-keys -t t -l "mode $(printf '%0400d' 0)"
$TM send-keys -t t Enter
check "a longer error opens in a popup" wait_for '─ Error ─'
check "the popup holds the error whole" sh -c "$TM capture-pane -p -t t | grep -q \"0*'  *│\""
$TM send-keys -t t q q
wait_for '^EXIT=0$'
$TM resize-window -t t -x 100 -y 30
rm -f "$TMP/mem.txt"

# The TLB pane has a selected row too (j/k, a click), and Space/F9 set a
# breakpoint on the page of its entry, of its size.
printf 'PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\nPT_WRITE 0x3000->0x7000\nR 0x1000\nR 0x2000\nR 0x3000\n' >"$TMP/tlb.txt"
# click X Y: the first button pressed and released at column X, row Y
# (from 0), as an xterm reports it.
click() {
        x="\\$(printf %o $((33 + $1)))" y="\\$(printf %o $((33 + $2)))"
        $TM send-keys -t t -l "$(printf '\033[M %b%b\033[M#%b%b' "$x" "$y" "$x" "$y")"
}
start "$SHADOW_SIM" -i -e "'goto line 6'" -e "'focus tlb'" "$TMP/tlb.txt"
wait_for 'new +3\.0 0x3000->' 15
$TM send-keys -t t Space
check "Space on the TLB pane breaks on the entry the line filled" wait_for '^Breakpoint 1: gva 0x3000-0x3FFF$'
$TM send-keys -t t k Space
check "k selects the TLB entry above" wait_for '^Breakpoint 2: gva 0x2000-0x2FFF$'
$TM send-keys -t t F9
check "F9 on the same entry clears its breakpoint" wait_for '^Deleted breakpoint 2: gva 0x2000-0x2FFF$'
$TM send-keys -t t k k k Space
check "the header is no row: k stops at the first entry" wait_for '^Breakpoint 3: gva 0x1000-0x1FFF$'
$TM send-keys -t t j j j j Space
check "j stops at the last entry" wait_for '^Deleted breakpoint 1: gva 0x3000-0x3FFF$'
# A selection shows only as reverse video, which only a capture with the
# attributes keeps (capture-pane -e): wait until the focus has left the TLB
# pane (its title no longer white on blue), click the entry's row, and wait
# until that row is drawn selected, clicking again if a loaded machine lost
# the click, before Space.
attrs() {
        $TM capture-pane -p -e -t t
}
tlb_selected() {
        attrs | grep ' 2\.0 0x2000->' | sed 's/.*││//' | grep -q '\[[0-9;]*7m'
}
$TM send-keys -t t Tab
check "Tab moves the focus off the TLB pane" poll "! attrs | grep -q '44m TLB '"
for try in 1 2 3; do
        row=$(screen | grep -n ' 2\.0 0x2000->' | cut -d: -f1)
        click 80 $((row - 1))
        if poll tlb_selected 3; then
                break
        fi
done
check "a click on a TLB entry selects its row" tlb_selected
$TM send-keys -t t Space
check "a click selects a TLB entry" wait_for '^Breakpoint 4: gva 0x2000-0x2FFF$'
$TM send-keys -t t q
wait_for '^EXIT=0$'
printf 'PT_WRITE 0x40000000->0x40000000 rw 2M\nR 0x40001000\n' >"$TMP/tlb2m.txt"
start "$SHADOW_SIM" -i --mode native -e "'goto line 2'" -e "'focus tlb'" "$TMP/tlb2m.txt"
wait_for 'new +[0-9]+\.[0-9] 0x40000000->.* 2M' 15
$TM send-keys -t t Space
check "a 2M TLB entry breaks on its 2M page" wait_for '^Breakpoint 1: gva 0x40000000-0x401FFFFF$'
$TM send-keys -t t q
wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# Stopped and continued (SIGSTOP gives no warning): meanwhile something
# else changed the terminal's modes and wrote over the screen, as a shell
# does; after SIGCONT the stepper draws everything again and reads keys one
# at a time again. (sh -c: no job control, so no shell takes the terminal.)
start sh -c "'$SHADOW_SIM -i $TMP/t.txt'"
wait_for 'Guest PT' 15
pid=$(pgrep -P "$(pgrep -P "$($TM display -p -t t '#{pane_pid}')" -x sh)" -x shadow-sim)
tty=$($TM display -p -t t '#{pane_tty}')
kill -STOP "$pid"
stty sane <"$tty"
printf '\033[H\033[2Jsomething else was here\n' >"$tty"
wait_for 'something else was here'
kill -CONT "$pid"
check "after SIGSTOP and SIGCONT the screen is drawn again" \
        sh -c "sleep 1; $TM capture-pane -p -t t | grep -q 'Guest PT' && ! $TM capture-pane -p -t t | grep -q 'something else'"
$TM send-keys -t t s
check "after SIGSTOP and SIGCONT keys work at once" wait_for '=> #8 PT_WRITE 0x2000->0x6000'
$TM send-keys -t t q
check "after SIGSTOP and SIGCONT q exits with status 0" wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# Typed commands never turn into hotkeys: ':' over a popup opens the
# command line, so what follows is typed, not run key by key.
start "$SHADOW_SIM" -i -e "'break 0x1000'" -e "'break 0x2000'" -e "'break exit cr3'" "$TMP/t.txt"
wait_for 'Guest PT' 15
$TM send-keys -t t ':'
$TM send-keys -t t -l 'disable 2 3'
$TM send-keys -t t Enter
check "output of two lines opens a popup" wait_for 'Disabled breakpoint 3: exit cr3'
$TM send-keys -t t ':'
$TM send-keys -t t -l 'enable 3'
$TM send-keys -t t Enter
check "':' over a popup opens the command line" wait_for '^Enabled breakpoint 3: exit cr3'
check "the popup is closed" wait_gone 'Disabled breakpoint 2'
check "the typed letters ran no keys (no step, no prompt)" \
        sh -c "! $TM capture-pane -p -t t | grep -Eq 'Log  line|^:'"
$TM send-keys -t t q
wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# A long move says any key stops it; the key that stops it does nothing
# else, and a scheme change it stops leaves everything as it was.
"$SHADOW_SIM" gen tlb-stress --pages 2048 --accesses 3000000 >"$TMP/long.txt"
log_title() {
        screen | grep -o 'Log  line [0-9]*  #[0-9]*'
}
start "$SHADOW_SIM" -i "$TMP/long.txt"
wait_for 'Guest PT' 15
$TM send-keys -t t c
check "a long continue says any key stops it" wait_for 'working: line [0-9]+, [0-9]+% of the trace; any key stops' 30
$TM send-keys -t t n
check "a key stops it" wait_for '^Interrupted at event #[0-9]+' 30
where=$(log_title)
sleep 0.5
if [ -n "$where" ] && [ "$where" = "$(log_title)" ]; then ok "the key that stopped it did nothing else"; else
        not_ok "the key that stopped it did nothing else" "before: $where" "after: $(log_title)"
fi
line=$(echo "$where" | sed 's/Log  line \([0-9]*\) .*/\1/')
$TM send-keys -t t ':'
$TM send-keys -t t -l 'mode native'
$TM send-keys -t t Enter x
check "a key stops a change of scheme" \
        wait_for "^Interrupted: still mode shadow at line $line, compared with ept\$" 30
check "the stopped change of scheme kept the position" test "$where" = "$(log_title)"
check "the counters are still those of shadow and ept" sh -c \
        "$TM capture-pane -p -t t | grep -q '^shadow  *exits' && $TM capture-pane -p -t t | grep -q '^ept  *exits'"
$TM send-keys -t t ':'
$TM send-keys -t t -l 'compare native'
$TM send-keys -t t Enter x
check "a key stops a change of the compared scheme" \
        wait_for '^Interrupted: comparing with ept, as before$' 30
check "the stopped compare kept the position" test "$where" = "$(log_title)"
# Ctrl-C stops a long continue as in gdb, and the stepper stays.
$TM send-keys -t t c
wait_for 'working: line' 30
$TM send-keys -t t C-c
check "Ctrl-C stops a long continue" wait_for '^Interrupted at event #[0-9]+' 30
check "the stepper stays after Ctrl-C" sh -c "sleep 0.3; $TM capture-pane -p -t t | grep -q 'Guest PT'"
where=$(log_title)
$TM send-keys -t t s
sleep 0.3
if [ -n "$where" ] && [ "$(log_title)" != "$where" ]; then ok "keys work after Ctrl-C"; else
        not_ok "keys work after Ctrl-C" "still at: $where"
fi
$TM send-keys -t t q
check "q still quits" wait_for '^EXIT=0$'
rm -f "$TMP/long.txt"
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# --no-color: no colour sequences on the screen at all.
start "$SHADOW_SIM" -i --no-color "$TMP/t.txt"
wait_for 'Guest PT' 15
$TM send-keys -t t s
wait_for '=> #8 '
if $TM capture-pane -e -p -t t | grep -q "$(printf '\033')\[[0-9;]*3[0-7][;m]"; then
        not_ok "--no-color draws no colours" "$($TM capture-pane -e -p -t t | grep -m1 "$(printf '\033')\[[0-9;]*3[0-7]" | cat -v)"
else
        ok "--no-color draws no colours"
fi
$TM send-keys -t t q
wait_for '^EXIT=0$'
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# The REPL on a terminal: tab completion and history.
start "$SHADOW_SIM" --repl "$TMP/t.txt"
check "the REPL prompts" wait_for '^\(shadow-sim\) ?$'
$TM send-keys -t t -l "brea"
$TM send-keys -t t Tab
$TM send-keys -t t -l "exi"
$TM send-keys -t t Tab
$TM send-keys -t t -l "cr"
$TM send-keys -t t Tab Enter
check "Tab completes commands and breakpoint kinds" wait_for '^Breakpoint 1: exit cr3$'
$TM send-keys -t t -l "continue"
$TM send-keys -t t Enter
check "the REPL continues to the breakpoint" wait_for 'Breakpoint 1 \(exit cr3\), event #'
$TM send-keys -t t -l "quit"
$TM send-keys -t t Enter
check "the REPL quits with status 0" wait_for '^EXIT=0$'
if grep -q '^break exit cr3 *$' "$TMP/state/shadow-sim/history" 2>/dev/null; then
        ok "the REPL keeps its history"
else
        not_ok "the REPL keeps its history" "$(cat "$TMP/state/shadow-sim/history" 2>&1)"
fi
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter

# Without UTF-8 and without colours: ASCII boxes, still usable.
$TM send-keys -t t -l "clear"
$TM send-keys -t t Enter
start env LANG=C NO_COLOR=1 "$SHADOW_SIM" -i "$TMP/t.txt"
check "ASCII boxes when the locale is not UTF-8" wait_for '^\+- Guest PT'
$TM send-keys -t t i
check "ASCII stepper steps" wait_for '=> #1 SHADOW_PAGE'
$TM send-keys -t t C-c
check "Ctrl-C with nothing to stop keeps the stepper" wait_for '^Ctrl-C stops a long move; q quits$'
$TM send-keys -t t q
check "q then exits with status 0" wait_for '^EXIT=0$'
check "the prompt is usable after the stepper" wait_for '^PROMPT\$ *$'

# Every way out restores the terminal: a signal as well as q.
tty_sane() {
        $TM send-keys -t t -l "clear; stty -a | tr ' ' '\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo"
        $TM send-keys -t t Enter
        wait_for '^icanon echo *$'
}
for sig in TERM:15 HUP:1; do
        num=${sig#*:} sig=${sig%:*}
        $TM send-keys -t t -l "clear"
        $TM send-keys -t t Enter
        start "$SHADOW_SIM" -i "$TMP/t.txt"
        wait_for 'Guest PT' 15
        kill -$sig "$(stepper_pid)"
        status=$((128 + num))
        check "SIG$sig ends the stepper with status $status" wait_for "^EXIT=$status\$"
        check "SIG$sig leaves the terminal as it was" tty_sane
done

# Without a terminal: a clear message and status 64.
expect_status "-i without a terminal exits 64" 64 "$SHADOW_SIM" -i "$TMP/t.txt" </dev/null
expect_grep "-i without a terminal says why" "$TMP/err" "-i draws on a terminal, and standard output is none"

# A terminal curses cannot draw on: refused with a hint, status 64.
for term in dumb no-such-terminal; do
        TERM=$term script -qec "$SHADOW_SIM -i $TMP/t.txt" /dev/null >"$TMP/out" 2>&1
        got=$?
        if [ "$got" -eq 64 ]; then ok "TERM=$term exits 64"; else
                not_ok "TERM=$term exits 64" "exit $got" "$(head -3 "$TMP/out")"
        fi
        expect_grep "TERM=$term says to use --repl" "$TMP/out" "terminal type '$term' .*--repl works on any terminal"
done
