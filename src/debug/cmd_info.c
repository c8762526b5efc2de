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
#include "tree.h"
#include "session_view.h"
#include "walk_text.h"
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
                uint64_t e = ptable_get(v.entries, ix);
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
                           v.missing, cmd_plural(v.missing), u(v.first_missing_gpa),
                           cmd_plural(v.missing));
        } else {
                strbuf_put(&o, "a TLB miss now walks ");
                explain_walk(&o, &m->cfg, v.refs, v.nested_refs);
        }
        if (scheme_has_shadow(m->cfg.mode))
                shadow_line(ctx, name, m, gva, walk);
        else
                cmd_print(ctx, "  %-7s %s", name, walk);
}

static void walk_line(void *ctx, const char *line)
{
        cmd_print(ctx, "          %s", line);
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
        /* The walk made (on the machine before it) or the one a miss
         * would make now, reference by reference. */
        struct walk_listing l;
        mmu_view_walk_list(walked ? session_machine_before_walk(s) : m, gva, &l);
        walk_text(&l, walk_line, ctx);
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

static const struct cmd_form translate_forms[] = {
    {"translate GVA",
     "walk GVA through the guest tables, the TLB, the shadow tables or the EPT of both schemes, "
     "and count the references a TLB miss would make now; nothing changes",
     "translate 0x400000"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_translate_entry = {
    .name = "translate",
    .aliases = "t",
    .args = {1, 1},
    .usage = "GVA",
    .help = "walk GVA through guest, shadow or EPT tables and the TLB, changing nothing",
    .forms = translate_forms,
    .exec = cmd_translate_exec,
};

/* ---- info --------------------------------------------------------------- */

static enum cmd_result info_breakpoints(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        if (s->nbps == 0) {
                cmd_print(ctx, "No breakpoints (break ADDR sets one).");
                return CMD_OK;
        }
        cmd_print(ctx, "Num  Enb  Hits  What");
        for (size_t i = 0; i < s->nbps; i++) {
                char what[96];
                bp_describe(&s->bps[i], what, sizeof what);
                cmd_print(ctx, "%-4d %-4s %-5llu %s", s->bps[i].id, s->bps[i].enabled ? "y" : "n",
                          u(s->bps[i].hits), what);
        }
        return CMD_OK;
}

static enum cmd_result info_tlb(struct cmd_ctx *ctx)
{
        unsigned cpu;
        const struct tlb *t = cmd_shown_tlb(ctx, &cpu);
        unsigned shown = 0;
        if (session_machine(ctx->s)->cfg.vcpus > 1)
                cmd_print(ctx, "vCPU %u's TLB (set tlb-cpu chooses whose)", cpu);
        cmd_print(ctx, "TLB: %u set%s x %u way%s, %s; %u valid", t->sets, cmd_plural(t->sets),
                  t->ways, cmd_plural(t->ways),
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
        return CMD_OK;
}

/* The counters of both machines, with, when set deltas is on, what the
 * current line added to each. */
static enum cmd_result info_stats(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        struct stats st, line, cmp_line;
        session_stats(s, &st);
        session_line_stats(s, &line, &cmp_line);
        char head[160], row[160];
        int len = snprintf(head, sizeof head, "%-20s %12s", "counter", mode_name(s->sim.cfg.mode));
        if (ctx->deltas)
                len += snprintf(head + len, sizeof head - (size_t)len, " %8s", "+line");
        if (s->has_cmp)
                len += snprintf(head + len, sizeof head - (size_t)len, " %12s",
                                mode_name(s->cmp_mode));
        if (s->has_cmp && ctx->deltas)
                snprintf(head + len, sizeof head - (size_t)len, " %8s", "+line");
        cmd_print(ctx, "%s  what it counts", head);
        for (unsigned i = 0; i < STATS_COUNT; i++) {
                if (!stats_shown(i, s->sim.cfg.vcpus))
                        continue;
                len = snprintf(row, sizeof row, "%-20s %12llu", stats_name(i),
                               u(stats_value(&st, i)));
                if (ctx->deltas)
                        len += snprintf(row + len, sizeof row - (size_t)len, " %+8lld",
                                        (long long)stats_value(&line, i));
                if (s->has_cmp)
                        len += snprintf(row + len, sizeof row - (size_t)len, " %12llu",
                                        u(stats_value(&s->cmp.stats, i)));
                if (s->has_cmp && ctx->deltas)
                        snprintf(row + len, sizeof row - (size_t)len, " %+8lld",
                                 (long long)stats_value(&cmp_line, i));
                cmd_print(ctx, "%s  %s", row, stats_help(i));
        }
        return CMD_OK;
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

/* Prints the guest tree, or the tree of the scheme's own tables. */
static enum cmd_result info_tree(struct cmd_ctx *ctx, bool guest)
{
        struct tree t = {0};
        if (guest)
                tree_build_guest(&t, ctx->s, NULL, NULL, MAX_TREE_ROWS);
        else
                tree_build_mmu(&t, ctx->s, NULL, NULL, MAX_TREE_ROWS);
        print_tree(ctx, &t);
        tree_free(&t);
        return CMD_OK;
}

static enum cmd_result info_guest(struct cmd_ctx *ctx)
{
        return info_tree(ctx, true);
}

static enum cmd_result info_shadow(struct cmd_ctx *ctx)
{
        enum mmu_mode mode = ctx->s->sim.cfg.mode;
        if (!scheme_has_shadow(mode))
                return cmd_error(ctx, "the scheme is %s: there are no shadow tables (mode shadow)",
                                 mode_name(mode));
        return info_tree(ctx, false);
}

static enum cmd_result info_ept(struct cmd_ctx *ctx)
{
        enum mmu_mode mode = ctx->s->sim.cfg.mode;
        if (!scheme_has_nested(mode))
                return cmd_error(ctx, "the scheme is %s: there is no EPT (mode ept)",
                                 mode_name(mode));
        return info_tree(ctx, false);
}

static bool is_guest_store(const struct event *ev)
{
        return ev->kind == EV_PT_WRITE || ev->kind == EV_PT_LINK || ev->kind == EV_PT_CLEAR ||
               ev->kind == EV_PT_PROTECT;
}

/* A guest entry of a table at level: empty, a link to a table, or a leaf
 * mapping a frame, into buf (64 bytes). */
static const char *entry_text(uint64_t e, int level, char *buf)
{
        char flags[8];
        if (!pte_present(e))
                snprintf(buf, 64, "empty");
        else if (level > 1 && !(e & PTE_PS))
                snprintf(buf, 64, "table 0x%llX", u(pte_frame(e) << PAGE_SHIFT));
        else
                snprintf(buf, 64, "gpa 0x%llX %s%s", u(pte_frame(e) << PAGE_SHIFT),
                         pte_flags_str(e, flags),
                         level == 1   ? ""
                         : level == 2 ? " 2M"
                                      : " 1G");
        return buf;
}

/* A guest page-table store: the entry written, old and new, and the walk
 * of its address down to that entry. */
static void store_lines(struct cmd_ctx *ctx, const struct sim *m, const struct event *ev)
{
        char path[512];
        struct strbuf o = {path, sizeof path, 0};
        struct guest_walk w;
        int n = m->guest.levels;
        guest_walk(&m->guest, guest_root(&m->guest), ev->gva, &w);
        for (int level = n; level >= ev->level && n - level < w.depth; level--)
                strbuf_put(&o, "%sL%d 0x%llX[%u]", level < n ? " -> " : "", level,
                           u(w.table_gfn[level] << PAGE_SHIFT), pt_index(ev->gva, level));
        if (n - ev->level >= w.depth || w.table_gfn[ev->level] << PAGE_SHIFT != ev->table_gpa)
                snprintf(path, sizeof path, "L%d 0x%llX[%u]", ev->level, u(ev->table_gpa),
                         ev->index);
        uint64_t span = level_span(ev->level), base = ev->gva & ~(span - 1);
        cmd_print(
            ctx, "Event #%llu: the guest stored the L%d entry for 0x%llX-0x%llX, at gpa 0x%llX",
            u(ev->seq), ev->level, u(base), u(base + span - 1), u(ev->table_gpa + ev->index * 8u));
        cmd_print(ctx, "  walk    %s", path);
        char before[64], after[64];
        cmd_print(ctx, "  entry   %s -> %s", entry_text(ev->old_entry, ev->level, before),
                  entry_text(ev->new_entry, ev->level, after));
        cmd_print(ctx, "  store   %s",
                  ev->trapped ? "the table page is write-protected: the store exited to the VMM"
                              : "the table page is not write-protected: no exit");
}

/* An event about no address: what it is, and that it walks nothing. */
static void no_walk(struct cmd_ctx *ctx, const struct sim *m, const struct event *ev)
{
        char line[256];
        event_format(ev, line, sizeof line);
        cmd_print(ctx, "Event #%llu walks nothing: %s", u(ev->seq), line);
        cmd_print(ctx,
                  "  address space %u, guest root 0x%llX (info guest shows its tables, "
                  "translate GVA walks an address)",
                  sim_asid(m), u(guest_root(&m->guest) << PAGE_SHIFT));
}

/* The walk of the current event: the one an access that missed the TLB
 * made, the walk to the entry a guest page-table store wrote, else the
 * walk of the address the event is about. */
static enum cmd_result info_walk(struct cmd_ctx *ctx)
{
        const struct event *ev = session_event(ctx->s);
        const struct sim *m = session_machine(ctx->s);
        if (!ev) {
                cmd_print(ctx, "No event yet: nothing has walked (translate GVA walks any "
                               "address)");
                return CMD_OK;
        }
        if (!event_has_gva(ev)) {
                no_walk(ctx, m, ev);
                return CMD_OK;
        }
        if (is_guest_store(ev))
                store_lines(ctx, m, ev);
        bool walked = ev->kind == EV_ACCESS && !ev->tlb_hit;
        return translate(ctx, ev->gva, walked ? ev : NULL);
}

/* info exits: the exits by reason as of the current event, and the compare
 * machine's as of the end of the current line. */
static void put_line(void *ctx, const char *line)
{
        cmd_print(ctx, "%s", line);
}

static enum cmd_result info_exits(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        struct stats st;
        struct exit_report rep;
        session_stats(s, &st);
        exit_report_make(&rep, &st, &s->sim.cfg.cost);
        exit_report_write(&rep, mode_name(s->sim.cfg.mode), put_line, ctx);
        if (!s->has_cmp)
                return CMD_OK;
        exit_report_make(&rep, &s->cmp.stats, &s->cmp.cfg.cost);
        exit_report_write(&rep, mode_name(s->cmp_mode), put_line, ctx);
        return CMD_OK;
}

/* What info shows: usage, errors, completion and dispatch all read this. */
struct info_topic {
        const char *name;
        enum cmd_result (*fn)(struct cmd_ctx *ctx);
        const char *help;
};

static const struct info_topic info_topics[] = {
    {"breakpoints", info_breakpoints, "the breakpoints, whether enabled, and their hits"},
    {"tlb", info_tlb, "every valid TLB entry: set, way, page, frames, rights, age"},
    {"stats", info_stats, "every counter as of the current event, beside the compared scheme's"},
    {"exits", info_exits, "the VM exits by reason and their cycles (as --exits)"},
    {"walk", info_walk, "the walk of the current event through every dimension"},
    {"guest", info_guest, "the guest's page tables of the current address space"},
    {"shadow", info_shadow, "the shadow tables (shadow paging and agile paging)"},
    {"ept", info_ept, "the nested (EPT) tables (nested paging)"},
    {NULL, NULL, NULL},
};

/* Writes the topic names into buf: "a, b, c or d". */
static const char *topic_list(char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        buf[0] = '\0';
        for (size_t i = 0; info_topics[i].name; i++)
                strbuf_put(&o, "%s%s",
                           i == 0                    ? ""
                           : info_topics[i + 1].name ? ", "
                                                     : " or ",
                           info_topics[i].name);
        return buf;
}

/* The topic named by word, exactly or by a unique prefix; NULL with a
 * sentence in ctx->err. */
static const struct info_topic *find_topic(struct cmd_ctx *ctx, const char *word)
{
        const struct info_topic *found = NULL;
        size_t n = strlen(word), count = 0;
        for (size_t i = 0; info_topics[i].name; i++) {
                if (strcmp(info_topics[i].name, word) == 0)
                        return &info_topics[i];
                if (strncmp(info_topics[i].name, word, n) == 0) {
                        found = &info_topics[i];
                        count++;
                }
        }
        if (count == 1)
                return found;
        char list[256];
        if (count > 1) {
                struct strbuf o = {list, sizeof list, 0};
                for (size_t i = 0; info_topics[i].name; i++)
                        if (strncmp(info_topics[i].name, word, n) == 0)
                                strbuf_put(&o, "%s%s", o.len ? ", " : "", info_topics[i].name);
                cmd_error(ctx, "ambiguous topic '%s': %s", word, list);
        } else {
                cmd_error(ctx, "expected %s, found '%s'", topic_list(list, sizeof list), word);
        }
        return NULL;
}

/* Every topic and what it shows, in columns from col. */
static void info_more_help(struct cmd_ctx *ctx, int col)
{
        char left[32];
        for (size_t i = 0; info_topics[i].name; i++) {
                snprintf(left, sizeof left, "info %s", info_topics[i].name);
                cmd_print_columns(ctx, left, col, info_topics[i].help);
        }
}

static enum cmd_result cmd_info_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        if (argc == 1)
                return cmd_help_text(ctx, "info");
        const struct info_topic *t = find_topic(ctx, argv[1]);
        return t ? t->fn(ctx) : CMD_ERROR;
}

static void info_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        for (size_t i = 0; info_topics[i].name; i++)
                add(arg, info_topics[i].name);
}

static const struct cmd_form info_forms[] = {
    {"info TOPIC", "show one of the topics below (a unique prefix will do)", "info tlb"},
    {"info", "list the topics", "info"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_info_entry = {
    .name = "info",
    .aliases = "i",
    .args = {0, 1},
    .usage = "[TOPIC]",
    .help = "show the breakpoints, the TLB, the counters, the exits, the current walk or a "
            "table tree (info alone lists the topics)",
    .forms = info_forms,
    .exec = cmd_info_exec,
    .complete = info_complete,
    .more_help = info_more_help,
};
