/*
 * stepper.c - what the prompt and the full-screen stepper share: opening
 * the session, the --script file and -e commands run before the face
 * starts, the readline history file and readline completion of commands.
 */
#include "stepper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <readline/readline.h>

#include "cmdline.h"
#include "quote.h"
#include "run.h"
#include "sample.h"

int stepper_open(struct session *s, const struct options *opt)
{
        int cmp = (int)session_default_cmp(opt->cfg.mode);
        if (session_open(s, &opt->cfg, opt->format, opt->trace, sample_trace, "sample_trace.txt",
                         cmp) < 0) {
                /* A trace's own errors are "file: error: ...", as in batch. */
                int e = errno;
                bool data = e == EILSEQ || e == EIO;
                fprintf(stderr, "%s%s\n", data ? "" : "shadow-sim: ", s->msg);
                return e == EILSEQ ? EXIT_DATAERR : e == EIO ? EXIT_IOERR : EXIT_NOINPUT;
        }
        session_set_memory_limit(s, opt->max_mem);
        return 0;
}

/* Whether COLORFGBG ("fg;bg" or "fg;default;bg") names a light
 * background: white (15) or light grey (7). */
static bool light_background(const char *colorfgbg)
{
        const char *bg = colorfgbg ? strrchr(colorfgbg, ';') : NULL;
        return bg && (strcmp(bg + 1, "7") == 0 || strcmp(bg + 1, "15") == 0);
}

void stepper_settings(struct cmd_ctx *ctx, const struct options *opt)
{
        if (opt->theme >= 0)
                ctx->theme = (enum cmd_theme)opt->theme;
        else
                ctx->theme =
                    light_background(getenv("COLORFGBG")) ? CMD_THEME_LIGHT : CMD_THEME_DARK;
}

bool stepper_flush(void)
{
        errno = 0;
        if (fflush(stdout) == 0 && !ferror(stdout))
                return true;
        fprintf(stderr, "shadow-sim: write error: %s\n", strerror(errno ? errno : EIO));
        return false;
}

/* ---- the script: --script, then -e ------------------------------------- */

void stepper_script_init(struct stepper_script *sc, const struct options *opt)
{
        memset(sc, 0, sizeof *sc);
        sc->opt = opt;
        sc->state = opt->script || opt->neval ? SCRIPT_PAUSED : SCRIPT_DONE;
}

/* Runs one line of the script; notes a quit or a pause. */
static enum cmd_result script_line(struct stepper_script *sc, struct cmd_ctx *ctx,
                                   stepper_run_fn run, void *face, const char *line)
{
        ctx->pause_requested = false;
        enum cmd_result r = run ? run(face, line) : cmd_run(ctx, line);
        if (r == CMD_QUIT)
                sc->state = SCRIPT_QUIT;
        else if (r == CMD_OK && ctx->pause_requested)
                sc->state = SCRIPT_PAUSED;
        return r;
}

/* Runs the lines of the file on from where they stopped, to a pause, a
 * quit or their end. */
static int script_file(struct stepper_script *sc, struct cmd_ctx *ctx, stepper_run_fn run,
                       void *face, FILE *errors)
{
        const char *path = sc->opt->script;
        if (!sc->f) {
                sc->f = fopen(path, "r");
                if (!sc->f) {
                        fprintf(errors, "shadow-sim: %s: cannot read: %s\n", quote(path),
                                strerror(errno));
                        return EXIT_NOINPUT;
                }
                cmdline_init(&sc->in, sc->f);
        }
        enum cmdline_status st;
        while (sc->state == SCRIPT_RUNNING && (st = cmdline_read(&sc->in)) == CMDLINE_OK) {
                if (script_line(sc, ctx, run, face, sc->in.buf) == CMD_ERROR) {
                        if (ctx->err[0])
                                fprintf(errors, "%s:%lu: error: %s\n", quote(path), sc->in.line,
                                        ctx->err);
                        return stepper_flush() ? ctx->fail_status : EXIT_IOERR;
                }
                if (!stepper_flush())
                        return EXIT_IOERR;
        }
        if (sc->state != SCRIPT_RUNNING)
                return 0; /* a pause or a quit: the rest waits, or is dropped */
        sc->file_done = true;
        /* A directory opens and then fails to read (EISDIR): no script.
         * Any other read error is one (74). */
        if (st == CMDLINE_ERROR && sc->in.line == 0 && sc->in.err == EISDIR) {
                fprintf(errors, "shadow-sim: %s: cannot read: %s\n", quote(path),
                        strerror(sc->in.err));
                return EXIT_NOINPUT;
        }
        return cmdline_report(&sc->in, st, quote(path), errors);
}

