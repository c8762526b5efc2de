/*
 * pte.h - the x86-64 page-table entry format shared by guest tables,
 * shadow tables and nested (EPT) tables.
 *
 * Every table in the model is a 4 KiB page of 512 eight-byte entries, as on
 * x86-64 (stored by how many are set: ptable.h). An entry holds a frame
 * number in bits 12..51 and permission and status bits around it. The
 * helpers here are pure functions of a value.
 */
#ifndef SHADOW_SIM_PTE_H
#define SHADOW_SIM_PTE_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT       12
#define PAGE_SIZE        (UINT64_C(1) << PAGE_SHIFT)
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)
#define PT_INDEX_BITS    9
#define PT_ENTRIES       512
#define PT_INDEX_MASK    (PT_ENTRIES - 1)
#define MIN_LEVELS       2
#define MAX_LEVELS       5

#define PTE_P     (UINT64_C(1) << 0) /* present */
#define PTE_W     (UINT64_C(1) << 1) /* writable */
#define PTE_U     (UINT64_C(1) << 2) /* user accessible */
#define PTE_A     (UINT64_C(1) << 5) /* accessed (set by the walker) */
#define PTE_D     (UINT64_C(1) << 6) /* dirty (set on write, leaves only) */
#define PTE_PS    (UINT64_C(1) << 7) /* page size: a 2 MiB or 1 GiB leaf */
#define PTE_NX    (UINT64_C(1) << 63)
#define PTE_FRAME (UINT64_C(0x000FFFFFFFFFF000))

/* Permission bits that a leaf carries and that an access is checked against. */
#define PTE_PERM_MASK (PTE_W | PTE_U | PTE_NX)

/* Kinds of memory access, as written in a trace (R, W, X); a byte (op.h). */
enum __attribute__((packed)) access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

static inline bool pte_present(uint64_t e)
{
        return (e & PTE_P) != 0;
}

static inline uint64_t pte_frame(uint64_t e)
{
        return (e & PTE_FRAME) >> PAGE_SHIFT;
}

static inline uint64_t pte_make(uint64_t frame, uint64_t bits)
{
        return ((frame << PAGE_SHIFT) & PTE_FRAME) | bits;
}

/* Bit position of the lowest address bit that selects the entry of a table
 * at `level` (1 = the last level, whose entries map 4 KiB pages). */
static inline unsigned level_shift(int level)
{
        return PAGE_SHIFT + PT_INDEX_BITS * (unsigned)(level - 1);
}

static inline unsigned pt_index(uint64_t addr, int level)
{
        return (unsigned)(addr >> level_shift(level)) & PT_INDEX_MASK;
}

/* Size in bytes of what one entry at `level` maps (4K at 1, 2M at 2, 1G at 3). */
static inline uint64_t level_span(int level)
{
        return UINT64_C(1) << level_shift(level);
}

/* Page-fault error code bits the CPU pushes (SDM vol. 3, 4.7). */
#define PF_ERR_P 0x01 /* a protection violation (0: the page was not present) */
#define PF_ERR_W 0x02 /* the access was a write */
#define PF_ERR_U 0x04 /* the access was made in user mode */
#define PF_ERR_I 0x10 /* the access was an instruction fetch */

/* The effective rights of a translation (SDM vol. 3, 4.6.1): writable and
 * user only when every level of the walk says so, execute-disabled when
 * any level does. Start from PTE_RIGHTS_ALL and fold in each entry read. */
#define PTE_RIGHTS_ALL (PTE_W | PTE_U)
static inline uint64_t pte_rights_fold(uint64_t rights, uint64_t e)
{
        return (rights & e & (PTE_W | PTE_U)) | ((rights | e) & PTE_NX);
}

/* The error code of a page fault for an access (present: the page was
 * mapped and the rights refused it). */
static inline uint8_t pf_error_code(bool present, enum access_kind kind, bool user)
{
        return (uint8_t)((present ? PF_ERR_P : 0) | (kind == ACCESS_WRITE ? PF_ERR_W : 0) |
                         (user ? PF_ERR_U : 0) | (kind == ACCESS_EXEC ? PF_ERR_I : 0));
}

/* Which rights an access needs, under CR0.WP = 1 and the SMEP/SMAP
 * settings (SDM vol. 3, 4.6.1): it is allowed exactly when
 * (rights & tested) == needed. One rule per (kind, privilege). */
struct rights_rule {
        uint64_t tested, needed;
};

/* The six rules, indexed by rights_rule_index(). */
struct rights_rules {
        struct rights_rule rule[6];
};

static inline unsigned rights_rule_index(enum access_kind kind, bool user)
{
        return (unsigned)kind * 2 + (user ? 1 : 0);
}

/* Fills the rules for a CPU with the given SMEP and SMAP settings. */
void rights_rules_init(struct rights_rules *r, bool smep, bool smap);

static inline bool rights_allow(const struct rights_rules *r, uint64_t rights,
                                enum access_kind kind, bool user)
{
        const struct rights_rule *x = &r->rule[rights_rule_index(kind, user)];
        return (rights & x->tested) == x->needed;
}

/* Writes a short flags string for an entry ("rw", "rx", "rwxu", ...) into
 * buf, which must hold at least 8 bytes. Returns buf. */
char *pte_flags_str(uint64_t e, char *buf);

const char *access_kind_letter(enum access_kind kind);

#endif
