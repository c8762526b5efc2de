/*
 * event.h - the structured events the engine reports.
 *
 * Everything the simulated machine and hypervisor do is reported as one
 * event to the sinks of a sim (sim.h): the batch [TRACE] log, the stats
 * counters and the stepper's panes all read this one stream. An event is a
 * kind plus the fields that kind uses; unused fields are zero.
 */
#ifndef SHADOW_SIM_EVENT_H
#define SHADOW_SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pte.h"

enum event_kind {
        EV_PT_WRITE,      /* guest stored a leaf: gva -> gpa */
        EV_PT_LINK,       /* guest stored a link to a lower-level table */
        EV_PT_CLEAR,      /* guest cleared a leaf */
        EV_PT_PROTECT,    /* guest changed a leaf's permissions */
        EV_CR3,           /* guest loaded CR3 with the root of asid */
        EV_INVLPG,        /* guest invalidated the TLB entry of gva */
        EV_TLB_FLUSH,     /* the TLB was emptied (count = entries dropped) */
        EV_TLB_EVICT,     /* a TLB entry was evicted to make room */
        EV_TLB_DROP,      /* the VMM dropped the entries of a range (gva, hpa = span bytes) */
        EV_ACCESS,        /* a memory access completed: gva -> gpa -> hpa */
        EV_GUEST_PF,      /* the guest took a page fault (delivered or injected) */
        EV_VM_EXIT,       /* the CPU left the guest for the VMM (reason) */
        EV_SHADOW_PAGE,   /* the VMM shadowed a guest table (write-protects it) */
        EV_SHADOW_FILL,   /* a hidden fault filled a shadow leaf: gva -> hpa */
        EV_SHADOW_UPDATE, /* an emulated PT write updated a shadow leaf */
        EV_SHADOW_ZAP,    /* a shadow entry (count = 1) or page was dropped */
        EV_SHADOW_ROOT,   /* the VMM switched shadow roots (cached or built) */
        EV_UNSYNC,        /* the VMM let a leaf table go out of sync (unprotected it) */
        EV_RESYNC,        /* the VMM resynced an unsync table (count = entries compared) */
        EV_EPT_MAP,       /* the VMM created the nested entry of a GPA frame */
        EV_STALE_TLB,     /* an access used a TLB entry the guest tables no longer match */
        EV_DIRTY_LOG,     /* dirty logging started, synced (count = pages) or stopped */
        EV_DIRTY,         /* the hypervisor logged guest frame gpa as written */
        EV_AGILE,         /* agile paging moved a guest table to nested or shadow mode */
        EV_CPU,           /* the trace switched to the vCPU the event names (CPU line) */
        EV_IPI,           /* an IPI of a shootdown sent, delivered or acknowledged */
        EV_SHOOTDOWN,     /* a guest TLB shootdown done (count = vCPUs it reached) */
        EV_KIND_COUNT
};

enum exit_reason {
        EXIT_PT_WRITE,      /* store to a write-protected guest table */
        EXIT_PAGE_FAULT,    /* #PF on the shadow tables (hidden or real) */
        EXIT_CR3,           /* mov to CR3 */
        EXIT_INVLPG,        /* invlpg */
        EXIT_EPT_VIOLATION, /* no nested entry for a GPA */
        EXIT_PML_FULL,      /* the 512-entry page-modification log filled up */
        EXIT_IPI,           /* a guest IPI: its ICR write, or its delivery (detail) */
        EXIT_REMOTE_FLUSH,  /* the VMM kicked this vCPU to flush its TLB (index: who) */
        EXIT_REASON_COUNT
};

