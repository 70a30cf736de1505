/* SPDX-License-Identifier: MIT */
/* The struct page array and the linear map: see kernel/pages.h. */
#include "kernel/pages.h"

#include "arch/kmap.h"

#include <string.h>

/* SECTION_HAS_MEM_MAP (include/linux/mmzone.h); the flags sit below bit 12 */
#define SECTION_HAS_MEM_MAP (1ull << 1)
#define SECTION_FLAGS	    0xfffull
/* Sections looked at before giving up (128 MiB each: 128 TiB of physical space) */
#define MAX_SECTIONS (1u << 20)

/* A VMCOREINFO value: SYMBOL()s are hex without a prefix, the others decimal (or 0x hex). */
static bool vmci_num(struct vh_dump *d, const char *key, uint64_t *v)
{
	return vh_vmci_u64(vh_dump_vmcoreinfo_get(d, key), strncmp(key, "SYMBOL(", 7) ? 0 : 16, v);
}

/*
 * vmemmap from the sections: with SPARSEMEM_VMEMMAP each present section's
 * section_mem_map holds the struct page of pfn 0 (its mem_map less its first
 * pfn: sparse_encode_mem_map()) with flags in its low bits. VMCOREINFO gives
 * the root array (SYMBOL(mem_section): the pointer's value under
 * SPARSEMEM_EXTREME), its length, and the size of struct mem_section.
 */
static int from_sections(struct vh_dump *d, const struct vh_kernel_map *km, uint64_t *base,
			 const char **why)
{
	uint64_t roots, nroots, size, off = 0, seen = 0;
	uint32_t ps = vh_dump_page_size(d);

	if (!vmci_num(d, "SYMBOL(mem_section)", &roots) ||
	    !vmci_num(d, "LENGTH(mem_section)", &nroots) ||
	    !vmci_num(d, "SIZE(mem_section)", &size) || size < 8 || size > ps) {
		*why = "neither vmemmap_base nor the sections in VMCOREINFO (mem_section)";
		return VH_ERR_NOT_PRESENT;
	}
	vmci_num(d, "OFFSET(mem_section.section_mem_map)", &off);
	for (uint64_t i = 0; i < nroots && seen < MAX_SECTIONS; i++) {
		uint64_t root;

		if (vh_kernel_read(d, km, roots + 8 * i, &root, 8) || !root)
			continue;
		for (uint64_t j = 0; j < ps / size && seen < MAX_SECTIONS; j++, seen++) {
			uint64_t smm;

			if (vh_kernel_read(d, km, root + j * size + off, &smm, 8))
				break;
			if ((smm & SECTION_HAS_MEM_MAP) &&
			    (smm & ~SECTION_FLAGS) >= vh_kernel_half_start(km)) {
				*base = smm & ~SECTION_FLAGS;
				return VH_OK;
			}
		}
	}
	*why = "no section with a struct page array in mem_section";
	return VH_ERR_NOT_PRESENT;
}

int vh_vmemmap_find(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		    struct vh_vmemmap *out, const char **why)
{
	int err;

	*why = NULL;
	out->base = 0;
	out->page_size = 0;
	if (!p || !km) {
		*why = "no kernel profile";
		return VH_ERR_NOT_PRESENT;
	}
	if (!p->page.type.size) {
		*why = "no struct page size in the profile";
		return VH_ERR_NOT_PRESENT;
	}
	if (vh_present(&p->sym.vmemmap_base)) {
		err = vh_kernel_read(d, km, p->sym.vmemmap_base.addr + km->kaslr_offset, &out->base,
				     sizeof(out->base));
		if (err) {
			*why = "vmemmap_base unreadable";
			return err;
		}
	} else {
		err = from_sections(d, km, &out->base, why);
		if (err)
			return err;
	}
	out->page_size = p->page.type.size;
	return VH_OK;
}

int vh_linear_base(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		   uint64_t *base, const char **why)
{
	*why = NULL;
	if (p && vh_present(&p->sym.page_offset_base)) {
		if (vh_kernel_read(d, km, p->sym.page_offset_base.addr + km->kaslr_offset, base,
				   8)) {
			*why = "page_offset_base unreadable";
			return VH_ERR_NOT_PRESENT;
		}
		return VH_OK;
	}
	if (km->linear_base) {
		*base = km->linear_base;
		return VH_OK;
	}
	*why = "no page_offset_base symbol, and the kernel map gives no linear map";
	return VH_ERR_NOT_PRESENT;
}
