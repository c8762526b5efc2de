/*
 * session_break.c - breakpoints: how they are written, described, matched
 * against events, and kept in a session.
 */
#include "number.h"
#include "session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bp_index.h"
#include "strbuf.h"
#include "xalloc.h"

/* Parses SIZE after the '/' of a range: bytes, or a number with K, M or
 * G. Returns 0, or -1 with a sentence in err. */
static int parse_size(const char *z, uint64_t *size, char *err, size_t errlen)
{
        size_t zlen = strlen(z);
        unsigned shift = 0;
        if (zlen > 0) {
                switch (toupper((unsigned char)z[zlen - 1])) {
                case 'K':
                        shift = 10;
                        break;
                case 'M':
                        shift = 20;
                        break;
                case 'G':
                        shift = 30;
                        break;
                default:
                        break;
                }
        }
        if (!parse_u64(z, zlen - (shift != 0), size) || *size == 0 ||
            *size > (UINT64_MAX >> shift)) {
                snprintf(err, errlen, "expected a size such as 4K or 2M after '/', found '%s'", z);
                return -1;
        }
        *size <<= shift;
        return 0;
}

/* Whether ADDR/SIZE (size as typed in z) is a range of whole pages that
 * starts on a page and ends below 2^64; if not, says in err what it would
 * have meant and what to write instead. */
static bool range_refused(uint64_t addr, uint64_t size, const char *z, char *err, size_t errlen)
{
        unsigned long long a = addr, n = size, page = addr & ~PAGE_OFFSET_MASK;
        unsigned long long whole = (n + PAGE_OFFSET_MASK) & ~PAGE_OFFSET_MASK;
        if (addr & PAGE_OFFSET_MASK)
                snprintf(err, errlen,
                         "0x%llX/%s does not start on a 4K page: 0x%llX/%s covers the page "
                         "holding 0x%llX",
                         a, z, page, z, a);
        else if (addr + size < addr && addr + size != 0)
                snprintf(err, errlen,
                         "0x%llX/%s runs past the top of the address space (0xFFFFFFFFFFFFFFFF)", a,
                         z);
        else if (size & PAGE_OFFSET_MASK)
                snprintf(err, errlen,
                         "expected a size in whole 4K pages, found 0x%llX: the range would end at "
                         "0x%llX, %s (0x%llX/0x%llX ends at 0x%llX)",
                         n, a + n - 1,
                         whole - n == 1 ? "1 byte short of a page's end"
                                        : "in the middle of a page",
                         a, whole, a + whole - 1);
        else
                return false;
        return true;
}

/* Parses "ADDR" (the 4K page holding it) or "ADDR/SIZE" (range_refused
 * says which ranges are taken). */
static int parse_range(const char *s, uint64_t *lo, uint64_t *hi, char *err, size_t errlen)
{
        const char *slash = strchr(s, '/');
        size_t alen = slash ? (size_t)(slash - s) : strlen(s);
        uint64_t addr, size = PAGE_SIZE;
        if (!parse_u64(s, alen, &addr)) {
                snprintf(err, errlen, "expected an address (hex 0x... or decimal), found '%.*s'",
                         (int)alen, s);
                return -1;
        }
        if (!slash)
                addr &= ~PAGE_OFFSET_MASK;
        else if (parse_size(slash + 1, &size, err, errlen) < 0 ||
                 range_refused(addr, size, slash + 1, err, errlen))
                return -1;
        *lo = addr;
        *hi = addr + size; /* 0: to the top of the address space */
        return 0;
}

static int parse_count(const char *what, const char *s, uint64_t *out, char *err, size_t errlen)
{
        /* Events and lines are numbered from 1: 0 could never match. */
        if (!s || !parse_u64(s, strlen(s), out) || *out == 0) {
                snprintf(err, errlen, "expected %s number from 1 after '%s', found '%s'",
                         strcmp(what, "event") == 0 ? "an event" : "a line", what,
                         s ? s : "nothing");
                return -1;
        }
        return 0;
}

