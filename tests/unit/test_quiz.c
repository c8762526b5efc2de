/*
 * test_quiz.c - the quiz: every answer agrees with a separate run of the
 * engine, the same seed gives the same questions, several kinds come up,
 * each only where it is defined, and replies are read in their forms;
 * the stepper's question about the next line agrees with a separate run
 * too, and does not move the session.
 */
#include "harness.h"

#include "quiz.h"
#include "run.h"
#include "session.h"

/* The sample's story in short, with a large page cached in 4K pieces
 * under shadow paging and then invalidated. */
static const char trace_text[] = "PT_WRITE 0x2000->0x6000\n"
                                 "ACCESS 0x2000\n"
                                 "PT_WRITE 0x1000->0x5000\n"
                                 "ACCESS 0x1000 R\n"
                                 "W 0x1000\n"
                                 "R 0x1000\n"
                                 "PT_WRITE 0x2000->0x7000\n"
                                 "INVLPG 0x2000\n"
                                 "W 0x2000\n"
                                 "PT_WRITE 0x400000->0x20000 rx\n"
                                 "X 0x400000\n"
                                 "W 0x400000\n"
                                 "CR3 1\n"
                                 "PT_WRITE 0x2000->0x9000\n"
                                 "ACCESS 0x2000\n"
                                 "CR3 0\n"
                                 "PT_CLEAR 0x1000\n"
                                 "INVLPG 0x1000\n"
                                 "ACCESS 0x1000\n"
                                 "PT_WRITE 0x40000000->0x40000000 rw 2M\n"
                                 "R 0x40001000\n"
                                 "R 0x40002000\n"
                                 "INVLPG 0x40001000\n"
                                 "R 0x40001000\n";

/* The quiz of text under mode with seed and count; returns its status. */
static int make(struct quiz *qz, const char *text, enum mmu_mode mode, uint64_t seed,
                unsigned count)
{
        struct sim_config cfg = config_for(mode);
        struct trace_limits limits;
        struct trace_reader r;
        trace_limits_of_config(&cfg, &limits);
        trace_open_string(&r, text, TRACE_FORMAT_V1, &limits);
        struct quiz_params p = {.seed = seed, .count = count, .run = {.name = "t"}};
        int status = quiz_make(qz, &r, &cfg, &p);
        trace_close(&r);
        return status;
}

/* The events of line under mode, from a run of its own. */
static void line_events(const char *text, enum mmu_mode mode, uint64_t line, struct recorder *out)
{
        struct sim s;
        struct recorder all;
        struct sim_config cfg = config_for(mode);
        start(&s, &cfg, &all);
        feed(&s, text);
        memset(out, 0, sizeof *out);
        for (size_t i = 0; i < all.n; i++)
                if (all.ev[i].line == line)
                        record_sink(out, &all.ev[i]);
        finish(&s, &all);
}

/* The scheme a question names: the first scheme name after "under ". */
static enum mmu_mode named_mode(const char *text)
{
        const char *p = strstr(text, "nder ");
        assert_non_null(p);
        p += 5;
        size_t len = strcspn(p, " ?,.");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        int m = mode_parse(name);
        assert_true(m >= 0);
        return (enum mmu_mode)m;
}

static const struct event *only_access(const struct recorder *rec)
{
        assert_int_equal(count_kind(rec, EV_ACCESS), 1);
        return &rec->ev[find_kind(rec, 0, EV_ACCESS)];
}

/* The answer the run of its own gives to q (quiz's scheme: shadow, so the
 * pair is shadow and EPT). */
static void expected_answer(const struct quiz_question *q, char *buf, size_t n)
{
        struct recorder rec, other;
        enum mmu_mode mode = q->kind == QUIZ_EXITS ? MODE_SHADOW : named_mode(q->text);
        line_events(trace_text, mode, q->line, &rec);
        switch (q->kind) {
        case QUIZ_EXITS:
                line_events(trace_text, MODE_EPT, q->line, &other);
                snprintf(buf, n, "%s %s", count_kind(&rec, EV_VM_EXIT) ? "yes" : "no",
                         count_kind(&other, EV_VM_EXIT) ? "yes" : "no");
                free(other.ev);
                break;
        case QUIZ_REFS:
                assert_false(only_access(&rec)->tlb_hit);
                snprintf(buf, n, "%u", only_access(&rec)->refs);
                break;
        case QUIZ_HPA:
                snprintf(buf, n, "0x%llX", (unsigned long long)only_access(&rec)->hpa);
                break;
        case QUIZ_REASON:
                snprintf(buf, n, "%s",
                         exit_reason_name(rec.ev[find_kind(&rec, 0, EV_VM_EXIT)].reason));
                break;
        case QUIZ_FAULT:
                /* On this trace a fault the guest sees is the line's only one. */
                snprintf(buf, n, "%s", count_kind(&rec, EV_GUEST_PF) ? "guest" : "hidden");
                break;
        case QUIZ_INVLPG: {
                /* As many pages as the INVLPG event says it dropped. */
                const struct event *ev = &rec.ev[find_kind(&rec, 0, EV_INVLPG)];
                size_t words = 0;
                for (const char *p = q->answer; *p; p++)
                        words += *p == ' ';
                snprintf(buf, n, "%s", q->answer);
                if (ev->count == 0)
                        assert_string_equal(q->answer, "none");
                else
                        assert_int_equal(words + 1, ev->count);
                break;
        }
        case QUIZ_KIND_COUNT:
                fail();
        }
        free(rec.ev);
}

