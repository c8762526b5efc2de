/*
 * tui.h - the stepper: an ncurses face over a session (shadow-sim -i).
 */
#ifndef SHADOW_SIM_TUI_H
#define SHADOW_SIM_TUI_H

#include "options.h"

/* Runs the stepper on the options' trace until the user quits. Returns the
 * exit status (0; 64 without a terminal; 65/66 for a bad script or trace). */
int tui_run(const struct options *opt);

#endif
