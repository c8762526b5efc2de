/*
 * quiz_cmd.c - `shadow-sim quiz [--seed N] [--count N] [--answers]
 * [OPTION]... [TRACE|-]`.
 *
 * The face of the quiz (quiz.h): the quiz's own options, then every
 * option of a run that shapes the machine, parsed by the main parser;
 * the questions on standard output, one answer a line from standard input
 * (from the terminal when the trace comes on standard input), so that it
 * works from a pipe; the score last. --answers prints each question with
 * its answer instead and reads nothing, as OSTEP's simulators do with -c.
 */
#include "quiz_cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "input.h"
#include "number.h"
#include "options.h"
#include "quiz.h"
#include "quote.h"
#include "run.h"
#include "xalloc.h"

/* Longest answer line read; the rest of a longer one is dropped. */
#define ANSWER_MAX 4096

struct quiz_args {
        uint64_t seed;
        unsigned long count;
        bool answers; /* --answers: print the answers, ask nothing */
};

static void print_help(FILE *out)
{
        fprintf(out,
                "Usage: shadow-sim quiz [--seed N] [--count N] [--answers] [OPTION]... [TRACE|-]\n"
                "Asks questions about points of a trace (the built-in sample without TRACE; -\n"
                "reads standard input) and checks the answers, read one a line from standard\n"
                "input (from the terminal when the trace is on standard input): does a line\n"
                "exit under shadow paging and under EPT, how many memory references a walk\n"
                "makes, which HPA an address reaches, which exit reason, a guest or a hidden\n"
                "page fault, which TLB entries an INVLPG drops. Every answer comes from\n"
                "running the engine on the trace. A wrong answer is followed by what the\n"
                "machine logged on the line and why; an answer that cannot be read counts as\n"
                "wrong; end of input ends the quiz. The last line is the score.\n"
                "\n"
                "      --seed N     which points are asked about (default 1): the same seed,\n"
                "                   trace and options give the same questions\n"
                "      --count N    questions to ask, 1..%d (default 10)\n"
                "      --answers    print every question with a line 'answer: X' and ask\n"
                "                   nothing\n"
                "  -h, --help       show this help and exit\n"
                "\n"
                "The options that shape the machine apply too (--mode, --levels, --pwc,\n"
                "--pcid, --tlb-sets, ...: see shadow-sim --help). Example:\n"
                "  shadow-sim gen forkwait --seed 3 | shadow-sim quiz --mode shadow-oos -\n"
                "Exit status: 0 after the quiz, whatever the score; 64 bad usage; 65 a malformed\n"
                "trace, or one without a line to ask about; 66 an unreadable trace; 74 a read\n"
                "or write error.\n",
                QUIZ_MAX_COUNT);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "shadow-sim quiz: " and the message on stderr, with a pointer to
 * --help. Returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
        va_list ap;
        fputs("shadow-sim quiz: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'shadow-sim quiz --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

/* The value of the quiz's option name at argv[*i] ("--name=V" or
 * "--name V"), advancing *i past it; NULL when argv[*i] is not that
 * option. *missing is set when it is but has no value. */
static const char *own_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
        size_t len = strlen(name);
        const char *arg = argv[*i];
        if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
                return NULL;
        if (arg[len] == '=')
                return arg + len + 1;
        if (*i + 1 >= argc) {
                *missing = true;
                return NULL;
        }
        return argv[++*i];
}

/* Takes the quiz's own options out of argv; the others go to rest (after
 * rest[0], the program's name), for the main parser. Returns -1 to go on,
 * or an exit status (0 after --help). */
static int parse_own(int argc, char **argv, struct quiz_args *a, char **rest, int *nrest)
{
        bool options_end = false;
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i], *v;
                bool missing = false;
                uint64_t n;
                if (options_end) {
                        rest[(*nrest)++] = argv[i];
                } else if (strcmp(arg, "--") == 0) {
                        options_end = true;
                        rest[(*nrest)++] = argv[i];
                } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                        print_help(stdout);
                        return 0;
                } else if (strcmp(arg, "--answers") == 0) {
                        a->answers = true;
                } else if ((v = own_value(argc, argv, &i, "--seed", &missing)) != NULL) {
                        if (!parse_u64(v, strlen(v), &a->seed))
                                return usage_error("--seed expects a number, not '%s'", quote(v));
                } else if ((v = own_value(argc, argv, &i, "--count", &missing)) != NULL) {
                        if (!parse_u64(v, strlen(v), &n) || n < 1 || n > QUIZ_MAX_COUNT)
                                return usage_error("--count expects 1..%d, not '%s'",
                                                   QUIZ_MAX_COUNT, quote(v));
                        a->count = (unsigned long)n;
                } else if (missing) {
                        return usage_error("option '%s' needs a number", quote(arg));
                } else {
                        rest[(*nrest)++] = argv[i];
                }
        }
        return -1;
}

/* The first option given that is another face's and not the quiz's, or
 * NULL. */
