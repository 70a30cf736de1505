/* SPDX-License-Identifier: MIT */
/* The struct page array: see kernel/pages.h. */
#include "kernel/pages.h"

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
	if (!vh_present(&p->sym.vmemmap_base)) {
		*why = "no vmemmap_base symbol in the profile";
		return VH_ERR_NOT_PRESENT;
	}
	if (!p->page.type.size) {
		*why = "no struct page size in the profile";
		return VH_ERR_NOT_PRESENT;
	}
	err = vh_kernel_read(d, km, p->sym.vmemmap_base.addr + km->kaslr_offset, &out->base,
			     sizeof(out->base));
	if (err) {
		*why = "vmemmap_base unreadable";
		return err;
	}
	out->page_size = p->page.type.size;
	return VH_OK;
}
