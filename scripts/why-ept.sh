#!/bin/sh
# Regenerates docs/why-ept.md from real runs of ./shadow-sim (make docs).
# Every number in the document comes from a run made here; every claim is
# checked against those numbers, and the script fails if one does not hold.
# The machine is the simulator's default (page-walk caches on, KVM's root
# cache); runs with other options are named as such in the page.
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

# less A B: how much smaller A is than B, in percent with one decimal.
less() {
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * (b - a) / b }'
}

# num N: N with thousands separators (1500 -> 1,500).
num() {
        awk -v n="$1" 'BEGIN { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }'
}

# check CONDITION MESSAGE: a claim of the document; stop if it is false.
check() {
        if ! awk "BEGIN { exit !($1) }"; then
                echo "why-ept.sh: claim does not hold: $2 ($1)" >&2
                exit 1
        fi
}

# check_is WORD WANTED MESSAGE: a claim that a run names WANTED.
check_is() {
        if [ "$1" != "$2" ]; then
                echo "why-ept.sh: claim does not hold: $3 ($1, not $2)" >&2
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

# cheapest CSV SCHEME...: the scheme among SCHEME... with the least overhead.
cheapest() {
        csv=$1
        shift
        best="" low=""
        for scheme in "$@"; do
                oh=$(value "$csv" overhead_pct "$scheme")
                if [ -z "$low" ] || awk "BEGIN { exit !($oh < $low) }"; then
                        best=$scheme low=$oh
                fi
        done
        echo "$best"
}

# verdict LABEL CSV: a row of a "what changes the verdict" table: the
# overhead of each design that competes on that workload, and the cheapest.
COMPETE="shadow shadow-oos ept agile"
verdict() {
        row="| $1 |"
        for scheme in $COMPETE; do
                row="$row $(value "$2" overhead_pct "$scheme")% |"
        done
        echo "$row \`$(cheapest "$2" $COMPETE)\` |"
}

gen() { # NAME GEN-ARGS...: a generated trace
        name=$1
        shift
        "$S" gen "$@" >"$tmp/$name.trace"
}

# run CSV TRACE [OPTIONS...]: every scheme on a trace, in the background,
# two runs at a time (the machines are independent); join waits for them
# all and stops the script if one failed.
running=""
run() {
        csv=$1 trace=$2
        shift 2
        "$S" --compare --stats=csv "$@" "$tmp/$trace.trace" >"$tmp/$csv.csv" &
        running="$running $!"
        set -- $running
        [ $# -lt 2 ] || join
}
join() {
        for pid in $running; do
                wait "$pid" || { echo "why-ept.sh: a run failed" >&2; exit 1; }
        done
        running=""
}

# cost KEY: a default of the cycle model; all: with the exit it follows.
cost() { "$S" --cost help | awk -v k="$1" '$1 == k { print $2 }'; }
c_exit=$(cost exit)
c_walk=$(cost walk_ref)
c_pf=$((c_exit + $(cost page_fault)))
c_ptw=$((c_exit + $(cost pt_write)))
c_eptv=$((c_exit + $(cost ept_violation)))
c_cr3=$((c_exit + $(cost cr3)))

# The designs, as --help names them (from the scheme registry).
designs=$("$S" --help | awk '/--mode MODE/ { f = 1; next } /--levels/ { f = 0 }
        f { name = $1; sub(/^ *[^ ]+ +/, ""); printf "| `%s` | %s |\n", name, $0 }')

# ---- 1. the 2D walk ---------------------------------------------------------
printf 'PT_WRITE 0x1000->0x5000\nR 0x1000\nTLB_FLUSH\nR 0x1000\n' >"$tmp/walk.trace"
refs() { # MODE N M [OPTIONS]: references of the second walk, after a TLB
        # flush (textbook: no page-walk caches unless OPTIONS turn them on)
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
near44=$("$S" --mode ept "$tmp/near.trace" | grep 'ACCESS' | tail -1 | sed 's/.*refs=//')
check "$near44 < $pwc44 && $pwc44 < $ept44" "page-walk caches shrink the 2D walk"
check "$ept44 == 24" "a cold 4+4 walk makes 24 references"
check "$ept55 == 35" "a cold 5+5 walk makes 35 references"

# ---- the workloads ------------------------------------------------------------
gen forkwait forkwait
gen tlb tlb-stress
gen tlb_long tlb-stress --accesses 500000
gen tlb_small tlb-stress --pages 1024
gen ctx context-switch
gen ctx2 context-switch --slices 1200
gen churn mmap-churn
gen migration migration
gen leaf leaf-churn
run tlb_long tlb_long
run tlb_long_pre tlb_long --prealloc
run leaf leaf
run leaf_tb leaf --pwc off
run leaf_walk leaf --cost walk_ref=$((8 * c_walk))
run tlb tlb
run tlb_tb tlb --pwc off
run tlb_2m tlb --host-pages 2M
run tlb_walk tlb --cost walk_ref=$((4 * c_walk))
run tlb_ad tlb --ad-emulation off
run tlb_pre tlb --prealloc
run tlb_small tlb_small
run migration migration
run migration_tb migration --pwc off
run migration2m migration --host-pages 2M
run migration_pre migration --prealloc
run forkwait forkwait
run forkwait_tb forkwait --pwc off
run forkwait_pre forkwait --prealloc
run ctx ctx
run ctx2 ctx2
run ctx_tb ctx --pwc off
run ctx_pcid ctx --pcid
run churn churn
run churn_tb churn --pwc off
join

# Average references per TLB miss on tlb-stress, with and without the caches.
per_miss() { ratio "$(value "$1" walk_refs "$2")" "$(value "$1" tlb_misses "$2")"; }
pm_native=$(per_miss "$tmp/tlb.csv" native)
pm_shadow=$(per_miss "$tmp/tlb.csv" shadow)
pm_ept=$(per_miss "$tmp/tlb.csv" ept)
pm_native_tb=$(per_miss "$tmp/tlb_tb.csv" native)
pm_ept_tb=$(per_miss "$tmp/tlb_tb.csv" ept)
pm_ept_2m=$(per_miss "$tmp/tlb_2m.csv" ept)
check "$pm_native_tb == 4.0 && $pm_ept_tb == 24.0" "without caches random misses make the textbook 4 and 24"
check "$pm_ept < $pm_native_tb" "with caches a nested miss costs less than a textbook native one"
check "$pm_native < $pm_native_tb && $pm_ept < $pm_ept_tb" "the caches shorten native and nested walks"
check "$pm_ept_2m == $pm_ept" "with caches 2M host pages do not shorten the walk (no nested TLB)"

# ---- 2. forkwait ----------------------------------------------------------------
fw_shadow=$(value "$tmp/forkwait.csv" exits shadow)
fw_eager=$(value "$tmp/forkwait.csv" exits shadow-eager)
fw_oos=$(value "$tmp/forkwait.csv" exits shadow-oos)
fw_ept=$(value "$tmp/forkwait.csv" exits ept)
fw_ptw=$(value "$tmp/forkwait.csv" pt_writes native)
fw_traps=$(value "$tmp/forkwait.csv" exit_pt_write shadow)
fw_ohs=$(value "$tmp/forkwait.csv" overhead_pct shadow)
fw_oho=$(value "$tmp/forkwait.csv" overhead_pct shadow-oos)
fw_ohe=$(value "$tmp/forkwait.csv" overhead_pct ept)
fw_ohs_tb=$(value "$tmp/forkwait_tb.csv" overhead_pct shadow)
fw_ohe_tb=$(value "$tmp/forkwait_tb.csv" overhead_pct ept)
fw_cn=$(value "$tmp/forkwait.csv" cycles native)
fw_cs=$(value "$tmp/forkwait.csv" cycles shadow)
fw_ce=$(value "$tmp/forkwait.csv" cycles ept)
fw_pre_xe=$(value "$tmp/forkwait_pre.csv" exits ept)
fw_pre_ohe=$(value "$tmp/forkwait_pre.csv" overhead_pct ept)
fw_iter=$(sed -n 's/.*--iterations \([0-9]*\).*/\1/p' "$tmp/forkwait.trace" | head -1)
fw_native_iter=$((fw_cn / fw_iter))
fw_slow=$(ratio "$fw_cs" "$fw_cn")
fw_gain=$(awk -v s="$fw_cs" -v e="$fw_ce" 'BEGIN { printf "%d", 100 * (s / e - 1) }')
check "$fw_shadow > 3 * $fw_ept" "forkwait exits far more under shadow paging than under EPT"
check "$fw_ohs > $fw_ohe && $fw_oho > $fw_ohe" "forkwait costs more under every shadow design"
check "$fw_ohs_tb > $fw_ohe_tb" "forkwait costs more under shadow paging with textbook walks too"
check "$fw_pre_xe == 0" "with prealloc EPT does not exit on forkwait"
check "$fw_eager > $fw_shadow" "eager mirroring exits more than lazy shadow paging"
check "$fw_gain > 600" "the modelled gain of EPT on forkwait exceeds VMware's measured 600%"

# ---- 3. tlb-stress ----------------------------------------------------------------
tlb_ws=$(value "$tmp/tlb.csv" walk_refs shadow)
tlb_we=$(value "$tmp/tlb.csv" walk_refs ept)
tlb_ohs=$(value "$tmp/tlb.csv" overhead_pct shadow)
tlb_oho=$(value "$tmp/tlb.csv" overhead_pct shadow-oos)
tlb_ohe=$(value "$tmp/tlb.csv" overhead_pct ept)
tlb_miss=$(value "$tmp/tlb.csv" tlb_misses native)
tlb_ptw=$(value "$tmp/tlb.csv" pt_writes native)
tlb_pages=$(sed -n 's/.*--pages \([0-9]*\).*/\1/p' "$tmp/tlb.trace" | head -1)
tlb_xs=$(value "$tmp/tlb.csv" exits shadow)
tlb_xo=$(value "$tmp/tlb.csv" exits shadow-oos)
tlb_xe=$(value "$tmp/tlb.csv" exits ept)
tlb_cs=$(value "$tmp/tlb.csv" cycles shadow)
tlb_co=$(value "$tmp/tlb.csv" cycles shadow-oos)
tlb_ce=$(value "$tmp/tlb.csv" cycles ept)
# Each further miss costs EPT this many more references and cycles than
# shadow paging; the misses after which each shadow design has paid back
# the exits that built its tables.
tlb_per_miss=$(awk -v e="$tlb_we" -v s="$tlb_ws" -v m="$tlb_miss" 'BEGIN { printf "%.1f", (e - s) / m }')
tlb_miss_cycles=$(awk -v p="$tlb_per_miss" -v w="$c_walk" 'BEGIN { printf "%d", p * w }')
crossover() { awk -v c="$1" -v e="$tlb_ce" -v d="$tlb_miss_cycles" 'BEGIN { printf "%d", (c - e) / d }'; }
tlb_cross_s=$(crossover "$tlb_cs")
tlb_cross_o=$(crossover "$tlb_co")
tlb_long_miss=$(value "$tmp/tlb_long.csv" tlb_misses native)
tlb_long_ohs=$(value "$tmp/tlb_long.csv" overhead_pct shadow)
tlb_long_oho=$(value "$tmp/tlb_long.csv" overhead_pct shadow-oos)
tlb_long_ohe=$(value "$tmp/tlb_long.csv" overhead_pct ept)
tlb_2m_xe=$(value "$tmp/tlb_2m.csv" exits ept)
tlb_ad_pfs=$(value "$tmp/tlb_ad.csv" exit_page_fault shadow)
tlb_ad_pfo=$(value "$tmp/tlb_ad.csv" exit_page_fault shadow-oos)
check "$tlb_we > 2 * $tlb_ws" "tlb-stress walks far more under EPT"
check "$tlb_ohe < $tlb_oho && $tlb_ohe < $tlb_ohs" "at the default length EPT is ahead on tlb-stress"
check "$tlb_xe > $tlb_pages && $tlb_xe < $tlb_pages + 32" "EPT exits once per page (and table)"
check "$tlb_xs > $tlb_pages && $tlb_ad_pfs == $tlb_pages" "shadow paging faults once per page, and again on a first write"
check "$tlb_ad_pfo * 8 == $tlb_pages" "with dirty guest entries shadow-oos prefetches 8 entries a fault"
check "$tlb_per_miss > 0 && $tlb_cross_o < $tlb_cross_s" "each further miss costs EPT more; shadow-oos pays back first"
check "$tlb_long_miss - $tlb_miss > $tlb_cross_s" "the long run goes past both crossovers"
check "$tlb_long_ohs < $tlb_long_ohe && $tlb_long_oho < $tlb_long_ohe" "in the long run every KVM shadow design beats EPT"
check "$(value "$tmp/tlb_tb.csv" overhead_pct shadow) < $(value "$tmp/tlb_tb.csv" overhead_pct ept)" \
        "with textbook walks shadow paging wins at the default length"
check "$tlb_2m_xe * 100 < $tlb_xe" "2M host pages remove almost all EPT violations"
tlb_v_default=$(cheapest "$tmp/tlb.csv" $COMPETE)
tlb_v_long=$(cheapest "$tmp/tlb_long.csv" $COMPETE)
tlb_v_small=$(cheapest "$tmp/tlb_small.csv" $COMPETE)
tlb_v_2m=$(cheapest "$tmp/tlb_2m.csv" $COMPETE)
tlb_v_walk=$(cheapest "$tmp/tlb_walk.csv" $COMPETE)
tlb_v_tb=$(cheapest "$tmp/tlb_tb.csv" $COMPETE)
tlb_v_ad=$(cheapest "$tmp/tlb_ad.csv" $COMPETE)
tlb_v_pre=$(cheapest "$tmp/tlb_pre.csv" $COMPETE)
tlb_v_long_pre=$(cheapest "$tmp/tlb_long_pre.csv" $COMPETE)
tlb_pre_xe=$(value "$tmp/tlb_pre.csv" exits ept)
tlb_lp_ohs=$(value "$tmp/tlb_long_pre.csv" overhead_pct shadow)
tlb_lp_ohe=$(value "$tmp/tlb_long_pre.csv" overhead_pct ept)
check_is "$tlb_v_default" ept "EPT wins tlb-stress at the default length"
check_is "$tlb_v_2m" ept "EPT wins tlb-stress with 2M host pages"
check_is "$tlb_v_long" shadow-oos "KVM today wins the long tlb-stress run"
check_is "$tlb_v_small" shadow-oos "KVM today wins tlb-stress on a smaller working set"
check_is "$tlb_v_walk" shadow-oos "KVM today wins tlb-stress with dear walks"
check_is "$tlb_v_tb" shadow-oos "KVM today wins tlb-stress with textbook walks"
check_is "$tlb_v_ad" shadow-oos "KVM today wins tlb-stress without dirty-bit faults"
check_is "$tlb_v_pre" ept "EPT wins tlb-stress on preallocated memory"
check_is "$tlb_v_long_pre" shadow-oos "KVM today wins the long tlb-stress run on preallocated memory"
check "$tlb_pre_xe == 0 && $tlb_lp_ohe < $tlb_lp_ohs" "with prealloc EPT never exits and beats KVM's old design in the long run"

# ---- 4. context switches ---------------------------------------------------------------
ctx_procs=$(sed -n 's/.*--procs \([0-9]*\).*/\1/p' "$tmp/ctx.trace" | head -1)
ctx_slices=$(sed -n 's/.*--slices \([0-9]*\).*/\1/p' "$tmp/ctx.trace" | head -1)
ctx_slices2=$(sed -n 's/.*--slices \([0-9]*\).*/\1/p' "$tmp/ctx2.trace" | head -1)
ctx_cr3=$(value "$tmp/ctx.csv" exit_cr3 shadow)
ctx_ept=$(value "$tmp/ctx.csv" exits ept)
ctx_shadow=$(value "$tmp/ctx.csv" exits shadow)
ctx_pf=$(value "$tmp/ctx.csv" exit_page_fault shadow)
ctx_pf2=$(value "$tmp/ctx2.csv" exit_page_fault shadow)
ctx_ohs=$(value "$tmp/ctx.csv" overhead_pct shadow)
ctx_ohe=$(value "$tmp/ctx.csv" overhead_pct ept)
ctx_ohs_tb=$(value "$tmp/ctx_tb.csv" overhead_pct shadow)
ctx_ohe_tb=$(value "$tmp/ctx_tb.csv" overhead_pct ept)
ctx_dsw=$((ctx_slices2 - ctx_slices))
# per_switch SCHEME: exits and cycles beyond native of each further switch.
ctx_more() { echo $(($(value "$tmp/ctx2.csv" "$1" "$2") - $(value "$tmp/ctx.csv" "$1" "$2"))); }
ctx_xs=$(ratio "$(ctx_more exits shadow)" "$ctx_dsw")
ctx_xe=$(ratio "$(ctx_more exits ept)" "$ctx_dsw")
ctx_cn=$(ctx_more cycles native)
ctx_cs=$(((($(ctx_more cycles shadow)) - ctx_cn) / ctx_dsw))
ctx_ce=$(((($(ctx_more cycles ept)) - ctx_cn) / ctx_dsw))
ctx_pcid_cr3=$(value "$tmp/ctx_pcid.csv" exit_cr3 shadow)
ctx_pm_tb=$(per_miss "$tmp/ctx_tb.csv" ept)
ctx_pm=$(per_miss "$tmp/ctx.csv" ept)
check "$ctx_procs > 4" "more address spaces than KVM caches roots for"
check "$ctx_pf2 == $ctx_pf" "evicted roots keep their shadow pages: no faults as switching goes on"
check "$ctx_xs == 1.0 && $ctx_xe == 0.0" "a warm switch costs shadow paging one exit and EPT none"
check "$ctx_ce < $ctx_cs" "a warm switch costs EPT less than shadow paging"
check "$ctx_ohe < $ctx_ohs" "context switches cost more under shadow paging"
check "$ctx_ohs_tb < $ctx_ohe_tb" "with textbook walks EPT's refills after each flush cost more"
check "$ctx_pcid_cr3 == $ctx_cr3" "PCID does not remove the CR3 exits"
check "$ctx_pm < $ctx_pm_tb / 2" "the nested caches halve EPT's refill walks at least"

# ---- 5. out-of-sync shadow pages ---------------------------------------------------------
ch_shadow=$(value "$tmp/churn.csv" exits shadow)
ch_oos=$(value "$tmp/churn.csv" exits shadow-oos)
ch_eager=$(value "$tmp/churn.csv" exits shadow-eager)
ch_ptws=$(value "$tmp/churn.csv" exit_pt_write shadow)
ch_ptwo=$(value "$tmp/churn.csv" exit_pt_write shadow-oos)
ch_resync=$(value "$tmp/churn.csv" resyncs shadow-oos)
ch_invlpg=$(value "$tmp/churn.csv" exit_invlpg shadow-oos)
ch_ept=$(value "$tmp/churn.csv" exits ept)
ch_cut=$(less "$(value "$tmp/churn.csv" cycles shadow-oos)" "$(value "$tmp/churn.csv" cycles shadow)")
fw_cut=$(less "$(value "$tmp/forkwait.csv" cycles shadow-oos)" "$(value "$tmp/forkwait.csv" cycles shadow)")
ch_ohe=$(value "$tmp/churn.csv" overhead_pct ept)
ch_oho=$(value "$tmp/churn.csv" overhead_pct shadow-oos)
ch_cut_tb=$(less "$(value "$tmp/churn_tb.csv" cycles shadow-oos)" "$(value "$tmp/churn_tb.csv" cycles shadow)")
check "$ch_oos < $ch_shadow && $ch_shadow < $ch_eager" "out-of-sync pages cut exits on the update-heavy trace"
check "$ch_ptwo * 100 < $ch_ptws" "unsync leaf tables take almost no write exits"
check "$ch_resync == $ch_invlpg" "each INVLPG syncs the one entry it names"
check "$fw_oos < $fw_shadow" "out-of-sync pages cut exits on forkwait too"
check "$ch_cut > 0 && $fw_cut > 0 && $ch_cut_tb > 0" "out-of-sync pages cut cycles"
check "$ch_ept * 100 < $ch_oos && $ch_ohe < $ch_oho" "EPT still exits least and costs least"

# ---- 6. dirty logging ----------------------------------------------------------------------
mg_rounds=$(value "$tmp/migration.csv" dirty_rounds ept)
mg_pages=$(value "$tmp/migration.csv" dirty_pages shadow)
mg_shadow=$(value "$tmp/migration.csv" dirty_exits shadow)
mg_ept=$(value "$tmp/migration.csv" dirty_exits ept)
mg_pml=$(value "$tmp/migration.csv" exit_pml_full ept)
mg_extra=$(value "$tmp/migration.csv" dirty_extra ept)
mg_pre_xe=$(value "$tmp/migration_pre.csv" exits ept)
mg_pre_ohe=$(value "$tmp/migration_pre.csv" overhead_pct ept)
mg_pages2m=$(value "$tmp/migration2m.csv" dirty_pages ept)
mg_extra2m=$(value "$tmp/migration2m.csv" dirty_extra ept)
mg_ohs=$(value "$tmp/migration.csv" overhead_pct shadow)
mg_ohe=$(value "$tmp/migration.csv" overhead_pct ept)
mg_ohs_tb=$(value "$tmp/migration_tb.csv" overhead_pct shadow)
mg_ohe_tb=$(value "$tmp/migration_tb.csv" overhead_pct ept)
check "$mg_shadow == $mg_pages" "shadow paging exits once per dirty page"
check "$mg_ept * 400 < $mg_shadow && $mg_pml == $mg_ept" "PML exits once per 512 pages"
check "$mg_extra2m > $mg_pages" "2M host pages make tracking coarse"
check "$mg_extra > 0 && $mg_extra * 20 < $mg_pages" "PML also logs the guest page-table pages walks read"
check "$mg_pre_xe == $mg_ept" "with prealloc EPT exits only when the log is full"
check "$mg_ohe < $mg_ohs && $mg_ohe_tb < $mg_ohs_tb" "dirty logging costs less under EPT"

# ---- 7. agile paging -------------------------------------------------------------------------
lc_remaps=$(grep -c '^INVLPG' "$tmp/leaf.trace")
lc_every=$(sed -n 's/.*--every \([0-9]*\).*/\1/p' "$tmp/leaf.trace" | head -1)
lc_xa=$(value "$tmp/leaf.csv" exits agile)
lc_inv=$(value "$tmp/leaf.csv" exit_invlpg agile)
lc_pfa=$(value "$tmp/leaf.csv" exit_page_fault agile)
lc_ptwa=$(value "$tmp/leaf.csv" exit_pt_write agile)
lc_ptws=$(value "$tmp/leaf.csv" exit_pt_write shadow)
lc_pm_agile=$(per_miss "$tmp/leaf.csv" agile)
lc_pm_ept=$(per_miss "$tmp/leaf.csv" ept)
lc_pm_native=$(per_miss "$tmp/leaf.csv" native)
lc_oha=$(value "$tmp/leaf.csv" overhead_pct agile)
lc_ohe=$(value "$tmp/leaf.csv" overhead_pct ept)
lc_oho=$(value "$tmp/leaf.csv" overhead_pct shadow-oos)
lc_v=$(cheapest "$tmp/leaf.csv" $COMPETE)
lc_v_tb=$(cheapest "$tmp/leaf_tb.csv" $COMPETE)
lc_v_walk=$(cheapest "$tmp/leaf_walk.csv" $COMPETE)
check "$lc_oha < $lc_oho && $lc_oha < $(value "$tmp/leaf.csv" overhead_pct shadow)" "agile paging beats every shadow design on leaf-churn"
check "$lc_ptwa * 100 < $lc_ptws" "the churning table goes nested: its writes stop exiting"
check "$lc_inv == $lc_remaps" "agile paging still exits on every INVLPG"
check "$lc_pm_agile < $lc_pm_ept" "agile walks are shorter than nested ones"
check_is "$lc_v" ept "with page-walk caches EPT wins leaf-churn"
check_is "$lc_v_tb" agile "agile paging wins leaf-churn with textbook walks"
check_is "$lc_v_walk" agile "agile paging wins leaf-churn with dear walks"

# ---- at a glance -------------------------------------------------------------------------------
COMPETE_ALL="shadow-eager shadow shadow-oos ept agile"
glance() { # LABEL CSV SECTION ANCHOR
        row="| $1 |"
        for scheme in $COMPETE_ALL; do
                row="$row $(value "$2" overhead_pct "$scheme")% |"
        done
        echo "$row \`$(cheapest "$2" $COMPETE_ALL)\` | [$3](#$4) |"
}
for run in forkwait ctx churn migration leaf; do
        check_is "$(cheapest "$tmp/$run.csv" $COMPETE_ALL)" ept "EPT is cheapest on $run"
done

# ---- 8. several vCPUs (shootdown) ----------------------------------------------------
SD_NS="2 4 8 16"
for n in $SD_NS; do
        gen "sd$n" shootdown --vcpus "$n"
        run "sd$n" "sd$n" --vcpus "$n"
        run "sd${n}_posted" "sd$n" --vcpus "$n" --ipi-virt posted
        run "sd${n}_on" "sd$n" --vcpus "$n" --ipi-virt on
done
join
sd_iter=$(sed -n 's/.*--iterations \([0-9]*\).*/\1/p' "$tmp/sd2.trace" | head -1)
sd_every=$(sed -n 's/.*--mprotect-every \([0-9]*\).*/\1/p' "$tmp/sd2.trace" | head -1)
sd_shoot=$(value "$tmp/sd2.csv" shootdowns native)
# per_shot CSV SCHEME [COUNTER]: exits of the shootdowns (or COUNTER) per shootdown.
per_shot() {
        awk -v a="$(value "$1" "${3:-shootdown_exits}" "$2")" -v b="$(value "$1" shootdowns "$2")" \
                'BEGIN { printf "%.1f", a / b }'
}
sd_rows=""
sd_flush_rows=""
for n in $SD_NS; do
        c=$tmp/sd$n.csv
        sd_rows="$sd_rows| $n | $(per_shot "$c" native) | $(per_shot "$c" shadow) | $(per_shot "$c" shadow-oos) | $(per_shot "$c" ept) | $(per_shot "$tmp/sd${n}_posted.csv" ept) | $(per_shot "$tmp/sd${n}_on.csv" ept) | $(per_shot "$tmp/sd${n}_on.csv" shadow) |
"
        sd_flush_rows="$sd_flush_rows| $n | $(per_shot "$c" shadow exit_remote_flush) | $(per_shot "$c" shadow-oos exit_remote_flush) | $(per_shot "$c" ept exit_remote_flush) | $(value "$c" overhead_pct shadow)% | $(value "$c" overhead_pct shadow-oos)% | $(value "$c" overhead_pct ept)% | $(ratio "$(value "$c" cycles shadow)" "$(value "$c" cycles ept)") | $(value "$tmp/sd${n}_on.csv" overhead_pct ept)% |
"
        k=$((n - 1))
        check "$(value "$c" shootdowns native) == $sd_shoot && $(value "$c" ipis native) == $sd_shoot * $k" \
                "every shootdown reaches the other $k vCPUs"
        check "$(value "$c" shootdown_exits native) == 0" "natively a shootdown never exits"
        check "$(per_shot "$c" shadow) == 3 * $k && $(per_shot "$c" shadow-oos) == 3 * $k" \
                "under shadow paging a shootdown exits 3 times a target"
        check "$(per_shot "$c" ept) == 2 * $k" "under EPT a shootdown exits twice a target"
        check "$(per_shot "$tmp/sd${n}_posted.csv" ept) == $k && $(per_shot "$tmp/sd${n}_on.csv" ept) == 0" \
                "posted interrupts halve EPT's shootdown exits, IPI virtualization removes them"
        check "$(per_shot "$tmp/sd${n}_on.csv" shadow) == $k" "with IPI virtualization shadow paging still exits once a target"
        check "$(value "$c" exit_remote_flush ept) == 0 && $(value "$c" exit_remote_flush shadow) > 0" \
                "the VMM kicks other vCPUs under shadow paging, never under EPT here"
done
sd_c2=$tmp/sd2.csv
sd_c16=$tmp/sd16.csv
sd_rf2=$(per_shot "$sd_c2" shadow exit_remote_flush)
sd_rf16=$(per_shot "$sd_c16" shadow exit_remote_flush)
sd_gap2=$(($(value "$sd_c2" cycles shadow) - $(value "$sd_c2" cycles ept)))
sd_gap16=$(($(value "$sd_c16" cycles shadow) - $(value "$sd_c16" cycles ept)))
sd_r2=$(ratio "$(value "$sd_c2" cycles shadow)" "$(value "$sd_c2" cycles ept)")
sd_r16=$(ratio "$(value "$sd_c16" cycles shadow)" "$(value "$sd_c16" cycles ept)")
check "$sd_rf16 > 7 * $sd_rf2" "the remote flushes per shootdown grow with the vCPUs"
check "$sd_gap16 > 3 * $sd_gap2" "shadow paging's extra cycles over EPT grow with the vCPUs"
check "$sd_r16 < $sd_r2" "EPT's own shootdown exits grow as fast: the ratio of the two falls"
for n in $SD_NS; do
        check_is "$(cheapest "$tmp/sd$n.csv" $COMPETE_ALL)" ept "EPT is cheapest on shootdown with $n vCPUs"
done
c_ipi=$(($(cost ipi_send) + $(cost ipi_deliver) + $(cost ipi_ack)))

version=$("$S" --version)
{
cat <<EOF2
# Why EPT? Shadow paging against nested paging, measured

This page is generated by \`make docs\` (scripts/why-ept.sh) from runs of
$version; every number below comes from those runs, and the script stops if
one of the claims stops holding. Traces come from the workload generator
(\`shadow-sim gen\`) with its default sizes and seeds, unless a run says
otherwise.

The machine is the simulator's default, which is meant to be today's: x86
page-walk caches on in both dimensions (every x86 CPU since about 2008 has
them; runs marked *textbook* turn them off with \`--pwc off\` and give the
counts of the classic papers), KVM's cache of the current and 3 previous
shadow roots (a root that leaves it keeps its shadow pages), a 64-entry TLB
(16 sets of 4 ways), no PCID, 4K host pages backed on first touch, one
vCPU ([section 8](#8-several-vcpus-tlb-shootdowns-and-the-vmms-remote-flushes-shootdown)
runs several). Six schemes run every trace in lockstep (\`shadow-sim --compare\`),
each a real design:

| scheme | the design it models |
|---|---|
$designs

Cycles come from the default cost model (\`shadow-sim --cost help\`): a VM
exit and entry cost $(num "$c_exit") cycles; with the VMM's work, a shadow page fault
costs $(num "$c_pf") in all, a trapped page-table write $(num "$c_ptw"), a CR3-load exit
$(num "$c_cr3"), an EPT violation $(num "$c_eptv"); a page-walk memory reference costs $c_walk.
[The cost model](cost-model.md) gives each figure's source, or says it is an
estimate. Overheads are against native paging on the same trace. The model has no
compute of its own, so they are far above measured slowdowns: read them
as a comparison of schemes, not as a prediction ([section 9](#9-where-this-model-and-the-literature-differ-and-why)).

## At a glance

Overhead against native, and the cheapest scheme, on each run of this page:

| run | shadow-eager | shadow | shadow-oos | ept | agile | cheapest | section |
|---|---:|---:|---:|---:|---:|---|---|
$(glance "forkwait" "$tmp/forkwait.csv" 2 2-page-table-updates-where-shadow-paging-pays-forkwait)
$(glance "tlb-stress" "$tmp/tlb.csv" 3 3-a-static-page-table-with-many-tlb-misses-tlb-stress)
$(glance "tlb-stress, 500000 accesses" "$tmp/tlb_long.csv" 3 3-a-static-page-table-with-many-tlb-misses-tlb-stress)
$(glance "context-switch" "$tmp/ctx.csv" 4 4-context-switches-context-switch)
$(glance "mmap-churn" "$tmp/churn.csv" 5 5-out-of-sync-shadow-pages-mmap-churn)
$(glance "migration" "$tmp/migration.csv" 6 6-dirty-logging-for-live-migration-migration)
$(glance "leaf-churn" "$tmp/leaf.csv" 7 7-agile-paging-leaf-churn)
$(glance "shootdown, 8 vCPUs" "$tmp/sd8.csv" 8 8-several-vcpus-tlb-shootdowns-and-the-vmms-remote-flushes-shootdown)

EPT is cheapest wherever the guest edits its page tables, switches address
spaces or is migrated. Shadow paging in its KVM form wins only where the
tables stay put long enough for its one-dimensional walks to pay back the
exits that built them.

## 1. What a TLB miss costs

A TLB miss natively reads one entry per level: $native4 references with 4
levels. Shadow paging gives the hardware a table that maps guest-virtual
straight to host-physical, so its walk costs the same: $shadow4 references.
Nested paging walks two dimensions: every guest table is found at a
guest-physical address that must itself be translated through the nested
table, and so must the final address. With nothing cached (*textbook*,
\`--pwc off\`) that is (n+1)(m+1)-1 references:

| cold 2D walk, textbook | 2 nested | 3 nested | 4 nested | 5 nested |
|---|---:|---:|---:|---:|
$walk_rows
The classic cases are reproduced: **$ept44 references for 4+4 levels**, and
**$ept55 for 5+5** (LA57 with 5-level EPT). Page-walk caches, on by default,
are what make this bearable on real CPUs: a miss on the page next to one
just walked makes **$near44 references**, the guest's upper levels and the
nested upper levels all cached; after a guest TLB flush (which drops the
guest-dimension caches but keeps the nested ones) the same 4+4 miss makes
$pwc44. Over a whole run the difference is larger still: on \`tlb-stress\`
(random misses over $tlb_pages pages, [section 3](#3-a-static-page-table-with-many-tlb-misses-tlb-stress)) an average miss
makes **$pm_native_tb references natively and $pm_ept_tb under EPT textbook, $pm_native and
$pm_ept with the caches** ($pm_shadow under shadow paging): with its caches a nested miss
reads fewer entries than a textbook native one.

*Literature.* Bhargava et al., "Accelerating Two-Dimensional Page Walks
for Virtualized Systems" (ASPLOS 2008), examine this walk on AMD's nested
paging: extending the Opteron's page walk cache to the nested dimension
improved guest performance by 15% to 38% on server and SPEC workloads, a
nested TLB that skips nested references added 3% to 7%, and host large
pages a further 3% to 22% (figures from the paper's abstract). Merrifield
and Taheri, "Performance Implications of Extended Page Tables on
Virtualized x86 Processors" (VEE 2016), start from the same up to 6 times
as many lookups as a native walk (the 24 against 4 above) and find that on
recent CPUs the paging-structure caches and the L1 and L2 caches serve most
of them, leaving a modest virtualization overhead: the drop from $pm_ept_tb to
$pm_ept references a miss is the model's version of that. This model has the
caches but no nested TLB, and its references all cost the same, so host
large pages do not shorten its cached walks ($pm_ept_2m references a miss on
\`tlb-stress\` with \`--host-pages 2M\`, as with 4K): what it shows of them is
fewer EPT violations ([section 3](#3-a-static-page-table-with-many-tlb-misses-tlb-stress)).

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
$fw_ohs% for KVM's shadow paging before out-of-sync pages, $fw_oho% for KVM's
today, and $fw_ohe% for EPT; mirroring eagerly is worse still ($fw_eager exits).
Textbook walks change the balance little: $fw_ohs_tb% for \`shadow\`, $fw_ohe_tb% for EPT.
EPT's exits are the host backing guest frames on first touch: with the
memory backed beforehand (\`--prealloc\`) EPT exits $fw_pre_xe times ($fw_pre_ohe%).

*Literature.* Adams and Agesen, "A Comparison of Software and Hardware
Techniques for x86 Virtualization" (ASPLOS 2006), ran forkwait 40,000
times: 6.0 s natively, 36.9 s under VMware's binary-translating VMM and
106.4 s under its first VT-x VMM (figures as reproduced in course notes on
the paper; its abstract, which we could read, blames exactly this: the
first hardware support had no MMU virtualization, so both VMMs used shadow
page tables, and every page-table update trapped to the hardware VMM at
the full price of an exit). That is a slowdown of 17.7 times for
trap-and-emulate shadow paging; the model's \`shadow\` run is $fw_slow times
native. VMware's white papers "Performance Evaluation of Intel EPT Hardware
Assist" and "Performance Evaluation of AMD RVI Hardware Assist" (2008-2009)
measured what nested paging then fixed: gains over shadow paging of up to
48% (EPT) and 42% (RVI) on MMU-intensive benchmarks and up to 600% and 500%
on MMU-intensive microbenchmarks. The model's gain of EPT over \`shadow\` on
forkwait is $fw_gain%, above either, because it has none of the guest's
own work ([section 9](#9-where-this-model-and-the-literature-differ-and-why)).

## 3. A static page table with many TLB misses (tlb-stress)

\`tlb-stress\` maps a working set of $tlb_pages pages once ($tlb_ptw page-table
writes) and then touches it at random: $tlb_miss TLB misses natively.

$(table "$tmp/tlb.csv")

Every virtualized scheme exits when a page is first touched. EPT exits
once a page, an EPT violation that backs the frame ($tlb_xe exits). Shadow
paging takes a hidden page fault that builds the shadow entry, and a second
one at the first write to the page: the guest entry was clean, so the VMM
mapped it read-only to see the moment the dirty bit must be set (KVM's
dirty-bit emulation; $tlb_xs exits under \`shadow\`, $tlb_xo under \`shadow-oos\`, which
prefetches neighbouring entries). After that nothing exits any more, and
the difference is in the walks: **$tlb_we references
under EPT against $tlb_ws under shadow paging, $(ratio "$tlb_we" "$tlb_ws") times as many**, $tlb_per_miss more
a miss, $tlb_miss_cycles cycles. Overhead over native at this length: **\`shadow\`
$tlb_ohs%, \`shadow-oos\` $tlb_oho%, EPT $tlb_ohe%: EPT is ahead**, because its
exits are cheaper than shadow page faults and the walks have not yet made
up the difference. Every further miss does: after about $tlb_cross_o more
misses \`shadow-oos\` has paid back its exits, after about $tlb_cross_s
\`shadow\` has. The same workload five times longer ($tlb_long_miss misses,
measured, not extrapolated) gives \`shadow\` $tlb_long_ohs%, \`shadow-oos\` $tlb_long_oho%
and EPT $tlb_long_ohe%: **the steady state of a static page table under TLB
pressure favours shadow paging**. What moves the verdict:

| run | shadow | shadow-oos | ept | agile | cheapest |
|---|---:|---:|---:|---:|---|
$(verdict "default: $tlb_pages pages, $tlb_miss misses" "$tmp/tlb.csv")
$(verdict "5 times longer (\`--accesses 500000\`)" "$tmp/tlb_long.csv")
$(verdict "a quarter of the pages (\`--pages 1024\`)" "$tmp/tlb_small.csv")
$(verdict "2M host pages (\`--host-pages 2M\`)" "$tmp/tlb_2m.csv")
$(verdict "memory backed beforehand (\`--prealloc\`)" "$tmp/tlb_pre.csv")
$(verdict "\`--prealloc\`, 5 times longer" "$tmp/tlb_long_pre.csv")
$(verdict "walk references 4 times dearer (\`--cost walk_ref=$((4 * c_walk))\`)" "$tmp/tlb_walk.csv")
$(verdict "textbook walks (\`--pwc off\`)" "$tmp/tlb_tb.csv")
$(verdict "no dirty-bit faults (\`--ad-emulation off\`)" "$tmp/tlb_ad.csv")

More misses for each page built (a longer run, a smaller working set),
dearer walks and textbook walks without caches favour shadow paging, and so
do fewer shadow faults: with guest entries already dirty (no dirty-bit
emulation) shadow paging faults once a page ($tlb_ad_pfs) and \`shadow-oos\`, whose
prefetch then fills 8 entries a fault, only $tlb_ad_pfo times. 2M host pages favour
EPT, whose violations then back 2M at a time ($tlb_2m_xe exits instead of $tlb_xe), and so
does memory the host backed before the guest ran (\`--prealloc\`, QEMU's
\`-mem-prealloc\` or any VM that has run a while): EPT then never exits, and
five times longer only \`shadow-oos\` is ahead of it. That row flatters EPT a
little: shadow paging's faults cost the same with preallocated memory,
although in a real VMM part of their work is the host backing the frame.

*Literature.* VMware's EPT and RVI white papers report the same trade-off
from the other side: nested paging increased memory access latencies for a
few workloads, a cost they reduced with large pages in the guest and the
hypervisor; vSphere's resource management guide still says that TLB-miss
latency is significantly higher with hardware assistance and that whether
a workload gains depends on how much page-table activity it has. Wang et
al., "Selective Hardware/Software Memory Virtualization", found
neither scheme a definite winner (gaps of up to 34% either way) and
switched between them at run time on TLB misses and guest page faults
(figures from its abstract);
Agile Paging ([section 7](#7-agile-paging-leaf-churn)) switches within a single walk.

## 4. Context switches (context-switch)

\`context-switch\` runs $ctx_procs processes round robin for $ctx_slices time slices.
Under shadow paging every CR3 load exits ($ctx_cr3 CR3 exits here). There
are more address spaces than KVM caches roots for (4), but a root that
leaves the cache keeps its shadow pages, which KVM finds again when the
guest loads that CR3 again; without PCID every switch flushes the TLB in
every scheme.

$(table "$tmp/ctx.csv")

Shadow paging: $ctx_shadow exits, $ctx_ohs% overhead; EPT: $ctx_ept exits,
$ctx_ohe% overhead. Once warm, switching
no longer faults: the same workload with $ctx_slices2 slices has the same $ctx_pf2
shadow page faults, and **each further switch costs shadow paging one exit
($(num "$ctx_cs") cycles beyond native) and EPT none ($(num "$ctx_ce") cycles beyond native, its
longer walks after the flush)**. With \`--pcid\` the flushes go but the
CR3 exits stay ($ctx_pcid_cr3): shadow paging must see every root the guest loads.
**With textbook walks the order flips**: shadow $ctx_ohs_tb%, EPT $ctx_ohe_tb%. Every
switch flushes the TLB, and without caches EPT's refill walks read $ctx_pm_tb
entries a miss on average; with them, the nested upper levels surviving
the flush, $ctx_pm.

*Literature.* KVM keeps the previous roots as a victim cache, filled when
a root is replaced, and switches to a cached one without taking the MMU
lock (Linux commits "kvm: x86: Add fast CR3 switch code path" and "kvm:
x86: Add multi-entry LRU cache for previous CR3s", Junaid Shahid; the first
names guests using KPTI, which switch CR3 on every kernel entry and exit,
as the workload that needed it; "KVM: x86/mmu: Reuse the current root if
possible for fast switch", Sean Christopherson, calls it a victim cache). We found no published figure for what the cache
saves. vSphere's guide names context switches, with process creation and
memory mapping, as the page-table activity that makes software MMU
virtualization costly.

## 5. Out-of-sync shadow pages (mmap-churn)

KVM's answer to update-heavy guests (Linux 2.6.27, 2008) was to let leaf
tables go *out of sync*: the first trapped write unprotects the table and
later writes go straight through; an INVLPG syncs the one entry it names, a
CR3 load or TLB flush syncs the unsync pages reachable from the new root,
and an emulated write to a table still in sync zaps the entry rather than
updating it. \`mmap-churn\` maps, touches and unmaps memory in a loop:

$(table "$tmp/churn.csv")

Page-table-write exits drop from $ch_ptws (\`shadow\`) to $ch_ptwo
(\`shadow-oos\`), and exits in all from $ch_shadow to $ch_oos ($ch_eager mirrored
eagerly), at the price of $ch_resync resyncs, one for each of the $ch_invlpg INVLPG exits.
In cycles out-of-sync pages save **$ch_cut% here ($ch_cut_tb% with textbook walks)
and $fw_cut% on forkwait** ($fw_oos exits against $fw_shadow). EPT still exits least
($ch_ept here) and costs least ($ch_ohe% against $ch_oho%): that is what EPT fixed.

*Literature.* Xen's shadow code took the same idea ("Out-of-sync L1
shadows", Gianluca Guida, xen-devel, June 2008): a Windows Server 2003
DDK build got 7.35% to 25.43% faster (14.98%, 25.43% and 19.47% with one
vCPU in 32-bit, PAE and 64-bit guests; 11.85%, 20.24% and 7.35% with two).
KVM's version is Marcelo Tosatti's "KVM: MMU: out of sync shadow core"; we
found no figure in its commit message. Before it, KVM already updated the
shadow entry on an emulated write instead of clearing it, as \`shadow\` does:
Avi Kivity's "KVM: Update shadow pte on write to guest pte" (2007) removed
one of the three exits of a demand-paging fault and cut a kernel build by
about 10%. The model saves more than Xen
measured because its workloads are nothing but page-table work; Xen's
smaller gains with two vCPUs come from the remote TLB flushes this
single-vCPU model does not have.

## 6. Dirty logging for live migration (migration)

To migrate a running guest the hypervisor copies its memory in rounds and
must learn which pages were written since the last round. \`migration\`
writes at random while the hypervisor syncs the log $mg_rounds times
($mg_pages dirty pages in all).

$(table "$tmp/migration.csv" 'exits|dirty_rounds|dirty_pages|dirty_extra|dirty_exits|exit_page_fault|exit_ept_violation|exit_pml_full|cycles')

Shadow paging write-protects every shadow leaf at the start of a round, so
the first write to each page exits: **$mg_shadow exits for $mg_pages pages**.
With EPT the CPU sets the nested dirty bit itself and appends the page to a
512-entry page-modification log (PML), exiting only when the log is full:
**$mg_ept exits**. It also reports $mg_extra pages never written: the guest
page-table pages its walks read, since with EPT A/D flags on the walker's
accesses to guest paging structures count as writes (Intel SDM Vol. 3C,
"Accessed and Dirty Flags for EPT"). Overhead: shadow $mg_ohs%, EPT $mg_ohe%
(textbook walks: $mg_ohs_tb% and $mg_ohe_tb%; EPT's other exits back memory on first
touch, and with \`--prealloc\` it exits $mg_pre_xe times, $mg_pre_ohe%). If the host backs the guest with 2M pages and does not
split them (\`--host-pages 2M\`), one dirty bit covers 512 frames and the
hypervisor must resend all of them: $mg_pages2m pages reported, **$mg_extra2m
of them never written**. That is why KVM splits large pages while it logs.

*Literature.* Intel's "Page Modification Logging for Virtual Machine
Monitor" white paper (January 2015) defines the 512-entry log and its
log-full exit. KVM's eager page splitting, posted for arm64 by Ricardo
Koller in 2023, describes splitting huge pages when logging starts as an
optimization Google Cloud has used on x86 since 2016. We found no
published figure comparing write-protection logging with PML exit for exit.

## 7. Agile paging (leaf-churn)

Agile paging (Gandhi, Hill and Swift, "Agile Paging: Exceeding the Best of
Nested and Shadow Paging", ISCA 2016) shadows the tables that stay put and
walks the often-written ones nested, switching dimension within a walk.
\`leaf-churn\` is the workload it targets: random accesses over a static
working set while a small heap is remapped every $lc_every accesses.

$(table "$tmp/leaf.csv")

The churning table goes nested after its first writes: its writes stop
exiting ($lc_ptwa page-table-write exits under agile paging against $lc_ptws under
\`shadow\`), and agile walks stay short ($lc_pm_agile references a miss, against
$lc_pm_ept under EPT and $lc_pm_native natively). Agile paging beats every shadow design
here ($lc_oha% against $lc_oho% for \`shadow-oos\`), but **with page-walk caches EPT is
cheaper still ($lc_ohe%)**: agile paging keeps shadow paging's other exits,
$lc_pfa hidden page faults to build the static working set's shadow and one
INVLPG exit for each of the $lc_remaps remaps ($lc_xa exits in all), and those
recur as long as the heap churns; EPT's caches leave it little to win on the walks.

| run | shadow | shadow-oos | ept | agile | cheapest |
|---|---:|---:|---:|---:|---|
$(verdict "default" "$tmp/leaf.csv")
$(verdict "walk references 8 times dearer (\`--cost walk_ref=$((8 * c_walk))\`)" "$tmp/leaf_walk.csv")
$(verdict "textbook walks (\`--pwc off\`)" "$tmp/leaf_tb.csv")

*Literature.* The paper reports agile paging more than 12% better than the
best of nested and shadow paging and within 4% of native on all its
workloads, with emulated hardware and a KVM prototype on x86-64 (figures
from its abstract). The model reproduces that ordering when walks are
uncached or dear, not with cached references of $c_walk cycles. Its agile VMM
intercepts every INVLPG, as shadow paging must; whether the paper's design
lets some invalidations through, its abstract does not say and we could
not check.

## 8. Several vCPUs: TLB shootdowns and the VMM's remote flushes (shootdown)

\`gen shootdown --vcpus N\` runs a process whose N threads, one on each
vCPU, share buffers: in each of $sd_iter rounds one thread maps a page, the
others read it (so every vCPU's TLB caches it) and the first unmaps it,
with an \`mprotect\` to read-only every $sd_every rounds; each change is an
INVLPG on its own vCPU and a \`SHOOTDOWN\` of the others, $sd_shoot in all,
each reaching the N-1 other vCPUs. Natively a shootdown costs IPIs
($(num "$c_ipi") cycles a target: send, delivery, acknowledgement) and no exit.
Under a hypervisor the IPI is a write to an emulated APIC (an exit), its
delivery kicks the target out to inject it (another), and under shadow
paging the target's INVLPG exits too. Exits per shootdown, as N grows:

| vCPUs | native | shadow | shadow-oos | ept | ept, posted interrupts | ept, IPI virtualization | shadow, IPI virtualization |
|---:|---:|---:|---:|---:|---:|---:|---:|
$sd_rows
**Exits per shootdown grow linearly with the vCPUs under every
hypervisor: 3 a target under shadow paging, 2 under EPT, none natively.**
APICv's posted interrupts (\`--ipi-virt posted\`) take the delivery's
exit away, Intel's IPI virtualization (\`--ipi-virt on\`) the send's as
well: EPT's shootdowns then cost no exit at all, shadow paging's still one
a target, its INVLPG. Shadow paging pays a second price: its tables are
shared by every vCPU, so each change the VMM makes to them (the zap of
the unmapped page, the write protection of a new table, an update of a
present entry) kicks every other running vCPU out to flush its TLB
(\`kvm_flush_remote_tlbs\`, exits of reason \`remote_flush\`), while
under EPT the guest edits its tables without the VMM:

| vCPUs | remote-flush exits a shootdown, shadow | the same, shadow-oos | the same, ept | overhead, shadow | overhead, shadow-oos | overhead, ept | cycles, shadow / ept | overhead, ept with IPI virtualization |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$sd_flush_rows
The remote flushes grow with the vCPUs as well ($sd_rf2 a shootdown with 2
vCPUs, $sd_rf16 with 16 under \`shadow\`), and so does shadow paging's
extra over EPT ($(num "$sd_gap2") cycles with 2 vCPUs, $(num "$sd_gap16") with 16). The
ratio of the two falls (from $sd_r2 to $sd_r16), because EPT's own
shootdown exits grow as fast: **nested paging removes the VMM's part of a
shootdown (the INVLPG exits and the remote flushes), not the guest's
IPIs; IPI virtualization removes those.** The overhead percentages fall
with N because native pays the IPIs too.

*Literature.* Amit ("Optimizing the TLB Shootdown Algorithm with Page
Access Tracking", USENIX ATC 2017) describes the shootdown the model
replays, the initiator's IPIs and its wait for every acknowledgement, and
finds that it can take microseconds, enough that programmers are advised
against unmapping memory in multithreaded programs; the split of that time
into a send, a delivery and an acknowledgement here is an estimate
([the cost model](cost-model.md)). In a VM it is worse, and more so when a
target vCPU is not running: Ouyang, Lange and Zheng ("Shoot4U", VEE 2016)
found up to 64% of a VM's CPU time spent in TLB shootdowns under some
workloads, because the initiator waits for preempted vCPUs. That is the
rationale of KVM's paravirtual flush (\`KVM_FEATURE_PV_TLB_FLUSH\`, Linux
4.16): the initiator does not wait for a preempted vCPU, which flushes its
TLB when it next enters the guest. The model's vCPUs are never preempted,
so it would change nothing here and is not modelled. KVM's remote flush
itself dates from its first releases: a vCPU that reduces a shadow entry's
rights sets a flush request on every vCPU and sends an IPI to those
running, so that they exit before it goes on (kvm-28, "Flush remote tlbs
when reducing shadow pte permissions").

## 9. Where this model and the literature differ, and why

- **No compute.** A native run costs only its memory accesses (one cycle a
  TLB hit), its walks, its guest page faults and its page-table stores: a
  forkwait iteration costs $(num "$fw_native_iter") cycles natively here, while Adams and
  Agesen's took 150 µs (6.0 s for 40,000), hundreds of thousands of cycles
  at the clocks of the time. Overhead percentages are therefore ratios of
  virtualization work to a thin baseline, far above measured slowdowns
  (VMware's 48% and 42% are on whole benchmarks). Use them to rank
  schemes; \`--cost base_access=N\` or \`base_instr=N\` adds the program's own
  work, calibrated against a measured run as [the cost model](cost-model.md#calibrating-against-a-measured-run)
  shows.
- **Exits assume VPID.** An exit here does not flush the TLB. The original
  VMX architecture flushed the TLB and paging-structure caches on every
  VM entry and exit (Intel SDM, "Virtual-Processor Identifiers"); VPIDs
  (Nehalem, 2008) tag entries instead. Adams and Agesen's hardware VMM and
  the first VT-x shadow pagers paid those flushes; the model's shadow
  designs do not, so they look better than they were on that hardware.
- **One vCPU, except in [section 8](#8-several-vcpus-tlb-shootdowns-and-the-vmms-remote-flushes-shootdown).**
  The other runs have one vCPU, so no remote flush makes shadow paging
  dearer there, as it would in a multi-vCPU guest (Xen's out-of-sync gains
  fell with a second vCPU, [section 5](#5-out-of-sync-shadow-pages-mmap-churn)).
  With several, the vCPUs are never preempted (so KVM's paravirtual flush
  would change nothing), a \`SHOOTDOWN\` line names one page (Linux sends
  one IPI for a range), each IPI is one ICR write (KVM's paravirtual
  \`KVM_FEATURE_PV_SEND_IPI\` sends many with one hypercall), and the
  VMM's flush of its own vCPU after write-protecting a guest table is left
  out (the model's TLBs hold no mapping of the tables themselves).
- **Costs are fixed figures.** Every exit costs $(num "$c_exit") cycles plus a fixed
  handling cost. Only the round trip has a measured source (SplitX: 2,000
  cycles on Nehalem, less on later CPUs); the handling costs are estimates,
  for want of published per-operation figures ([the cost model](cost-model.md)).
  Real exits vary with the CPU generation (a VMware blog on newer
  processors charts the VM-exit latency falling from Netburst through Core
  to Nehalem) and pollute caches, which the model does not price. Every walk
  reference costs $c_walk cycles, an estimate between an L2 and an L3 hit,
  where a real one hits L1, L2, the last-level cache or DRAM; Bhargava et
  al. trace much of the remaining 2D-walk overhead to nested references
  that miss in the memory hierarchy. [Sections 3](#3-a-static-page-table-with-many-tlb-misses-tlb-stress) and [7](#7-agile-paging-leaf-churn) show how
  dearer references move the verdicts.
- **The page-walk caches** are two, one a dimension, of 32 entries each,
  fully associative with LRU, holding non-leaf entries keyed by level,
  the address bits that select them and the address space; they are
  flushed with the TLB (a CR3 load without PCID, INVLPG, a TLB flush) and
  when the VMM changes upper shadow entries. Intel's are per level (SDM,
  "Paging-Structure Caches") and their sizes are not architectural; the
  page walk cache Bhargava et al. extend holds both dimensions in one.
- **One TLB level of 64 entries.** Real CPUs back the first-level TLB with
  a second level of over a thousand entries, so they miss far less often
  than the model; walks weigh more here than on hardware.
- **Left out.** A nested TLB (AMD's, or Intel's cached guest-physical
  mappings), so 2M host pages shorten only uncached walks; the price of
  accessed and dirty bits (EPT A/D is modelled for what it logs, the
  walker's reads of guest paging structures counting as writes, but no
  update of an A or D bit, guest or nested, costs more than the walk's
  references); huge-page splitting policies (under
  EPT with \`--host-pages 2M\` the host never splits, to show coarse dirty
  logging; shadow paging uses a 2M shadow entry only where guest and host
  pages are both 2M, and 4K entries while it logs); binary translation, with which Adams and Agesen's software VMM
  avoided many of the traps a trap-and-emulate VMM takes; KVM's TDP MMU,
  since the EPT scheme models what the hardware does and the VMM's work on
  an EPT violation is a cost figure. The guest is the generator's small
  Unix kernel model, not a real kernel's batching and lazy TLB flushing.

## Sources

- Adams, Agesen, "A Comparison of Software and Hardware Techniques for x86
  Virtualization", ASPLOS 2006: abstract (vmware.com/techpapers, cs-www.bu.edu
  colloquium notes); forkwait figures as reproduced in course notes.
- Bhargava, Serebrin, Spadini, Manne, "Accelerating Two-Dimensional Page
  Walks for Virtualized Systems", ASPLOS 2008: abstract.
- Merrifield, Taheri, "Performance Implications of Extended Page Tables on
  Virtualized x86 Processors", VEE 2016: abstract.
- VMware, "Performance Evaluation of Intel EPT Hardware Assist" and
  "Performance Evaluation of AMD RVI Hardware Assist" (white papers and the
  VMware performance blog, March 2009); vSphere Resource Management,
  "Hardware-Assisted MMU Virtualization"; VMware communities blog "Newer
  processors and virtualization performance" (June 2009).
- Wang, Zang, Wang, Luo, "Selective Hardware/Software Memory
  Virtualization": abstract.
- Gandhi, Hill, Swift, "Agile Paging: Exceeding the Best of Nested and
  Shadow Paging", ISCA 2016: abstract.
- Amit, "Optimizing the TLB Shootdown Algorithm with Page Access Tracking",
  USENIX ATC 2017: abstract and introduction. Ouyang, Lange, Zheng,
  "Shoot4U: Using VMM Assists to Optimize TLB Operations on Preempted
  vCPUs", VEE 2016: abstract.
- Linux: "KVM: Flush remote tlbs when reducing shadow pte permissions"
  (kvm-28), "KVM: X86: Add paravirt remote TLB flush" (Wanpeng Li, 4.16).
- Guida, "[PATCH 0/4] Out-of-sync L1 shadows", xen-devel, June 2008.
- Linux: "KVM: Update shadow pte on write to guest pte" (Kivity, 2007),
  "KVM: MMU: out of sync shadow core" (Tosatti), "kvm: x86: Add fast
  CR3 switch code path" and "kvm: x86: Add multi-entry LRU cache for
  previous CR3s" (Shahid), "KVM: arm64: Eager Huge-page splitting for
  dirty-logging" (Koller, 2023).
- Intel, "Page Modification Logging for Virtual Machine Monitor" (white
  paper 331872-001, 2015); Intel SDM Vol. 3 (VPIDs, paging-structure
  caches, accessed and dirty flags for EPT).

## Reproduce

\`\`\`sh
make docs                                   # this page
./shadow-sim gen forkwait | ./shadow-sim --compare -
./shadow-sim gen tlb-stress --accesses 500000 | ./shadow-sim --compare -
./shadow-sim --compare --pwc off traces/sample_trace.txt   # textbook walks
./shadow-sim --mode ept --levels 5 --ept-levels 5 traces/sample_trace.txt
./shadow-sim gen shootdown --vcpus 8 | ./shadow-sim --compare --vcpus 8 -
\`\`\`
EOF2
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
