#!/bin/sh
# Regenerates docs/why-ept.md from real runs of ./shadow-sim (make docs).
# Every number in the document comes from a run made here; every claim is
# checked against those numbers, and the script fails if one does not hold.
set -eu
cd "$(dirname "$0")/.."
S=${SHADOW_SIM:-./shadow-sim}
OUT=${1:-docs/why-ept.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# value CSV ROW COLUMN: one cell of a --compare --stats=csv table.
value() {
        awk -F, -v row="$2" -v col="$3" \
                'NR == 1 { for (i = 2; i <= NF; i++) if ($i == col) c = i } $1 == row { print $c }' "$1"
}

# ratio A B: A/B with one decimal.
ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.1f", a / b }'
}

# check CONDITION MESSAGE: a claim of the document; stop if it is false.
check() {
        if ! awk "BEGIN { exit !($1) }"; then
                echo "why-ept.sh: claim does not hold: $2 ($1)" >&2
                exit 1
        fi
}

# table CSV [ROWS]: the rows that tell the story (a regular expression of
# counter names), as a Markdown table.
STORY='pt_writes|exits|exit_pt_write|exit_page_fault|exit_cr3|exit_invlpg|exit_ept_violation|shadow_updates|resyncs|tlb_misses|walk_refs|guest_pf|cycles'
table() {
        awk -F, -v rows="^(${2:-$STORY})\$" '
        NR == 1 { printf "| |"; for (i = 2; i <= NF; i++) printf " %s |", $i; printf "\n|---|"
                  for (i = 2; i <= NF; i++) printf "---:|"; printf "\n"; next }
        $1 ~ rows {
                  printf "| %s |", $1; for (i = 2; i <= NF; i++) printf " %s |", $i; printf "\n" }
        $1 == "overhead_pct" { printf "| **overhead vs native** |"; for (i = 2; i <= NF; i++) printf " %s%% |", $i; printf "\n" }' "$1"
}

compare() { # NAME GEN-ARGS...: generate a trace, run every scheme on it
        name=$1
        shift
        "$S" gen "$@" >"$tmp/$name.trace"
        "$S" --compare --stats=csv "$tmp/$name.trace" >"$tmp/$name.csv"
}

# ---- the 2D walk -----------------------------------------------------------
printf 'PT_WRITE 0x1000->0x5000\nR 0x1000\nTLB_FLUSH\nR 0x1000\n' >"$tmp/walk.trace"
refs() { # MODE N M [OPTIONS]: references of the second, cold-TLB walk (no
        # page-walk caches unless OPTIONS turn them on: the textbook count)
        mode=$1 n=$2 m=$3
        shift 3
        "$S" --mode "$mode" --levels "$n" --ept-levels "$m" --guest-mem 512M --pwc off "$@" \
                "$tmp/walk.trace" |
                grep 'ACCESS' | tail -1 | sed 's/.*refs=//'
}
walk_rows=""
for n in 2 3 4 5; do
        row="| $n guest levels |"
        for m in 2 3 4 5; do
                row="$row $(refs ept $n $m) |"
        done
        walk_rows="$walk_rows$row
"
done
ept44=$(refs ept 4 4)
ept55=$(refs ept 5 5)
native4=$(refs native 4 4)
shadow4=$(refs shadow 4 4)
pwc44=$(refs ept 4 4 --pwc on)
printf 'PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\nR 0x1000\nR 0x2000\n' >"$tmp/near.trace"
near44=$("$S" --mode ept --pwc on "$tmp/near.trace" | grep 'ACCESS' | tail -1 | sed 's/.*refs=//')
check "$near44 < $pwc44 && $pwc44 < $ept44" "page-walk caches shrink the 2D walk" 
check "$ept44 == 24" "a cold 4+4 walk makes 24 references"
check "$ept55 == 35" "a cold 5+5 walk makes 35 references"

# ---- the workloads -----------------------------------------------------------
compare forkwait forkwait
compare tlb tlb-stress
compare ctx context-switch
compare churn mmap-churn
compare migration migration
"$S" --compare --stats=csv --host-pages 2M "$tmp/migration.trace" >"$tmp/migration2m.csv"

fw_shadow=$(value "$tmp/forkwait.csv" exits shadow)
fw_eager=$(value "$tmp/forkwait.csv" exits shadow-eager)
fw_oos=$(value "$tmp/forkwait.csv" exits shadow-oos)
fw_ept=$(value "$tmp/forkwait.csv" exits ept)
fw_ptw=$(value "$tmp/forkwait.csv" pt_writes native)
fw_traps=$(value "$tmp/forkwait.csv" exit_pt_write shadow)
fw_ohs=$(value "$tmp/forkwait.csv" overhead_pct shadow)
fw_ohe=$(value "$tmp/forkwait.csv" overhead_pct ept)
check "$fw_shadow > 3 * $fw_ept" "forkwait exits far more under shadow paging than under EPT"
check "$fw_ohs > $fw_ohe" "forkwait costs more under shadow paging"

