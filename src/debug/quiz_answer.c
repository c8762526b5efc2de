/*
 * quiz_answer.c - the forms of the quiz's answers: what each kind expects,
 * checking a reply against the answer, and the verdict the faces print.
 *
 * A reply and the answer --answers prints are read by the same parser
 * into a list of numbers (yes 1 and no 0, a count, an address, an exit
 * reason's number, guest 1 and hidden 0, pages as sorted 4K page
 * addresses), and the two lists compared: so any spelling the parser
 * accepts is right when it means the answer.
 */
#include "quiz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "event.h"
#include "number.h"
#include "pte.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *const kind_names[QUIZ_KIND_COUNT] = {
    [QUIZ_EXITS] = "exits",   [QUIZ_REFS] = "refs",   [QUIZ_HPA] = "hpa",
    [QUIZ_REASON] = "reason", [QUIZ_FAULT] = "fault", [QUIZ_INVLPG] = "invlpg",
};

const char *quiz_kind_name(enum quiz_kind kind)
{
        return kind < QUIZ_KIND_COUNT ? kind_names[kind] : "?";
}

const char *quiz_expected(enum quiz_kind kind, char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        if (n)
                buf[0] = '\0';
        switch (kind) {
        case QUIZ_EXITS:
                strbuf_put(&o, "yes or no for each, e.g. 'yes no'");
                break;
        case QUIZ_REFS:
                strbuf_put(&o, "a number");
                break;
        case QUIZ_HPA:
                strbuf_put(&o, "an address, 0x... or decimal");
                break;
        case QUIZ_REASON:
                strbuf_put(&o, "an exit reason as the log prints it:");
                for (int r = 0; r < EXIT_REASON_COUNT; r++)
                        strbuf_put(&o, "%s %s", r ? "," : "",
                                   exit_reason_name((enum exit_reason)r));
                break;
        case QUIZ_FAULT:
                strbuf_put(&o, "guest or hidden");
                break;
        case QUIZ_INVLPG:
                strbuf_put(&o, "their pages, e.g. '0x1000 0x2000', or none");
                break;
        case QUIZ_KIND_COUNT:
                break;
        }
        return buf;
}

/* An answer read: a list of numbers. */
struct reading {
        uint64_t *v;
        size_t n, cap;
};

static void push(struct reading *r, uint64_t v)
{
        if (r->n == r->cap) {
                r->cap = r->cap ? 2 * r->cap : 8;
                r->v = xrealloc(r->v, r->cap, sizeof *r->v);
        }
        r->v[r->n++] = v;
}

static bool word_is(const char *w, const char *a, const char *b)
{
        return strcasecmp(w, a) == 0 || strcasecmp(w, b) == 0;
}

/* Reads one word of an answer of kind (the i-th of n). Returns false when
 * it is not one. */
static bool read_word(enum quiz_kind kind, const char *w, size_t i, size_t n, struct reading *r)
{
        uint64_t v;
        switch (kind) {
        case QUIZ_EXITS:
                if (word_is(w, "y", "yes") || word_is(w, "n", "no")) {
                        push(r, word_is(w, "y", "yes"));
                        return true;
                }
                return false;
        case QUIZ_REFS:
        case QUIZ_HPA:
                if (!parse_u64(w, strlen(w), &v))
                        return false;
                push(r, v);
                return true;
        case QUIZ_REASON: {
                char name[64];
                size_t len = strlen(w);
                if (len >= sizeof name)
                        return false;
                for (size_t j = 0; j <= len; j++)
                        name[j] = w[j] == '-' ? '_' : w[j]; /* pt-write as pt_write */
                int reason = exit_reason_parse(name);
                if (reason < 0)
                        return false;
                push(r, (uint64_t)reason);
                return true;
        }
        case QUIZ_FAULT:
                /* "guest", "hidden page fault", "g", "h #PF" */
                if (i == 0 && (word_is(w, "g", "guest") || word_is(w, "h", "hidden"))) {
                        push(r, word_is(w, "g", "guest"));
                        return true;
                }
                return i > 0 && (word_is(w, "page", "fault") || word_is(w, "pf", "#pf"));
        case QUIZ_INVLPG:
                if (strcasecmp(w, "none") == 0)
                        return n == 1;
                if (!parse_u64(w, strlen(w), &v))
                        return false;
                push(r, v & ~(uint64_t)PAGE_OFFSET_MASK);
                return true;
        case QUIZ_KIND_COUNT:
                break;
        }
        return false;
}

