/*
 * ref_x86.c - the reference model of x86 guest translation (ref_x86.h).
 *
 * The guest's tables are kept as plain radix nodes of 512 entries. The
 * guest kernel's side of the contract (trace format v1) is applied here:
 * a PT_WRITE creates the missing tables on its way down with links that
 * are present and writable, user-accessible only in the lower (user) half
 * and never execute-disabled (Linux's _PAGE_TABLE and _KERNPG_TABLE);
 * a 4K leaf written where a large leaf maps replaces that leaf by a link
 * to a new empty table; a large leaf written where a table is linked
 * replaces the link. The upper half of every root is one shared array, so
 * every address space sees the same kernel mappings.
 */
#include "ref_x86.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_ENTRIES 512

struct ref_entry {
        bool present;
        bool leaf; /* maps a page (a PS leaf above level 1); else links a table */
        bool w, u, nx;
        uint64_t gpa;            /* leaf: first byte of the page */
        struct ref_table *table; /* link: the table below */
};

struct ref_table {
        struct ref_entry e[REF_ENTRIES];
};

/* Rights combined along a walk (SDM 4.6.1): R/W and U/S must be 1 at
 * every level, XD at any level disables fetches. */
struct ref_rights {
        bool w, u, nx;
};

static const struct ref_rights rights_all = {true, true, false};

static struct ref_rights rights_fold(struct ref_rights r, const struct ref_entry *e)
{
        return (struct ref_rights){r.w && e->w, r.u && e->u, r.nx || e->nx};
}

static void *ref_calloc(size_t n, size_t size)
{
        void *p = calloc(n, size);
        if (!p) {
                fprintf(stderr, "ref_x86: out of memory\n");
                abort();
        }
        return p;
}

static void *ref_grow(void *p, size_t *cap, size_t size)
{
        *cap = *cap ? *cap * 2 : 16;
        p = realloc(p, *cap * size);
        if (!p) {
                fprintf(stderr, "ref_x86: out of memory\n");
                abort();
        }
        return p;
}

/* Bits of a linear address below the first one that selects an entry of
 * a table at level (12 + 9 * (level - 1), SDM 4.5.4). */
static unsigned shift_of(int level)
{
        return 12u + 9u * (unsigned)(level - 1);
}

static uint64_t span_of(int level)
{
        return UINT64_C(1) << shift_of(level);
}

static unsigned index_of(uint64_t gva, int level)
{
        return (unsigned)(gva >> shift_of(level)) & (REF_ENTRIES - 1);
}

/* Whether gva is in the upper half of the canonical space: its top
 * translated bit is set, so the root entry is one of 256..511. */
static bool upper_half(const struct ref_machine *m, uint64_t gva)
{
        return index_of(gva, m->cfg.levels) >= REF_ENTRIES / 2;
}

/* The root entry of the current address space for gva. */
static struct ref_entry *root_entry(const struct ref_machine *m, uint64_t gva)
{
        unsigned i = index_of(gva, m->cfg.levels);
        if (i >= REF_ENTRIES / 2)
                return &m->kernel->e[i];
        return &m->spaces[m->current].root->e[i];
}

static void free_table(struct ref_table *t)
{
        if (!t)
                return;
        for (unsigned i = 0; i < REF_ENTRIES; i++)
                if (t->e[i].present && !t->e[i].leaf)
                        free_table(t->e[i].table);
        free(t);
}

void ref_init(struct ref_machine *m, const struct ref_config *cfg)
{
        memset(m, 0, sizeof *m);
        m->cfg = *cfg;
        hostmem_init(&m->host, cfg->guest_mem >> 12, cfg->host_large, false);
        m->kernel = ref_calloc(1, sizeof *m->kernel);
        m->spaces = ref_grow(NULL, &m->cap_spaces, sizeof *m->spaces);
        m->spaces[0] = (struct ref_space){0, ref_calloc(1, sizeof(struct ref_table))};
        m->nspaces = 1;
}

void ref_free(struct ref_machine *m)
{
        for (size_t i = 0; i < m->nspaces; i++)
                free_table(m->spaces[i].root); /* its upper half is never used */
        free_table(m->kernel);
        free(m->spaces);
        free(m->stale);
        free(m->holes);
        hostmem_free(&m->host);
        memset(m, 0, sizeof *m);
}

/* ---- stale translations (what a TLB may still hold) -------------------- */

static bool xlate_equal(const struct ref_xlate *a, const struct ref_xlate *b)
{
        return a->base == b->base && a->level == b->level && a->gpa == b->gpa && a->w == b->w &&
               a->u == b->u && a->nx == b->nx;
}

/* Forgets the holes of translation x in asid: while x was current, the
 * TLB could cache it again for any of its pages. */