/* "exit [REASON]": the reason, when given, from the exit table. Returns
 * the words taken, or -1. */
static int parse_exit(const char *reason, struct breakpoint *bp, char *err, size_t errlen)
{
        bp->kind = BP_EXIT;
        if (!reason)
                return 1;
        bp->value = exit_reason_parse(reason);
        if (bp->value >= 0)
                return 2;
        char list[256];
        struct strbuf o = {list, sizeof list, 0};
        for (int r = 0; r < EXIT_REASON_COUNT; r++)
                strbuf_put(&o, "%s%s", r ? ", " : "", exit_reason_name((enum exit_reason)r));
        snprintf(err, errlen, "expected an exit reason (%s), found '%s'", list, reason);
        return -1;
}

/* The breakpoint w[0] (and the words after it) name. Returns the words
 * taken, or -1 with a sentence in err. */
static int parse_words(char **w, struct breakpoint *bp, char *err, size_t errlen)
{
        if (strcasecmp(w[0], "exit") == 0)
                return parse_exit(w[1], bp, err, errlen);
        if (strcasecmp(w[0], "gpa") == 0 || strcasecmp(w[0], "gva") == 0) {
                bp->kind = tolower((unsigned char)w[0][1]) == 'p' ? BP_GPA : BP_GVA;
                if (!w[1]) {
                        snprintf(err, errlen, "expected an address after '%s'", w[0]);
                        return -1;
                }
                return parse_range(w[1], &bp->lo, &bp->hi, err, errlen) < 0 ? -1 : 2;
        }
        if (w[0][0] == '#' || strcasecmp(w[0], "event") == 0 || strcasecmp(w[0], "line") == 0) {
                bool hash = w[0][0] == '#', line = tolower((unsigned char)w[0][0]) == 'l';
                bp->kind = line ? BP_LINE : BP_EVENT;
                if (parse_count(line ? "line" : "event", hash ? w[0] + 1 : w[1], &bp->lo, err,
                                errlen) < 0)
                        return -1;
                return hash ? 1 : 2;
        }
        if (strcasecmp(w[0], "cpu") == 0) {
                bp->kind = BP_CPU;
                if (!w[1] || !parse_u64(w[1], strlen(w[1]), &bp->lo) || bp->lo >= SIM_MAX_VCPUS) {
                        snprintf(err, errlen,
                                 "expected a vCPU number 0..%d after 'cpu', found '%s'",
                                 SIM_MAX_VCPUS - 1, w[1] ? w[1] : "nothing");
                        return -1;
                }
                return 2;
        }
        if (event_kind_parse(w[0]) >= 0) {
                bp->kind = BP_KIND;
                bp->value = event_kind_parse(w[0]);
                return 1;
        }
        if (isdigit((unsigned char)w[0][0])) {
                bp->kind = BP_GVA;
                return parse_range(w[0], &bp->lo, &bp->hi, err, errlen) < 0 ? -1 : 1;
        }
        snprintf(err, errlen,
                 "expected a breakpoint (ADDR[/SIZE], gpa ADDR, exit [REASON], an event kind "
                 "such as SHADOW_UPDATE, event N, line N, cpu N), found '%s'",
                 w[0]);
        return -1;
}

int bp_parse(const char *spec, struct breakpoint *bp, char *err, size_t errlen)
{
        char buf[128], *words[4] = {NULL, NULL, NULL, NULL};
        unsigned n = 0;
        snprintf(buf, sizeof buf, "%s", spec);
        for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w;
             w = strtok_r(NULL, " \t", &save)) {
                if (n == 3) {
                        snprintf(err, errlen, "expected one breakpoint, found extra '%s'", w);
                        return -1;
                }
                words[n++] = w;
        }
        memset(bp, 0, sizeof *bp);
        bp->enabled = true;
        bp->value = -1;
        if (n == 0) {
                snprintf(err, errlen,
                         "expected a breakpoint: ADDR[/SIZE], gpa ADDR[/SIZE], "
                         "exit [REASON], an event kind, event N, line N or cpu N");
                return -1;
        }
        int used = parse_words(words, bp, err, errlen);
        if (used < 0)
                return -1;
        if ((int)n > used) {
                snprintf(err, errlen, "expected the end of the breakpoint, found '%s'",
                         words[used]);
                return -1;
        }
        return 0;
}

