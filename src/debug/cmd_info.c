/*
 * cmd_info.c - looking without moving: info (breakpoints, tlb, stats, exits,
 * walk, guest, shadow, ept) and translate, which walks an address through every
 * dimension with no side effect.
 */
#include <stdio.h>
#include <string.h>

#include "number.h"
#include "cmd.h"
#include "exit_report.h"
#include "explain.h"
#include "scheme.h"
#include "mmu_view.h"
#include "session_tree.h"
#include "session_view.h"
#include "strbuf.h"

#define MAX_TREE_ROWS 5000

static unsigned long long u(uint64_t v)
{
        return (unsigned long long)v;
}

/* ---- translate ---------------------------------------------------------- */

static void guest_line(struct cmd_ctx *ctx, const struct sim *m, uint64_t gva,
                       const struct guest_walk *w)
{
        char buf[512], flags[8];
        size_t len = 0;
        int n = m->guest.levels;
        for (int i = 0; i < w->depth; i++) {
                int level = n - i;
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%sL%d 0x%llX[%u]",
                                        i ? " -> " : "", level,
                                        u(w->table_gfn[level] << PAGE_SHIFT), pt_index(gva, level));
                if (len >= sizeof buf)
                        break;
        }
        if (w->present)
                cmd_print(ctx, "  guest   %s: gpa 0x%llX, %s%s%s", buf, u(w->gpa),
                          pte_flags_str(w->leaf, flags), (w->leaf & PTE_A) ? " A" : "",
                          (w->leaf & PTE_D) ? "D" : "");
        else
                cmd_print(ctx, "  guest   %s: empty, not mapped (an access is a guest page fault)",
                          buf);
}

static void tlb_line(struct cmd_ctx *ctx, const struct sim *m, uint64_t gva)
{
        const struct tlb *t = &m->tlb;
        uint32_t want = t->pcid ? sim_asid(m) : 0;
        for (unsigned i = 0; i < t->sets * t->ways; i++) {
                const struct tlb_entry *e = &t->e[i];
                if (e->valid && e->asid == want && e->vpn == gva >> level_shift(e->level)) {
                        cmd_print(ctx, "  tlb     hit: set %u way %u, age %llu%s", i / t->ways,
                                  i % t->ways, u(t->tick - e->last_use), e->stale ? ", STALE" : "");
                        return;
                }
        }
        cmd_print(ctx, "  tlb     miss: the next access walks");
}

/* The shadow path of gva: the entries the hardware would read, then walk,
 * how the walk adds up. */
static void shadow_line(struct cmd_ctx *ctx, const char *label, const struct sim *m, uint64_t gva,
                        const char *walk)
{
        char buf[256];
        size_t len = 0;
        uint32_t id = mmu_view_root(m);
        struct mmu_table_view v;
        if (id == MMU_VIEW_NONE || !mmu_view_table(m, id, &v)) {
                cmd_print(ctx, "  %-7s no shadow root yet", label);
                return;
        }
        for (int level = m->guest.levels; level >= 1; level--) {
                unsigned ix = pt_index(gva, level);
                uint64_t e = v.entry[ix];
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s[%u]",
                                        len ? " -> " : "root ", ix);
                if (!pte_present(e)) {
                        cmd_print(ctx,
                                  "  %-7s %s: no entry at L%d (a TLB miss here is a hidden page "
                                  "fault: VM exit)",
                                  label, buf, level);
                        return;
                }
                if (level == 1 || (e & PTE_PS)) {
                        char flags[8];
                        cmd_print(ctx, "  %-7s %s: hpa 0x%llX %s%s%s; %s", label, buf,
                                  u(pte_frame(e) << PAGE_SHIFT), pte_flags_str(e, flags),
                                  level > 1 ? " 2M" : "", v.unsync ? " (table out of sync)" : "",
                                  walk);
                        return;
                }
                if (!mmu_view_table(m, (uint32_t)pte_frame(e), &v))
                        return;
                if (v.nested) {
                        cmd_print(ctx, "  %-7s %s: nested from the guest's L%d table on; %s", label,
                                  buf, v.level, walk);
                        return;
                }
        }
}

/* The line of one scheme: the walk of the access event walked (the current
 * event of info walk) when given, else the walk a TLB miss would make now. */
static void scheme_line(struct cmd_ctx *ctx, const struct sim *m, uint64_t gva,
                        const struct event *walked)
{
        const char *name = mode_name(m->cfg.mode);
        char walk[320];
        struct strbuf o = {walk, sizeof walk, 0};
        struct mmu_walk_view v;
        mmu_view_walk(m, gva, &v);
        if (walked) {
                strbuf_put(&o, "the walk of event #%llu: ", u(walked->seq));
                explain_walk(&o, &m->cfg, walked->refs, walked->nested_refs);
        } else if (v.missing) {
                strbuf_put(&o,
                           "%u guest frame%s with no nested entry (first gpa 0x%llX): EPT "
                           "violation%s before the walk completes",
                           v.missing, v.missing == 1 ? "" : "s", u(v.first_missing_gpa),
                           v.missing == 1 ? "" : "s");
        } else {
                strbuf_put(&o, "a TLB miss now walks ");
                explain_walk(&o, &m->cfg, v.refs, v.nested_refs);
        }
        if (scheme_has_shadow(m->cfg.mode))
                shadow_line(ctx, name, m, gva, walk);
        else
                cmd_print(ctx, "  %-7s %s", name, walk);
}