static void forget_holes(struct ref_machine *m, uint32_t asid, const struct ref_xlate *x)
{
        size_t k = 0;
        for (size_t i = 0; i < m->nholes; i++) {
                const struct ref_hole *h = &m->holes[i];
                if (!(h->asid == asid && xlate_equal(&h->x, x)))
                        m->holes[k++] = *h;
        }
        m->nholes = k;
}

static void add_stale_for(struct ref_machine *m, uint32_t asid, const struct ref_xlate *x)
{
        forget_holes(m, asid, x);
        for (size_t i = 0; i < m->nstale; i++)
                if (m->stale[i].asid == asid && xlate_equal(&m->stale[i].x, x))
                        return;
        if (m->nstale == m->cap_stale)
                m->stale = ref_grow(m->stale, &m->cap_stale, sizeof *m->stale);
        m->stale[m->nstale++] = (struct ref_stale){asid, *x};
}

/* Records that translation x stops being the current one: the TLBs that
 * could hold it may keep it until it is invalidated. Only the current
 * address space can have cached a lower-half translation; an upper-half
 * one is shared, so with PCID every address space's TLB may hold it
 * (without PCID a CR3 load drops everything anyway). */
static void retire(struct ref_machine *m, const struct ref_xlate *x)
{
        if (m->cfg.pcid && upper_half(m, x->base)) {
                for (size_t i = 0; i < m->nspaces; i++)
                        add_stale_for(m, m->spaces[i].asid, x);
        } else {
                add_stale_for(m, m->spaces[m->current].asid, x);
        }
}

static bool covers(const struct ref_xlate *x, uint64_t gva)
{
        return gva - x->base < span_of(x->level);
}

/* Forgets every stale translation (a full flush). */
static void invalidate_all(struct ref_machine *m)
{
        m->nstale = 0;
        m->nholes = 0;
}

/* Drops the stale translations of the current address space whose page
 * holds gva (INVLPG invalidates every entry of the page, whatever its
 * size and whichever of its addresses is named: SDM 4.10.4.1). */
static void invalidate_page(struct ref_machine *m, uint64_t gva)
{
        uint32_t asid = m->spaces[m->current].asid;
        size_t k = 0;
        for (size_t i = 0; i < m->nstale; i++) {
                const struct ref_stale *s = &m->stale[i];
                if (!(s->asid == asid && covers(&s->x, gva)))
                        m->stale[k++] = *s;
        }
        m->nstale = k;
        k = 0;
        for (size_t i = 0; i < m->nholes; i++) {
                const struct ref_hole *h = &m->holes[i];
                if (!(h->asid == asid && covers(&h->x, gva)))
                        m->holes[k++] = *h;
        }
        m->nholes = k;
}

static bool in_hole(const struct ref_machine *m, const struct ref_stale *s, uint64_t gva)
{
        for (size_t i = 0; i < m->nholes; i++) {
                const struct ref_hole *h = &m->holes[i];
                if (h->asid == s->asid && h->page == (gva & ~UINT64_C(0xFFF)) &&
                    xlate_equal(&h->x, &s->x))
                        return true;
        }
        return false;
}

/* Whether stale translation s may still translate gva in address space
 * asid. */
static bool stale_usable(const struct ref_machine *m, const struct ref_stale *s, uint32_t asid,
                         uint64_t gva)
{
        return s->asid == asid && covers(&s->x, gva) && !in_hole(m, s, gva);
}

/* A page fault at gva: the TLB entries for its page numbers go (SDM
 * 4.10.4.1). A stale 4K translation of it goes; a larger one loses the
 * 4K page of gva only (its other pieces may be cached apart). */
static void invalidate_faulting(struct ref_machine *m, uint64_t gva)
{
        uint32_t asid = m->spaces[m->current].asid;
        size_t k = 0;
        for (size_t i = 0; i < m->nstale; i++) {
                const struct ref_stale *s = &m->stale[i];
                if (!stale_usable(m, s, asid, gva)) {
                        m->stale[k++] = *s;
                        continue;
                }
                if (s->x.level == 1)
                        continue;
                if (m->nholes == m->cap_holes)
                        m->holes = ref_grow(m->holes, &m->cap_holes, sizeof *m->holes);
                m->holes[m->nholes++] = (struct ref_hole){asid, s->x, gva & ~UINT64_C(0xFFF)};
                m->stale[k++] = *s;
        }
        m->nstale = k;
}

/* ---- the guest tables ---------------------------------------------------- */

static struct ref_xlate make_xlate(const struct ref_entry *leaf, struct ref_rights r, uint64_t base,
                                   int level)
{
        return (struct ref_xlate){base, level, leaf->gpa, r.w, r.u, r.nx};
}

