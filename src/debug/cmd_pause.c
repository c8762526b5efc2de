/*
 * cmd_pause.c - pause [TEXT]: a prepared lecture (a --script file, -e
 * commands) stops here and shows TEXT until a key is pressed, so that it
 * runs a step at a time. The command only asks: the face that runs the
 * script stops it and waits (the stepper over its live screen, the prompt
 * for Enter on a terminal). Typed at a prompt, with no script to stop, it
 * says what it is for.
 */
#include <string.h>

#include "cmd.h"
#include "escape.h"

static enum cmd_result cmd_pause_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        if (!ctx->in_script) {
                cmd_print(ctx,
                          "pause [TEXT] is for a --script file or -e: it stops the script and "
                          "shows TEXT until a key is pressed; typed here it has nothing to stop");
                return CMD_OK;
        }
        char escaped[ESCAPE_BUF];
        /* The text comes from a file: nothing in it may drive the terminal. */
        escape_text(argc > 1 ? argv[1] : "", escaped, sizeof escaped);
        size_t len = strlen(escaped);
        if (len >= sizeof ctx->pause_text)
                len = sizeof ctx->pause_text - 1;
        memcpy(ctx->pause_text, escaped, len);
        ctx->pause_text[len] = '\0';
        ctx->pause_requested = true;
        return CMD_OK;
}

static const struct cmd_form pause_forms[] = {
    {"pause [TEXT]",
     "in a --script file or -e: stop the script and show TEXT (the rest of the line, as it is) "
     "until a key is pressed",
     "pause Watch the store trap: it is a write-protected table"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_pause_entry = {
    .name = "pause",
    .args = {0, 1},
    .usage = "[TEXT]",
    .help = "in a script: stop and show TEXT until a key is pressed (a lecture step by step)",
    .forms = pause_forms,
    .flags = CMD_REST,
    .exec = cmd_pause_exec,
};
