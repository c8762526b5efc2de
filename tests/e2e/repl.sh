#!/bin/sh
# The debugger prompt driven through a pipe, and --script files.
. "$(dirname "$0")/lib.sh"
# A fixed copy of the sample trace, so event numbers here do not move
# when the built-in sample is edited.
SAMPLE="$TMP/sample.txt"
cat >"$SAMPLE" <<'TRACE'
# shadow-sim sample trace: one process maps, touches and remaps memory,
# a second process runs beside it, and both share the kernel's mappings.
# Run it in every scheme:  ./shadow-sim --mode shadow|ept|native
# Step through it:         make run

# Process 0 maps its first page. The guest links a PDPT, a PD and a PT
# into its root; only the root is shadowed yet, so only that link traps.
PT_WRITE 0x2000->0x6000
# First touch: a TLB miss. Under shadow paging the shadow has no entry:
# a hidden page fault, the VMM walks the guest tables and fills the shadow.
ACCESS 0x2000
# That PT page is now shadowed, so write-protected: this store traps and
# the VMM updates the shadow entry while emulating it.
PT_WRITE 0x1000->0x5000
ACCESS 0x1000 R
# The first write to a clean page: the VMM emulates the dirty bit.
W 0x1000
R 0x1000
# Remap a page (say, copy-on-write broken) and invalidate its TLB entry.
PT_WRITE 0x2000->0x7000
INVLPG 0x2000
W 0x2000
# A code page: read and execute only. Writing it is a guest page fault.
PT_WRITE 0x400000->0x20000 rx
X 0x400000
W 0x400000
# A kernel page: the upper half is shared by every address space.
PT_WRITE 0xFFFF800000000000->0x100000
R 0xFFFF800000000000
# Switch to process 1: a new root, the kernel half copied into it.
CR3 1
PT_WRITE 0x2000->0x9000
ACCESS 0x2000
R 0xFFFF800000000000
# Back to process 0: its shadow root is still cached.
CR3 0
ACCESS 0x1000
# Unmap a page; after INVLPG the next touch faults.
PT_CLEAR 0x1000
INVLPG 0x1000
ACCESS 0x1000
# A 2 MiB page: one TLB entry natively, 4K pieces under shadow and EPT.
PT_WRITE 0x40000000->0x40000000 rw 2M
R 0x40001000
R 0x40002000
TLB_FLUSH
R 0x40001000
TRACE

# A breakpoint on a GVA, continue, and where it stopped.
printf 'break 0x1000\ncontinue\ninfo breakpoints\n' | "$SHADOW_SIM" --repl "$SAMPLE" >"$TMP/out" 2>"$TMP/err"
st=$?
expect_grep "repl break announces" "$TMP/out" '^Breakpoint 1: gva 0x1000-0x1FFF$'
expect_grep "repl continue stops on the first event about 0x1000" "$TMP/out" \
        '^Breakpoint 1 \(gva 0x1000-0x1FFF\), event #15, hit 1 time$'
