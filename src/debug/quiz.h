/*
 * quiz.h - questions about points of a trace, answered by the engine.
 *
 * A quiz is a handful of questions a student answers before seeing what
 * the machine did (OSTEP's homework simulators, with -c computing the
 * answers, are the model): does this line exit under shadow paging and
 * under EPT, how many memory references does this walk make, which HPA
 * does this GVA reach, which exit reason, a guest or a hidden page fault,
 * which TLB entries does this INVLPG drop. Every answer is read off the
 * events of machines that ran the trace, so it is right by construction,
 * and every question carries what the machines logged on its line and the
 * explanation of it (explain.h), for when the answer was wrong.
 *
 * No output: the face prints the questions and reads the answers.
 */
#ifndef SHADOW_SIM_QUIZ_H
#define SHADOW_SIM_QUIZ_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "sim.h"
#include "trace.h"

struct session;
struct strbuf;

enum quiz_kind {
        QUIZ_EXITS,  /* does the line exit under a scheme with a VMM and its counterpart */
        QUIZ_REFS,   /* memory references of the walk that completes an access */
        QUIZ_HPA,    /* the host-physical address an access reaches */
        QUIZ_REASON, /* the reason of the line's (first) VM exit */
        QUIZ_FAULT,  /* is the line's first page fault the guest's or a hidden one */
        QUIZ_INVLPG, /* the TLB entries an INVLPG drops */
        QUIZ_KIND_COUNT
};

/* The most questions one quiz asks. */
#define QUIZ_MAX_COUNT 1000

struct quiz_question {
        enum quiz_kind kind;
        uint64_t line;     /* the trace line asked about */
        char *context;     /* that line and a few before it, one a line, numbered */
        char *text;        /* the question, ending with the form of its answer */
        char *answer;      /* the answer, as --answers prints it */
        char *explanation; /* what the machines logged on the line, and why */
};

struct quiz {
        struct quiz_question *q; /* in trace order */
        size_t n;
};

struct quiz_params {
        uint64_t seed;          /* the same seed (and trace and options), the same questions */
        unsigned count;         /* questions wanted, 1..QUIZ_MAX_COUNT */
        struct run_options run; /* how the trace is read: name, errors, memory limit */
};

/* Reads r to its end under the machines the questions need (cfg's scheme,
 * a scheme with a hypervisor and the one it is compared with by default)
 * and picks at most p->count questions, several kinds mixed, each only
 * where its answer is defined. Returns 0 (qz->n may be 0: a trace without
 * a line to ask about), or run_trace's status (EXIT_DATAERR, EXIT_IOERR)
 * after its message on p->run.errors; qz is then empty. */
int quiz_make(struct quiz *qz, struct trace_reader *r, const struct sim_config *cfg,
              const struct quiz_params *p);

void quiz_free(struct quiz *qz);

/* Frees q's texts and empties it. */
void quiz_question_free(struct quiz_question *q);

/* A short name of the kind ("exits", "refs", ...). */
const char *quiz_kind_name(enum quiz_kind kind);

/* The form an answer of kind takes ("yes or no for each scheme, e.g. 'yes
 * no'"), into buf of size n. Returns buf. */
const char *quiz_expected(enum quiz_kind kind, char *buf, size_t n);

enum quiz_verdict {
        QUIZ_RIGHT,
        QUIZ_WRONG,
        QUIZ_UNREADABLE, /* not an answer of the question's form: counts as wrong */
};

/* Checks a reply (one line, without its newline) against the question's
 * answer. Yes and no as y, yes, n, no; numbers in hex (0x...) or decimal;
 * exit reasons and words in any case; pages by any address inside them,
 * in any order, or "none". */
enum quiz_verdict quiz_check(const struct quiz_question *q, const char *reply);

/* The form q's answer takes: quiz_expected's, except for a question whether
 * a line exits under one scheme alone ("yes or no"). Returns buf. */
const char *quiz_form(const struct quiz_question *q, char *buf, size_t n);

/* What a face says of a reply judged v, as a new string (the caller frees
 * it): "right", "wrong: the answer is X", or "cannot read 'REPLY':
 * expected FORM; counted wrong, the answer is X" (the reply escaped). */
char *quiz_verdict_text(const struct quiz_question *q, const char *reply, enum quiz_verdict v);

/* ---- one line's questions (quiz_line.c) ----------------------------------
 *
 * The quiz above and the stepper's quiz mode (cmd_quiz.c) ask the same
 * questions about a trace line and answer them the same way, from what a
 * machine did on it. */

/* What one machine did on one trace line. */
struct quiz_line {
        const struct sim_config *cfg; /* the machine's: its scheme, its walk's shape */
        uint64_t line;
        const struct event *evs;
        size_t n;
};

/* The index of the line's first event of kind, or -1 when it has none. */
long quiz_line_find(const struct quiz_line *l, enum event_kind kind);

/* The index of the line's first VM exit, or -1 when it has none. */
long quiz_line_exit(const struct quiz_line *l);

/* The index of the line's access when it made exactly one, else -1. */
long quiz_line_access(const struct quiz_line *l);

/* Appends what l logged (the first dozen log lines) and the explanation of
 * its event key, beside what cmp did on the same line (NULL: no machine to
 * compare with), as a wrong answer is followed. */
void quiz_line_story(struct strbuf *o, const struct quiz_line *l, const struct quiz_line *cmp,
                     size_t key);

/* Fills q, empty, as a question of kind about a line: text with the form
 * of its answer after it, the answer and the explanation (copies). No
 * context. */
void quiz_fill(struct quiz_question *q, enum quiz_kind kind, uint64_t line, const char *text,
               const char *answer, const char *explanation);

/* Makes q, empty, the question whether the line exits under each of the n
 * machines m[i] (1 or 2, the same line), the story of each told beside
 * cmp[i] (NULL: none). */
void quiz_ask_exits(struct quiz_question *q, const struct quiz_line *const m[],
                    const struct quiz_line *const cmp[], size_t n);

/* Makes q, empty, the question how many memory references the walk of
 * l's one access makes, told beside cmp (NULL: none). False, with q left
 * empty, when the line is not one access that misses the TLB. */
bool quiz_ask_refs(struct quiz_question *q, const struct quiz_line *l, const struct quiz_line *cmp);

/* The stepper's quiz: makes q, empty, a question about the line a step of
 * s would run next, from the events of that line run on copies of s's
 * machines (the session does not move; q's context is the line): of kind
 * prefer (QUIZ_EXITS or QUIZ_REFS) when the line defines its answer, else
 * of the other; *both says whether it defines both. An exits question
 * needs a scheme with a hypervisor to exit to; a refs question, a line
 * that is one access that misses the TLB. False, with q empty, when there
 * is none to ask, or s stands inside a line, at the end, or cannot read
 * on. */
bool quiz_next_line(struct session *s, enum quiz_kind prefer, struct quiz_question *q, bool *both);

#endif
