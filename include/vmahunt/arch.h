/* SPDX-License-Identifier: MIT */
/*
 * Address translation: page tables read from a dump, x86-64 (4- and 5-level)
 * and arm64 (4 KiB granule: 39-, 48- and 52-bit virtual addresses, the last
 * with FEAT_LPA2's descriptor format), behind one interface (struct vh_mmu).
 *
 * A page-table root is the physical address of a top-level table: CR3 (its
 * low 12 bits are ignored), the kernel's swapper_pg_dir / init_top_pgt, or an
 * mm_struct's pgd translated to physical. Every table is read through
 * vh_dump_read_phys(), so a table page missing from the dump gives that
 * function's error (VH_ERR_EXCLUDED, VH_ERR_NOT_PRESENT, ...), distinct from
 * VH_ERR_NOT_MAPPED (a table entry says "not present").
 */
#ifndef VMAHUNT_ARCH_H
#define VMAHUNT_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include <vmahunt/dump.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The architectures vmahunt reads. */
enum vh_arch_id {
	VH_ARCH_UNKNOWN = 0,
	VH_ARCH_X86_64 = 1,
	VH_ARCH_ARM64 = 2,
};

/*
 * An address space's translation regime: everything a page-table walk needs
 * beyond the root. A process's tables and the kernel's share it (arm64: T0SZ
 * and T1SZ are equal under Linux).
 */
struct vh_mmu {
	int arch;	/* enum vh_arch_id */
	int levels;	/* x86-64: 4 or 5; arm64: 3 (39-bit), 4 (48-bit) or 5 (52-bit) */
	int va_bits;	/* virtual-address bits of each half: x86-64 48 or 57; arm64 39, 48 or 52 */
	int lpa2;	/* arm64 52-bit: output-address bits 50-51 are descriptor bits 8-9 */
	int pte_layout; /* the kernel's software PTE bits (vh_mmu_set_release()): arm64 0
			   before 6.10, 1 since (PROT_NONE and swap entries moved) */
};

/**
 * vh_mmu_set_release() - fit @mmu to the kernel release that wrote the tables.
 * @mmu: the regime.
 * @release: the kernel's release string ("6.12.48+deb13-arm64"); NULL or
 *           unparsable leaves @mmu as it is.
 *
 * Only what the kernel keeps in invalid PTEs depends on it (swap entries,
 * PROT_NONE): arm64 changed both in 6.10. Translation does not.
 */
VH_EXPORT void vh_mmu_set_release(struct vh_mmu *mmu, const char *release);

/**
 * vh_mmu_x86_64() - the x86-64 regime with @levels (4 or 5) paging levels.
 * @mmu: receives it.
 * @levels: 4 or 5.
 *
 * Return: VH_OK, or VH_ERR_INVAL for another @levels.
 */
VH_EXPORT int vh_mmu_x86_64(struct vh_mmu *mmu, int levels);

/**
 * vh_mmu_arm64() - the arm64 regime of a 4 KiB-granule kernel.
 * @mmu: receives it.
 * @va_bits: the virtual-address width in use, 64 - TCR_EL1.T1SZ: 39, 48 or
 *           52 (52 means FEAT_LPA2 and five levels; a kernel built for 52
 *           bits on a CPU without LPA2 runs 48, which is what to give here).
 *
 * Return: VH_OK, or VH_ERR_UNSUPPORTED for another width (16 and 64 KiB
 * granules are not supported).
 */
VH_EXPORT int vh_mmu_arm64(struct vh_mmu *mmu, int va_bits);

/* The name of @mmu's architecture: "x86_64", "aarch64" or "unknown". */
VH_EXPORT const char *vh_mmu_arch_name(const struct vh_mmu *mmu);

/**
 * vh_mmu_user_end() - the end of the user half of @mmu's address space:
 * x86-64 2^47 or 2^56, arm64 2^va_bits. User addresses are below it.
 */
