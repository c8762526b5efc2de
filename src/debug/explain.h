/*
 * explain.h - what just happened, in plain words.
 *
 * The stepper's explain line turns the events of one trace line into a
 * sentence a student can follow: the chain from what the guest did to what
 * the hypervisor did about it ("guest wrote a PTE in a write-protected
 * table page -> VM exit #12 -> shadow entry updated"), then why, or what
 * another scheme would have done ("under EPT this store would not exit").
 */
#ifndef SHADOW_SIM_EXPLAIN_H
#define SHADOW_SIM_EXPLAIN_H

#include <stddef.h>

#include "event.h"
#include "sim.h"

/* Explains evs[cur], the current event of an op whose events are
 * evs[0..nevs), under configuration cfg. The chain covers evs[0..cur]
 * (its oldest links cut when long). Writes at most n bytes into buf,
 * always terminated; returns the length. */
size_t explain_event(const struct event *evs, size_t nevs, size_t cur, const struct sim_config *cfg,
                     char *buf, size_t n);

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
