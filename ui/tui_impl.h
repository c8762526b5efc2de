/*
 * tui_impl.h - the stepper's state, shared by its files: tui.c (setting up,
 * the loop, keys, tearing down), tui_exec.c (running commands, showing
 * their output), tui_prompt.c (the command line), tui_draw.c (layout and
 * painting), tui_pane.c (what every pane does), one file per pane class
 * (tui_pane_tree.c, tui_pane_tlb.c, tui_pane_log.c, tui_popup.c),
 * tui_script.c (the script a pause at a time), tui_theme.c (the colours), tui_marker.c (breakpoint
 * markers), tui_legend.c (the help screen's legend of marks and colours), tui_term.c (whether the
 * terminal can draw) and tui_cmds.c (the stepper's own commands).
 *
 * Everything is drawn on one curses window, each pane clipped to its
 * rectangle, so no size of terminal can make a window fail to exist. A
 * pane is a small class (htop-style): a struct that embeds struct pane
 * (its rectangle, scroll and selection) and a table of hooks that rebuild
 * its rows from the session, draw a row, title it, say what is selected
 * and take keys.
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
#include "stepper.h"

/* Below this size a notice replaces the panes. */
#define TUI_MIN_W 60
#define TUI_MIN_H 16

enum pane_id { PANE_GUEST, PANE_MMU, PANE_TLB, PANE_LOG, PANE_COUNT };

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
        COL_BREAK,   /* breakpoint markers */
        COL_COUNT
};

struct tui;
struct pane;

/* A pane's class (htop-style): how it fills, draws and handles its rows.
 * Hooks a class does not need are NULL. */
struct pane_ops {
        /* Rebuilds the rows from the session. */
        void (*rebuild)(struct tui *t, struct pane *p);
        size_t (*count)(const struct pane *p);
        /* The title in the top border. */
        void (*title)(const struct tui *t, const struct pane *p, char *buf, size_t n);
        /* A line above the rows, which scrolls with none of them (NULL: none). */
        void (*draw_header)(struct tui *t, struct pane *p, int y, int x, int w);
        /* Draws row i at screen row y, from column x, w columns wide. */
        void (*draw_row)(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected);
        /* The row to keep in view after a move (the walk, the current event). */
        size_t (*focus_row)(const struct pane *p);
        /* How far down the focus row is kept, in thirds of the pane. */
        int focus_thirds;
        /* Told that row sel is now selected (a tree remembers its tag). */
        void (*selected)(struct pane *p);
        /* The breakpoint the selected row suggests (its page or range). */
        bool (*selection)(const struct tui *t, const struct pane *p, struct breakpoint *bp);
        /* Enter on the selected row. */
        void (*activate)(struct tui *t, struct pane *p);
        /* A key for the pane before the bindings see it; true when it was
         * the pane's. */
        bool (*key)(struct tui *t, struct pane *p, int ch);
        void (*destroy)(struct pane *p);
};

/* What every pane has; a class embeds it first and adds its rows. */
struct pane {
        const struct pane_ops *ops;
        int y, x, h, w; /* rectangle, border included */
        size_t top;     /* first row shown */
        size_t sel;     /* selected row */
        bool follow;    /* keep focus_row in view on moves */
};

/* The class's struct around pane p (const: of a const pane). */
#define PANE_OF(type, p) ((type *)(void *)((char *)(p)-offsetof(type, base)))
#define CONST_PANE_OF(type, p)                                                                     \
        ((const type *)(const void *)((const char *)(p)-offsetof(type, base)))

/* The classes (tui_pane_tree.c, tui_pane_tlb.c, tui_pane_log.c,
 * tui_popup.c): each makes a pane of its own. */
struct pane *pane_tree_new(bool mmu); /* the guest's tables, or the ones the hardware walks */
struct pane *pane_tlb_new(void);
struct pane *pane_log_new(void);
struct pane *pane_popup_new(void);

/* The popup (command output, help): lines under a title. */
void tui_popup_clear(struct tui *t, const char *title);
void tui_popup_add(struct tui *t, const char *line);
/* The same, drawn in colour c (wrapped rows too). */
void tui_popup_add_color(struct tui *t, const char *line, enum tui_color c);
/* Draws it over the panes. */
void tui_popup_draw(struct tui *t);

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
        struct pane *panes[PANE_COUNT]; /* by enum pane_id */
        struct pane *popup;
        bool popup_open;
        int focus; /* enum pane_id */
        bool zoomed;
        bool color;                 /* colours in use */
        enum cmd_theme theme_shown; /* the theme the colour pairs are set for */
        bool utf8;                  /* UTF-8 line drawing */
        int rows, cols;             /* screen size at the last layout */
        bool too_small;
        int stats_y, explain_y, msg_y, bar_y;
        int explain_rows;
        char msg[1024]; /* the message line */
        bool msg_error;
        bool prompting; /* the command line has the keyboard */
        bool answering; /* it reads the reply to the quiz's question, not a command */
        bool running;   /* animating (run) */
        bool quit;
        bool dirty;                   /* rows must be rebuilt from the session */
        struct stepper_script script; /* --script and -e, run a pause at a time */
        char **out_lines;             /* output of the command being run */
        size_t nout, cap_out;
};

/* tui_pane.c: what every pane does the same way */
void tui_draw_pane(struct tui *t, struct pane *p, bool focused);
/* The rows a pane shows at once, and the screen line of the first. */
int tui_pane_rows(const struct pane *p);
int tui_pane_first_y(const struct pane *p);
/* Selects row (clamped) and scrolls it into view. */
void tui_scroll_to(struct tui *t, struct pane *p, size_t row);
/* Rebuilds every pane from the session; a pane that follows shows its
 * focus row again. */
