#!/bin/sh
# Several vCPUs in the debugger: set tlb-cpu chooses whose TLB the pane and
# info tlb show (auto: the current event's vCPU), and the pane says whose.
. "$(dirname "$0")/lib.sh"
"$SHADOW_SIM" gen shootdown --vcpus 2 >"$TMP/sd.txt" 2>/dev/null
printf 'goto 40\ninfo tlb\nset tlb-cpu 1\ninfo tlb\nset tlb-cpu 5\n' |
        "$SHADOW_SIM" --repl --vcpus 2 "$TMP/sd.txt" >"$TMP/out" 2>&1
expect_grep "info tlb shows the current event's vCPU by default" "$TMP/out" "^vCPU 0's TLB"
expect_grep "set tlb-cpu 1 shows vCPU 1's" "$TMP/out" "^vCPU 1's TLB"
expect_grep "a vCPU the machine lacks is refused" "$TMP/out" "expected 'set tlb-cpu auto' or a vCPU 0\.\.1, found '5'"
if ! command -v tmux >/dev/null 2>&1; then
        not_ok "vcpu_stepper: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
tmux_shell 120 36
start "$SHADOW_SIM" -i --vcpus 2 "$TMP/sd.txt"
check "the stepper opens" wait_for 'Guest PT.*Shadow PT' 15
command 'goto 40'
check "the TLB pane names the current event's vCPU" wait_for 'TLB  cpu 0 \(auto\)'
command 'set tlb-cpu 1'
check "set tlb-cpu 1 shows vCPU 1's TLB" wait_for 'TLB  cpu 1  0/64'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
