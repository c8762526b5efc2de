#!/bin/sh
# Turns a text file into a C source defining one string, so the built-in
# sample trace is the file in traces/, byte for byte.
# usage: embed.sh INPUT SYMBOL > OUTPUT.c
set -eu
in=$1
sym=$2
printf '/* Generated from %s by scripts/embed.sh: do not edit. */\n' "$in"
printf 'const char %s[] =\n' "$sym"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/        "/' -e 's/$/\\n"/' "$in"
printf '        "";\n'
