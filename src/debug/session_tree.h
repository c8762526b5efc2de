/*
 * session_tree.h - page tables as rows of a tree, for panes and listings.
 *
 * The guest's tables of the current address space, and the tables the
 * hardware walks (the shadow tables, or the nested EPT table), are turned
 * into a flat list of rows rebuilt from the machine after every move. Each
 * row carries a stable tag, so a face can keep which nodes are expanded or
 * selected across rebuilds, plus what the current trace line did to the
 * entry (written, trapped, filled, updated, zapped, mapped), whether it
 * lies on the path of the current event's address, and whether the event
 * read it there (under shadow paging the hardware walks the shadow tables,
 * not the guest's). The text of a row is the same in
 * the TUI panes and in `info guest|shadow|ept`; tree guides are left to the
 * face (UTF-8 or ASCII).
 */
#ifndef SHADOW_SIM_SESSION_TREE_H
#define SHADOW_SIM_SESSION_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* What the events shown of the current op did to an entry. */
enum tree_mark {
        MARK_NONE,
        MARK_WRITTEN, /* the guest stored into it without an exit */
        MARK_TRAPPED, /* the guest stored into it and the store exited */
        MARK_FILLED,  /* a hidden fault filled it (shadow) */
        MARK_UPDATED, /* an emulated write or a resync updated it (shadow) */
        MARK_ZAPPED,  /* it was dropped (shadow; the row stands for an absent entry) */
        MARK_MAPPED,  /* an EPT violation mapped it */
};

/* The state of the table a row's entry points to (or of the root). */
enum tree_table {
        TABLE_NONE,   /* a leaf entry */
        TABLE_PLAIN,  /* a guest table with no shadow, or a nested table */
        TABLE_WP,     /* write-protected: guest stores into it exit */
        TABLE_UNSYNC, /* out of sync: writable, resynced later */
        TABLE_DIRECT, /* a shadow page backing part of a guest large page */
        TABLE_NESTED, /* agile: the walk goes on nested in this guest table */
};

struct tree_row {
        uint64_t tag;    /* stable across rebuilds: which table entry this is */
        uint64_t addr;   /* first address the entry translates (GVA; EPT: GPA) */
        uint32_t guides; /* bit d: the ancestor at depth d has later siblings (a
                            vertical guide runs down its column) */
        uint8_t depth;   /* 0 = the root line */
        uint8_t level;   /* level of the table holding the entry */
        uint8_t mark;    /* enum tree_mark */
        uint8_t table;   /* enum tree_table */
        bool last;       /* the last child of its parent */
        bool parent;     /* has children: can be expanded */
        bool expanded;
        bool on_path; /* on the path of the current event's address */
        bool on_walk; /* on that path, and the event read it (a walk, a
                         fill); a TLB hit reads no table */
        bool leaf;    /* maps a page (has an address to break on) */
        char text[112];
};

struct tree {
        struct tree_row *rows;
        size_t n, cap;
        bool truncated; /* max_rows was reached */
        char title[96]; /* e.g. "Guest PT  asid 0  root 0xFFFFF000" */
};

/* Whether node tag is expanded, given the builder's default (small tables
 * and nodes on the walk are expanded by default). */
typedef bool (*tree_expand_fn)(void *ctx, uint64_t tag, bool dflt);

/* Builds the guest's tables of the current address space. expand may be
 * NULL (defaults). At most max_rows rows. */
void tree_build_guest(struct tree *t, const struct session *s, tree_expand_fn expand, void *ctx,
                      size_t max_rows);

/* Builds the shadow tables of the current root, or the EPT table, as the
 * scheme has; under native paging a single row says there are none. */
void tree_build_mmu(struct tree *t, const struct session *s, tree_expand_fn expand, void *ctx,
                    size_t max_rows);

void tree_free(struct tree *t);

/* The address the current event is about, for the walk highlight: its gva
 * (or, for EPT panes, its gpa). Returns false when it has none. */
bool tree_focus(const struct session *s, bool gpa, uint64_t *addr);

#endif