tlb_ws=$(value "$tmp/tlb.csv" walk_refs shadow)
tlb_we=$(value "$tmp/tlb.csv" walk_refs ept)
tlb_ohs=$(value "$tmp/tlb.csv" overhead_pct shadow)
tlb_ohe=$(value "$tmp/tlb.csv" overhead_pct ept)
tlb_miss=$(value "$tmp/tlb.csv" tlb_misses native)
tlb_ptw=$(value "$tmp/tlb.csv" pt_writes native)
tlb_cs=$(value "$tmp/tlb.csv" cycles shadow)
tlb_ce=$(value "$tmp/tlb.csv" cycles ept)
walk_cost=$("$S" --cost help | awk '$1 == "walk_ref" { print $2 }')
# Each further miss costs EPT this many more references than shadow paging;
# shadow paging's lead in cycles (negative: its deficit) and the misses
# after which it has paid back its exits.
tlb_per_miss=$(awk -v e="$tlb_we" -v s="$tlb_ws" -v m="$tlb_miss" 'BEGIN { printf "%.1f", (e - s) / m }')
tlb_cross=$(awk -v cs="$tlb_cs" -v ce="$tlb_ce" -v p="$tlb_per_miss" -v w="$walk_cost" \
        'BEGIN { x = (cs - ce) / (p * w); printf "%d", (x > 0 ? x : 0) }')
check "$tlb_we > 2 * $tlb_ws" "tlb-stress walks far more under EPT"
check "$tlb_per_miss > 0" "each further miss costs EPT more"
if awk "BEGIN { exit !($tlb_ohs < $tlb_ohe) }"; then
        tlb_verdict="for a static page table with heavy TLB pressure, shadow paging wins"
else
        tlb_verdict="at this length EPT is still ahead: the exits that build the shadow
tables cost more than EPT's longer walks. But every further miss costs EPT
$tlb_per_miss more references, so after about $tlb_cross more misses of this
kind shadow paging has paid back its exits and wins: the steady state of a
static page table under heavy TLB pressure favours shadow paging"
fi

ctx_cr3=$(value "$tmp/ctx.csv" exit_cr3 shadow)
ctx_ept=$(value "$tmp/ctx.csv" exits ept)
ctx_shadow=$(value "$tmp/ctx.csv" exits shadow)
ctx_ohs=$(value "$tmp/ctx.csv" overhead_pct shadow)
ctx_ohe=$(value "$tmp/ctx.csv" overhead_pct ept)

ch_shadow=$(value "$tmp/churn.csv" exits shadow)
ch_oos=$(value "$tmp/churn.csv" exits shadow-oos)
ch_ptws=$(value "$tmp/churn.csv" exit_pt_write shadow)
ch_ptwo=$(value "$tmp/churn.csv" exit_pt_write shadow-oos)
ch_resync=$(value "$tmp/churn.csv" resyncs shadow-oos)
check "$ch_oos < $ch_shadow" "out-of-sync pages cut exits on the update-heavy trace"
check "$fw_oos <= $fw_shadow" "out-of-sync pages do not add exits to forkwait"

mg_rounds=$(value "$tmp/migration.csv" dirty_rounds ept)
mg_extra=$(value "$tmp/migration.csv" dirty_extra ept)
mg_pages=$(($(value "$tmp/migration.csv" dirty_pages ept) - mg_extra))
mg_shadow=$(value "$tmp/migration.csv" dirty_exits shadow)
mg_ept=$(value "$tmp/migration.csv" dirty_exits ept)
mg_pages2m=$(value "$tmp/migration2m.csv" dirty_pages ept)
mg_extra2m=$(value "$tmp/migration2m.csv" dirty_extra ept)
check "$mg_shadow == $(value "$tmp/migration.csv" dirty_pages shadow)" "shadow paging exits once per dirty page"
check "$mg_ept * 400 < $mg_shadow" "PML exits once per 512 pages"
check "$mg_extra2m > 0" "2M host pages make tracking coarse"

