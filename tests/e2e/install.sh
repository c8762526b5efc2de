#!/bin/sh
# make install puts the binary, the man page and the sample traces under
# $DESTDIR$PREFIX; make uninstall removes every one of them. Runs in the
# normal pass only (it installs the top-level ./shadow-sim).
. "$(dirname "$0")/lib.sh"

case $SHADOW_SIM in */build-san/*) exit 0 ;; esac
TOP=$(cd "$TESTS_DIR/.." && pwd)
ROOT=$TMP/root
PREFIX=/opt/shadow-sim-test

if make -s --no-print-directory -C "$TOP" install DESTDIR="$ROOT" PREFIX="$PREFIX" >"$TMP/out" 2>&1; then
        ok "make install"
else
        not_ok "make install" "$(tail -n 5 "$TMP/out")"
fi
for f in bin/shadow-sim share/man/man1/shadow-sim.1 share/shadow-sim/traces/sample_trace.txt \
        share/shadow-sim/traces/forkwait.txt share/shadow-sim/traces/sortmem.lackey.gz; do
        if [ -f "$ROOT$PREFIX/$f" ]; then ok "installed $f"; else not_ok "installed $f"; fi
done
if [ -x "$ROOT$PREFIX/bin/shadow-sim" ] &&
        "$ROOT$PREFIX/bin/shadow-sim" --quiet "$ROOT$PREFIX/share/shadow-sim/traces/sample_trace.txt" |
        grep -q '^\[STATS\] exits='; then
        ok "installed binary runs the installed sample"
else
        not_ok "installed binary runs the installed sample"
fi
if make -s --no-print-directory -C "$TOP" uninstall DESTDIR="$ROOT" PREFIX="$PREFIX" >"$TMP/out" 2>&1; then
        ok "make uninstall"
else
        not_ok "make uninstall" "$(tail -n 5 "$TMP/out")"
fi
left=$(find "$ROOT" -type f | sed "s|^$ROOT||")
if [ -z "$left" ]; then ok "uninstall leaves no file"; else
        not_ok "uninstall leaves no file" $left
fi