#define BLANKS " \t\r\n,;"

/* The words of text, split at blanks, commas and semicolons. */
static size_t count_words(const char *text)
{
        size_t n = 0;
        for (const char *p = text; *p; p += strcspn(p, BLANKS)) {
                p += strspn(p, BLANKS);
                n += *p != '\0';
        }
        return n;
}

/* How many words a reply to q has (0: any number, at least one): as many
 * yes or no as the schemes its answer names, one number or reason. */
static size_t words_wanted(const struct quiz_question *q)
{
        switch (q->kind) {
        case QUIZ_EXITS:
                return count_words(q->answer);
        case QUIZ_FAULT:
        case QUIZ_INVLPG:
                return 0;
        default:
                return 1;
        }
}

/* Reads text as an answer of kind, of want words (0: any number), into
 * r. Returns false when it is not one. */
static bool read_answer(enum quiz_kind kind, const char *text, size_t want, struct reading *r)
{
        size_t n = count_words(text);
        if (n == 0 || (want && n != want))
                return false;
        char *copy = xstrdup(text), *save = NULL;
        bool ok = true;
        size_t i = 0;
        for (char *w = strtok_r(copy, BLANKS, &save); w && ok; w = strtok_r(NULL, BLANKS, &save))
                ok = read_word(kind, w, i++, n, r);
        free(copy);
        return ok;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* Pages as a set: sorted, each once. */
static void as_set(struct reading *r)
{
        size_t k = 0;
        if (r->n)
                qsort(r->v, r->n, sizeof *r->v, cmp_u64);
        for (size_t i = 0; i < r->n; i++)
                if (k == 0 || r->v[k - 1] != r->v[i])
                        r->v[k++] = r->v[i];
        r->n = k;
}

enum quiz_verdict quiz_check(const struct quiz_question *q, const char *reply)
{
        struct reading got = {0}, want = {0};
        enum quiz_verdict verdict = QUIZ_UNREADABLE;
        size_t words = words_wanted(q);
        if (read_answer(q->kind, reply, words, &got) &&
            read_answer(q->kind, q->answer, words, &want)) {
                if (q->kind == QUIZ_INVLPG) {
                        as_set(&got);
                        as_set(&want);
                }
                bool same = got.n == want.n &&
                            (got.n == 0 || memcmp(got.v, want.v, got.n * sizeof *got.v) == 0);
                verdict = same ? QUIZ_RIGHT : QUIZ_WRONG;
        }
        free(got.v);
        free(want.v);
        return verdict;
}

const char *quiz_form(const struct quiz_question *q, char *buf, size_t n)
{
        if (q->kind == QUIZ_EXITS && count_words(q->answer) == 1) {
                snprintf(buf, n, "yes or no");
                return buf;
        }
        return quiz_expected(q->kind, buf, n);
}

char *quiz_verdict_text(const struct quiz_question *q, const char *reply, enum quiz_verdict v)
{
        char form[256], esc[ESCAPE_BUF];
        size_t n = strlen(q->answer) + sizeof esc + sizeof form + 64;
        char *buf = xmalloc(n);
        switch (v) {
        case QUIZ_RIGHT:
                snprintf(buf, n, "right");
                break;
        case QUIZ_WRONG:
                snprintf(buf, n, "wrong: the answer is %s", q->answer);
                break;
        case QUIZ_UNREADABLE:
                snprintf(buf, n, "cannot read '%s': expected %s; counted wrong, the answer is %s",
                         escape_text(reply, esc, sizeof esc), quiz_form(q, form, sizeof form),
                         q->answer);
                break;
        }
        return buf;
}