VH_EXPORT uint64_t vh_mmu_user_end(const struct vh_mmu *mmu);

/**
 * vh_mmu_kernel_start() - the lowest kernel address of @mmu's address space:
 * x86-64 0xffff800000000000 (4 levels) or 0xff00000000000000 (5), arm64
 * 2^64 - 2^va_bits. A pointer below it is not a kernel pointer.
 */
VH_EXPORT uint64_t vh_mmu_kernel_start(const struct vh_mmu *mmu);

/* What a PTE says beyond the frame it maps, decoded per architecture. */
struct vh_pte_info {
	int special;  /* pte_special() of a present or protnone entry: the zero page,
			 PFN maps (not in RSS) */
	int protnone; /* not present to the MMU but to the kernel: PROT_NONE, NUMA hinting */
	uint64_t protnone_pfn[2]; /* the frame such an entry maps: as stored, and x86-64's
				     L1TF-inverted form (equal on arm64) */
	int swap;		  /* a non-present, non-zero entry other than protnone */
	unsigned swap_type;   /* its swap type (the kernel's own entries from MAX_SWAPFILES up) */
	uint64_t swap_offset; /* its offset; a migration entry's holds the pfn in its low bits */
	uint64_t swap_pfn;    /* that pfn (the offset's low MAX_PHYSMEM_BITS - 12 bits) */
};

/**
 * vh_mmu_pte_decode() - decode a level-1 (PTE) entry of @mmu's format.
 * @mmu: the regime.
 * @entry: the entry as read.
 * @pi: receives what it says (all zero for a present entry without the
 *      special bit, or for a zero entry).
 */
VH_EXPORT void vh_mmu_pte_decode(const struct vh_mmu *mmu, uint64_t entry, struct vh_pte_info *pi);

/* x86-64 page-table entry bits. */
#define VH_X86_PTE_PRESENT (1ull << 0)
#define VH_X86_PTE_RW	   (1ull << 1)
#define VH_X86_PTE_USER	   (1ull << 2)
#define VH_X86_PTE_PSE	   (1ull << 7) /* huge page at PUD (1 GiB) or PMD (2 MiB) level */
#define VH_X86_PTE_NX	   (1ull << 63)
/* Physical address bits of an entry (bits 12..51). */
#define VH_X86_PTE_ADDR_MASK 0x000ffffffffff000ull

/* The result of one translation. */
struct vh_translation {
	uint64_t paddr;	    /* physical address of the byte at vaddr */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t entry;	    /* the leaf entry (or the non-present entry met) */
	int level; /* level of that entry: 1 = PTE, 2 = PMD, 3 = PUD, 4 = P4D/PGD, 5 = PGD */
	/* Effective permissions along the walk: writable only if every level allows it, etc. */
	int writable;
	int user;
	int executable;
};

/**
 * vh_x86_64_translate() - translate one virtual address.
 * @d: the dump holding the page tables.
 * @root: physical address of the top-level table (low 12 bits ignored).
 * @levels: 4 or 5.
 * @vaddr: the virtual address.
 * @t: receives the translation; on VH_ERR_NOT_MAPPED, t->entry and t->level
 *     describe the non-present entry (a non-zero entry at level 1 is a swap or
 *     migration entry).
 *
 * Return: VH_OK; VH_ERR_NOT_MAPPED when an entry is not present or @vaddr is
 * not canonical; VH_ERR_INVAL for bad @levels; or the dump's read error for a
 * table page it does not hold.
 */
VH_EXPORT int vh_x86_64_translate(struct vh_dump *d, uint64_t root, int levels, uint64_t vaddr,
				  struct vh_translation *t);

