/*
 * keys.c - the key binding table: gdb's letters (uppercase goes back),
 * VS-style F-keys, and the keys of the panes.
 */
#include "keys.h"

#include <curses.h>
#include <stddef.h>
#include <string.h>

const struct key_binding key_bindings[] = {
    {'?', "?", "help", "this help", NULL},
    {KEY_F(1), "F1", "help", "this help", "Help"},
    {'s', "s", "step", "step one trace line (stops at a breakpoint inside it)", NULL},
    {KEY_F(10), "F10", "step", "step one trace line", "Step"},
    {'n', "n", "next", "next trace line, over any breakpoint", NULL},
    {'i', "i", "stepi", "step one engine event", NULL},
    {KEY_F(11), "F11", "stepi", "step one engine event", "StepI"},
    {'c', "c", "continue", "continue to the next breakpoint", NULL},
    {KEY_F(5), "F5", "continue", "continue to the next breakpoint", "Cont"},
    {'S', "S", "back", "step back one trace line", "Back"},
    {'N', "N", "reverse-next", "back one trace line, over any breakpoint", NULL},
    {'I', "I", "backi", "step back one engine event", NULL},
    {'C', "C", "reverse-continue", "back to the previous breakpoint", NULL},
    {'r', "r", "run", "animate, event by event (any key pauses; :set speed N)", NULL},
    {' ', "Space", "toggle", "breakpoint on the selected page or range", NULL},
    {KEY_F(9), "F9", "toggle", "breakpoint on the selected page or range", "Break"},
    {'\t', "Tab", "focus next", "next pane", NULL},
    {KEY_BTAB, "S-Tab", "focus prev", "previous pane", NULL},
    {KEY_UP, "Up", "scroll up", "select the row above", NULL},
    {KEY_DOWN, "Down", "scroll down", "select the row below", NULL},
    {'k', "k", "scroll up", "select the row above", NULL},
    {'j', "j", "scroll down", "select the row below", NULL},
    {KEY_PPAGE, "PgUp", "scroll pageup", "a page up", NULL},
    {KEY_NPAGE, "PgDn", "scroll pagedown", "a page down", NULL},
    {KEY_HOME, "Home", "scroll home", "first row", NULL},
    {KEY_END, "End", "scroll end", "last row; the log follows the current event again", NULL},
    {'\n', "Enter", "expand", "open or close a table; in the log, go to that event", NULL},
    {KEY_ENTER, "Enter", "expand", NULL, NULL},
    {'\r', "Enter", "expand", NULL, NULL},
    {'z', "z", "zoom", "zoom the focused pane to the whole screen and back", "Zoom"},
    {':', ":", "prompt", "type a command (Tab completes, Up recalls)", "Cmd"},
    {'/', "/", "prompt search ", "search the log forward (search -b: backward)", "Find"},
    {'t', "t", "prompt translate ", "translate an address in every dimension", NULL},
    {'b', "b", "prompt break ", "set a breakpoint", NULL},
    {'w', "w", "where", "the current line, its events and the explanation", NULL},
    {'W', "W", "walk +", "the current event's walk as a grid; again: its next reference", NULL},
    {'+', "+", "set deltas toggle", "counters: what the current line added, or the totals", NULL},
    {'p', "p", "quiz toggle", "quiz: predict each line before s or n runs it (score in the bar)",
     NULL},
    {12, "^L", "redraw", "redraw the screen", NULL},
    {'q', "q", "quit", "quit", "Quit"},
    {0, NULL, NULL, NULL, NULL},
};

const struct key_binding *key_lookup(int key)
{
        for (size_t i = 0; key_bindings[i].command; i++)
                if (key_bindings[i].key == key)
                        return &key_bindings[i];
        return NULL;
}

bool key_starts_command(int key)
{
        const struct key_binding *b = key_lookup(key);
        if (b && strncmp(b->command, "walk", 4) == 0)
                return true; /* the walk's grid steps on, in a new popup */
        return b && strncmp(b->command, "prompt", 6) == 0 &&
               (!b->command[6] || b->command[6] == ' ');
}
