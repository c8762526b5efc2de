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

#include "xalloc.h"

/* Parses "ADDR" or "ADDR/SIZE" (SIZE a number with an optional K, M or G).
 * Without a size the range is the 4K page holding ADDR. */
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
        if (slash) {
                const char *z = slash + 1;
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
                if (!parse_u64(z, zlen - (shift != 0), &size) || size == 0 ||
                    size > (UINT64_MAX >> shift)) {
                        snprintf(err, errlen,
                                 "expected a size such as 4K or 2M after '/', found '%s'", z);
                        return -1;
                }
                size <<= shift;
                *lo = addr;
        } else {
                *lo = addr & ~PAGE_OFFSET_MASK;
        }
        *hi = *lo + size;
        if (*hi < *lo)
                *hi = UINT64_MAX; /* to the top of the address space */
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

int bp_parse(const char *spec, struct breakpoint *bp, char *err, size_t errlen)
{
        char buf[128], *words[3] = {NULL, NULL, NULL};
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
                         "exit [REASON], an event kind, event N or line N");
                return -1;
        }
        const char *w0 = words[0], *w1 = words[1];
        int used = 1, r = 0;
        if (strcasecmp(w0, "exit") == 0) {
                bp->kind = BP_EXIT;
                if (w1) {
                        bp->value = exit_reason_parse(w1);
                        used = 2;
                        if (bp->value < 0) {
                                snprintf(err, errlen,
                                         "expected an exit reason (pt_write, page_fault, "
                                         "cr3, invlpg, ept_violation, pml_full), found '%s'",
                                         w1);
                                return -1;
                        }
                }
        } else if (strcasecmp(w0, "gpa") == 0 || strcasecmp(w0, "gva") == 0) {
                bp->kind = tolower((unsigned char)w0[1]) == 'p' ? BP_GPA : BP_GVA;
                used = 2;
                if (!w1) {
                        snprintf(err, errlen, "expected an address after '%s'", w0);
                        return -1;
                }
                r = parse_range(w1, &bp->lo, &bp->hi, err, errlen);
        } else if (strcasecmp(w0, "event") == 0 || w0[0] == '#') {
                bp->kind = BP_EVENT;
                used = w0[0] == '#' ? 1 : 2;
                r = parse_count("event", w0[0] == '#' ? w0 + 1 : w1, &bp->lo, err, errlen);
        } else if (strcasecmp(w0, "line") == 0) {
                bp->kind = BP_LINE;
                used = 2;
                r = parse_count("line", w1, &bp->lo, err, errlen);
        } else if (event_kind_parse(w0) >= 0) {
                bp->kind = BP_KIND;
                bp->value = event_kind_parse(w0);
        } else if (isdigit((unsigned char)w0[0])) {
                bp->kind = BP_GVA;
                r = parse_range(w0, &bp->lo, &bp->hi, err, errlen);
        } else {
                snprintf(err, errlen,
                         "expected a breakpoint (ADDR[/SIZE], gpa ADDR, exit [REASON], "
                         "an event kind such as SHADOW_UPDATE, event N, line N), found '%s'",
                         w0);
                return -1;
        }
        if (r == 0 && (int)n > used) {
                snprintf(err, errlen, "expected the end of the breakpoint, found '%s'",
                         words[used]);
                return -1;
        }
        return r;
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
                return false;
        case EV_VM_EXIT:
                return ev->reason != EXIT_CR3 && ev->reason != EXIT_PML_FULL;
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

/* Whether the range the event is about lies inside bp's range. */
static bool gva_matches(const struct breakpoint *bp, const struct event *ev)
{
        if (!event_has_gva(ev))
                return false;
        uint64_t span = gva_span(ev);
        uint64_t base = span > 1 ? ev->gva & ~(span - 1) : ev->gva;
        return base >= bp->lo && base < bp->hi && span <= bp->hi - base;
}

/* A range of guest-physical addresses, [lo, lo + len). */
struct gpa_range {
        uint64_t lo, len;
};

/* The guest-physical ranges an event is about, for gpa breakpoints (at
 * most 2: a guest table it is about, and a frame): what README and help
 * break say. Returns how many. */