static const char *other_face(const struct options *opt)
{
        if (opt->compare)
                return "--compare";
        if (opt->series)
                return "--series";
        if (opt->stats_format != STATS_TEXT)
                return "--stats";
        if (opt->exits)
                return "--exits";
        if (opt->quiet)
                return "--quiet";
        if (opt->keep_going)
                return "--keep-going";
        if (opt->interactive)
                return "-i";
        if (opt->repl)
                return "--repl";
        if (opt->script)
                return "--script";
        if (opt->neval)
                return "-e";
        if (opt->no_color)
                return "--no-color";
        return NULL;
}

static void print_question(const struct quiz *qz, size_t i)
{
        const struct quiz_question *q = &qz->q[i];
        printf("Question %zu of %zu (line %llu, %s):\n%s%s\n", i + 1, qz->n,
               (unsigned long long)q->line, quiz_kind_name(q->kind), q->context, q->text);
}

static void print_answers(const struct quiz *qz)
{
        for (size_t i = 0; i < qz->n; i++) {
                print_question(qz, i);
                printf("answer: %s\n\n", qz->q[i].answer);
        }
}

/* Reads one answer line into buf (n bytes) without its line end; the rest
 * of a longer line is dropped and *too_long set. Returns false at the end
 * of input. */
static bool read_answer(FILE *in, char *buf, size_t n, bool *too_long)
{
        *too_long = false;
        if (!fgets(buf, (int)n, in))
                return false;
        size_t len = strlen(buf);
        if (len && buf[len - 1] == '\n') {
                buf[--len] = '\0';
        } else if (!feof(in)) {
                int c;
                *too_long = true;
                while ((c = getc(in)) != EOF && c != '\n')
                        ;
        }
        if (len && buf[len - 1] == '\r')
                buf[--len] = '\0';
        return true;
}

/* Says whether the reply was right and, when not, what the answer was and
 * why. Returns whether it was right. */
static bool judge(const struct quiz_question *q, const char *reply, bool too_long)
{
        enum quiz_verdict v = too_long ? QUIZ_UNREADABLE : quiz_check(q, reply);
        char *verdict = quiz_verdict_text(q, reply, v);
        puts(verdict);
        free(verdict);
        if (v == QUIZ_RIGHT)
                return true;
        fputs(q->explanation, stdout);
        return false;
}

/* Asks every question, reading the answers from keys. Returns the exit
 * status. */
static int ask(const struct quiz *qz, FILE *keys)
{
        bool echo = !isatty(fileno(keys)); /* a piped answer is shown after the prompt */
        size_t asked = 0, right = 0;
        char reply[ANSWER_MAX], esc[ESCAPE_BUF];
        printf("One answer a line; end of input ends the quiz.\n\n");
        for (; asked < qz->n; asked++) {
                bool too_long;
                print_question(qz, asked);
                fputs("> ", stdout);
                fflush(stdout);
                if (!read_answer(keys, reply, sizeof reply, &too_long))
                        break;
                if (echo)
                        printf("%s%s\n", escape_text(reply, esc, sizeof esc),
                               too_long ? "..." : "");
                right += judge(&qz->q[asked], reply, too_long);
                putchar('\n');
        }
        if (ferror(keys)) {
                fprintf(stderr, "\nshadow-sim quiz: cannot read the answers\n");
                return EXIT_IOERR;
        }
        if (asked < qz->n)
                printf("\nend of input after %zu of %zu questions\n", asked, qz->n);
        printf("score: %zu/%zu\n", right, asked);
        return 0;
}

/* Makes the quiz of opt's trace and runs it. Returns the exit status. */
static int run_quiz(const struct options *opt, const struct quiz_args *a, FILE *keys)
{
        struct trace_reader reader;
        const char *name;
        int status = input_open(opt, &reader, &name);
        if (status)
                return status;
        struct quiz qz;
        struct quiz_params p = {
            .seed = a->seed, .count = (unsigned)a->count, .run = input_run_options(opt, name)};
        status = quiz_make(&qz, &reader, &opt->cfg, &p);
        trace_close(&reader);
        if (status)
                return status;
        if (qz.n == 0) {
                fprintf(stderr, "shadow-sim quiz: %s: no trace line to ask about\n", name);
                status = EXIT_DATAERR;
        } else if (a->answers) {
                print_answers(&qz);
        } else {
                status = ask(&qz, keys);
        }
        quiz_free(&qz);
        fflush(stdout);
        return status ? status : run_check_output(stdout, stderr);
}

int quiz_main(int argc, char **argv)
{
        struct quiz_args a = {.seed = 1, .count = 10};
        static char prog[] = "shadow-sim"; /* what the main parser's messages say */
        char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
        int nrest = 0;
        rest[nrest++] = prog;
        int status = parse_own(argc, argv, &a, rest, &nrest);
        struct options opt;
        if (status < 0)
                status = options_parse(&opt, nrest, rest);
        free(rest);
        if (status >= 0)
                return status;
        const char *face = other_face(&opt);
        if (face)
                return usage_error("%s is not for the quiz, which prints questions and reads "
                                   "answers",
                                   face);
        FILE *keys = a.answers ? NULL : input_keys(&opt);
        if (!a.answers && !keys)
                return EXIT_USAGE;
        status = run_quiz(&opt, &a, keys);
        if (keys && keys != stdin)
                fclose(keys);
        return status;
}
