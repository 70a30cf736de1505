/* SPDX-License-Identifier: MIT */
#include "arch/vread.h"

#include <string.h>

#define PAGE_MASK 0xfffull

void vh_vread_user(struct vh_vread *r, struct vh_dump *d, const struct vh_kernel_map *km,
		   uint64_t root)
{
	memset(r->tlb, 0, sizeof(r->tlb));
	r->d = d;
	r->mmu = km->mmu;
	r->root = root;
	r->kernel_start = vh_kernel_half_start(km);
}

void vh_vread_kernel(struct vh_vread *r, struct vh_dump *d, const struct vh_kernel_map *km)
{
	vh_vread_user(r, d, km, km->pgd);
}

/*
 * The physical address of the 4 KiB page holding @vaddr, through @tlb when
 * there is one. A huge page is remembered 4 KiB at a time: one entry per page
 * actually read.
 */
static int page_of(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, struct vh_vread *tlb,
		   uint64_t vaddr, uint64_t *ppage)
{
	uint64_t vpage = vaddr >> 12;
	size_t slot = (size_t)(vpage % VH_VREAD_TLB);
	struct vh_translation t;
	int err;

	if (tlb && tlb->tlb[slot].vpage == vpage + 1) {
		*ppage = tlb->tlb[slot].ppage;
		return VH_OK;
	}
	err = vh_translate(d, mmu, root, vaddr, &t);
	if (err)
		return err;
	*ppage = t.paddr & ~PAGE_MASK;
	if (tlb) {
		tlb->tlb[slot].vpage = vpage + 1;
		tlb->tlb[slot].ppage = *ppage;
	}
	return VH_OK;
}

static int read_virt(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root,
		     struct vh_vread *tlb, uint64_t vaddr, void *buf, size_t len)
{
	unsigned char *dst = buf;

	while (len) {
		size_t in_page = 4096 - (size_t)(vaddr & PAGE_MASK);
		size_t n = len < in_page ? len : in_page;
		uint64_t ppage;
		int err = page_of(d, mmu, root, tlb, vaddr, &ppage);

		if (!err)
			err = vh_dump_read_phys(d, ppage + (vaddr & PAGE_MASK), dst, n);
		if (err)
			return err;
		dst += n;
		vaddr += n;
		len -= n;
	}
	return VH_OK;
}

int vh_vread(struct vh_vread *r, uint64_t vaddr, void *buf, size_t len)
{
	return read_virt(r->d, &r->mmu, r->root, r, vaddr, buf, len);
}

int vh_vread_translate(struct vh_vread *r, uint64_t vaddr, uint64_t *paddr)
{
	uint64_t ppage;
	int err = page_of(r->d, &r->mmu, r->root, r, vaddr, &ppage);

	if (!err)
		*paddr = ppage | (vaddr & PAGE_MASK);
	return err;
}

int vh_vread_once(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t vaddr,
		  void *buf, size_t len)
{
	return read_virt(d, mmu, root, NULL, vaddr, buf, len);
}
