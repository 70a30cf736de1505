/* SPDX-License-Identifier: MIT */
/*
 * The struct page array (vmemmap): the struct page of a page frame, and the
 * page frame of a struct page pointer (what the page cache holds); the
 * linear map of physical memory.
 */
#ifndef VH_KERNEL_PAGES_H
#define VH_KERNEL_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* Where the struct pages are. */
struct vh_vmemmap {
	uint64_t base;	    /* the value of vmemmap_base: the struct page of pfn 0 */
	uint32_t page_size; /* sizeof(struct page) */
};

/**
 * vh_vmemmap_find() - where the struct page array is, and sizeof(struct page).
 * @d: the dump.
 * @km: where the kernel is.
 * @p: the profile (symbol vmemmap_base, struct page's size).
 * @out: receives the array's place.
 * @why: receives, on failure, a short reason ("no struct page size in the profile").
 *
 * x86-64 keeps the array's place in vmemmap_base; elsewhere (arm64) it is a
 * constant of the build, read back from any present memory section
 * (VMCOREINFO's mem_section).
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT (neither is there) or the read's error.
 */
int vh_vmemmap_find(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		    struct vh_vmemmap *out, const char **why);

/**
 * vh_linear_base() - the virtual address the linear map gives physical 0:
 * x86-64's page_offset_base, arm64's PAGE_OFFSET - PHYS_OFFSET (the kernel
 * map's linear_base). @why receives a reason on failure.
 *
 * Return: VH_OK or VH_ERR_NOT_PRESENT.
 */
int vh_linear_base(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		   uint64_t *base, const char **why);

/* The address of the struct page of @pfn. */
static inline uint64_t vh_vmemmap_page(const struct vh_vmemmap *vm, uint64_t pfn)
{
	return vm->base + pfn * vm->page_size;
}

/*
 * The pfn of the struct page at @page: false when @page is below the array,
 * not on a struct page boundary, or past @max_pfn (a pointer that is no
 * struct page).
 */
static inline bool vh_vmemmap_pfn(const struct vh_vmemmap *vm, uint64_t page, uint64_t max_pfn,
				  uint64_t *pfn)
{
	uint64_t off = page - vm->base;

	if (page < vm->base || !vm->page_size || off % vm->page_size)
		return false;
	*pfn = off / vm->page_size;
	return *pfn < max_pfn;
}

#endif