/* Retires every translation under entry e (at level, mapping from base,
 * reached with rights r above it). */
static void retire_entry(struct ref_machine *m, const struct ref_entry *e, int level, uint64_t base,
                         struct ref_rights r)
{
        if (!e->present)
                return;
        r = rights_fold(r, e);
        if (e->leaf) {
                struct ref_xlate x = make_xlate(e, r, base, level);
                retire(m, &x);
                return;
        }
        for (unsigned i = 0; i < REF_ENTRIES; i++)
                retire_entry(m, &e->table->e[i], level - 1, base + i * span_of(level - 1), r);
}

/* Makes e empty, retiring what it mapped. */
static void clear_entry(struct ref_machine *m, struct ref_entry *e, int level, uint64_t base,
                        struct ref_rights r)
{
        retire_entry(m, e, level, base, r);
        if (e->present && !e->leaf)
                free_table(e->table);
        memset(e, 0, sizeof *e);
}

/* Base of the page of size level that holds gva. */
static uint64_t page_base(uint64_t gva, int level)
{
        return gva & ~(span_of(level) - 1);
}

/* The entry at level on the way to gva, creating the tables above it as
 * the guest kernel does (links P + W, U in the lower half, no XD) and
 * splitting a large leaf on the way into a link to an empty table. *r
 * receives the rights of the levels above the entry. */
static struct ref_entry *entry_for_write(struct ref_machine *m, uint64_t gva, int level,
                                         struct ref_rights *r)
{
        struct ref_entry *e = root_entry(m, gva);
        *r = rights_all;
        for (int l = m->cfg.levels; l > level; l--) {
                if (e->present && e->leaf)
                        clear_entry(m, e, l, page_base(gva, l), *r);
                if (!e->present)
                        *e = (struct ref_entry){.present = true,
                                                .w = true,
                                                .u = !upper_half(m, gva),
                                                .table = ref_calloc(1, sizeof(struct ref_table))};
                *r = rights_fold(*r, e);
                e = &e->table->e[index_of(gva, l - 1)];
        }
        return e;
}

/* The present leaf that maps gva, or NULL; *level and *r (rights above
 * it) describe it. */
static struct ref_entry *find_leaf(const struct ref_machine *m, uint64_t gva, int *level,
                                   struct ref_rights *r)
{
        struct ref_entry *e = root_entry(m, gva);
        *r = rights_all;
        for (int l = m->cfg.levels; l >= 1; l--) {
                if (!e->present)
                        return NULL;
                if (e->leaf) {
                        *level = l;
                        return e;
                }
                *r = rights_fold(*r, e);
                e = &e->table->e[index_of(gva, l - 1)];
        }
        return NULL;
}

static void set_rights(struct ref_entry *e, uint64_t perm)
{
        e->w = (perm & PTE_W) != 0;
        e->u = (perm & PTE_U) != 0;
        e->nx = (perm & PTE_NX) != 0;
}

static void pt_write(struct ref_machine *m, const struct op *op)
{
        struct ref_rights r;
        uint64_t base = page_base(op->gva, op->leaf_level);
        struct ref_entry *e = entry_for_write(m, base, op->leaf_level, &r);
        clear_entry(m, e, op->leaf_level, base, r);
        *e = (struct ref_entry){.present = true, .leaf = true, .gpa = op->gpa};
        set_rights(e, op->perm);
}

static void pt_clear_or_protect(struct ref_machine *m, const struct op *op)
{
        int level;
        struct ref_rights r;
        struct ref_entry *e = find_leaf(m, op->gva, &level, &r);
        if (!e)
                return;
        uint64_t base = page_base(op->gva, level);
        if (op->kind == OP_PT_CLEAR) {
                clear_entry(m, e, level, base, r);
        } else {
                retire_entry(m, e, level, base, r);
                set_rights(e, op->perm);
        }
}

static void load_cr3(struct ref_machine *m, uint32_t asid)
{
        size_t i = 0;
        while (i < m->nspaces && m->spaces[i].asid != asid)
                i++;
        if (i == m->nspaces) {
                if (m->nspaces == m->cap_spaces)
                        m->spaces = ref_grow(m->spaces, &m->cap_spaces, sizeof *m->spaces);
                m->spaces[m->nspaces++] =
                    (struct ref_space){asid, ref_calloc(1, sizeof(struct ref_table))};
        }
        m->current = i;
        if (!m->cfg.pcid) /* MOV to CR3 without PCID flushes the TLB (4.10.4.1) */
                invalidate_all(m);
}