version=$("$S" --version)
{
cat <<EOF2
# Why EPT? Shadow paging against nested paging, measured

This page is generated by \`make docs\` (scripts/why-ept.sh) from runs of
$version; every number below comes from those runs, and the script stops if
one of the claims stops holding. Traces come from the workload generator
(\`shadow-sim gen\`), with its default sizes and seeds.

Five schemes run every trace in lockstep (\`shadow-sim --compare\`):
native paging (the baseline), shadow paging with eagerly mirrored tables
(\`shadow-eager\`), KVM-like lazy shadow paging (\`shadow\`), shadow paging
with out-of-sync leaf tables (\`shadow-oos\`) and nested paging (\`ept\`).
Cycles use the default cost model (\`shadow-sim --cost help\`): a VM exit
round trip costs 1,500 cycles, a shadow page fault about 5,000 in all, a
trapped page-table write about 6,000 in all, a page-walk reference 25.

## 1. What a TLB miss costs

A TLB miss natively reads one entry per level: $native4 references with 4
levels. Shadow paging gives the hardware a table that maps guest-virtual
straight to host-physical, so its walk costs the same: $shadow4 references.
Nested paging walks two dimensions: every guest table is found at a
guest-physical address that must itself be translated through the nested
table, and so must the final address. With nothing cached that is
(n+1)(m+1)-1 references:

| cold 2D walk | 2 nested | 3 nested | 4 nested | 5 nested |
|---|---:|---:|---:|---:|
$walk_rows
The classic cases are reproduced: **$ept44 references for 4+4 levels**, and
**$ept55 for 5+5** (LA57 with 5-level EPT). Page-walk caches (\`--pwc on\`)
are what make this bearable on real CPUs: a miss on the page next to one
just walked makes **$near44 references**, the guest's upper levels and the
nested upper levels all cached; after a guest TLB flush (which drops the
guest-dimension caches but keeps the nested ones) the same 4+4 miss makes
$pwc44.

## 2. Page-table updates: where shadow paging pays (forkwait)

\`forkwait\` forks, lets the child touch a few pages and exit, and waits, in
a loop: the microbenchmark on which software MMUs and the first hardware
assists were compared. It is all page-table updates: $fw_ptw guest
page-table writes.

$(table "$tmp/forkwait.csv")

Under shadow paging every write to a shadowed guest table is a VM exit that
the VMM must emulate: $fw_traps page-table-write exits here, $fw_shadow exits
in all, against **$fw_ept under EPT ($(ratio "$fw_shadow" "$fw_ept") times fewer)**, where the
guest edits its own tables freely and only the first touch of each guest
frame exits (an EPT violation). The modelled overhead over native is
$fw_ohs% for shadow paging and $fw_ohe% for EPT. Mirroring eagerly is
worse still: $fw_eager exits.

## 3. A static page table with many TLB misses: where EPT pays (tlb-stress)

\`tlb-stress\` maps a large working set once ($tlb_ptw page-table writes) and
then touches it at random: $tlb_miss TLB misses natively.

$(table "$tmp/tlb.csv")

Once the shadow tables are built nothing exits any more, and each miss costs
a one-dimensional walk: $tlb_ws walk references in all. Under EPT every miss
is a two-dimensional walk: **$tlb_we references, $(ratio "$tlb_we" "$tlb_ws") times as many**.
Overhead over native: **shadow $tlb_ohs%, EPT $tlb_ohe%**: $tlb_verdict. This is the trade-off
Bhargava et al. (ASPLOS 2008) measured for AMD's nested paging, and the one
Agile Paging (ISCA 2016) exploits by switching between the two per region.

## 4. Context switches

\`context-switch\` runs several processes round robin. Under shadow paging
every CR3 load exits ($ctx_cr3 CR3 exits here) and, with more address
spaces than the VMM caches shadow roots for (4, as KVM), roots are dropped
and rebuilt; without PCID every switch flushes the TLB in every scheme.

$(table "$tmp/ctx.csv")

Shadow paging: $ctx_shadow exits, $ctx_ohs% overhead; EPT: $ctx_ept exits,
$ctx_ohe% overhead.

## 5. Out-of-sync shadow pages (mmap-churn)

KVM's answer to update-heavy guests was to let leaf tables go *out of sync*:
the first trapped write unprotects the table, later writes go straight
through, and the VMM resyncs the table at the next INVLPG, CR3 load or TLB
flush. \`mmap-churn\` maps, touches and unmaps memory in a loop:

$(table "$tmp/churn.csv")

Page-table-write exits drop from $ch_ptws (\`shadow\`) to $ch_ptwo
(\`shadow-oos\`), and exits in all from $ch_shadow to $ch_oos, at the price of
$ch_resync resyncs. On forkwait the same policy gives $fw_oos exits against
$fw_shadow. EPT still exits least ($(value "$tmp/churn.csv" exits ept) here): that is what EPT fixed.

## 6. Dirty logging for live migration (migration)

To migrate a running guest the hypervisor copies its memory in rounds and
must learn which pages were written since the last round. \`migration\`
writes at random while the hypervisor syncs the log $mg_rounds times
($mg_pages dirty pages in all).

$(table "$tmp/migration.csv" 'exits|dirty_rounds|dirty_pages|dirty_extra|dirty_exits|exit_page_fault|exit_pml_full|cycles')

Shadow paging write-protects every shadow leaf at the start of a round, so
the first write to each page exits: **$mg_shadow exits for $mg_pages pages**.
With EPT the CPU sets the nested dirty bit itself and appends the page to a
512-entry page-modification log (PML), exiting only when the log is full:
**$mg_ept exits**. It also logs the $mg_extra guest page-table pages its walks
read, since with EPT A/D flags on the walker's accesses to guest paging
structures count as writes (Intel SDM Vol. 3C, "Accessed and Dirty Flags for
EPT"). If the host backs the guest with 2M pages and does not
split them (\`--host-pages 2M\`), one dirty bit covers 512 frames and the
hypervisor must resend all of them: $mg_pages2m pages reported, **$mg_extra2m
of them never written**. That is why KVM splits large pages while it logs.

## Reproduce

\`\`\`sh
make docs                                   # this page
./shadow-sim gen forkwait | ./shadow-sim --compare -
./shadow-sim --mode ept --levels 5 --ept-levels 5 traces/sample_trace.txt
\`\`\`
EOF2
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