/* Every answer is what a separate run shows on its line, and is right. */
static void test_answers_agree_with_the_engine(void **state)
{
        struct quiz qz;
        (void)state;
        assert_int_equal(make(&qz, trace_text, MODE_SHADOW, 1, QUIZ_MAX_COUNT), 0);
        assert_true(qz.n > 40);
        for (size_t i = 0; i < qz.n; i++) {
                char want[256];
                expected_answer(&qz.q[i], want, sizeof want);
                assert_string_equal(qz.q[i].answer, want);
                assert_int_equal(quiz_check(&qz.q[i], qz.q[i].answer), QUIZ_RIGHT);
                assert_non_null(strstr(qz.q[i].context, "->"));
                assert_non_null(strstr(qz.q[i].explanation, "logged:"));
        }
        quiz_free(&qz);
}

/* The INVLPG of a large page that shadow paging caches in 4K pieces drops
 * both pieces; natively, the one 2M entry. */
static void test_invlpg_of_a_large_page(void **state)
{
        static const char *const want[] = {
            [MODE_SHADOW] = "0x40001000 0x40002000", [MODE_NATIVE] = "0x40000000"};
        enum mmu_mode modes[] = {MODE_SHADOW, MODE_NATIVE};
        (void)state;
        for (unsigned m = 0; m < 2; m++) {
                struct quiz qz;
                assert_int_equal(make(&qz, trace_text, modes[m], 1, QUIZ_MAX_COUNT), 0);
                bool found = false;
                for (size_t i = 0; i < qz.n; i++)
                        if (qz.q[i].kind == QUIZ_INVLPG && qz.q[i].line == 23) {
                                assert_string_equal(qz.q[i].answer, want[modes[m]]);
                                found = true;
                        }
                assert_true(found);
                quiz_free(&qz);
        }
}

static bool same_quiz(const struct quiz *a, const struct quiz *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (a->q[i].line != b->q[i].line || a->q[i].kind != b->q[i].kind ||
                    strcmp(a->q[i].text, b->q[i].text) || strcmp(a->q[i].answer, b->q[i].answer))
                        return false;
        return true;
}

/* The same seed gives the same questions; other seeds, others. */
static void test_seed(void **state)
{
        struct quiz a, b;
        unsigned differ = 0;
        (void)state;
        assert_int_equal(make(&a, trace_text, MODE_SHADOW, 7, 8), 0);
        assert_int_equal(make(&b, trace_text, MODE_SHADOW, 7, 8), 0);
        assert_true(same_quiz(&a, &b));
        quiz_free(&b);
        for (uint64_t seed = 1; seed <= 5; seed++) {
                assert_int_equal(make(&b, trace_text, MODE_SHADOW, seed, 8), 0);
                differ += !same_quiz(&a, &b);
                quiz_free(&b);
        }
        assert_true(differ >= 4);
        quiz_free(&a);
}

/* A short quiz mixes the kinds: of 6 questions no two of a kind, in trace
 * order; 12 bring every kind, each twice. */
static void test_mix(void **state)
{
        (void)state;
        for (uint64_t seed = 1; seed <= 20; seed++) {
                unsigned seen[QUIZ_KIND_COUNT] = {0};
                struct quiz qz;
                assert_int_equal(make(&qz, trace_text, MODE_SHADOW, seed, 12), 0);
                assert_int_equal(qz.n, 12);
                for (size_t i = 0; i < qz.n; i++) {
                        seen[qz.q[i].kind]++;
                        if (i)
                                assert_true(qz.q[i - 1].line <= qz.q[i].line);
                }
                for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++)
                        assert_int_equal(seen[k], 2);
                quiz_free(&qz);
        }
}

/* Both classes of an answer come up: exits where the schemes agree and
 * where they differ, guest and hidden faults. */
