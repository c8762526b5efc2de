#!/bin/sh
# Breakpoint markers, as cgdb marks lines: on the log's events a
# breakpoint stops on, on the table entries and TLB rows whose page a
# breakpoint covers; hollow for a disabled breakpoint; ASCII without
# UTF-8; the EPT's guest-physical leaves for break gpa.
. "$(dirname "$0")/lib.sh"
top=$TESTS_DIR/..
if ! command -v tmux >/dev/null 2>&1; then
        not_ok "markers: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"
# (The panes' left borders come first on a row: │ or |.)

tmux_shell 120 40
printf 'break 0x1000\ncontinue\ncontinue\n' >"$TMP/lecture.cmd"
start "$SHADOW_SIM" -i --script "$TMP/lecture.cmd" "$top/traces/sample_trace.txt"
check "the stepper stops on the read of 0x1000" wait_for '=> #19 ACCESS 0x1000 R' 15
check "the guest entry of 0x1000 is marked" wait_for '^│● +├─\[  1\] 0x1000->0x5000'
check "its neighbour is not" wait_for '^│ +└─\[  2\] 0x2000->0x6000'
check "the shadow entry of 0x1000 is marked, where the walk's * would be" wait_for '│● +├─\[  1\] 0x1000->hpa 0x8A000'
check "the TLB row of 0x1000 is marked" wait_for '│new● +1\.0 0x1000->0x8A000'
check "the log marks the event the breakpoint stopped on before" wait_for '^│● +#15 VM_EXIT pt_write'
check "and the current one" wait_for '^│● +=> #19 ACCESS 0x1000 R'
check "and no other event" sh -c "[ \"\$($TM capture-pane -p -t t | grep -Ec '^│● +(=> )?#')\" -eq 2 ]"
command 'disable 1'
check "a disabled breakpoint marks its entries hollow" wait_for '^│○ +├─\[  1\] 0x1000->0x5000'
check "and the TLB row" wait_for '│new○ +1\.0 0x1000->0x8A000'
check "the log marks no event a disabled breakpoint would stop on" \
        wait_gone '^│● +=> #19 ACCESS'
command 'delete 1'
check "deleted, it marks nothing" wait_gone '[●○]'
# Space on the selected guest entry: the 5th row is 0x1000's.
command 'focus guest'
$TM send-keys -t t Home j j j j Space
check "Space on a guest entry sets a breakpoint on its page" wait_for 'Breakpoint 2: gva 0x1000-0x1FFF'
check "which marks it at once" wait_for '^│● +├─\[  1\] 0x1000->0x5000'
command 'break 0x0/1G'
check "a range marks the table entry that covers it" wait_for '^│● +└─\[  0\] -> L2 0xFFFFD000'
check "and the entries inside it" wait_for '^│● +└─\[  2\] 0x2000->0x6000'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'

# ASCII, and the EPT: a guest-physical breakpoint marks the nested leaf.
printf 'mode ept\nbreak gpa 0x5000\nbreak 0x1000\ncontinue\ncontinue\nstepi 2\n' >"$TMP/ept.cmd"
start env LANG=C "$SHADOW_SIM" -i --script "$TMP/ept.cmd" "$top/traces/sample_trace.txt"
check "under EPT the stepper reaches the read" wait_for '=> #19 ACCESS 0x1000 R' 15
check "ASCII marks with B" wait_for '^\|B +\|-\[  1\] 0x1000->0x5000'
check "break gpa marks the EPT leaf of that frame" wait_for '\|B +\| +\|-\[  5\] gpa 0x5000->hpa 0x8A000'
check "and not the leaf beside it" wait_for '\|  +\| +`-\[  6\] gpa 0x6000->hpa'
check "the log marks the EPT violation on that frame" wait_for '^\|B +#17 VM_EXIT ept_violation #6 gpa=0x5000'
$TM send-keys -t t q
check "q leaves with status 0" wait_for '^EXIT=0$'
