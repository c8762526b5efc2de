/*
 * op.h - one guest operation, as read from a trace line.
 *
 * The trace readers (text format v1, Valgrind lackey) turn lines into ops;
 * the machine (sim.h) applies ops one at a time. An op is what the guest
 * does; the events (event.h) are what the machine and the hypervisor do in
 * response.
 */
#ifndef SHADOW_SIM_OP_H
#define SHADOW_SIM_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pte.h"

/* The enums of an op are packed (GCC and Clang: one byte each) so that an
 * op takes 48 bytes: batches of ops are handed from the reading thread to
 * the machines' (run_parallel.c), and with ops of 80 bytes --compare of a
 * recorded trace took a fifth more CPU time (docs/performance.md). */

/* What a DIRTY_LOG line asks of the hypervisor (live migration). */
enum __attribute__((packed)) dirty_log_action {
        DIRTY_LOG_START, /* begin tracking writes to guest memory */
        DIRTY_LOG_SYNC,  /* collect the pages written this round and re-arm */
        DIRTY_LOG_STOP,  /* stop tracking */
};

enum __attribute__((packed)) op_kind {
        OP_PT_WRITE,   /* install or replace the leaf mapping gva -> gpa */
        OP_PT_CLEAR,   /* clear the leaf mapping gva */
        OP_PT_PROTECT, /* change the permissions of the leaf mapping gva */
        OP_ACCESS,     /* a memory access at gva */
        OP_CR3,        /* switch to address space asid */
        OP_INVLPG,     /* invalidate the TLB entry for gva */
        OP_TLB_FLUSH,  /* flush the whole TLB */
        OP_DIRTY_LOG,  /* the hypervisor starts, syncs or stops dirty logging */
        OP_CPU,        /* the ops that follow run on vCPU cpu */
        OP_SHOOTDOWN,  /* the guest invalidates gva (or all) on the other vCPUs */
        OP_KIND_COUNT
};

/* The wide fields first, then the narrow ones: no padding but the last
 * byte. */
struct op {
        uint64_t gva;
        uint64_t gpa;  /* OP_PT_WRITE: the target frame's address */
        uint64_t perm; /* PT_WRITE, PT_PROTECT: PTE_W | PTE_U | PTE_NX */
        uint64_t line; /* 1-based line in the trace it came from */
        uint32_t size; /* OP_ACCESS: bytes touched (at least 1) */
        union {
                uint32_t asid; /* OP_CR3 */
                uint32_t cpu;  /* OP_CPU: the vCPU, below --vcpus */
        };
        enum op_kind kind;
        enum access_kind access;     /* OP_ACCESS */
        enum dirty_log_action dirty; /* OP_DIRTY_LOG */
        int8_t leaf_level;           /* PT_WRITE: 1 = 4K, 2 = 2M, 3 = 1G */
        bool user;                   /* OP_ACCESS: made in user mode (CPL 3), else supervisor */
        bool demand;                 /* OP_ACCESS: the guest kernel pages in what is unmapped */
        bool all;                    /* OP_SHOOTDOWN: every address, not gva's page */
};
_Static_assert(sizeof(struct op) == 48, "an op is 48 bytes (see above)");

const char *op_kind_name(enum op_kind kind);

/* Writes the op back in trace format v1 (the canonical spelling of its
 * line, without newline) into buf of size n. Returns buf. */
char *op_format(const struct op *op, char *buf, size_t n);

#endif
