/*
 * session_view.h - the machine as it is right after the current event.
 *
 * The sim applies whole ops, so after a stepi into the middle of a trace
 * line the live machine already holds what the rest of the line does. The
 * panes, the table trees, `info` and `translate` must show the machine as
 * it is right after the current event instead: this module rebuilds it.
 *
 * How. The engine emits an event once the change it reports is made, and
 * before it makes the next one (sim.h, "an event follows its change"), so
 * the machine right after event k is the machine at the moment event k is
 * handed to its sinks. The view replays the current op on a copy of the
 * machine before it (kept while the position stays in that op) and copies
 * the machine when event k is emitted. Nothing is guessed from the live
 * tables: the copy is the engine's own state at that instant. At the end
 * of an op the view is the live machine itself.
 */
#ifndef SHADOW_SIM_SESSION_VIEW_H
#define SHADOW_SIM_SESSION_VIEW_H

#include "session.h"

struct session_view;

struct session_view *view_new(void);
void view_free(struct session_view *v);

/* The main machine as it is right after the current event (before the
 * first event of the current op when none of its events is shown). The
 * pointer stays valid until the session moves. */
const struct sim *session_machine(const struct session *s);

/* Bytes the view's machines take now, for the memory limit. */
size_t view_bytes(const struct session_view *v);

#endif
