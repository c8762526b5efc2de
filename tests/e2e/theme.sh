#!/bin/sh
# Themes: --theme dark|light and set theme change the colours the stepper
# draws with (the escapes of a tmux capture); without --theme, COLORFGBG
# naming a light background picks the light one; --no-color still draws
# without colours; the setting, the option's errors and its completion.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..

# The option and the setting, without a terminal.
expect_status "--theme takes dark or light only" 64 "$SHADOW_SIM" --theme blue
expect_grep "and says so" "$TMP/err" "^shadow-sim: --theme expects dark or light, not 'blue'$"
printf 'set\nset theme light\nset\nset theme blue\n' | "$SHADOW_SIM" --repl >"$TMP/set" 2>&1
expect_grep "set shows the theme" "$TMP/set" "^theme dark \\(the stepper's colours"
expect_grep "set theme light changes it" "$TMP/set" "^theme light \\(the stepper's colours"
expect_grep "set theme refuses another word" "$TMP/set" \
        "^error: expected 'set theme dark' or 'set theme light', found 'blue'$"
printf 'set\n' | env COLORFGBG='0;15' "$SHADOW_SIM" --repl >"$TMP/env" 2>&1
expect_grep "COLORFGBG=0;15 makes the theme light" "$TMP/env" '^theme light '
printf 'set\n' | env COLORFGBG='15;default;0' "$SHADOW_SIM" --repl >"$TMP/env" 2>&1
expect_grep "a dark background's COLORFGBG keeps it dark" "$TMP/env" '^theme dark '
printf 'set\n' | env COLORFGBG='0;15' "$SHADOW_SIM" --repl --theme dark >"$TMP/env" 2>&1
expect_grep "--theme wins over COLORFGBG" "$TMP/env" '^theme dark '
"$SHADOW_SIM" completion bash >"$TMP/completion"
expect_grep "bash completes --theme's words" "$TMP/completion" "--theme\\) echo 'dark light'"

if ! command -v tmux >/dev/null 2>&1; then
        not_ok "theme: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
esc=$(printf '\033')
# bar_is FG BG: the F-key bar's labels are drawn in colours FG on BG (SGR
# 30+FG, 40+BG: TERM=screen has 8 colours).
bar_is() {
        $TM capture-pane -p -e -t t | tail -n 1 | grep -q "${esc}\\[3$1m${esc}\\[4$2m Help "
}
# wait_bar FG BG: polls until the bar is so.
wait_bar() {
        tries=200
        while [ "$tries" -gt 0 ]; do
                bar_is "$1" "$2" && return 0
                sleep 0.05
                tries=$((tries - 1))
        done
        return 1
}

tmux_shell 100 30
start "$SHADOW_SIM" -i "$top/traces/sample_trace.txt"
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
check "the dark theme draws the F-key labels black on cyan" wait_bar 0 6
$TM send-keys -t t s s
check "a step fills a TLB entry" wait_for 'new +2\.0 0x2000->0xA9000'
check "the dark theme draws the walk in bold yellow" sh -c \
        "$TM capture-pane -p -e -t t | grep -Eq '${esc}\\[1m${esc}\\[33m\\*L4 shadow of root'"
command 'set theme light'
check "set theme light draws the labels white on black" wait_bar 7 0
check "and the walk black on yellow, as a highlighter marks it" sh -c \
        "$TM capture-pane -p -e -t t | grep -Eq '${esc}\\[1m${esc}\\[30m${esc}\\[43m\\*L4 shadow of root'"
command 'set theme dark'
check "set theme dark goes back" wait_bar 0 6
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

start env "COLORFGBG='0;15'" "$SHADOW_SIM" -i
check "the stepper opens under COLORFGBG=0;15" wait_for 'Guest PT.*Shadow PT' 15
check "COLORFGBG=0;15 picks the light theme" wait_bar 7 0
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

start env "COLORFGBG='0;15'" "$SHADOW_SIM" -i --theme dark
check "the stepper opens with --theme dark" wait_for 'Guest PT.*Shadow PT' 15
check "--theme dark wins over COLORFGBG" wait_bar 0 6
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

start "$SHADOW_SIM" -i --theme light --no-color
check "the stepper opens with --no-color" wait_for 'Guest PT.*Shadow PT' 15
check "--no-color draws no colour, whatever the theme" sh -c \
        "sleep 0.3; ! $TM capture-pane -p -e -t t | grep -Eq '${esc}\\[[34][0-7]m'"
check "and the labels reversed" sh -c \
        "$TM capture-pane -p -e -t t | tail -n 1 | grep -Eq '${esc}\\[(0;)?7m(${esc}\\[[0-9;]*m)* Help '"
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

# 256 colours: the light theme's darker shades.
start env TERM=screen-256color "$SHADOW_SIM" -i --theme light
check "the stepper opens with 256 colours" wait_for 'Guest PT.*Shadow PT' 15
$TM send-keys -t t s s
check "the light theme's new TLB entry is dark green (22)" sh -c \
        "sleep 0.3; $TM capture-pane -p -e -t t | grep -Eq '${esc}\\[1m${esc}\\[38;5;22mnew +2\\.0'"
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