void tui_rebuild(struct tui *t);

/* tui_theme.c: sets up the colour pairs (nothing without colours); the
 * attribute of a colour, or what stands for it on a monochrome terminal;
 * what it looks like in words ("bold red", "white on blue", "dim"). */
void tui_colors_init(struct tui *t);
/* Sets the pairs again when set theme changed the theme. */
void tui_colors_follow(struct tui *t);
int tui_attr(const struct tui *t, enum tui_color c);
void tui_color_describe(const struct tui *t, enum tui_color c, char *buf, size_t n);

/* tui_legend.c: adds the legend of every mark and colour to the popup. */
void tui_legend(struct tui *t);

/* tui_pane_tree.c: what a table row's mark (enum tree_mark) says after
 * the entry (" <TRAPPED"), and its colour. */
const char *tui_mark_text(uint8_t mark);
enum tui_color tui_mark_color(uint8_t mark);
/* tui_pane_tlb.c draws the entries the current line filled (new) and hit
 * (hit), the one it evicted (out) and stale ones in these. */
#define COL_TLB_NEW   COL_SHADOW
#define COL_TLB_HIT   COL_WALK
#define COL_TLB_OUT   COL_ZAP
#define COL_TLB_STALE COL_ERROR

/* tui_marker.c: breakpoint markers. The mark of a guest-virtual entry at
 * gva in a table of level (a leaf maps a page; a TLB entry is a leaf of
 * its size), of a guest-physical (EPT) leaf, the glyph of a mark
 * ("\u25cf" or B enabled, "\u25cb" or b disabled, " " none), and drawing it
 * at y, x (nothing for none). */
enum tui_bp_mark { BPM_NONE, BPM_DISABLED, BPM_ENABLED };
enum tui_bp_mark tui_bp_mark_gva(const struct tui *t, uint64_t gva, unsigned level, bool leaf);
enum tui_bp_mark tui_bp_mark_gpa(const struct tui *t, uint64_t gpa, unsigned level);
const char *tui_bp_glyph(const struct tui *t, enum tui_bp_mark m);
void tui_draw_bp(struct tui *t, int y, int x, int attr, enum tui_bp_mark m);

/* tui_draw.c */
void tui_put(struct tui *t, int y, int x, int w, int attr, const char *text);
void tui_draw(struct tui *t);
void tui_layout(struct tui *t);
const char *tui_glyph_guide(const struct tui *t);
const char *tui_glyph_branch(const struct tui *t, bool last);
/* How far through the trace the session stands, "74% of the trace";
 * false for a pipe before its end, whose length is not known. */
bool tui_trace_share(const struct session *s, char *buf, size_t n);
/* A row of wrapped text: len bytes from text. */
struct tui_span {
        const char *text;
        size_t len;
};
#define TUI_MAX_TEXT_ROWS 64
/* Splits text into at most max rows of w columns, at blanks (a word longer
 * than a row is cut; the last row keeps the rest, which the screen cuts).
 * Returns the rows used. */
int tui_wrap(const char *text, int w, struct tui_span *rows, int max);
/* The colour of an event, in the log and the explain lines. */
enum tui_color tui_event_color(const struct event *ev);

/* tui_script.c: the --script file and -e commands in the stepper. start
 * runs them up to the first pause before the screen opens (0, or the exit
 * status after a message on stderr); key runs them on to the next pause
 * over the live screen (a key pressed while one is shown); drop stops
 * them (Ctrl-C at a pause); paused says whether one is shown. */
int tui_script_start(struct tui *t, const struct options *opt);
bool tui_script_paused(const struct tui *t);
void tui_script_key(struct tui *t);
void tui_script_drop(struct tui *t);

/* tui_term.c: why the terminal cannot show the stepper (curses does not
 * know it, or it cannot move the cursor), or NULL when it can. */
const char *tui_unusable_terminal(void);

/* tui_cmds.c */
extern const struct cmd_entry *const tui_commands[];

/* tui_prompt.c: the command line. start/stop set up readline and its
 * history (stop does nothing when start did not run). */
void tui_prompt_start(struct tui *t);
void tui_prompt_stop(struct tui *t);
/* Opens the command line with text already typed. */
void tui_open_prompt(struct tui *t, const char *text);
/* Opens it for the reply to the quiz's waiting question. */
void tui_open_answer(struct tui *t);
/* Closes it, dropping what was typed (nothing when it is not open), and
 * the quiz's question when it was the reply. */
void tui_cancel_prompt(struct tui *t);
/* A key typed while the command line is open. */
void tui_prompt_key(struct tui *t, int ch);

/* tui_exec.c */
/* Runs a command line and shows its output: one line as the message, more
 * in a popup, an error as one. Returns what cmd_run did. */
enum cmd_result tui_exec(struct tui *t, const char *line);
/* The same for a command the user started (a key or the ':' line): the
 * progress notice counts from now. */
void tui_run_command(struct tui *t, const char *command);
/* Answers the quiz's waiting question with reply: the step is made and
 * the verdict shown as a command's output is. */
void tui_answer(struct tui *t, const char *reply);
/* Starts the animated run a command asked for (run), if one did. */
void tui_start_requested_run(struct tui *t);
/* After a move: the panes follow the current event again. */
void tui_after_move(struct tui *t);
void tui_set_msg(struct tui *t, bool error, const char *text);
/* The command output collected since the last clear (ctx.out). */
void tui_out_line(void *face, const char *line);
void tui_out_clear(struct tui *t);
void tui_show_help(void *face, const char *topic);

#endif
