/*
 * tui_impl.h - the stepper's state, shared by its files: tui.c (setting up,
 * the loop, keys, tearing down), tui_exec.c (running commands, showing
 * their output), tui_prompt.c (the command line), tui_draw.c (layout and
 * painting), tui_panes.c (the pane classes) and tui_cmds.c (its own
 * commands).
 *
 * Everything is drawn on one curses window, each pane clipped to its
 * rectangle, so no size of terminal can make a window fail to exist. A
 * pane is a small class (htop-style): it rebuilds its rows from the
 * session, draws one row, and says what is selected.
 */
#ifndef SHADOW_SIM_TUI_IMPL_H
#define SHADOW_SIM_TUI_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "session.h"
#include "session_tree.h"
#include "u64map.h"

/* Below this size a notice replaces the panes. */
#define TUI_MIN_W 60
#define TUI_MIN_H 16

enum pane_id { PANE_GUEST, PANE_MMU, PANE_TLB, PANE_LOG, PANE_COUNT };

#define TLB_EVICTED UINT32_MAX

/* Colour pairs (attributes alone when there are no colours). */
enum tui_color {
        COL_NONE,
        COL_TITLE,   /* a focused pane's title */
        COL_TRAP,    /* VM exits, trapped stores */
        COL_SHADOW,  /* shadow fills and updates */
        COL_ZAP,     /* zaps, evictions, flushes */
        COL_SYNC,    /* unsync and resync: out-of-sync tables */
        COL_EPT,     /* EPT violations and maps */
        COL_WALK,    /* the walk of the current event */
        COL_DIM,     /* what is still to come */
        COL_ERROR,   /* error messages */
        COL_BAR,     /* the F-key bar labels */
        COL_CURRENT, /* the current event when it has no colour of its own */
        COL_COUNT
};

struct tui;
struct pane;

/* One row of the log pane. */
struct log_row {
        uint64_t opno;   /* the op it belongs to */
        uint64_t line;   /* its trace line */
        struct event ev; /* for an event row */
        bool is_op;      /* a trace line, not an event */
        bool future;     /* not reached yet */
        bool current;    /* the current event */
        char text[160];
};

struct pane_class {
        const char *name;
        /* Rebuilds the rows from the session. */
        void (*rebuild)(struct tui *t, struct pane *p);
        size_t (*count)(const struct pane *p);
        /* Draws row i at screen row y, from column x, w columns wide. */
        void (*draw_row)(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected);
        /* The row to keep in view after a move (the walk, the current event). */
        size_t (*focus_row)(const struct pane *p);
        /* The breakpoint the selected row suggests (its page or range). */
        bool (*selection)(const struct pane *p, struct breakpoint *bp);
        /* Enter on the selected row. */
        void (*activate)(struct tui *t, struct pane *p);
};

struct pane {
        const struct pane_class *cls;
        int y, x, h, w;        /* rectangle, border included */
        size_t top;            /* first row shown */
        size_t sel;            /* selected row */
        bool follow;           /* keep focus_row in view on moves */
        struct tree tree;      /* tree panes */
        struct u64map toggled; /* tree panes: tag -> 1 expanded, 0 collapsed */
        uint64_t sel_tag;      /* tree panes: the selected row's tag, kept across rebuilds */
        bool gpa_rows;         /* tree panes: rows are guest physical (EPT) */
        struct log_row *log;   /* log pane */
        size_t nlog, cap_log;
        int line_width;     /* log pane: columns of the line numbers */
        uint32_t *tlb_rows; /* TLB pane: row -> entry index (TLB_EVICTED: the ghost) */
        size_t ntlb, cap_tlb;
        size_t tlb_focus;     /* TLB pane: the row the current op touched */
        struct event evicted; /* TLB pane: what the current op evicted */
        bool has_evicted;
};

/* A popup of text lines (command output, help). */
struct popup {
        char **lines;
        size_t n, cap;
        size_t top;
        char title[64];
        bool open;
};

struct tui {
        struct session session;
        struct session *s; /* &session once it is open, else NULL */
        FILE *keys;        /* where keys are read: stdin, or /dev/tty for a piped trace */
        /* What tui_open set up, for tui_close to undo. */
        bool signals_caught;
        bool prompt_started;
        bool has_history;          /* the command line's history is kept in history */
        char history[4200];        /* its file */
        struct timespec run_start; /* when the running command started (the progress notice) */
        struct cmd_ctx ctx;
        struct pane panes[PANE_COUNT];
        int focus; /* enum pane_id */
        bool zoomed;
        bool color;     /* colours in use */
        bool utf8;      /* UTF-8 line drawing */
        int rows, cols; /* screen size at the last layout */
        bool too_small;
        int stats_y, explain_y, msg_y, bar_y;
        int explain_rows;
        struct popup popup;
        char msg[512]; /* the message line */
        bool msg_error;
        bool prompting; /* the command line has the keyboard */
        bool running;   /* animating (run) */
        bool quit;
        bool dirty;       /* rows must be rebuilt from the session */
        char **out_lines; /* output of the command being run */
        size_t nout, cap_out;
};

/* tui_panes.c */
extern const struct pane_class pane_guest_class, pane_mmu_class, pane_tlb_class, pane_log_class;
bool tui_tree_expanded(void *ctx, uint64_t tag, bool dflt);

/* tui_draw.c */
void tui_colors_init(struct tui *t);
int tui_attr(const struct tui *t, enum tui_color c);
void tui_put(struct tui *t, int y, int x, int w, int attr, const char *text);
void tui_draw(struct tui *t);
void tui_layout(struct tui *t);
const char *tui_glyph_guide(const struct tui *t);
const char *tui_glyph_branch(const struct tui *t, bool last);
enum tui_color tui_event_color(const struct event *ev);

void tui_rebuild(struct tui *t);
void tui_scroll_to(struct tui *t, struct pane *p, size_t row);

/* tui_cmds.c */
extern const struct cmd_entry *const tui_commands[];

/* tui_prompt.c: the command line. start/stop set up readline and its
 * history (stop does nothing when start did not run). */
void tui_prompt_start(struct tui *t);
void tui_prompt_stop(struct tui *t);
/* Opens the command line with text already typed. */
void tui_open_prompt(struct tui *t, const char *text);
/* Closes it, dropping what was typed (nothing when it is not open). */
void tui_cancel_prompt(struct tui *t);
/* A key typed while the command line is open. */
void tui_prompt_key(struct tui *t, int ch);

/* tui_exec.c */
/* Runs a command line and shows its output: one line as the message, more
 * in a popup, an error as one. */
void tui_exec(struct tui *t, const char *line);
/* The same for a command the user started (a key or the ':' line): the
 * progress notice counts from now. */
void tui_run_command(struct tui *t, const char *command);
/* After a move: the panes follow the current event again. */
void tui_after_move(struct tui *t);
void tui_set_msg(struct tui *t, bool error, const char *text);
/* The command output collected since the last clear (ctx.out). */
void tui_out_line(void *face, const char *line);
void tui_out_clear(struct tui *t);
void tui_popup_clear(struct tui *t, const char *title);
void tui_popup_add(struct tui *t, const char *line);
void tui_show_help(void *face, const char *topic);

#endif
