/* SPDX-License-Identifier: MIT */
/* Locating an x86-64 kernel: init_top_pgt, KASLR offset, phys_base. */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <string.h>

#include "arch/kmap.h"

#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_LA57 (1ull << 12)

/*
 * True when _text translates through @km's tables to where phys_base says it
 * is, and nothing is mapped in the 2 MiB below it: cleanup_highmap() unmaps
 * the kernel image region below _text, so an offset that is wrong by a few
 * pages of the (linearly mapped) image is still caught.
 */
static bool verify(struct vh_dump *d, const struct vh_kernel_map *km)
{
	uint64_t text = VH_X86_DEFAULT_TEXT + km->kaslr_offset;
	struct vh_translation t;

	if (vh_x86_64_translate(d, km->pgd, km->mmu.levels, text, &t) != VH_OK ||
	    t.paddr != text - VH_X86_START_KERNEL_MAP + km->phys_base)
		return false;
	return text - (2u << 20) < VH_X86_START_KERNEL_MAP ||
	       vh_x86_64_translate(d, km->pgd, km->mmu.levels, text - (2u << 20), &t) ==
		   VH_ERR_NOT_MAPPED;
}

/* Fills @km from VMCOREINFO text; checks it against the page tables. */
bool vh_kmap_x86_64_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km)
{
	static const char *const pgd_syms[] = {"SYMBOL(init_top_pgt)", "SYMBOL(swapper_pg_dir)"};
	char buf[64];
	uint64_t l5 = 0, pgd_va = 0;

	memset(km, 0, sizeof(*km));
	/* The kernel prints KERNELOFFSET with %lx, NUMBER() with %ld, SYMBOL() with %lx. */
	if (!vh_vmci_u64(vh_vmci_value(text, "KERNELOFFSET", buf, sizeof(buf)), 16,
			 &km->kaslr_offset))
		km->kaslr_offset = 0;
	if (!vh_vmci_u64(vh_vmci_value(text, "NUMBER(phys_base)", buf, sizeof(buf)), 10,
			 &km->phys_base))
		return false;
	vh_vmci_u64(vh_vmci_value(text, "NUMBER(pgtable_l5_enabled)", buf, sizeof(buf)), 10, &l5);
	vh_mmu_x86_64(&km->mmu, l5 ? 5 : 4);
	for (size_t i = 0; i < sizeof(pgd_syms) / sizeof(pgd_syms[0]); i++) {
		if (vh_vmci_u64(vh_vmci_value(text, pgd_syms[i], buf, sizeof(buf)), 16, &pgd_va) &&
		    pgd_va >= VH_X86_START_KERNEL_MAP) {
			km->pgd = pgd_va - VH_X86_START_KERNEL_MAP + km->phys_base;
			snprintf(km->pgd_source, sizeof(km->pgd_source), "%s", pgd_syms[i]);
			return verify(d, km);
		}
	}
	return false;
}

/* _text is the first page mapped in the kernel image region (cleanup_highmap() clears the rest). */
static bool from_root(struct vh_dump *d, uint64_t root, int levels, struct vh_kernel_map *km)
{
	struct vh_mapping first = {0};

	struct vh_mmu mmu;

	if (vh_mmu_x86_64(&mmu, levels) ||
	    !vh_kmap_first_mapping(d, &mmu, root, VH_X86_START_KERNEL_MAP,
				   VH_X86_START_KERNEL_MAP + (1ull << 30), &first))
		return false;
	km->pgd = root;
	vh_mmu_x86_64(&km->mmu, levels);
	km->kaslr_offset = first.vaddr - VH_X86_DEFAULT_TEXT;
	km->phys_base = first.paddr - (first.vaddr - VH_X86_START_KERNEL_MAP);
	return verify(d, km);
}

bool vh_kmap_x86_64_cpu(struct vh_dump *d, struct vh_kernel_map *km)
{
	for (size_t i = 0; i < vh_dump_ncpus(d); i++) {
		const struct vh_cpu_regs *c = vh_dump_cpu(d, i);
		int levels = (c->cr[4] & X86_CR4_LA57) ? 5 : 4;
		uint64_t root = c->cr[3] & VH_X86_PTE_ADDR_MASK;

		if (!c->have_cr || !(c->cr[0] & X86_CR0_PG))
			continue;
		memset(km, 0, sizeof(*km));
		/*
		 * With page-table isolation a CPU in user mode runs on the user copy
		 * of the pgd, one page above the kernel's (PTI_USER_PGTABLE_BIT).
		 */
		if (from_root(d, root, levels, km) ||
		    ((root & 0x1000) && from_root(d, root & ~0x1000ull, levels, km))) {
			snprintf(km->pgd_source, sizeof(km->pgd_source), "CR3 of cpu %zu", i);
			return true;
		}
	}
	return false;
}

void vh_kmap_x86_64_image(struct vh_kernel_map *km)
{
	km->text = VH_X86_DEFAULT_TEXT + km->kaslr_offset;
	km->image_start = VH_X86_START_KERNEL_MAP;
	km->image_end = VH_X86_START_KERNEL_MAP + (1ull << 30);
}
