/* SPDX-License-Identifier: MIT */
/* x86-64 page-table entries (4- and 5-level paging), for pagewalk.c. */
#include <vmahunt/vmahunt.h>

#include <string.h>

#include "arch/pt_format.h"
#include "util/error.h"

/* _PAGE_PROTNONE (the global bit, reused when present is clear) and _PAGE_SPECIAL */
#define X86_PTE_PROTNONE (1ull << 8)
#define X86_PTE_SPECIAL	 (1ull << 9)

int vh_mmu_x86_64(struct vh_mmu *mmu, int levels)
{
	memset(mmu, 0, sizeof(*mmu));
	if (levels != 4 && levels != 5)
		return vh_set_error(VH_ERR_INVAL, "paging levels must be 4 or 5, not %d", levels);
	mmu->arch = VH_ARCH_X86_64;
	mmu->levels = levels;
	mmu->va_bits = levels == 5 ? 57 : 48;
	return VH_OK;
}

static void x86_decode(const struct vh_mmu *mmu, uint64_t e, int level, struct pt_desc *pd)
{
	(void)mmu;
	pd->write = !!(e & VH_X86_PTE_RW);
	pd->user = !!(e & VH_X86_PTE_USER);
	pd->uexec = pd->kexec = !(e & VH_X86_PTE_NX);
	pd->addr = e & VH_X86_PTE_ADDR_MASK;
	if (!(e & VH_X86_PTE_PRESENT))
		pd->kind = PT_INVALID;
	/* PSE means a huge page at PUD and PMD level only; at PTE level bit 7 is PAT. */
	else if (level == 1 || ((level == 2 || level == 3) && (e & VH_X86_PTE_PSE)))
		pd->kind = PT_LEAF;
	else
		pd->kind = PT_TABLE;
}

/* Sign-extends from bit 47 (4-level) or 56 (5-level): the canonical form. */
static uint64_t x86_extend(const struct vh_mmu *mmu, uint64_t va, int upper)
{
	int top = mmu->va_bits - 1;

	(void)upper;
	return (uint64_t)((int64_t)(va << (63 - top)) >> (63 - top));
}

static int x86_check_vaddr(const struct vh_mmu *mmu, uint64_t vaddr, int *upper)
{
	*upper = vaddr >> 63;
	if (x86_extend(mmu, vaddr, *upper) != vaddr)
		return vh_set_error(VH_ERR_NOT_MAPPED,
				    "virtual address 0x%llx is not canonical for %d-level paging",
				    (unsigned long long)vaddr, mmu->levels);
	return VH_OK;
}

/*
 * arch/x86/include/asm/pgtable_64.h: a swap entry holds its type in the top 5
 * bits and its offset inverted in bits 9-58 (the L1TF mitigation); a
 * migration entry's offset holds the pfn in its low MAX_PHYSMEM_BITS - 12
 * bits (46 or 52 physical bits), flags above. A PROT_NONE entry keeps
 * _PAGE_PROTNONE with present clear, its pfn inverted since 4.19.
 */
static void x86_pte_decode(const struct vh_mmu *mmu, uint64_t e, struct vh_pte_info *pi)
{
	unsigned pfn_bits = (mmu->levels == 5 ? 52 : 46) - 12;

	if (e & VH_X86_PTE_PRESENT) {
		pi->special = !!(e & X86_PTE_SPECIAL);
		return;
	}
	if (e & X86_PTE_PROTNONE) {
		pi->protnone = 1;
		pi->special = !!(e & X86_PTE_SPECIAL);
		pi->protnone_pfn[0] = (e & VH_X86_PTE_ADDR_MASK) >> 12;
		pi->protnone_pfn[1] = ((~e) & VH_X86_PTE_ADDR_MASK) >> 12;
		return;
	}
	pi->swap = 1;
	pi->swap_type = (unsigned)(e >> 59);
	pi->swap_offset = (~e << 5) >> 14;
	pi->swap_pfn = pi->swap_offset & ((1ull << pfn_bits) - 1);
}

const struct pt_format vh_pt_x86_64 = {
    .decode = x86_decode,
    .check_vaddr = x86_check_vaddr,
    .root_mask = 0x000ffffffffff000ull,
    .extend = x86_extend,
    .pte_decode = x86_pte_decode,
};

int vh_x86_64_translate(struct vh_dump *d, uint64_t root, int levels, uint64_t vaddr,
			struct vh_translation *t)
{
	struct vh_mmu mmu;
	int err = vh_mmu_x86_64(&mmu, levels);

	return err ? err : vh_translate(d, &mmu, root, vaddr, t);
}

int vh_x86_64_walk(struct vh_dump *d, uint64_t root, int levels, uint64_t start, uint64_t end,
		   vh_mapping_fn fn, void *arg, struct vh_walk_stats *stats)
{
	struct vh_mmu mmu;
	int err = vh_mmu_x86_64(&mmu, levels);

	return err ? err : vh_walk(d, &mmu, root, start, end, fn, arg, stats);
}
