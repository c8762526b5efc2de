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

# The bash completion script: installed where bash-completion looks, and
# it completes options, modes, scenarios, their parameters, debugger
# commands and a sweep's lists.
make -s --no-print-directory -C "$TOP" install DESTDIR="$ROOT" PREFIX="$PREFIX" >"$TMP/out" 2>&1
COMP=$ROOT$PREFIX/share/bash-completion/completions/shadow-sim
if [ -f "$COMP" ]; then ok "installed share/bash-completion/completions/shadow-sim"; else
        not_ok "installed share/bash-completion/completions/shadow-sim" "$(tail -n 3 "$TMP/out")"
fi
if [ -f "$ROOT$PREFIX/share/shadow-sim/sweep.gp" ]; then ok "installed share/shadow-sim/sweep.gp"; else
        not_ok "installed share/shadow-sim/sweep.gp"
fi
if command -v bash >/dev/null 2>&1 && [ -f "$COMP" ]; then
        # expect_completion NAME WANT WORD... : completing the last WORD offers WANT
        # (the replies, one a line, joined by spaces).
        expect_completion() {
                name=$1 want=$2
                shift 2
                got=$(bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _shadow_sim
                        printf "%s\n" "${COMPREPLY[@]}"' complete "$COMP" "$@" | tr '\n' ' ' | sed 's/ $//')
                if [ "$got" = "$want" ]; then ok "completion: $name"; else
                        not_ok "completion: $name" "got:  $got" "want: $want"
                fi
        }
        modes=$("$SHADOW_SIM" --help | sed -n 's/^                           \([a-z][a-z-]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')
        expect_completion "every scheme after --mode" "$modes" shadow-sim --mode ""
        expect_completion "a scheme by its prefix" "shadow-eager shadow shadow-oos" shadow-sim --mode sha
        expect_completion "--mode=value" "ept" shadow-sim --mode = ep
        expect_completion "an option by its prefix" "--tlb-sets --tlb-ways" shadow-sim --tlb
        expect_completion "the subcommands" "gen sweep quiz completion" shadow-sim ""
        expect_completion "a scenario" "mmap-churn migration" shadow-sim gen m
        expect_completion "a scenario's parameters" "--iterations" shadow-sim gen forkwait --it
        expect_completion "a debugger command after -e" "back backi break" shadow-sim -e b
        expect_completion "a cost key" "pt_write= pt_store=" shadow-sim --cost pt
        expect_completion "the last item of a sweep's list" "shadow,ept" shadow-sim sweep --mode shadow,e
        expect_completion "a sweep's own options" "--jobs" shadow-sim sweep --jo
        expect_completion "on and off" "on off" shadow-sim sweep --pcid ""
        expect_completion "the quiz's own options" "--count" shadow-sim quiz --cou
        expect_completion "a scheme for the quiz" "ept" shadow-sim quiz --mode e
fi
make -s --no-print-directory -C "$TOP" uninstall DESTDIR="$ROOT" PREFIX="$PREFIX" >/dev/null 2>&1
left=$(find "$ROOT" -type f | sed "s|^$ROOT||")
if [ -z "$left" ]; then ok "uninstall removes the completion too"; else
        not_ok "uninstall removes the completion too" $left
fi
expect_status "completion of another shell is a usage error" 64 "$SHADOW_SIM" completion zsh
expect_grep "and says what it expected" "$TMP/err" "expected 'bash', found 'zsh'"
