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

#endif