void bp_describe(const struct breakpoint *bp, char *buf, size_t n)
{
        unsigned long long lo = bp->lo, last = bp->hi - 1;
        switch (bp->kind) {
        case BP_GVA:
        case BP_GPA:
                snprintf(buf, n, "%s 0x%llX-0x%llX", bp->kind == BP_GVA ? "gva" : "gpa", lo, last);
                break;
        case BP_EXIT:
                snprintf(buf, n, "exit %s",
                         bp->value < 0 ? "(any)" : exit_reason_name((enum exit_reason)bp->value));
                break;
        case BP_KIND:
                snprintf(buf, n, "event %s", event_kind_name((enum event_kind)bp->value));
                break;
        case BP_EVENT:
                snprintf(buf, n, "event #%llu", lo);
                break;
        case BP_LINE:
                snprintf(buf, n, "line %llu", lo);
                break;
        case BP_CPU:
                snprintf(buf, n, "cpu %llu", lo);
                break;
        }
}

bool event_has_gva(const struct event *ev)
{
        switch (ev->kind) {
        case EV_CR3:
        case EV_TLB_FLUSH:
        case EV_SHADOW_ROOT:
        case EV_DIRTY_LOG:
        case EV_DIRTY:
        case EV_AGILE:
        case EV_CPU:
                return false;
        case EV_VM_EXIT:
                return ev->reason != EXIT_CR3 && ev->reason != EXIT_PML_FULL;
        case EV_IPI:
        case EV_SHOOTDOWN:
                return !ev->all;
        default:
                return true;
        }
}

/* The size of the guest virtual range an event is about: a table entry
 * covers its level's span, a table the span of the level above, a TLB
 * drop its span; other events are about one address. */
static uint64_t gva_span(const struct event *ev)
{
        switch (ev->kind) {
        case EV_PT_LINK:
        case EV_PT_WRITE:
        case EV_PT_CLEAR:
        case EV_PT_PROTECT:
        case EV_SHADOW_FILL:
        case EV_SHADOW_UPDATE:
                return level_span(ev->level ? ev->level : 1);
        case EV_SHADOW_ZAP:
                return level_span(ev->level + (ev->detail == DETAIL_ZAP_ENTRY ? 0 : 1));
        case EV_SHADOW_PAGE:
        case EV_UNSYNC:
        case EV_RESYNC:
                return level_span(ev->level + 1);
        case EV_TLB_DROP:
                return ev->hpa ? ev->hpa : 1;
        default:
                return 1;
        }
}

bool event_gva_range(const struct event *ev, uint64_t *base, uint64_t *span)
{
        if (!event_has_gva(ev))
                return false;
        *span = gva_span(ev);
        *base = *span > 1 ? ev->gva & ~(*span - 1) : ev->gva;
        return true;
}

/* Whether the range the event is about lies inside bp's range. */
static bool gva_matches(const struct breakpoint *bp, const struct event *ev)
{
        uint64_t base, span;
        if (!event_gva_range(ev, &base, &span))
                return false;
        uint64_t last = bp->hi - 1; /* hi 0: to the top */
        return base >= bp->lo && base <= last && span - 1 <= last - base;
}

/* The frame an event is about, for break gpa. */
enum frame_about {
        FRAME_NONE,
        FRAME_LEAF,   /* gpa, as far as its level's span (a large page: every frame) */
        FRAME_TABLE,  /* gpa is a table's page (the one a link stores) */
        FRAME_BYTE,   /* gpa itself (an access, a TLB entry) */
        FRAME_RUN,    /* count pages from gpa (pages logged dirty) */
        FRAME_DIRECT, /* without a guest table: the large page a shadow page backs */
        FRAME_STALE,  /* gpa, when the guest still maps the address */
        FRAME_EXIT,   /* gpa of the exits that name one (table, root, frame) */
};