void ref_apply(struct ref_machine *m, const struct op *op)
{
        switch (op->kind) {
        case OP_PT_WRITE:
                pt_write(m, op);
                break;
        case OP_PT_CLEAR:
        case OP_PT_PROTECT:
                pt_clear_or_protect(m, op);
                break;
        case OP_CR3:
                load_cr3(m, op->asid);
                break;
        case OP_INVLPG:
                invalidate_page(m, op->gva);
                break;
        case OP_TLB_FLUSH: /* the whole TLB, every address space */
                invalidate_all(m);
                break;
        case OP_ACCESS:
        case OP_DIRTY_LOG:
        case OP_CPU: /* one vCPU: the reference model has one TLB */
        case OP_SHOOTDOWN:
        case OP_KIND_COUNT:
                break;
        }
}

bool ref_translate(const struct ref_machine *m, uint64_t gva, struct ref_xlate *x)
{
        int level;
        struct ref_rights r;
        const struct ref_entry *e = find_leaf(m, gva, &level, &r);
        if (!e)
                return false;
        *x = make_xlate(e, rights_fold(r, e), page_base(gva, level), level);
        return true;
}

/* ---- access rights (SDM 4.6) and the error code (4.7) -------------------- */

/* Whether translation x allows the access. */
static bool allows(const struct ref_config *cfg, const struct ref_xlate *x, enum access_kind kind,
                   bool user)
{
        if (user) {
                if (!x->u)
                        return false;
                if (kind == ACCESS_WRITE)
                        return x->w;
                if (kind == ACCESS_EXEC)
                        return !x->nx;
                return true;
        }
        if (kind == ACCESS_EXEC) /* SMEP: no supervisor fetch from a user-mode address */
                return !x->nx && !(cfg->smep && x->u);
        if (cfg->smap && x->u) /* SMAP (EFLAGS.AC = 0): no supervisor data access either */
                return false;
        return kind == ACCESS_READ || x->w; /* CR0.WP = 1 */
}

struct ref_outcome ref_access_through(const struct ref_machine *m, const struct ref_xlate *x,
                                      uint64_t gva, enum access_kind kind, bool user)
{
        struct ref_outcome o = {0};
        if (x && allows(&m->cfg, x, kind, user)) {
                o.gpa = x->gpa + (gva - x->base);
                o.hpa = hostmem_hpa(&m->host, o.gpa);
                return o;
        }
        o.fault = true;
        o.pf_error = (uint8_t)((x ? REF_PF_P : 0) | (kind == ACCESS_WRITE ? REF_PF_W : 0) |
                               (user ? REF_PF_U : 0) | (kind == ACCESS_EXEC ? REF_PF_I : 0));
        return o;
}

bool ref_outcome_equal(const struct ref_outcome *a, const struct ref_outcome *b)
{
        if (a->fault || b->fault)
                return a->fault == b->fault && a->pf_error == b->pf_error;
        return a->gpa == b->gpa && a->hpa == b->hpa;
}

static size_t add_outcome(struct ref_outcome *out, size_t n, size_t max, struct ref_outcome o)
{
        for (size_t i = 0; i < n && i < max; i++)
                if (ref_outcome_equal(&out[i], &o))
                        return n;
        if (n < max)
                out[n] = o;
        return n + 1;
}

size_t ref_allowed(const struct ref_machine *m, const struct op *op, struct ref_outcome *out,
                   size_t max)
{
        struct ref_xlate now;
        bool mapped = ref_translate(m, op->gva, &now);
        size_t n =
            add_outcome(out, 0, max,
                        ref_access_through(m, mapped ? &now : NULL, op->gva, op->access, op->user));
        uint32_t asid = m->spaces[m->current].asid;
        for (size_t i = 0; i < m->nstale; i++) {
                const struct ref_stale *s = &m->stale[i];
                if (stale_usable(m, s, asid, op->gva))
                        n = add_outcome(
                            out, n, max,
                            ref_access_through(m, &s->x, op->gva, op->access, op->user));
        }
        return n;
}

void ref_observe(struct ref_machine *m, const struct op *op, const struct ref_outcome *seen)
{
        bool kept = m->cfg.kvm_not_present_fault_keeps_stale && !(seen->pf_error & REF_PF_P);
        if (seen->fault && !kept)
                invalidate_faulting(m, op->gva);
}

char *ref_outcome_format(const struct ref_outcome *o, char *buf, size_t n)
{
        if (o->fault)
                snprintf(buf, n, "#PF err=0x%02X (%s%s%s%s)", o->pf_error,
                         o->pf_error & REF_PF_P ? "P" : "not-present",
                         o->pf_error & REF_PF_W ? " W" : " R", o->pf_error & REF_PF_U ? " U" : " S",
                         o->pf_error & REF_PF_I ? " I" : "");
        else
                snprintf(buf, n, "gpa=0x%llX hpa=0x%llX", (unsigned long long)o->gpa,
                         (unsigned long long)o->hpa);
        return buf;
}