int stepper_script_run(struct stepper_script *sc, struct cmd_ctx *ctx, stepper_run_fn run,
                       void *face, FILE *errors)
{
        const struct options *opt = sc->opt;
        int status = 0;
        if (sc->state != SCRIPT_PAUSED)
                return 0;
        sc->state = SCRIPT_RUNNING;
        ctx->in_script = true;
        if (opt->script && !sc->file_done)
                status = script_file(sc, ctx, run, face, errors);
        while (status == 0 && sc->state == SCRIPT_RUNNING && sc->next_eval < opt->neval) {
                const char *cmd = opt->eval[sc->next_eval++];
                if (script_line(sc, ctx, run, face, cmd) == CMD_ERROR) {
                        if (ctx->err[0])
                                fprintf(errors, "-e '%s': error: %s\n", quote(cmd), ctx->err);
                        status = stepper_flush() ? ctx->fail_status : EXIT_IOERR;
                }
        }
        ctx->in_script = false;
        if (status || sc->state == SCRIPT_RUNNING)
                sc->state = SCRIPT_DONE;
        return status;
}

void stepper_script_end(struct stepper_script *sc)
{
        if (sc->f)
                fclose(sc->f);
        sc->f = NULL;
        sc->state = SCRIPT_DONE;
}

/* ---- readline ----------------------------------------------------------- */

static struct cmd_ctx *completing;

struct words {
        char **v;
        size_t n, cap;
        const char *prefix;
};

static void add_word(void *arg, const char *word)
{
        struct words *w = arg;
        if (strncasecmp(word, w->prefix, strlen(w->prefix)) != 0)
                return;
        if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 32;
                w->v = realloc(w->v, w->cap * sizeof *w->v);
                if (!w->v)
                        abort();
        }
        w->v[w->n++] = strdup(word);
}

static struct words matches;
static size_t match_next;

static char *generator(const char *text, int state)
{
        (void)text;
        if (state == 0)
                match_next = 0;
        if (match_next < matches.n) {
                char *w = matches.v[match_next];
                matches.v[match_next++] = NULL;
                return w;
        }
        return NULL;
}

static char **complete(const char *text, int start, int end)
{
        (void)end;
        char before[256];
        snprintf(before, sizeof before, "%.*s", start, rl_line_buffer);
        for (size_t i = match_next; i < matches.n; i++)
                free(matches.v[i]);
        matches.n = 0;
        matches.prefix = text;
        cmd_complete(completing, before, add_word, &matches);
        rl_attempted_completion_over = 1;
        return rl_completion_matches(text, generator);
}

bool stepper_history_path(char *buf, size_t n)
{
        const char *state = getenv("XDG_STATE_HOME");
        const char *home = getenv("HOME");
        char dir[4096];
        /* The XDG Base Directory spec: a relative path is to be ignored. */
        if (state && state[0] == '/')
                snprintf(dir, sizeof dir, "%s/shadow-sim", state);
        else if (home && *home)
                snprintf(dir, sizeof dir, "%s/.local/state/shadow-sim", home);
        else
                return false;
        /* mkdir -p */
        for (char *p = dir + 1; *p; p++) {
                if (*p == '/') {
                        *p = '\0';
                        mkdir(dir, 0700);
                        *p = '/';
                }
        }
        mkdir(dir, 0700);
        snprintf(buf, n, "%s/history", dir);
        return true;
}

void stepper_completion(struct cmd_ctx *ctx)
{
        completing = ctx;
        rl_readline_name = "shadow-sim";
        rl_attempted_completion_function = complete;
}

void stepper_completion_done(void)
{
        for (size_t i = match_next; i < matches.n; i++)
                free(matches.v[i]);
        free(matches.v);
        memset(&matches, 0, sizeof matches);
        match_next = 0;
}
