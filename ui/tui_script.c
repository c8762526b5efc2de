/*
 * tui_script.c - the --script file and -e commands in the stepper, a
 * pause at a time, so that a prepared lecture runs step by step: they run
 * before the screen opens up to their first pause; the screen then opens
 * with the pause's text in the message line, and the key pressed at a
 * pause runs them on to the next one over the live screen, each command
 * shown as if typed at ':' (tui_exec). A command that fails there is
 * shown with its line and drops the rest; the stepper goes on.
 */
#include <stdio.h>
#include <string.h>

#include "tui_impl.h"

static void show_pause(struct tui *t)
{
        char buf[sizeof t->ctx.pause_text + 32];
        snprintf(buf, sizeof buf, "%s  (a key goes on)",
                 t->ctx.pause_text[0] ? t->ctx.pause_text : "Paused");
        tui_set_msg(t, false, buf);
}

/* After a stretch of the script: what stopped it. */
static void stopped(struct tui *t)
{
        if (t->script.state == SCRIPT_PAUSED) {
                show_pause(t);
                return;
        }
        t->quit = t->script.state == SCRIPT_QUIT;
        stepper_script_end(&t->script);
}

int tui_script_start(struct tui *t, const struct options *opt)
{
        stepper_script_init(&t->script, opt);
        if (t->script.state == SCRIPT_DONE)
                return 0;
        int status = stepper_script_run(&t->script, &t->ctx, NULL, NULL, stderr);
        if (status == 0 && t->nout)
                tui_set_msg(t, false, t->out_lines[t->nout - 1]);
        tui_out_clear(t);
        if (status == 0)
                stopped(t);
        if (status == 0)
                tui_start_requested_run(t);
        return status;
}

bool tui_script_paused(const struct tui *t)
{
        return t->script.state == SCRIPT_PAUSED;
}

static enum cmd_result run_line(void *face, const char *line)
{
        return tui_exec(face, line);
}

void tui_script_key(struct tui *t)
{
        char errors[sizeof t->msg - 48] = "";
        FILE *err = fmemopen(errors, sizeof errors, "w");
        if (!err) {
                tui_script_drop(t);
                return;
        }
        t->popup_open = false;
        t->msg[0] = '\0';
        int status = stepper_script_run(&t->script, &t->ctx, run_line, t, err);
        fclose(err);
        if (status) {
                char buf[sizeof t->msg];
                errors[strcspn(errors, "\n")] = '\0';
                snprintf(buf, sizeof buf, "%s (the rest of the script is dropped)", errors);
                tui_set_msg(t, true, buf);
        } else if (t->script.state == SCRIPT_DONE && !t->msg[0] && !t->popup_open) {
                tui_set_msg(t, false, "The script has ended");
        }
        stopped(t);
}

void tui_script_drop(struct tui *t)
{
        stepper_script_end(&t->script);
        tui_set_msg(t, false, "The rest of the script is dropped");
}
