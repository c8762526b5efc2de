#!/bin/sh
# Checks the build dependencies of shadow-sim and, on a Debian machine where
# it can (root, apt-get present), installs what is missing. Otherwise it
# prints the exact command to run and fails, instead of letting the compiler
# fail later with a missing header.
#
#   sh scripts/deps.sh         what `make` and `make test` need
#   sh scripts/deps.sh fuzz    also clang and libFuzzer (make fuzz)
#   sh scripts/deps.sh bench   also GNU time (make bench)
set -u

# pkg-config module -> Debian package
need=""
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
# zlib, liblzma and libzstd read compressed traces (.gz, .xz, .zst).
for pair in ncursesw:libncurses-dev readline:libreadline-dev cmocka:libcmocka-dev \
        zlib:zlib1g-dev liblzma:liblzma-dev libzstd:libzstd-dev; do
        mod=${pair%%:*}
        pkg=${pair#*:}
        if ! pkg-config --exists "$mod" 2>/dev/null; then
                need="$need $pkg"
        fi
done
# The end-to-end tests drive the stepper in a real terminal and write
# compressed traces with the command-line tools.
for tool in gzip xz zstd; do
        command -v $tool >/dev/null 2>&1 || need="$need $tool"
done
command -v tmux >/dev/null 2>&1 || need="$need tmux"
# The suite runs the batch tests under valgrind memcheck and checks that the
# man page renders without warnings.
command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
command -v groff >/dev/null 2>&1 || need="$need groff-base"

for extra in "$@"; do
        case $extra in
        fuzz)
                command -v clang >/dev/null 2>&1 || need="$need clang"
                # libFuzzer's runtime ships with compiler-rt.
                if ! clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep -q /; then
                        need="$need libclang-rt-dev"
                fi
                ;;
        bench)
                [ -x /usr/bin/time ] || need="$need time"
                ;;
        *)
                echo "scripts/deps.sh: unknown extra '$extra' (fuzz, bench)" >&2
                exit 2
                ;;
        esac
done

[ -z "$need" ] && exit 0

echo "shadow-sim: missing build dependencies:$need" >&2
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "shadow-sim: installing them with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq $need >&2 && exit 0
        echo "shadow-sim: apt-get failed" >&2
fi
echo "shadow-sim: install them with:  sudo apt-get install$need" >&2
exit 1
