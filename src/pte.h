/*
 * pte.h - the x86-64 page-table entry format shared by guest tables,
 * shadow tables and nested (EPT) tables.
 *
 * Every table in the model is a 4 KiB page of 512 eight-byte entries, as on
 * x86-64. An entry holds a frame number in bits 12..51 and permission and
 * status bits around it. The helpers here are pure functions of a value.
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

/* Kinds of memory access, as written in a trace (R, W, X). */
enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

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

/* Whether an entry's permissions allow an access of the given kind. Accesses
 * are made in supervisor mode, so the U bit is recorded but not checked. */
static inline bool pte_permits(uint64_t e, enum access_kind kind)
{
        if (!pte_present(e))
                return false;
        if (kind == ACCESS_WRITE)
                return (e & PTE_W) != 0;
        if (kind == ACCESS_EXEC)
                return (e & PTE_NX) == 0;
        return true;
}

/* Writes a short flags string for an entry ("rw", "rx", "rwxu", ...) into
 * buf, which must hold at least 8 bytes. Returns buf. */
char *pte_flags_str(uint64_t e, char *buf);

const char *access_kind_letter(enum access_kind kind);

#endif
