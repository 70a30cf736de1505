/* SPDX-License-Identifier: MIT */
#ifndef VH_ARCH_KREAD_H
#define VH_ARCH_KREAD_H

#include <stddef.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* Translations remembered (4 KiB pages of kernel virtual memory). */
#define VH_KREAD_TLB 256

/*
 * Kernel-virtual reads for the walkers. Task lists and VMA trees read a few
 * bytes at a time from the same pages over and over; remembering each page's
 * translation saves a page-table walk per read.
 */
struct vh_kread {
	struct vh_dump *d;
	const struct vh_kernel_map *km;
	struct {
		uint64_t vpage; /* virtual address >> 12, plus one (0 = empty) */
		uint64_t ppage; /* physical address of that 4 KiB page */
	} tlb[VH_KREAD_TLB];
};

void vh_kread_init(struct vh_kread *r, struct vh_dump *d, const struct vh_kernel_map *km);
/* Reads @len bytes at @vaddr; the translation's or the dump's error code. */
int vh_kread(struct vh_kread *r, uint64_t vaddr, void *buf, size_t len);

#endif
