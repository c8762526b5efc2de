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

SOCK="shadow-sim-tui-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

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

screen() {
        $TM capture-pane -p -t t
}

# wait_for PATTERN [SECONDS]: polls the screen until a line matches.
wait_for() {
        tries=$(( ${2:-10} * 20 ))
        while [ "$tries" -gt 0 ]; do
                if screen | grep -Eq -- "$1"; then
                        return 0
                fi
                sleep 0.05
                tries=$((tries - 1))
        done
        return 1
}

# wait_gone PATTERN: polls until no line matches.
wait_gone() {
        tries=200
        while [ "$tries" -gt 0 ]; do
                if ! screen | grep -Eq -- "$1"; then
                        return 0
                fi
                sleep 0.05
                tries=$((tries - 1))
        done
        return 1
}

check() {
        name=$1
        shift
        if "$@"; then ok "$name"; else
                not_ok "$name" "screen was:"
                screen | sed 's/^/#     /'
        fi
}

# the line of the stats bar for the main scheme
stats_line() {
        screen | grep -E '^shadow +exits' | head -1
}

start() {
        $TM send-keys -t t -l "$* ; echo EXIT=\$?"
        $TM send-keys -t t Enter
}

# A clean environment, but the sanitizers' options pass through.
$TM new-session -d -s t -x 100 -y 30 \
        "env -i PATH=/usr/bin:/bin HOME=$TMP XDG_STATE_HOME=$TMP/state TERM=screen LANG=C.UTF-8 \
         ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}' PS1='PROMPT\$ ' sh"
wait_for 'PROMPT\$' 10
start "$SHADOW_SIM" -i "$TMP/t.txt"

check "tui shows the four panes" wait_for 'Guest PT.*Shadow PT' 15
check "tui shows the log and TLB panes" wait_for 'Log .*TLB'
check "tui starts with no current event" sh -c "! $TM capture-pane -p -t t | grep -q '=> #'"
check "tui shows the F-key bar" wait_for 'F1 Help +F10 Step +F11 StepI +F5 Cont'

$TM send-keys -t t s
check "a step highlights the first line's last event" wait_for '=> #8 PT_WRITE 0x2000->0x6000'
check "a step updates the counters" wait_for '^shadow +exits 1 +traps 1 '
check "the explain line says why" wait_for 'not write-protected'
$TM send-keys -t t s
check "a second step moves the highlight" wait_for '=> #14 ACCESS 0x2000 R'
check "a second step updates the counters" wait_for '^shadow +exits 2 +traps 1 +hpf 1 '
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
check "Ctrl-C restores the terminal and exits 130" wait_for '^EXIT=130$'
check "the prompt is usable after Ctrl-C" wait_for '^PROMPT\$ *$'

# Without a terminal: a clear message and status 64.
expect_status "-i without a terminal exits 64" 64 "$SHADOW_SIM" -i "$TMP/t.txt" </dev/null
expect_grep "-i without a terminal says why" "$TMP/err" "needs a terminal"