static void test_classes(void **state)
{
        struct quiz qz;
        bool agree = false, differ = false, guest = false, hidden = false;
        (void)state;
        assert_int_equal(make(&qz, trace_text, MODE_SHADOW, 3, 24), 0);
        for (size_t i = 0; i < qz.n; i++) {
                const char *a = qz.q[i].answer;
                if (qz.q[i].kind == QUIZ_EXITS) {
                        agree |= a[0] == 'y' ? strcmp(a, "yes yes") == 0 : strcmp(a, "no no") == 0;
                        differ |= strcmp(a, "yes no") == 0 || strcmp(a, "no yes") == 0;
                }
                if (qz.q[i].kind == QUIZ_FAULT) {
                        guest |= strcmp(a, "guest") == 0;
                        hidden |= strcmp(a, "hidden") == 0;
                }
        }
        assert_true(agree && differ && guest && hidden);
        quiz_free(&qz);
}

/* A question is asked only where its answer is defined: a trace of
 * stores alone has no access, fault or INVLPG to ask about; native
 * paging has no exit, so the exit questions ask shadow paging and EPT. */
static void test_only_where_defined(void **state)
{
        struct quiz qz;
        (void)state;
        assert_int_equal(
            make(&qz, "PT_WRITE 0x1000->0x5000\nPT_CLEAR 0x1000\n", MODE_NATIVE, 1, 10), 0);
        assert_true(qz.n >= 2);
        for (size_t i = 0; i < qz.n; i++) {
                assert_true(qz.q[i].kind == QUIZ_EXITS || qz.q[i].kind == QUIZ_REASON);
                assert_null(strstr(qz.q[i].text, "native"));
        }
        quiz_free(&qz);
}

/* A trace without an op gives no question; a malformed one, its status. */
static void test_empty_and_bad(void **state)
{
        struct quiz qz;
        (void)state;
        assert_int_equal(make(&qz, "# nothing\n\n", MODE_SHADOW, 1, 10), 0);
        assert_int_equal(qz.n, 0);
        quiz_free(&qz);
        assert_int_equal(make(&qz, "ACCESS 0x1000\nBOGUS\n", MODE_SHADOW, 1, 10), EXIT_DATAERR);
        assert_int_equal(qz.n, 0);
}

/* A question of kind with answer, for checking replies. */
static enum quiz_verdict check(enum quiz_kind kind, const char *answer, const char *reply)
{
        struct quiz_question q = {.kind = kind, .answer = (char *)(uintptr_t)answer};
        return quiz_check(&q, reply);
}

static void test_reply_forms(void **state)
{
        (void)state;
        assert_int_equal(check(QUIZ_EXITS, "yes no", "Y n"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_EXITS, "yes no", " YES,  no "), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_EXITS, "yes no", "no no"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_EXITS, "yes no", "yes"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_EXITS, "yes no", "maybe no"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_EXITS, "yes no", ""), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_REFS, "24", "0x18"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_REFS, "24", "4"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_REFS, "24", "twenty-four"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_REFS, "24", "24 refs"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_HPA, "0x8A000", "0x8a000"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_HPA, "0x8A000", "565248"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_HPA, "0x8A000", "0x8A001"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_HPA, "0x8A000", "8A000"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_REASON, "pt_write", "PT_WRITE"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_REASON, "pt_write", "pt-write"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_REASON, "pt_write", "cr3"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_REASON, "pt_write", "trap"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_FAULT, "hidden", "Hidden page fault"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_FAULT, "hidden", "h"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_FAULT, "hidden", "guest"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_FAULT, "hidden", "page fault"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_FAULT, "hidden", "hidden guest"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_INVLPG, "none", "NONE"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_INVLPG, "none", "0x1000"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_INVLPG, "0x1000 0x2000", "0x2010, 0x1000"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_INVLPG, "0x1000 0x2000", "0x2000"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_INVLPG, "0x1000 0x2000", "none"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_INVLPG, "0x1000", "none 0x1000"), QUIZ_UNREADABLE);
        assert_int_equal(check(QUIZ_INVLPG, "0x1000", "page"), QUIZ_UNREADABLE);
}

/* Every kind says what form its answer takes, and its question says it. */
static void test_expected_forms(void **state)
{
        char buf[256];
        (void)state;
        assert_non_null(strstr(quiz_expected(QUIZ_REASON, buf, sizeof buf), "ept_violation"));
        assert_non_null(strstr(quiz_expected(QUIZ_INVLPG, buf, sizeof buf), "none"));
        for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++) {
                assert_true(strlen(quiz_expected((enum quiz_kind)k, buf, sizeof buf)) > 5);
                assert_string_not_equal(quiz_kind_name((enum quiz_kind)k), "?");
        }
}

/* The stepper's question about the line a step runs next (quiz_next_line)
 * at the end of every line, under every scheme, of either kind: its
 * answer is what a separate run of the engine did on that line (a VM exit
 * or none, the refs of its one access that misses the TLB), the kind asked
 * is the one preferred when the line defines both, and the session has not
 * moved. Inside a line and at the end there is nothing to ask. */
