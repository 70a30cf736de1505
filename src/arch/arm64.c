/* SPDX-License-Identifier: MIT */
/*
 * arm64 stage-1 translation tables, 4 KiB granule, for pagewalk.c: 39-bit
 * (3 levels), 48-bit (4) and 52-bit (5, FEAT_LPA2) virtual addresses. The
 * lower half is a process's (TTBR0), the upper half the kernel's (TTBR1).
 */
#include <vmahunt/vmahunt.h>

#include <string.h>

#include "arch/pt_format.h"
#include "util/error.h"

#define DESC_VALID    (1ull << 0)
#define DESC_TABLE    (1ull << 1) /* levels 0-2: table (set) or block (clear); level 3: page */
#define DESC_AP_USER  (1ull << 6) /* AP[1]: EL0 may read (and write, unless AP[2]) */
#define DESC_AP_RO    (1ull << 7) /* AP[2]: read-only */
#define DESC_NG	      (1ull << 11)
#define DESC_DBM      (1ull << 51) /* dirty-bit modifier: Linux's PTE_WRITE */
#define DESC_PXN      (1ull << 53)
#define DESC_UXN      (1ull << 54)
#define DESC_SPECIAL  (1ull << 56) /* Linux: PTE_SPECIAL */
#define DESC_PROTNONE (1ull << 58) /* Linux before 6.10: PTE_PROT_NONE (valid clear) */
#define TBL_PXN	      (1ull << 59) /* PXNTable */
#define TBL_UXN	      (1ull << 60) /* UXNTable */
#define TBL_NO_EL0    (1ull << 61) /* APTable[0]: no EL0 access below */
#define TBL_RO	      (1ull << 62) /* APTable[1]: no write below */

/* Output address bits 47:12; with LPA2 bits 49:12, and 51:50 in descriptor bits 9:8. */
#define OA_MASK_48 0x0000fffffffff000ull
#define OA_MASK_50 0x0003fffffffff000ull

int vh_mmu_arm64(struct vh_mmu *mmu, int va_bits)
{
	memset(mmu, 0, sizeof(*mmu));
	if (va_bits != 39 && va_bits != 48 && va_bits != 52)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "arm64: %d-bit virtual addresses are not supported (a 4 KiB "
				    "granule with 39, 48 or 52 bits is)",
				    va_bits);
	mmu->arch = VH_ARCH_ARM64;
	mmu->va_bits = va_bits;
	mmu->levels = va_bits == 39 ? 3 : va_bits == 48 ? 4 : 5;
	mmu->lpa2 = va_bits == 52;
	return VH_OK;
}

static uint64_t output_address(const struct vh_mmu *mmu, uint64_t e)
{
	if (mmu->lpa2)
		return (e & OA_MASK_50) | ((e >> 8) & 3ull) << 50;
	return e & OA_MASK_48;
}

static void arm64_decode(const struct vh_mmu *mmu, uint64_t e, int level, struct pt_desc *pd)
{
	pd->addr = output_address(mmu, e);
	pd->write = pd->user = pd->uexec = pd->kexec = 1;
	if (!(e & DESC_VALID)) {
		pd->kind = PT_INVALID;
	} else if (level > 1 && (e & DESC_TABLE)) {
		/* A table descriptor: its hierarchical controls limit every entry below. */
		pd->kind = PT_TABLE;
		pd->write = !(e & TBL_RO);
		pd->user = !(e & TBL_NO_EL0);
		pd->uexec = !(e & TBL_UXN);
		pd->kexec = !(e & TBL_PXN);
		return;
	} else if (level == 1 ? (e & DESC_TABLE) : (level == 2 || level == 3)) {
		/* A page (level 3), or a 2 MiB / 1 GiB block; 0b01 at level 3 is reserved. */
		pd->kind = PT_LEAF;
	} else {
		pd->kind = PT_INVALID;
	}
	/* A clean writable page is read-only with DBM set: the MMU (or a fault) makes it dirty. */
	pd->write = !(e & DESC_AP_RO) || (e & DESC_DBM);
	pd->user = !!(e & DESC_AP_USER);
	pd->uexec = !(e & DESC_UXN);
	pd->kexec = !(e & DESC_PXN);
}

static int arm64_check_vaddr(const struct vh_mmu *mmu, uint64_t vaddr, int *upper)
{
	uint64_t top = vaddr >> mmu->va_bits;

	*upper = top != 0;
	if (top == 0 || top == (~0ull >> mmu->va_bits))
		return VH_OK;
	return vh_set_error(VH_ERR_NOT_MAPPED,
			    "virtual address 0x%llx is in neither half of a %d-bit address space",
			    (unsigned long long)vaddr, mmu->va_bits);
}

static uint64_t arm64_extend(const struct vh_mmu *mmu, uint64_t va, int upper)
{
	uint64_t low = va & ((1ull << mmu->va_bits) - 1);

	return upper ? low | (~0ull << mmu->va_bits) : low;
}

/*
 * Linux's software use of an invalid PTE (arch/arm64/include/asm/pgtable.h),
 * which changed in 6.10 (mmu->pte_layout 1):
 *  - before: PROT_NONE is PTE_PROT_NONE (bit 58); a swap entry has its type
 *    in bits 3-7 and its offset in bits 8-57;
 *  - since: PROT_NONE is PTE_PRESENT_INVALID (nG, bit 11); type in bits
 *    6-10, offset in bits 12-61.
 * A migration entry's offset holds the pfn in its low MAX_PHYSMEM_BITS - 12
 * bits; 36 (48-bit physical addresses) keeps the flags above it out on both.
 */
static void arm64_pte_decode(const struct vh_mmu *mmu, uint64_t e, struct vh_pte_info *pi)
{
	int since_6_10 = mmu->pte_layout == 1;

	if (e & DESC_VALID) {
		pi->special = !!(e & DESC_SPECIAL);
		return;
	}
	if (e & (since_6_10 ? DESC_NG : DESC_PROTNONE)) {
		pi->protnone = 1;
		pi->special = !!(e & DESC_SPECIAL);
		pi->protnone_pfn[0] = pi->protnone_pfn[1] = output_address(mmu, e) >> 12;
		return;
	}
	pi->swap = 1;
	pi->swap_type = (unsigned)(e >> (since_6_10 ? 6 : 3)) & 31u;
	pi->swap_offset = (e >> (since_6_10 ? 12 : 8)) & ((1ull << 50) - 1);
	pi->swap_pfn = pi->swap_offset & ((1ull << 36) - 1);
}

const struct pt_format vh_pt_arm64 = {
    .decode = arm64_decode,
    .check_vaddr = arm64_check_vaddr,
    .root_mask = 0x000fffffffffffc0ull,
    .extend = arm64_extend,
    .split_exec = 1,
    .pte_decode = arm64_pte_decode,
};
