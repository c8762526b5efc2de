#!/bin/sh
# The man page (shadow-sim.1): groff renders it without a warning, its
# OPTIONS section names exactly the options that --help lists and its
# COMMANDS section exactly the commands of the debugger's help.
. "$(dirname "$0")/lib.sh"

PAGE=$TESTS_DIR/../shadow-sim.1

if ! command -v groff >/dev/null 2>&1; then
        not_ok "man page renders" "groff is missing (scripts/deps.sh installs groff-base)"
        exit 0
fi
# (Bold and underline come as overstrikes: X backspace X.)
bs=$(printf '\b')
if groff -man -Tutf8 -ww "$PAGE" 2>"$TMP/warnings" | sed "s/.$bs//g" >"$TMP/page.txt" &&
        [ ! -s "$TMP/warnings" ] && grep -q '^EXIT STATUS' "$TMP/page.txt"; then
        ok "man page renders without warnings"
else
        not_ok "man page renders without warnings" "$(head -n 5 "$TMP/warnings")"
fi

# Options of --help: the part of each option line before the description
# (two blanks), e.g. "-m, --mode MODE" gives -m and --mode.
"$SHADOW_SIM" --help | sed -n 's/^ *\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
        grep -oE -- '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,' | sort -u >"$TMP/help.opts"
# Options of the man page: the tag line after each .TP under OPTIONS.
awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH / { on = 0 } on && prev == ".TP" { print } { prev = $0 }' \
        "$PAGE" | sed 's/\\-/-/g' | grep -oE -- '(^|[ "])--?[A-Za-z][a-z-]*' | tr -d ' "' |
        sort -u >"$TMP/man.opts"
if [ "$(wc -l <"$TMP/help.opts")" -ge 10 ] && cmp -s "$TMP/help.opts" "$TMP/man.opts"; then
        ok "man page and --help list the same $(wc -l <"$TMP/help.opts") options"
else
        not_ok "man page and --help list the same options" \
                "$(diff "$TMP/help.opts" "$TMP/man.opts" | grep '^[<>]' | tr '\n' ' ')" \
                "(< only in --help, > only in the man page)"
fi

# Commands of the debugger (its help) against the COMMANDS section.
echo help | "$SHADOW_SIM" --repl 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u >"$TMP/help.cmds"
awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 } on && prev == ".TP" { print } { prev = $0 }' \
        "$PAGE" | sed 's/\\-/-/g' | awk '{ print $2 }' | tr -d '"' | sort -u >"$TMP/man.cmds"
if [ "$(wc -l <"$TMP/help.cmds")" -ge 10 ] && cmp -s "$TMP/help.cmds" "$TMP/man.cmds"; then
        ok "man page and the debugger's help list the same $(wc -l <"$TMP/help.cmds") commands"
else
        not_ok "man page and the debugger's help list the same commands" \
                "$(diff "$TMP/help.cmds" "$TMP/man.cmds" | grep '^[<>]' | tr '\n' ' ')" \
                "(< only in help, > only in the man page)"
fi