static size_t event_gpa_ranges(const struct event *ev, struct gpa_range out[2])
{
        size_t n = 0;
        uint64_t leaf = level_span(ev->level ? ev->level : 1);
        bool table = false;
        switch (ev->kind) {
        case EV_PT_WRITE: /* the table written and the frame (un)mapped */
        case EV_PT_CLEAR:
        case EV_PT_PROTECT:
                out[n++] = (struct gpa_range){ev->gpa, leaf};
                table = true;
                break;
        case EV_PT_LINK: /* the table written and the table linked */
                out[n++] = (struct gpa_range){ev->gpa, PAGE_SIZE};
                table = true;
                break;
        case EV_CR3: /* the root loaded */
        case EV_SHADOW_ROOT:
        case EV_SHADOW_FILL: /* the guest table the shadow page mirrors */
        case EV_SHADOW_UPDATE:
        case EV_UNSYNC:
        case EV_RESYNC:
        case EV_AGILE:
                table = true;
                break;
        case EV_SHADOW_PAGE: /* the table shadowed, or the large page backed */
        case EV_SHADOW_ZAP:
                if (ev->table_gpa)
                        table = true;
                else if (ev->kind == EV_SHADOW_PAGE)
                        out[n++] = (struct gpa_range){ev->gpa, level_span(ev->level + 1)};
                break;
        case EV_EPT_MAP: /* the frames the nested leaf maps */
                out[n++] = (struct gpa_range){ev->gpa, leaf};
                break;
        case EV_DIRTY: /* the frames logged */
                out[n++] = (struct gpa_range){ev->gpa, (uint64_t)ev->count * PAGE_SIZE};
                break;
        case EV_ACCESS: /* the byte touched, the frame evicted or used stale */
        case EV_TLB_EVICT:
                out[n++] = (struct gpa_range){ev->gpa, 1};
                break;
        case EV_STALE_TLB:
                if (pte_present(ev->new_entry))
                        out[n++] = (struct gpa_range){ev->gpa, 1};
                break;
        case EV_VM_EXIT: /* the table stored into, the root, the frame */
                if (ev->reason == EXIT_PT_WRITE || ev->reason == EXIT_CR3 ||
                    ev->reason == EXIT_EPT_VIOLATION || ev->reason == EXIT_PML_FULL)
                        out[n++] = (struct gpa_range){ev->gpa, 1};
                break;
        default:
                break;
        }
        if (table)
                out[n++] = (struct gpa_range){ev->table_gpa, PAGE_SIZE};
        return n;
}

/* Whether one of the guest-physical ranges the event is about meets bp's
 * range. */
static bool gpa_matches(const struct breakpoint *bp, const struct event *ev)
{
        struct gpa_range r[2];
        size_t n = event_gpa_ranges(ev, r);
        for (size_t i = 0; i < n; i++)
                if (r[i].lo < bp->hi && (bp->lo <= r[i].lo || bp->lo - r[i].lo < r[i].len))
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
        }
        return false;
}

int session_break_add(struct session *s, const struct breakpoint *bp)
{
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

const struct breakpoint *session_break_hit(const struct session *s)
{
        const struct breakpoint *bp = NULL;
        session_break_hits(s, &bp, 1);
        return bp;
}

size_t session_break_hits(const struct session *s, const struct breakpoint **out, size_t max)
{
        size_t n = 0;
        for (size_t b = 0; s->shown && b < s->nbps; b++)
                if (stops(&s->bps[b], s->evs, s->shown - 1)) {
                        if (n < max)
                                out[n] = &s->bps[b];
                        n++;
                }
        return n;
}

bool session_break_stops(const struct session *s, const struct event *evs, size_t i)
{
        for (size_t b = 0; b < s->nbps; b++)
                if (stops(&s->bps[b], evs, i))
                        return true;
        return false;
}

bool session_break_count(struct session *s)
{
        bool any = false;
        for (size_t b = 0; s->shown && b < s->nbps; b++)
                if (stops(&s->bps[b], s->evs, s->shown - 1)) {
                        s->bps[b].hits++;
                        any = true;
                }
        return any;
}
