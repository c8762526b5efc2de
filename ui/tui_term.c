/*
 * tui_term.c - whether the terminal can show the stepper at all, asked of
 * terminfo before anything is drawn, so that a terminal curses does not
 * know, or one that cannot move the cursor (TERM=dumb, an editor's shell
 * buffer), is refused with a hint instead of a garbled screen. A file of
 * its own because term.h defines macros (lines, columns, ...) that must not
 * reach the rest of the stepper.
 */
#include <curses.h>
#include <term.h>
#include <unistd.h>

#include "tui_impl.h"

const char *tui_unusable_terminal(void)
{
        int err = 0;
        if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
                return err < 0 ? "has no terminfo database to describe it"
                               : "is not known to curses";
        const char *cup = tigetstr("cup");
        bool can_move = cup && cup != (const char *)-1;
        del_curterm(cur_term);
        return can_move ? NULL : "cannot move the cursor";
}