static void test_next_line_agrees_with_the_engine(void **state)
{
        (void)state;
        for (int m = 0; m < MODE_COUNT; m++) {
                enum mmu_mode mode = (enum mmu_mode)m;
                struct sim_config cfg = config_for(mode);
                struct session s;
                assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_V1, NULL, trace_text, "t",
                                              (int)session_default_cmp(mode)),
                                 0);
                unsigned asked[QUIZ_KIND_COUNT] = {0};
                for (;;) {
                        struct quiz_question q;
                        struct op next;
                        bool both;
                        uint64_t seq = session_seq(&s), ops = session_ops(&s);
                        bool more = session_peek(&s, &next, 1, NULL, 0) == 1;
                        struct recorder rec = {0};
                        bool exits = false, walks = false;
                        if (more) {
                                line_events(trace_text, mode, next.line, &rec);
                                exits = count_kind(&rec, EV_VM_EXIT) > 0;
                                walks =
                                    count_kind(&rec, EV_ACCESS) == 1 && !only_access(&rec)->tlb_hit;
                        }
                        for (int k = 0; k < 2; k++) {
                                enum quiz_kind prefer = k ? QUIZ_REFS : QUIZ_EXITS;
                                bool made = quiz_next_line(&s, prefer, &q, &both);
                                assert_int_equal(session_seq(&s), seq);
                                assert_int_equal(session_ops(&s), ops);
                                assert_int_equal(made, more && (walks || mode != MODE_NATIVE));
                                if (!made)
                                        continue;
                                char want[32];
                                if (q.kind == QUIZ_REFS) {
                                        assert_true(walks);
                                        snprintf(want, sizeof want, "%u", only_access(&rec)->refs);
                                } else {
                                        assert_int_equal(q.kind, QUIZ_EXITS);
                                        assert_true(mode != MODE_NATIVE);
                                        snprintf(want, sizeof want, "%s", exits ? "yes" : "no");
                                        assert_non_null(strstr(q.text, "(yes or no)"));
                                }
                                assert_int_equal(both, walks && mode != MODE_NATIVE);
                                if (both)
                                        assert_int_equal(q.kind, prefer);
                                assert_string_equal(q.answer, want);
                                assert_int_equal(q.line, next.line);
                                assert_non_null(strstr(q.context, "line "));
                                assert_int_equal(quiz_check(&q, want), QUIZ_RIGHT);
                                asked[q.kind]++;
                                quiz_question_free(&q);
                        }
                        free(rec.ev);
                        if (!more)
                                break;
                        assert_int_equal(session_stepi(&s, 1, false), STOP_DONE);
                        if (s.shown < s.nevs) { /* inside a line: no question */
                                assert_false(quiz_next_line(&s, QUIZ_EXITS, &q, &both));
                                assert_false(quiz_next_line(&s, QUIZ_REFS, &q, &both));
                                session_step(&s, 1, false);
                        }
                }
                assert_true(asked[QUIZ_REFS] > 5);
                assert_true(mode == MODE_NATIVE ? asked[QUIZ_EXITS] == 0 : asked[QUIZ_EXITS] > 20);
                session_close(&s);
        }
}

/* A question whether a line exits under one scheme is answered yes or no,
 * one word. */
static void test_one_scheme_form(void **state)
{
        char buf[256];
        struct quiz_question q = {.kind = QUIZ_EXITS, .answer = (char *)(uintptr_t) "yes"};
        (void)state;
        assert_string_equal(quiz_form(&q, buf, sizeof buf), "yes or no");
        assert_int_equal(check(QUIZ_EXITS, "yes", "Y"), QUIZ_RIGHT);
        assert_int_equal(check(QUIZ_EXITS, "yes", "no"), QUIZ_WRONG);
        assert_int_equal(check(QUIZ_EXITS, "yes", "yes no"), QUIZ_UNREADABLE);
        q.answer = (char *)(uintptr_t) "yes no";
        assert_non_null(strstr(quiz_form(&q, buf, sizeof buf), "for each"));
        char *v = quiz_verdict_text(&q, "maybe", QUIZ_UNREADABLE);
        assert_string_equal(v, "cannot read 'maybe': expected yes or no for each, e.g. 'yes no'; "
                               "counted wrong, the answer is yes no");
        free(v);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_answers_agree_with_the_engine),
            cmocka_unit_test(test_invlpg_of_a_large_page),
            cmocka_unit_test(test_seed),
            cmocka_unit_test(test_mix),
            cmocka_unit_test(test_classes),
            cmocka_unit_test(test_only_where_defined),
            cmocka_unit_test(test_empty_and_bad),
            cmocka_unit_test(test_reply_forms),
            cmocka_unit_test(test_expected_forms),
            cmocka_unit_test(test_next_line_agrees_with_the_engine),
            cmocka_unit_test(test_one_scheme_form),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