/* Meaning of event.detail for the kinds that use it. */
enum event_detail {
        DETAIL_NONE = 0,
        DETAIL_INJECTED,     /* GUEST_PF: the VMM injected it after an exit */
        DETAIL_ROOT_CACHED,  /* SHADOW_ROOT: one of the cached roots was reused */
        DETAIL_ROOT_NEW,     /* SHADOW_ROOT: a root was built */
        DETAIL_ROOT_FOUND,   /* SHADOW_ROOT: not cached, but its shadow pages were kept */
        DETAIL_ZAP_ENTRY,    /* SHADOW_ZAP: one entry */
        DETAIL_ZAP_PAGE,     /* SHADOW_ZAP: a whole shadow page (unshadowed) */
        DETAIL_FLUSH_GUEST,  /* TLB_FLUSH: the guest asked for it */
        DETAIL_FLUSH_CR3,    /* TLB_FLUSH: a CR3 load without PCID */
        DETAIL_FLUSH_SHADOW, /* TLB_FLUSH: the VMM changed shadow entries the TLB may cache */
        DETAIL_DIRTY,        /* SHADOW_FILL: made writable to emulate the guest D bit */
        DETAIL_FLOOD,        /* SHADOW_ZAP: unshadowed after repeated emulated writes */
        DETAIL_DEMAND,       /* GUEST_PF: the guest kernel paged the page in */
        DETAIL_DIRECT,       /* SHADOW_PAGE: backs part of a guest large page */
        DETAIL_STALE_SHADOW, /* STALE_TLB: the stale translation came from an unsync shadow */
        DETAIL_LOG_START,    /* DIRTY_LOG */
        DETAIL_LOG_SYNC,
        DETAIL_LOG_STOP,
        DETAIL_DIRTY_EXIT,   /* DIRTY: found through an exit only dirty logging caused */
        DETAIL_DIRTY_PML,    /* DIRTY: logged by the CPU into the PML buffer */
        DETAIL_PREFETCH,     /* SHADOW_FILL: a neighbour filled along with a fault */
        DETAIL_SYNC_ONE,     /* RESYNC: INVLPG synced one entry; the page stays unsync */
        DETAIL_AGILE,        /* SHADOW_PAGE: a switch to nested mode; SHADOW_ZAP: a mode change */
        DETAIL_TO_NESTED,    /* AGILE: written often (count = writes in the interval) */
        DETAIL_TO_SHADOW,    /* AGILE: quiet for a whole interval */
        DETAIL_AT_STORE,     /* EPT_MAP: the guest's store into its table needed it */
        DETAIL_ONLINE,       /* CPU: the vCPU runs for the first time */
        DETAIL_IPI_SEND,     /* IPI: the sender wrote the ICR (index = the target); VM_EXIT
                                ipi: that write exited */
        DETAIL_IPI_DELIVER,  /* IPI: the target took the interrupt (index = the sender);
                                VM_EXIT ipi: the VMM kicked it out to inject it */
        DETAIL_IPI_POSTED,   /* IPI: delivered as a posted interrupt, without an exit */
        DETAIL_IPI_ACK,      /* IPI: the sender saw the target's acknowledgement (index = it) */
        DETAIL_STALE_REMOTE, /* STALE_TLB: vCPU index changed the mapping; no shootdown came */
};

struct event {
        enum event_kind kind;
        uint64_t seq;  /* 1-based event number in the run */
        uint64_t line; /* trace line of the op that caused it */
        uint64_t gva;
        uint64_t gpa;
        uint64_t hpa;
        uint64_t table_gpa; /* PT_*: the guest table stored into */
        uint64_t old_entry; /* PT_*, SHADOW_*: entry before */
        uint64_t new_entry; /* PT_*, SHADOW_*: entry after */
        uint32_t asid;
        uint32_t count;       /* TLB_FLUSH, SHADOW_ZAP: how many */
        uint32_t refs;        /* ACCESS: page-walk memory references;
                                 DIRTY_LOG sync: pages reported but not written;
                                 SHOOTDOWN: the VM exits it took, on every vCPU */
        uint32_t exit_number; /* VM_EXIT: 1-based count of exits so far */
        uint32_t nested_refs; /* ACCESS: of refs, those in the nested dimension */
        uint16_t index;       /* PT_*, SHADOW_*: entry index in its table; ACCESS,
                                 TLB_EVICT: the TLB slot that served, was filled or
                                 emptied; IPI: the other vCPU */
        uint8_t level;        /* PT_*, SHADOW_*: level of that table (1 = leaf);
                                 EPT_MAP: level of the nested leaf (2 = a 2M page) */
        uint8_t access;       /* ACCESS, GUEST_PF: enum access_kind */
        uint8_t reason;       /* VM_EXIT: enum exit_reason */
        uint8_t detail;       /* enum event_detail */
        uint8_t pf_error;     /* GUEST_PF: the x86 error code (PF_ERR_*) */
        bool user;            /* ACCESS, GUEST_PF: made in user mode */
        bool tlb_hit;         /* ACCESS */
        bool trapped;         /* PT_*: the store exited to the VMM */
        bool guest_maps;      /* SHADOW_ZAP of an entry: the guest still maps it (refilled
                                 on next use) */
        bool all;             /* SHOOTDOWN, IPI: for every address, not gva's page */
        uint8_t cpu;          /* the vCPU it happened on */
        bool smp;             /* the machine has several vCPUs: the log names cpu */
};

const char *event_kind_name(enum event_kind kind);
const char *exit_reason_name(enum exit_reason reason);

/* Parses an event kind or exit reason name (case-insensitive). Returns -1
 * for an unknown name. */
int event_kind_parse(const char *name);
int exit_reason_parse(const char *name);

/* Formats the event as one log line, "[TRACE] ..." or "[WARN] ...", without
 * a newline, into buf of size n (truncating, always terminated). Returns the
 * length written. */
size_t event_format(const struct event *ev, char *buf, size_t n);

#endif
