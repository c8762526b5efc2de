#!/bin/sh
# Helpers for the tests that drive the stepper in a real terminal: a
# private tmux server runs a shell, keys go in with send-keys and the
# screen comes back with capture-pane; every check polls the screen with a
# timeout instead of sleeping a fixed time. Sourced after lib.sh; run on
# its own it tests nothing.
[ -n "${TMP:-}" ] || exit 0

SOCK="shadow-sim-tmux-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

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

# poll SNIPPET [SECONDS]: polls until the shell snippet SNIPPET succeeds;
# it reads the screen with `screen` (for what one grep of its lines cannot
# say: joined lines, a row below another).
poll() {
        tries=$(( ${2:-10} * 20 ))
        while [ "$tries" -gt 0 ]; do
                if eval "$1"; then
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

# tmux_shell COLS ROWS: a shell in a clean environment (the sanitizers'
# options pass through), waiting at its prompt.
tmux_shell() {
        $TM new-session -d -s t -x "$1" -y "$2" \
                "env -i PATH=/usr/bin:/bin HOME=$TMP XDG_STATE_HOME=$TMP/state TERM=screen \
                 LANG=C.UTF-8 ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}' \
                 PS1='PROMPT\$ ' sh"
        wait_for 'PROMPT\$' 10
}

# start CMD...: runs CMD on a cleared screen and then prints its exit
# status. It clears the screen and waits for a mark printed after the
# clear: a command typed ahead of a clear still pending would be erased
# with the screen it was echoed on.
starts=0
start() {
        starts=$((starts + 1))
        $TM send-keys -t t -l "clear; echo ready $starts"
        $TM send-keys -t t Enter
        wait_for "^ready $starts\$"
        $TM send-keys -t t -l "$* ; echo EXIT=\$?"
        $TM send-keys -t t Enter
}

# command TEXT: types a command on the stepper's command line.
command() {
        $TM send-keys -t t ':'
        $TM send-keys -t t -l "$1"
        $TM send-keys -t t Enter
}