/* What each kind of event is about in guest-physical memory: whether its
 * table_gpa names a guest table it is about (TABLE_IF: when not 0), and
 * which frame. */
enum { TABLE_NO, TABLE_YES, TABLE_IF };
static const struct {
        uint8_t table, frame;
} gpa_about[EV_KIND_COUNT] = {
    [EV_PT_WRITE] = {TABLE_YES, FRAME_LEAF},    [EV_PT_CLEAR] = {TABLE_YES, FRAME_LEAF},
    [EV_PT_PROTECT] = {TABLE_YES, FRAME_LEAF},  [EV_PT_LINK] = {TABLE_YES, FRAME_TABLE},
    [EV_CR3] = {TABLE_YES, FRAME_NONE},         [EV_SHADOW_ROOT] = {TABLE_YES, FRAME_NONE},
    [EV_SHADOW_FILL] = {TABLE_YES, FRAME_NONE}, [EV_SHADOW_UPDATE] = {TABLE_YES, FRAME_NONE},
    [EV_UNSYNC] = {TABLE_YES, FRAME_NONE},      [EV_RESYNC] = {TABLE_YES, FRAME_NONE},
    [EV_AGILE] = {TABLE_YES, FRAME_NONE},       [EV_SHADOW_PAGE] = {TABLE_IF, FRAME_DIRECT},
    [EV_SHADOW_ZAP] = {TABLE_IF, FRAME_NONE},   [EV_EPT_MAP] = {TABLE_NO, FRAME_LEAF},
    [EV_DIRTY] = {TABLE_NO, FRAME_RUN},         [EV_ACCESS] = {TABLE_NO, FRAME_BYTE},
    [EV_TLB_EVICT] = {TABLE_NO, FRAME_BYTE},    [EV_STALE_TLB] = {TABLE_NO, FRAME_STALE},
    [EV_VM_EXIT] = {TABLE_NO, FRAME_EXIT},
};

/* The bytes from ev->gpa the event's frame covers (0: none). */
static uint64_t frame_len(const struct event *ev, enum frame_about f)
{
        switch (f) {
        case FRAME_LEAF:
                return level_span(ev->level ? ev->level : 1);
        case FRAME_TABLE:
                return PAGE_SIZE;
        case FRAME_BYTE:
                return 1;
        case FRAME_RUN:
                return (uint64_t)ev->count * PAGE_SIZE;
        case FRAME_DIRECT:
                return ev->table_gpa ? 0 : level_span(ev->level + 1);
        case FRAME_STALE:
                return pte_present(ev->new_entry) ? 1 : 0;
        case FRAME_EXIT:
                return ev->reason == EXIT_PT_WRITE || ev->reason == EXIT_CR3 ||
                       ev->reason == EXIT_EPT_VIOLATION || ev->reason == EXIT_PML_FULL;
        case FRAME_NONE:
                break;
        }
        return 0;
}

size_t event_gpa_ranges(const struct event *ev, struct gpa_range out[2])
{
        size_t n = 0;
        if (ev->kind >= EV_KIND_COUNT)
                return 0;
        uint64_t len = frame_len(ev, (enum frame_about)gpa_about[ev->kind].frame);
        if (len)
                out[n++] = (struct gpa_range){ev->gpa, len};
        uint8_t table = gpa_about[ev->kind].table;
        if (table == TABLE_YES || (table == TABLE_IF && ev->table_gpa))
                out[n++] = (struct gpa_range){ev->table_gpa, PAGE_SIZE};
        return n;
}

/* Whether one of the guest-physical ranges the event is about meets bp's
 * range. */