expect_grep "repl shows the line it stopped on" "$TMP/out" '^line 14: PT_WRITE 0x1000->0x5000'
expect_grep "repl shows the current event" "$TMP/out" '^=> #15 \[TRACE\] VM_EXIT pt_write #3'
expect_grep "repl explains it" "$TMP/out" 'write-protected table page -> VM exit #3; on this line ept took no VM exit'
expect_grep "repl lists breakpoints with hits" "$TMP/out" '^1    y    1     gva 0x1000-0x1FFF$'
if [ "$st" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "repl pipe exits 0"; else not_ok "repl pipe exits 0" "exit $st" "$(cat "$TMP/err")"; fi

# Reverse: step forward, back, the counters agree.
printf 'step 20\ninfo stats\nstep 5\nback 5\ninfo stats\n' | "$SHADOW_SIM" --repl "$SAMPLE" >"$TMP/out" 2>&1
if [ "$(grep -c '^exits ' "$TMP/out")" -eq 2 ] && [ "$(grep '^exits ' "$TMP/out" | sort -u | wc -l)" -eq 1 ]; then
        ok "repl back restores the counters"
else
        not_ok "repl back restores the counters" "$(grep '^exits ' "$TMP/out")"
fi

# A bad command: a message on stderr, the rest still runs, status 65.
printf 'frobnicate\nstep\n' | "$SHADOW_SIM" --repl "$SAMPLE" >"$TMP/out" 2>"$TMP/err"
st=$?
expect_grep "repl reports an unknown command" "$TMP/err" "^error: unknown command 'frobnicate'"
expect_grep "repl goes on after an error" "$TMP/out" '^line 8: PT_WRITE 0x2000->0x6000'
if [ "$st" -eq 65 ]; then ok "repl exits 65 after a bad command"; else not_ok "repl exits 65 after a bad command" "exit $st"; fi

# A script: runs before the prompt; alone, it runs and exits.
printf '# a lecture\nbreak exit cr3\ncontinue\nwhere\n' >"$TMP/lecture.cmd"
"$SHADOW_SIM" --script "$TMP/lecture.cmd" "$SAMPLE" >"$TMP/out" 2>"$TMP/err"
st=$?
expect_grep "script runs its commands" "$TMP/out" '^Breakpoint 1 \(exit cr3\), event #'
expect_grep "script where" "$TMP/out" '^line 31: CR3 1'
if [ "$st" -eq 0 ]; then ok "script exits 0"; else not_ok "script exits 0" "exit $st" "$(cat "$TMP/err")"; fi

printf 'step\nbrake 0x1000\nstep\n' >"$TMP/bad.cmd"
expect_status "a bad script exits 65" 65 "$SHADOW_SIM" --script "$TMP/bad.cmd" "$SAMPLE"
expect_grep "a bad script names file and line" "$TMP/err" "^$TMP/bad.cmd:2: error: unknown command 'brake'"
expect_status "an unreadable script exits 66" 66 "$SHADOW_SIM" --script "$TMP/none.cmd" "$SAMPLE"
expect_grep "an unreadable script is named" "$TMP/err" "none.cmd: cannot read"

# Inputs that cannot be opened (a piped trace is stepped through: inputs.sh).
expect_status "repl on a missing trace exits 66" 66 "$SHADOW_SIM" --repl "$TMP/none.txt" </dev/null
expect_status "-i and --repl together is a usage error" 64 "$SHADOW_SIM" -i --repl

# A malformed trace line stops a move with file:line:col; the next goes on.
printf 'R 0x1000\nFROB 1\nR 0x2000\n' >"$TMP/bad.txt"
printf 'step\nstep\nstep\n' | "$SHADOW_SIM" --repl "$TMP/bad.txt" >"$TMP/out" 2>"$TMP/err"
st=$?
expect_grep "repl reports a bad trace line" "$TMP/out" "^$TMP/bad.txt:2:1: error: expected a keyword"
expect_grep "repl steps past it" "$TMP/out" '^line 3: ACCESS 0x2000 R'
if [ "$st" -eq 65 ]; then ok "repl exits 65 after a bad trace line"; else not_ok "repl exits 65 after a bad trace line" "exit $st"; fi

# Breakpoints that could never match are refused.
printf 'break event 0\nbreak line 0\n' >"$TMP/zero.cmd"
"$SHADOW_SIM" --script "$TMP/zero.cmd" >"$TMP/out" 2>"$TMP/err"
status=$?
if [ "$status" -eq 65 ] && grep -q "expected an event number from 1 after 'event', found '0'" "$TMP/err"; then
        ok "break event 0 is refused"
else
        not_ok "break event 0 is refused" "exit $status" "$(cat "$TMP/err")"
fi

# -e runs commands after the script, as gdb's -ex; alone, then exits.
"$SHADOW_SIM" -e 'break exit cr3' -e continue -e where "$SAMPLE" >"$TMP/out" 2>"$TMP/err"
status=$?
if [ "$status" -eq 0 ] && grep -q '^Breakpoint 1 (exit cr3), event #' "$TMP/out" && grep -q '^line 31: CR3 1' "$TMP/out"; then
        ok "-e runs its commands in order"
else
        not_ok "-e runs its commands in order" "exit $status" "$(head -3 "$TMP/out")"
fi
printf 'break exit cr3\n' >"$TMP/first.cmd"
"$SHADOW_SIM" --script "$TMP/first.cmd" -e continue -e 'info breakpoints' "$SAMPLE" >"$TMP/out" 2>&1
expect_grep "-e comes after --script" "$TMP/out" '^1 +y +1 +exit cr3$'
expect_status "a bad -e command exits 65" 65 "$SHADOW_SIM" -e step -e 'brake 0x1000' -e step "$SAMPLE"
expect_grep "a bad -e command is named" "$TMP/err" "^-e 'brake 0x1000': error: unknown command 'brake'"
expect_status "-e with --compare is a usage error" 64 "$SHADOW_SIM" -e step --compare "$SAMPLE"

# What the prompt and the full-screen stepper share is in ui/stepper.c, and
# what it exports is named after it.
top=$TESTS_DIR/..
elsewhere=$(grep -l '^[a-z][a-z_ ]*[ *]stepper_[a-z_]*(' "$top"/ui/*.c | grep -v '/stepper\.c$')
foreign=$(grep '^[a-z][a-z_ ]*[ *][a-z_]*(' "$top/ui/stepper.c" | grep -v '^static' | grep -v '[ *]stepper_[a-z_]*(')
if [ -z "$elsewhere" ] && [ -z "$foreign" ] && grep -q '^int stepper_open(' "$top/ui/stepper.c"; then
        ok "stepper_* functions live in ui/stepper.c, which exports nothing else"
else
        not_ok "stepper_* functions live in ui/stepper.c, which exports nothing else" "$elsewhere" "$foreign"
fi

# Several vCPUs: where names the vCPU a line ran on, break cpu N stops on
# that vCPU's events, and a vCPU the machine lacks is refused.
VT="$TESTS_DIR/golden/vcpus.trace"
printf 'break cpu 2\ncontinue\nwhere\n' | "$SHADOW_SIM" --repl --vcpus 3 "$VT" >"$TMP/cpu.out" 2>&1
expect_grep "break cpu N: set" "$TMP/cpu.out" '^Breakpoint 1: cpu 2$'
expect_grep "break cpu N: stops on the vCPU's first event" "$TMP/cpu.out" \
        '^Breakpoint 1 \(cpu 2\), event #23, hit 1 time$'
expect_grep "where names the line's vCPU" "$TMP/cpu.out" '^line 16 on vCPU 2: CPU 2 '
expect_grep "the stop is on vCPU 2" "$TMP/cpu.out" '^=> #23 \[TRACE\] CPU cpu=2 online$'
printf 'break cpu 3\n' | "$SHADOW_SIM" --repl --vcpus 3 "$VT" >"$TMP/cpu3.out" 2>&1
expect_grep "break cpu N: a vCPU the machine lacks" "$TMP/cpu3.out" \
        'cpu 3: the machine has 3 vCPUs \(--vcpus\)'