/**
 * vh_translate() - translate one virtual address through tables of @mmu's
 * format; vh_x86_64_translate() for any architecture.
 * @d: the dump holding the page tables.
 * @mmu: the regime (vh_mmu_x86_64(), vh_mmu_arm64(), or a kernel map's).
 * @root: physical address of the top-level table: on arm64 a process's pgd
 *        (TTBR0) for user addresses, swapper_pg_dir (TTBR1) for kernel ones.
 * @vaddr: the virtual address.
 * @t: receives the translation, as for vh_x86_64_translate(). Levels are
 *     numbered from the leaf up on every architecture (1 = PTE, 2 = PMD,
 *     3 = PUD, ...: arm64's level 3 is level 1 here); writable, user and
 *     executable are what the entries grant user code (user set) or the
 *     kernel (user clear). On arm64 a clean writable page (read-only with
 *     the dirty-bit-modifier bit, which the MMU may clear) counts as writable.
 *
 * Return: VH_OK; VH_ERR_NOT_MAPPED when an entry is not valid or @vaddr is
 * outside both halves; VH_ERR_INVAL for a bad @mmu; or the dump's read error.
 */
VH_EXPORT int vh_translate(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root,
			   uint64_t vaddr, struct vh_translation *t);

/* One present leaf mapping found by vh_x86_64_walk(). */
struct vh_mapping {
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t page_size;
	uint64_t entry;
	int level;
	int writable, user, executable;
};

/*
 * Called for each present leaf mapping, in address order; also (with
 * present == 0) for each non-present but non-zero PTE (swap entry). Return
 * non-zero to stop the walk.
 */
typedef int (*vh_mapping_fn)(const struct vh_mapping *m, int present, void *arg);

/* Totals of a walk, for reporting what could not be read. */
struct vh_walk_stats {
	uint64_t tables;	   /* table pages read */
	uint64_t unreadable;	   /* table pages the dump does not hold (or outside RAM) */
	uint64_t first_unreadable; /* physical address of the first of them */
	int first_unreadable_err;  /* its read error (VH_ERR_EXCLUDED, VH_ERR_NOT_PRESENT...) */
	uint64_t revisited;	   /* entries leading to a table page already walked */
	uint64_t first_revisited;  /* physical address of the first such table */
	int truncated;		   /* the walk hit its table-page cap */
};

/**
 * vh_x86_64_walk() - visit every mapping in [start, end).
 * @d: the dump.
 * @root: physical address of the top-level table.
 * @levels: 4 or 5.
 * @start: first virtual address (rounded down to a page).
 * @end: end of the range (exclusive; 0 means the end of the address space).
 * @fn: called per mapping.
 * @arg: passed to @fn.
 * @stats: receives totals (may be NULL).
 *
 * Tables the dump does not hold are counted and skipped: one unreadable table
 * never hides the rest. Each table page is walked once: an entry leading to a
 * table already walked (a cycle, or a table shared by two entries) is counted
 * in stats->revisited and not followed. The walk reads at most 2^18 table
 * pages; stats->truncated says when it stopped there.
 *
 * Return: VH_OK (also when tables were skipped), VH_ERR_INVAL for bad
 * arguments, VH_ERR_NOMEM, or the first non-zero value @fn returned.
 */
VH_EXPORT int vh_x86_64_walk(struct vh_dump *d, uint64_t root, int levels, uint64_t start,
			     uint64_t end, vh_mapping_fn fn, void *arg,
			     struct vh_walk_stats *stats);

/**
 * vh_walk() - vh_x86_64_walk() for tables of @mmu's format.
 * @d: the dump.
 * @mmu: the regime.
 * @root: physical address of the top-level table.
 * @start: first virtual address (rounded down to a page); on arm64 the range
 *         must lie in one half (the user half for a process's pgd, the
 *         kernel half for swapper_pg_dir).
 * @end: end of the range (exclusive; 0 means the end of the address space).
 * @fn: called per mapping.
 * @arg: passed to @fn.
 * @stats: receives totals (may be NULL).
 *
 * Return: as vh_x86_64_walk().
 */
VH_EXPORT int vh_walk(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t start,
		      uint64_t end, vh_mapping_fn fn, void *arg, struct vh_walk_stats *stats);

