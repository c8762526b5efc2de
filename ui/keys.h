/*
 * keys.h - the stepper's key bindings: a key, the command string it runs
 * and a note. The help screen and the F-key bar are generated from this
 * table, so they cannot drift from what the keys do.
 */
#ifndef SHADOW_SIM_KEYS_H
#define SHADOW_SIM_KEYS_H

#include <stdbool.h>

struct key_binding {
        int key;             /* a character or a curses KEY_* code */
        const char *name;    /* as the help screen shows it: "s", "F10", "PgUp" */
        const char *command; /* run through cmd_run() */
        const char *note;    /* one line for the help screen */
        const char *bar;     /* label in the F-key bar, or NULL */
};

/* The bindings, terminated by an entry with a NULL command. */
extern const struct key_binding key_bindings[];

/* The binding of key, or NULL. */
const struct key_binding *key_lookup(int key);

/* Whether key does its work over a popup, which must let it through:
 * the keys that open the command line (':', '/', ...), the start of a
 * typed command, and those that step the walk's grid (W), which opens it
 * again on the next reference. */
bool key_starts_command(int key);

#endif