static bool gpa_matches(const struct breakpoint *bp, const struct event *ev)
{
        struct gpa_range r[2];
        size_t n = event_gpa_ranges(ev, r);
        uint64_t last = bp->hi - 1; /* hi 0: to the top */
        for (size_t i = 0; i < n; i++)
                if (r[i].len && r[i].lo <= last &&
                    (bp->lo <= r[i].lo || bp->lo - r[i].lo < r[i].len))
                        return true;
        return false;
}

bool bp_matches(const struct breakpoint *bp, const struct event *ev)
{
        switch (bp->kind) {
        case BP_GVA:
                return gva_matches(bp, ev);
        case BP_GPA:
                return gpa_matches(bp, ev);
        case BP_EXIT:
                return ev->kind == EV_VM_EXIT && (bp->value < 0 || ev->reason == bp->value);
        case BP_KIND:
                return (int)ev->kind == bp->value;
        case BP_EVENT:
                return ev->seq == bp->lo;
        case BP_LINE:
                return ev->line == bp->lo;
        case BP_CPU:
                return ev->cpu == bp->lo;
        }
        return false;
}

/* The index over the breakpoints, built when first needed after a change;
 * NULL when there are none. */
static struct bp_index *index_of(struct session *s)
{
        if (!s->bp_index && s->nbps)
                s->bp_index = bp_index_build(s->bps, s->nbps);
        return s->bp_index;
}

/* Drops the index after the breakpoints changed. */
static void stale(struct session *s)
{
        bp_index_free(s->bp_index);
        s->bp_index = NULL;
}

void session_break_free(struct session *s)
{
        stale(s);
        free(s->bps);
        s->bps = NULL;
        s->nbps = s->cap_bps = 0;
}

int session_break_add(struct session *s, const struct breakpoint *bp)
{
        stale(s);
        if (s->nbps == s->cap_bps) {
                s->cap_bps = s->cap_bps ? s->cap_bps * 2 : 8;
                s->bps = xrealloc(s->bps, s->cap_bps, sizeof *s->bps);
        }
        s->bps[s->nbps] = *bp;
        s->bps[s->nbps].id = ++s->next_bp_id;
        s->bps[s->nbps].hits = 0;
        return s->bps[s->nbps++].id;
}

struct breakpoint *session_break_find(struct session *s, int id)
{
        for (size_t i = 0; i < s->nbps; i++)
                if (s->bps[i].id == id)
                        return &s->bps[i];
        return NULL;
}

/* Writes bp's range as typed back: "0x1000", or "0x1000-0x2FFF" when it
 * is more than a page. */
static const char *range_text(const struct breakpoint *bp, char *buf, size_t n)
{
        uint64_t last = bp->hi - 1;
        if (last == bp->lo + PAGE_OFFSET_MASK)
                snprintf(buf, n, "0x%llX", (unsigned long long)bp->lo);
        else
                snprintf(buf, n, "0x%llX-0x%llX", (unsigned long long)bp->lo,
                         (unsigned long long)last);
        return buf;
}

/* Whether bp's guest-virtual range names no address of this machine
 * (not canonical, or across the hole between the halves); if so, says why
 * in err. */
static bool gva_range_bad(const struct session *s, const struct breakpoint *bp, char *err, size_t n)
{
        const struct guest *g = &s->sim.guest;
        unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)g->levels;
        unsigned long long low_end = (UINT64_C(1) << (bits - 1)) - 1, high = ~low_end;
        uint64_t last = bp->hi - 1;
        const char *why = NULL;
        char text[64];
        if (!guest_va_canonical(g, bp->lo))
                why = "is not a canonical address";
        else if (!guest_va_canonical(g, last) ||
                 guest_va_kernel(g, bp->lo) != guest_va_kernel(g, last))
                why = "runs into the non-canonical hole";
        if (!why)
                return false;
        snprintf(err, n,
                 "%s %s with %d-level paging (the lower half ends at 0x%llX, the upper starts "
                 "at 0x%llX)",
                 range_text(bp, text, sizeof text), why, g->levels, low_end, high);
        return true;
}