/* What the machines show for gva; walked is the access event whose walk
 * info walk describes (NULL: translate, the walk a miss would make now). */
static enum cmd_result translate(struct cmd_ctx *ctx, uint64_t gva, const struct event *walked)
{
        struct session *s = ctx->s;
        const struct sim *m = session_machine(s);
        if (!guest_va_canonical(&m->guest, gva))
                return cmd_error(ctx, "0x%llX is not a canonical address with %d-level paging",
                                 u(gva), m->guest.levels);
        struct guest_walk w;
        guest_walk(&m->guest, guest_root(&m->guest), gva, &w);
        cmd_print(ctx, "0x%llX in address space %u (nothing is changed by looking):", u(gva),
                  sim_asid(m));
        guest_line(ctx, m, gva, &w);
        if (w.present)
                cmd_print(ctx, "  host    gpa 0x%llX -> hpa 0x%llX", u(w.gpa),
                          u(hostmem_hpa(&m->host, w.gpa)));
        tlb_line(ctx, m, gva);
        scheme_line(ctx, m, gva, walked);
        if (s->has_cmp)
                scheme_line(ctx, &s->cmp, gva, NULL);
        return CMD_OK;
}

static enum cmd_result cmd_translate_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t gva;
        (void)argc;
        if (!parse_u64(argv[1], strlen(argv[1]), &gva))
                return cmd_error(ctx, "expected an address (hex 0x... or decimal), found '%s'",
                                 argv[1]);
        return translate(ctx, gva, NULL);
}

const struct cmd_entry cmd_translate_entry = {
    "translate",
    "t",
    "GVA",
    "walk GVA through guest, shadow or EPT tables and the TLB, changing "
    "nothing",
    1,
    1,
    0,
    cmd_translate_exec,
};

/* ---- info --------------------------------------------------------------- */

static void info_breakpoints(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        if (s->nbps == 0) {
                cmd_print(ctx, "No breakpoints (break ADDR sets one).");
                return;
        }
        cmd_print(ctx, "Num  Enb  Hits  What");
        for (size_t i = 0; i < s->nbps; i++) {
                char what[96];
                bp_describe(&s->bps[i], what, sizeof what);
                cmd_print(ctx, "%-4d %-4s %-5llu %s", s->bps[i].id, s->bps[i].enabled ? "y" : "n",
                          u(s->bps[i].hits), what);
        }
}

static void info_tlb(struct cmd_ctx *ctx)
{
        const struct tlb *t = &session_machine(ctx->s)->tlb;
        unsigned shown = 0;
        cmd_print(ctx, "TLB: %u sets x %u ways, %s; %u valid", t->sets, t->ways,
                  t->pcid ? "tagged by address space (PCID)" : "no PCID", tlb_count(t));
        for (unsigned i = 0; i < t->sets * t->ways; i++) {
                const struct tlb_entry *e = &t->e[i];
                char flags[8];
                if (!e->valid)
                        continue;
                if (shown++ == 0)
                        cmd_print(
                            ctx,
                            " set way asid page                 size gpa          hpa          "
                            "perm  age");
                pte_flags_str(PTE_P | e->perm, flags);
                cmd_print(ctx, " %3u %3u %4u 0x%-18llX %-4s 0x%-10llX 0x%-10llX %-3s%s%s %llu",
                          i / t->ways, i % t->ways, e->asid, u(tlb_entry_gva(e)),
                          e->level == 1   ? "4K"
                          : e->level == 2 ? "2M"
                                          : "1G",
                          u(e->gfn << PAGE_SHIFT), u(e->hfn << PAGE_SHIFT), flags,
                          e->dirty ? " D" : "  ", e->stale ? " STALE" : "",
                          u(t->tick - e->last_use));
        }
}

static void info_stats(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        struct stats st;
        session_stats(s, &st);
        if (s->has_cmp)
                cmd_print(ctx, "%-20s %12s %12s  what it counts", "counter",
                          mode_name(s->sim.cfg.mode), mode_name(s->cmp_mode));
        else
                cmd_print(ctx, "%-20s %12s  what it counts", "counter", mode_name(s->sim.cfg.mode));
        for (unsigned i = 0; i < STATS_COUNT; i++) {
                if (s->has_cmp)
                        cmd_print(ctx, "%-20s %12llu %12llu  %s", stats_name(i),
                                  u(stats_value(&st, i)), u(stats_value(&s->cmp.stats, i)),
                                  stats_help(i));
                else
                        cmd_print(ctx, "%-20s %12llu  %s", stats_name(i), u(stats_value(&st, i)),
                                  stats_help(i));
        }
}

