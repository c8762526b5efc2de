#!/bin/sh
# The README's "A lecture in ten minutes", step by step in a real terminal
# at 160x48 and at 80x24: every claim the walkthrough makes is checked on
# the screen it describes.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
        not_ok "walkthrough: tmux is installed" "scripts/deps.sh installs it"
        exit 0
fi
. "$(dirname "$0")/tmux_lib.sh"

printf 'break 0x1000\nbreak exit cr3\n' >"$TMP/lecture.cmd"

walk() {
        size=$1x$2
        TM="tmux -L shadow-sim-tmux-$$-$size -f /dev/null"
        tmux_shell "$1" "$2"
        start "cd $TMP && $SHADOW_SIM -i --script lecture.cmd"
        check "$size: the stepper opens on the sample" wait_for 'Guest PT.*Shadow PT' 15
        # 1. The trapped store, before it is made.
        $TM send-keys -t t c
        check "$size 1: c stops at the trapped store" wait_for '=> #15 VM_EXIT pt_write #3'
        check "$size 1: the entry is not there before the store" sh -c \
                "! $TM capture-pane -p -t t | grep -q '\[  1\] 0x1000->0x5000'"
        check "$size 1: the explain line says what EPT did on the line" \
                wait_for 'ept took no VM exit'
        $TM send-keys -t t i
        check "$size 1: i shows the emulated store in the guest tree" wait_for '0x1000->0x5000.*<TRAPPED'
        $TM send-keys -t t i
        check "$size 1: i again the updated shadow entry" wait_for '0x1000->hpa.*<updated'
        # 2. The shadow walk against EPT's on the same line.
        $TM send-keys -t t c
        check "$size 2: c stops at the read's walk" wait_for '=> #19 ACCESS 0x1000 R'
        check "$size 2: the hardware walked the shadow table: 4 references" \
                wait_for 'a walk of 4 memory references'
        check "$size 2: EPT took a violation" wait_for 'took 1 VM exit \(1 ept_violation\)'
        check "$size 2: and a 3-reference walk" wait_for '1 walk of 3 memory'
        # 3. The write that exits for the dirty bit, then a hit.
        $TM send-keys -t t c
        check "$size 3: the first write exits" wait_for '=> #20 VM_EXIT page_fault #4 0x1000 W'
        $TM send-keys -t t i
        check "$size 3: i shows the VMM setting the dirty bit" wait_for "set the guest's D bit"
        $TM send-keys -t t c
        check "$size 3: c once more is a TLB hit, no walk" wait_for 'TLB hit: 0x1000 -> hpa 0x8A000, no walk'
        hit=$(screen | grep -E '^shadow +exits' | head -1)
        # 4. The context switch, and back.
        $TM send-keys -t t c
        check "$size 4: c stops at CR3 1's exit" wait_for '=> #[0-9]+ VM_EXIT cr3'
        # The log lists the line's events after the current one (zoomed,
        # so that they fit at 80x24 too).
        $TM send-keys -t t z
        check "$size 4: the VMM builds the new root" wait_for 'SHADOW_ROOT asid=1 .*new'
        check "$size 4: without PCID the TLB is flushed" wait_for 'TLB_FLUSH entries=[1-9][0-9]* cause=cr3'
        $TM send-keys -t t z
        $TM send-keys -t t C
        check "$size 4: C goes back to the previous stop" wait_for '=> #23 ACCESS 0x1000 R'
        check "$size 4: the counters come back exactly" sh -c \
                "$TM capture-pane -p -t t | grep -qxF -- '$hit'"
        $TM send-keys -t t S
        check "$size 4: S goes back a line" wait_for '=> #22 ACCESS 0x1000 W'
        # 5. The same line under EPT.
        command 'mode ept'
        check "$size 5: mode ept shows the nested table" wait_for 'EPT +[0-9]+ nested tables'
        check "$size 5: the second counter line is shadow paging's" wait_for '^shadow +exits'
        command 'translate 0x1000'
        check "$size 5: translate finds it in the TLB" wait_for 'tlb +hit'
        check "$size 5: a miss now makes 3 references" wait_for 'walks 3 references'
        check "$size 5: against 24 for a cold walk" wait_for '24 for a 4K page'
        $TM send-keys -t t Escape q
        check "$size: q leaves with status 0" wait_for '^EXIT=0$'
        $TM kill-server 2>/dev/null
}

walk 160 48
walk 80 24
