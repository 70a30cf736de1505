/* SPDX-License-Identifier: MIT */
#include "arch/kread.h"

#include <string.h>

void vh_kread_init(struct vh_kread *r, struct vh_dump *d, const struct vh_kernel_map *km)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->km = km;
}

int vh_kread(struct vh_kread *r, uint64_t vaddr, void *buf, size_t len)
{
	unsigned char *dst = buf;

	while (len) {
		uint64_t vpage = vaddr >> 12;
		size_t slot = (size_t)(vpage % VH_KREAD_TLB);
		size_t in_page = 4096 - (size_t)(vaddr & 0xfff);
		size_t n = len < in_page ? len : in_page;
		int err;

		if (r->tlb[slot].vpage != vpage + 1) {
			struct vh_translation t;

			err = vh_x86_64_translate(r->d, r->km->pgd, r->km->levels, vaddr, &t);
			if (err)
				return err;
			r->tlb[slot].vpage = vpage + 1;
			r->tlb[slot].ppage = t.paddr & ~0xfffull;
		}
		err = vh_dump_read_phys(r->d, r->tlb[slot].ppage + (vaddr & 0xfff), dst, n);
		if (err)
			return err;
		dst += n;
		vaddr += n;
		len -= n;
	}
	return VH_OK;
}