static const char *mark_name(uint8_t mark)
{
        static const char *const names[] = {
            [MARK_NONE] = "",         [MARK_WRITTEN] = "written", [MARK_TRAPPED] = "trapped",
            [MARK_FILLED] = "filled", [MARK_UPDATED] = "updated", [MARK_ZAPPED] = "zapped",
            [MARK_MAPPED] = "mapped",
        };
        return mark < sizeof names / sizeof names[0] ? names[mark] : "";
}

static void print_tree(struct cmd_ctx *ctx, const struct tree *t)
{
        cmd_print(ctx, "%s (* on the walk of the current event)", t->title);
        for (size_t i = 0; i < t->n; i++) {
                const struct tree_row *r = &t->rows[i];
                char prefix[2 * 32 + 4] = "";
                size_t len = 0;
                for (unsigned d = 1; d < r->depth && len + 3 < sizeof prefix; d++)
                        len += (size_t)snprintf(prefix + len, sizeof prefix - len, "%s",
                                                (r->guides >> d) & 1 ? "| " : "  ");
                if (r->depth && len + 3 < sizeof prefix)
                        snprintf(prefix + len, sizeof prefix - len, "%s", r->last ? "`-" : "|-");
                const char *mark = mark_name(r->mark);
                cmd_print(ctx, "%c %s%s%s%s%s", r->on_walk ? '*' : ' ', prefix, r->text,
                          r->parent && !r->expanded ? " (+)" : "", *mark ? "  <- " : "", mark);
        }
        if (t->truncated)
                cmd_print(ctx, "  ... (more rows)");
}

static enum cmd_result info_tree(struct cmd_ctx *ctx, bool guest, int need)
{
        struct tree t = {0};
        enum mmu_mode mode = ctx->s->sim.cfg.mode;
        if (need == 1 && !scheme_has_shadow(mode))
                return cmd_error(ctx, "the scheme is %s: there are no shadow tables (mode shadow)",
                                 mode_name(mode));
        if (need == 2 && !scheme_has_nested(mode))
                return cmd_error(ctx, "the scheme is %s: there is no EPT (mode ept)",
                                 mode_name(mode));
        if (guest)
                tree_build_guest(&t, ctx->s, NULL, NULL, MAX_TREE_ROWS);
        else
                tree_build_mmu(&t, ctx->s, NULL, NULL, MAX_TREE_ROWS);
        print_tree(ctx, &t);
        tree_free(&t);
        return CMD_OK;
}

/* info exits: the exits by reason as of the current event, and the compare
 * machine's as of the end of the current line. */
static void put_line(void *ctx, const char *line)
{
        cmd_print(ctx, "%s", line);
}

static void info_exits(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        struct stats st;
        struct exit_report rep;
        session_stats(s, &st);
        exit_report_make(&rep, &st, &s->sim.cfg.cost);
        exit_report_write(&rep, mode_name(s->sim.cfg.mode), put_line, ctx);
        if (!s->has_cmp)
                return;
        exit_report_make(&rep, &s->cmp.stats, &s->cmp.cfg.cost);
        exit_report_write(&rep, mode_name(s->cmp_mode), put_line, ctx);
}

const char *const cmd_info_topics[] = {"breakpoints", "tlb", "stats", "walk", "guest",
                                       "shadow",      "ept", "exits", NULL};

static enum cmd_result cmd_info_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        int found = -1, count = 0;
        size_t n = strlen(argv[1]);
        (void)argc;
        for (int i = 0; cmd_info_topics[i]; i++) {
                if (strncmp(cmd_info_topics[i], argv[1], n) == 0) {
                        if (strlen(cmd_info_topics[i]) == n) {
                                found = i;
                                count = 1;
                                break;
                        }
                        found = i;
                        count++;
                }
        }
        if (count != 1)
                return cmd_error(ctx,
                                 "expected breakpoints, tlb, stats, exits, walk, guest, shadow "
                                 "or ept, found '%s'",
                                 argv[1]);
        switch (found) {
        case 0:
                info_breakpoints(ctx);
                return CMD_OK;
        case 1:
                info_tlb(ctx);
                return CMD_OK;
        case 2:
                info_stats(ctx);
                return CMD_OK;
        case 3: {
                const struct event *ev = session_event(ctx->s);
                if (!ev || !event_has_gva(ev))
                        return cmd_error(ctx,
                                         "the current event is about no address (translate GVA "
                                         "walks any)");
                bool walked = ev->kind == EV_ACCESS && !ev->tlb_hit;
                return translate(ctx, ev->gva, walked ? ev : NULL);
        }
        case 7:
                info_exits(ctx);
                return CMD_OK;
        default:
                return info_tree(ctx, found == 4, found - 4);
        }
}

const struct cmd_entry cmd_info_entry = {
    "info",
    "i",
    "breakpoints|tlb|stats|exits|walk|guest|shadow|ept",
    "list breakpoints, the TLB, every counter, the exits by reason, the current walk or a "
    "table tree",
    1,
    1,
    0,
    cmd_info_exec,
};
