/*
 * tui_legend.c - the help screen's legend: every mark the panes draw, in
 * the colour they draw it in, and every colour with what it means, named
 * as this terminal shows it (tui_theme.c), so that a room can read the
 * screen without knowing the program.
 */
#include <stdio.h>
#include <string.h>

#include "tree.h"
#include "tui_impl.h"

/* A mark of the panes: what it is drawn as, its colour, what it says. */
struct mark_note {
        const char *mark; /* NULL: the text of tree mark tree_mark */
        uint8_t tree_mark;
        enum tui_color color;
        const char *note;
};

static const struct mark_note marks[] = {
    {"*", 0, COL_WALK,
     "in a table: an entry the current event read (a walk, a shadow fill; a TLB hit "
     "reads none)"},
    {"+", 0, COL_NONE, "a closed table: Enter opens it"},
    {"[wp]", 0, COL_NONE, "a guest table the hypervisor write-protects: a store into it exits"},
    {"[oos]", 0, COL_SYNC,
     "a guest table out of sync: written without exits, resynced at INVLPG, a CR3 load or a "
     "flush"},
    {"[direct]", 0, COL_NONE, "a shadow page that backs part of a guest large page"},
    {"[nested]", 0, COL_NONE, "agile paging: the walk goes on in two dimensions from this table"},
    {NULL, MARK_WRITTEN, 0, "the current line stored into this guest entry without an exit"},
    {NULL, MARK_TRAPPED, 0, "the current line stored into this guest entry and the store exited"},
    {NULL, MARK_FILLED, 0, "a hidden page fault filled this shadow entry"},
    {NULL, MARK_UPDATED, 0, "an emulated store or a resync updated this shadow entry"},
    {NULL, MARK_ZAPPED, 0, "this shadow entry was dropped (the row stands for the entry gone)"},
    {NULL, MARK_MAPPED, 0, "an EPT violation mapped this entry"},
    {"A/D", 0, COL_NONE, "after a guest leaf's rights (r w x u): its accessed and dirty bits"},
    {"new", 0, COL_TLB_NEW, "TLB: the entry the current line filled"},
    {"hit", 0, COL_TLB_HIT, "TLB: the entry the current line hit"},
    {"out", 0, COL_TLB_OUT, "TLB: the entry the current line evicted, where it was"},
    {"STALE", 0, COL_TLB_STALE, "TLB: an entry the guest changed in its tables without INVLPG"},
    {"=>", 0, COL_CURRENT, "log: the current event (#N numbers the events)"},
    {"#", 0, COL_DIM, "log: the trace's narration, its comment lines above a line"},
    {"quiz K/N", 0, COL_NONE, "key bar: the quiz's score, K right of N asked (p: quiz on or off)"},
};

/* The colours in the order a room meets them, and where each is used. */
static const struct {
        enum tui_color color;
        const char *note;
} colors[] = {
    {COL_TRAP, "VM exits and the guest stores that trapped"},
    {COL_SHADOW, "shadow tables made, filled and updated; a TLB entry filled"},
    {COL_ZAP, "zaps, TLB evictions and flushes"},
    {COL_SYNC, "tables out of sync: unsync, resync, [oos]"},
    {COL_EPT, "EPT violations and maps, dirty logging"},
    {COL_WALK, "the current event's walk (*), a TLB hit"},
    {COL_DIM, "what is still to come, the narration"},
    {COL_ERROR, "errors, stale TLB entries"},
    {COL_CURRENT, "the current event, when it has no colour of its own"},
    {COL_TITLE, "the title of the pane that has the keyboard; the quiz's question"},
    {COL_BAR, "the F-key labels"},
    {COL_BREAK, "breakpoint markers"},
};

#define NMARKS  (sizeof marks / sizeof marks[0])
#define NCOLORS (sizeof colors / sizeof colors[0])

/* The help's column printer writes popup rows in the colour of the line
 * being written. */
struct legend_out {
        struct tui *t;
        enum tui_color color;
};

static void legend_line(void *face, const char *line)
{
        struct legend_out *o = face;
        tui_popup_add_color(o->t, line, o->color);
}

/* Writes left and note as two columns, the note from column col. */
static void row(struct legend_out *o, struct cmd_ctx *ctx, const char *left, int col,
                enum tui_color c, const char *note)
{
        o->color = c;
        cmd_print_columns(ctx, left, col, note);
}

void tui_legend(struct tui *t)
{
        struct legend_out o = {t, COL_NONE};
        struct cmd_ctx ctx = t->ctx;
        ctx.out = legend_line;
        ctx.face = &o;
        char looks[NCOLORS][48];
        int col = 0;
        for (size_t i = 0; i < NCOLORS; i++) {
                tui_color_describe(t, colors[i].color, looks[i], sizeof looks[i]);
                if ((int)strlen(looks[i]) > col)
                        col = (int)strlen(looks[i]);
        }
        col += 4;
        tui_popup_add(t, "Marks");
        for (size_t i = 0; i < NMARKS; i++) {
                const struct mark_note *m = &marks[i];
                const char *text = m->mark ? m->mark : tui_mark_text(m->tree_mark) + 1;
                row(&o, &ctx, text, 13, m->mark ? m->color : tui_mark_color(m->tree_mark), m->note);
        }
        row(&o, &ctx, tui_bp_glyph(t, BPM_ENABLED), 13, COL_BREAK,
            "a breakpoint stops on this event, or on this entry's page or range (in a table, "
            "where * would be: the text's colour still says the walk read it)");
        row(&o, &ctx, tui_bp_glyph(t, BPM_DISABLED), 13, COL_DIM,
            "the same, for a disabled breakpoint (entries only)");
        tui_popup_add(t, "");
        tui_popup_add(t, t->color ? "Colours (as this terminal shows them)"
                                  : "Colours (none here: attributes stand for them)");
        for (size_t i = 0; i < NCOLORS; i++)
                row(&o, &ctx, looks[i], col, colors[i].color, colors[i].note);
        tui_popup_add(t, "");
}
