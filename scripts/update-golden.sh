#!/bin/sh
# Rewrites tests/golden/*.out from the current ./shadow-sim. Review the diff
# (git diff tests/golden) before committing: the .out files are the contract.
set -eu
cd "$(dirname "$0")/../tests/golden"
for cmd in ${1:-*.cmd}; do
        base=${cmd%.cmd}
        (eval "../../shadow-sim $(cat "$cmd")" 2>&1; echo "exit=$?") > "$base.out"
done
