/*
 * explain.h - what just happened, in plain words.
 *
 * The stepper's explain line turns the events of one trace line into a
 * sentence a student can follow: the chain from what the guest did to what
 * the hypervisor did about it ("guest wrote a PTE in a write-protected
 * table page -> VM exit #12 -> shadow entry updated"), then why, and what
 * the compared scheme did on the same line, as computed by its machine
 * ("on this line ept took no VM exit").
 */
#ifndef SHADOW_SIM_EXPLAIN_H
#define SHADOW_SIM_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "sim.h"

/* What the compared machine did on the same trace line: the facts the
 * explanation's comparative clause states, and nothing else ("on this
 * line ept took 5 VM exits (5 ept_violation)"). */
struct line_facts {
        enum mmu_mode mode;
        uint32_t exits[EXIT_REASON_COUNT];
        uint32_t nexits;
        uint32_t walks;     /* TLB misses whose walk completed */
        uint64_t walk_refs; /* their memory references */
};

/* Sums the events of one line of the machine under mode. */
void line_facts_of(struct line_facts *f, enum mmu_mode mode, const struct event *evs, size_t n);

/* Explains evs[cur], the current event of an op whose events are
 * evs[0..nevs), under configuration cfg; other, when not NULL, is what the
 * compared machine did on the line, the only source of what the clause
 * says of another scheme. The chain covers evs[0..cur]: when long, its
 * start up to the line's first exit and its last links, with how many are
 * left out between. Writes at most n bytes into buf, always terminated;
 * returns the length. */
size_t explain_event(const struct event *evs, size_t nevs, size_t cur, const struct sim_config *cfg,
                     const struct line_facts *other, char *buf, size_t n);

/* explain_event for the current event of a session, compared with the
 * session's compare machine when it has one. 0 (an empty buf) when there
 * is no current event. */
struct session;
size_t session_explain(const struct session *s, char *buf, size_t n);

/* How the refs memory references of one walk under cfg add up, nested_refs
 * of them in the nested dimension (EPT): "19 references = 4 guest entries
 * + 5 nested walks of 3; ...". The log's refs=, the explanation, translate
 * and info walk all print a walk's count through this. */
struct strbuf;
void explain_walk(struct strbuf *o, const struct sim_config *cfg, uint32_t refs,
                  uint32_t nested_refs);

/* One phrase for one event, without the chain ("shadow entry updated:
 * 0x1000 -> hpa 0x8A000"). */
size_t explain_phrase(const struct event *ev, char *buf, size_t n);

#endif
