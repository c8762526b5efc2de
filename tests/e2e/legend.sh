#!/bin/sh
# The help screen's legend: every mark the panes draw, each in the colour
# the panes draw it in, and every colour named as the terminal shows it
# (8 colours under TERM=screen; attributes with --no-color).
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
        not_ok "legend: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"

# help_pages FILE: every page of the open help popup, with escapes, in FILE.
help_pages() {
        : >"$1"
        for _ in 1 2 3 4 5 6; do
                $TM capture-pane -p -e -t t >>"$1"
                $TM send-keys -t t NPage
                sleep 0.2
        done
}

tmux_shell 100 40
start "$SHADOW_SIM" -i
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t '?'
check "? opens the help" wait_for 'Help: keys run commands'
check "the help starts with the keys, the legend after them" wait_for 's F10 +step one trace line'
help_pages "$TMP/help"
sed 's/\x1b\[[0-9;]*m//g' "$TMP/help" >"$TMP/plain"
missing=
for mark in '\*' '\+' '\[wp\]' '\[oos\]' '\[direct\]' '\[nested\]' '<written' '<TRAPPED' \
        '<filled' '<updated' '<zapped' '<mapped' 'A/D' 'new' 'hit' 'out' 'STALE' '=>' '#' '●' '○'; do
        grep -Eq "│   $mark +[a-zA-Z]" "$TMP/plain" || missing="$missing $mark"
done
if [ -z "$missing" ]; then ok "the legend explains every mark"; else
        not_ok "the legend explains every mark" "missing:$missing"
fi
expect_grep "a mark says what it means" "$TMP/plain" '<TRAPPED +the current line stored into this guest entry and the store exited'
expect_grep "the colours are named as this terminal (8 colours) shows them" "$TMP/plain" \
        '│   bold red +VM exits and the guest stores that trapped'
expect_grep "a colour on a background is named with it" "$TMP/plain" \
        '│   black on cyan +the F-key labels'
expect_grep "dim stands for grey without 256 colours" "$TMP/plain" '│   dim +what is still to come'
# Drawn in their colours: red (31) and bold for a trapped store, the
# walk's bold yellow (33) for '*'.
expect_grep "<TRAPPED is drawn in bold red, as the tree draws it" "$TMP/help" \
        "$(printf '\033')\\[1m$(printf '\033')\\[31m +<TRAPPED"
expect_grep "* is drawn in the walk's colour" "$TMP/help" \
        "$(printf '\033')\\[1m$(printf '\033')\\[33m +\\* +in a table"
$TM send-keys -t t Escape q
check "q leaves with status 0" wait_for '^EXIT=0$'

start "$SHADOW_SIM" -i --no-color
check "the stepper opens without colours" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t '?'
check "? opens the help" wait_for 'Help: keys run commands'
help_pages "$TMP/mono-e"
sed "s/\x1b\[[0-9;]*m//g" "$TMP/mono-e" >"$TMP/mono"
expect_grep "without colours the legend says so" "$TMP/mono" 'Colours \(none here: attributes stand for them\)'
expect_grep "and names the attribute that stands for each" "$TMP/mono" '│   bold +VM exits and the guest stores'
expect_grep "underlined stands for zaps" "$TMP/mono" '│   underlined +zaps, TLB evictions'
$TM send-keys -t t Escape q
check "q leaves with status 0" wait_for '^EXIT=0$'