int session_break_check(const struct session *s, const struct breakpoint *bp, char *err, size_t n)
{
        unsigned long long mem = s->sim.cfg.guest_mem;
        uint64_t last = bp->hi - 1;
        char text[64];
        if (bp->kind == BP_GVA && gva_range_bad(s, bp, err, n))
                return -1;
        if (bp->kind == BP_CPU && bp->lo >= s->sim.cfg.vcpus) {
                snprintf(err, n, "cpu %llu: the machine has %u vCPU%s (--vcpus)",
                         (unsigned long long)bp->lo, s->sim.cfg.vcpus,
                         s->sim.cfg.vcpus == 1 ? "" : "s");
                return -1;
        }
        if (bp->kind == BP_GPA && (bp->lo >= mem || last >= mem)) {
                snprintf(err, n, "gpa %s %s guest memory, which ends at gpa 0x%llX (--guest-mem)",
                         range_text(bp, text, sizeof text),
                         bp->lo >= mem ? "is beyond" : "runs past the end of", mem - 1);
                return -1;
        }
        return 0;
}

struct breakpoint *session_break_same(struct session *s, const struct breakpoint *bp)
{
        for (size_t i = 0; i < s->nbps; i++) {
                struct breakpoint *b = &s->bps[i];
                if (b->kind == bp->kind && b->lo == bp->lo && b->hi == bp->hi &&
                    b->value == bp->value)
                        return b;
        }
        return NULL;
}

bool session_break_delete(struct session *s, int id)
{
        struct breakpoint *bp = session_break_find(s, id);
        if (!bp)
                return false;
        size_t i = (size_t)(bp - s->bps);
        stale(s);
        memmove(&s->bps[i], &s->bps[i + 1], (s->nbps - i - 1) * sizeof *s->bps);
        s->nbps--;
        return true;
}

/* Whether breakpoint bp stops on evs[i] of an op: on the first event of
 * the op that it matches, so that one trace line stops once per
 * breakpoint (stepi walks through the rest). */
static bool stops(const struct breakpoint *bp, const struct event *evs, size_t i)
{
        if (!bp->enabled || !bp_matches(bp, &evs[i]))
                return false;
        for (size_t j = 0; j < i; j++)
                if (bp_matches(bp, &evs[j]))
                        return false;
        return true;
}

/* The breakpoints that stop on evs[i], at most max of them into out (by
 * id), counting each in its hits when count. Returns how many stop (with
 * neither out nor count, 1 as soon as one does). */
static size_t stopping(struct session *s, const struct event *evs, size_t i,
                       const struct breakpoint **out, size_t max, bool count)
{
        struct bp_index *x = index_of(s);
        size_t n = 0, ncand;
        if (!x)
                return 0;
        const uint32_t *cand = bp_index_lookup(x, &evs[i], &ncand);
        for (size_t c = 0; c < ncand; c++) {
                struct breakpoint *bp = &s->bps[cand[c]];
                if (!stops(bp, evs, i))
                        continue;
                if (n < max)
                        out[n] = bp;
                n++;
                if (count)
                        bp->hits++;
                else if (!out)
                        break; /* asked only whether one stops */
        }
        return n;
}

const struct breakpoint *session_break_hit(struct session *s)
{
        const struct breakpoint *bp = NULL;
        session_break_hits(s, &bp, 1);
        return bp;
}

size_t session_break_hits(struct session *s, const struct breakpoint **out, size_t max)
{
        return s->shown ? stopping(s, s->evs, s->shown - 1, out, max, false) : 0;
}

bool session_break_stops(struct session *s, const struct event *evs, size_t i)
{
        return stopping(s, evs, i, NULL, 0, false) > 0;
}

bool session_break_count(struct session *s)
{
        return s->shown && stopping(s, s->evs, s->shown - 1, NULL, 0, true) > 0;
}
