/*
 * cmd_quiz.c - the stepper's quiz mode: quiz on|off|toggle, and the
 * question a step asks about the line it runs before it runs it.
 *
 * With the quiz on, step and next at the end of a line do not move at
 * once: they make a question about the line to come (quiz_next_line: does
 * it cause a VM exit under this scheme, how many memory references does
 * its walk make), which the face shows while the line's outcome is still
 * hidden. The reply makes the step; the verdict and the score follow.
 * Where a line defines both answers (an access that walks, under a scheme
 * with a hypervisor), the two kinds are asked in turn. The moves back,
 * goto, continue, run and stepi ask nothing, nor does a script. As the
 * quiz of quiz.h, this follows OSTEP's homework simulators: predict, then
 * let the engine compute the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* Where the session stands, which a question is about. */
static void position(const struct session *s, uint64_t at[3])
{
        at[0] = session_ops(s);
        at[1] = session_seq(s);
        at[2] = (uint64_t)s->sim.cfg.mode;
}

bool cmd_quiz_asks(struct cmd_ctx *ctx, bool use_bps)
{
        struct cmd_quiz *qz = &ctx->quiz;
        cmd_quiz_drop(ctx); /* one waiting (a face that let a step through) is asked anew */
        if (!qz->on || ctx->in_script)
                return false;
        if (!quiz_next_line(ctx->s, qz->refs_turn ? QUIZ_REFS : QUIZ_EXITS, &qz->q, &qz->both))
                return false;
        qz->pending = true;
        qz->use_bps = use_bps;
        position(ctx->s, qz->at);
        return true;
}

void cmd_quiz_drop(struct cmd_ctx *ctx)
{
        quiz_question_free(&ctx->quiz.q);
        ctx->quiz.pending = false;
}

/* Prints text one line at a time (cmd_print cuts a long text). */
static void print_lines(struct cmd_ctx *ctx, const char *text)
{
        while (*text) {
                size_t len = strcspn(text, "\n");
                cmd_print(ctx, "%.*s", (int)len, text);
                text += len + (text[len] == '\n');
        }
}

enum cmd_result cmd_quiz_answer(struct cmd_ctx *ctx, const char *reply, bool story)
{
        struct cmd_quiz *qz = &ctx->quiz;
        ctx->last_flags = 0;
        if (!qz->pending)
                return cmd_error(ctx, "%s", "no question waits for an answer (quiz on, then step)");
        uint64_t at[3];
        position(ctx->s, at);
        if (memcmp(at, qz->at, sizeof at) != 0) {
                cmd_quiz_drop(ctx);
                return cmd_error(ctx, "%s",
                                 "the session has moved since the question was asked: it is "
                                 "dropped (step asks about the next line)");
        }
        enum quiz_verdict v = quiz_check(&qz->q, reply);
        qz->asked++;
        qz->right += v == QUIZ_RIGHT;
        if (qz->both) /* the other kind, the next time a line defines both */
                qz->refs_turn = qz->q.kind != QUIZ_REFS;
        enum stop_reason r = session_step(ctx->s, 1, qz->use_bps);
        ctx->last_flags = CMD_MOVES;
        char *verdict = quiz_verdict_text(&qz->q, reply, v);
        cmd_print(ctx, "%s (quiz %u/%u)", verdict, qz->right, qz->asked);
        free(verdict);
        if (story && v != QUIZ_RIGHT)
                print_lines(ctx, qz->q.explanation);
        cmd_quiz_drop(ctx);
        return cmd_moved(ctx, r);
}

static enum cmd_result cmd_quiz_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct cmd_quiz *qz = &ctx->quiz;
        if (argc > 1 && !cmd_switch(argv[1], &qz->on))
                return cmd_error(ctx, "expected 'quiz on', 'quiz off' or 'quiz toggle', found '%s'",
                                 argv[1]);
        if (qz->on)
                cmd_print(ctx,
                          "Quiz on: step and next ask about the line they run before they run it "
                          "(quiz %u/%u; quiz off ends it)",
                          qz->right, qz->asked);
        else
                cmd_print(ctx, "Quiz off: %u of %u right", qz->right, qz->asked);
        return CMD_OK;
}

static void quiz_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argv;
        if (argc != 1)
                return;
        add(arg, "on");
        add(arg, "off");
        add(arg, "toggle");
}

static const struct cmd_form quiz_forms[] = {
    {"quiz on",
     "step and next first ask about the line they run: does it cause a VM exit under this "
     "scheme, how many memory references does its walk make; the answer makes the step, then "
     "says whether it was right, and the score (quiz K/N)",
     "quiz on"},
    {"quiz off", "steps run at once again; the score stays", "quiz off"},
    {"quiz toggle", "on when off, off when on", "quiz toggle"},
    {"quiz", "whether it is on, and the score", "quiz"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_quiz_entry = {
    .name = "quiz",
    .args = {0, 1},
    .usage = "[on|off|toggle]",
    .help = "predict each line before it runs: its VM exit, its walk's references",
    .forms = quiz_forms,
    .exec = cmd_quiz_exec,
    .complete = quiz_complete,
};
