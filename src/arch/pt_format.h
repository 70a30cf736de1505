/* SPDX-License-Identifier: MIT */
/*
 * The architecture interface of the page-table walker: each architecture
 * decodes its own entries; pagewalk.c walks any of them the same way.
 */
#ifndef VH_ARCH_PT_FORMAT_H
#define VH_ARCH_PT_FORMAT_H

#include <stdint.h>

#include <vmahunt/arch.h>

enum pt_kind {
	PT_INVALID, /* not valid to the MMU (a non-zero one at level 1 may be a swap entry) */
	PT_TABLE,   /* points at the next level's table */
	PT_LEAF,    /* maps a page or a block */
};

/* One entry, decoded. */
struct pt_desc {
	enum pt_kind kind;
	uint64_t addr; /* physical address of the next table, or of the leaf (size-aligned) */
	/* What the entry allows; a walk ANDs them level by level. */
	int write, user, uexec, kexec;
};

struct pt_format {
	/* Decodes entry @e of a level-@level table (1 = PTE). */
	void (*decode)(const struct vh_mmu *mmu, uint64_t e, int level, struct pt_desc *out);
	/*
	 * Whether @vaddr is an address of @mmu's space; *upper receives whether
	 * it is in the upper (kernel) half. Sets the error message when not.
	 */
	int (*check_vaddr)(const struct vh_mmu *mmu, uint64_t vaddr, int *upper);
	/* The full virtual address of table-index bits @va in the half @upper. */
	uint64_t (*extend)(const struct vh_mmu *mmu, uint64_t va, int upper);
	/*
	 * The bits of a root that address its table: x86-64's CR3 keeps flags
	 * (PCID) below 4 KiB; an arm64 pgd of 16 entries (52-bit) is a 128-byte
	 * object of its own, not a page.
	 */
	uint64_t root_mask;
	/* Execute permission depends on the half (arm64: UXN below, PXN above). */
	int split_exec;
	/* Decodes a level-1 entry's software meaning (swap, PROT_NONE, special). */
	void (*pte_decode)(const struct vh_mmu *mmu, uint64_t e, struct vh_pte_info *pi);
};

extern const struct pt_format vh_pt_x86_64;
extern const struct pt_format vh_pt_arm64;

/* The format of @mmu, or NULL (error message set) when @mmu is not one vmahunt reads. */
const struct pt_format *vh_pt_format(const struct vh_mmu *mmu);

#endif