/* Where the kernel is in a dump: what every kernel-virtual read needs. */
struct vh_kernel_map {
	uint64_t pgd;		 /* physical address of the kernel's top-level page table */
	struct vh_mmu mmu;	 /* the translation regime (architecture, levels) */
	uint64_t kaslr_offset;	 /* virtual: where _text is minus where vmlinux says it is */
	uint64_t phys_base;	 /* x86-64, physical: image vaddr - __START_KERNEL_map + phys_base;
				    arm64: PHYS_OFFSET, the start of RAM */
	uint64_t kimage_voffset; /* arm64: kernel-image vaddr - its paddr; 0 on x86-64 */
	uint64_t linear_base;	 /* arm64: the linear map's address of physical 0,
				    PAGE_OFFSET - PHYS_OFFSET; 0 on x86-64 (page_offset_base) */
	uint64_t text;		 /* where _text is (virtual); 0 when not found (arm64) */
	/* The region the kernel image lies in, [image_start, image_end): x86-64 the 1 GiB
	   from __START_KERNEL_map, arm64 the 1 GiB from _text (0, 0 when not found) */
	uint64_t image_start, image_end;
	const char *method;  /* how it was found (see vh_kernel_map_find()) */
	char pgd_source[48]; /* what gave pgd ("SYMBOL(init_top_pgt)", "CR3 of cpu 0", ...) */
};

/* The start of the kernel image mapping on x86-64 (__START_KERNEL_map). */
#define VH_X86_START_KERNEL_MAP 0xffffffff80000000ull
/* Where _text is linked in a kernel without KASLR (CONFIG_PHYSICAL_START 16 MiB). */
#define VH_X86_DEFAULT_TEXT 0xffffffff81000000ull

/**
 * vh_kernel_map_find() - locate the kernel in a dump, without symbols.
 * @d: the dump.
 * @km: receives the kernel map.
 *
 * Tries, in order, and records the first that works in km->method:
 *  - "vmcoreinfo": the dump's VMCOREINFO note (KERNELOFFSET, NUMBER(phys_base),
 *    SYMBOL(init_top_pgt) or SYMBOL(swapper_pg_dir), NUMBER(pgtable_l5_enabled));
 *  - "vmcoreinfo-in-memory": the same text found in the dump's physical memory
 *    (the kernel keeps it in a page of its own even when no note was written);
 *  - "cr3": a CPU's CR3 from the dump's CPU state and CR4.LA57, with _text
 *    found as the first page mapped in the kernel image region.
 * Each candidate is checked by translating the kernel image's first page.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT with a message listing what was tried.
 */
VH_EXPORT int vh_kernel_map_find(struct vh_dump *d, struct vh_kernel_map *km);

/**
 * vh_kernel_half_start() - the lowest kernel address for @km's paging levels.
 *
 * The kernel owns the upper half of the canonical address space: from
 * 0xffff800000000000 with 4-level paging, from 0xff00000000000000 with 5.
 * A pointer below it is not a kernel pointer.
 */
VH_EXPORT uint64_t vh_kernel_half_start(const struct vh_kernel_map *km);

/**
 * vh_kernel_in_image() - whether @addr lies in @km's kernel-image region,
 * [image_start, image_end): addresses there move with KASLR (kaslr_offset).
 */
VH_EXPORT bool vh_kernel_in_image(const struct vh_kernel_map *km, uint64_t addr);

/**
 * vh_kernel_read() - read kernel-virtual memory through the kernel page tables.
 * @d: the dump.
 * @km: the kernel map.
 * @vaddr: kernel virtual address.
 * @buf: receives @len bytes.
 * @len: bytes to read; may cross pages.
 *
 * Return: VH_OK, VH_ERR_NOT_MAPPED, or the dump's read error.
 */
VH_EXPORT int vh_kernel_read(struct vh_dump *d, const struct vh_kernel_map *km, uint64_t vaddr,
			     void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
