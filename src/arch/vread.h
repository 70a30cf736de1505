/* SPDX-License-Identifier: MIT */
#ifndef VH_ARCH_VREAD_H
#define VH_ARCH_VREAD_H

#include <stddef.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* Translations remembered (4 KiB pages of virtual memory). */
#define VH_VREAD_TLB 256

/*
 * The one way to read virtual memory through page tables: the kernel's (task
 * lists, VMA trees) or a process's (command lines, detector reads). Walkers
 * read a few bytes at a time from the same pages over and over; remembering
 * each page's translation saves a page-table walk per read.
 */
struct vh_vread {
	struct vh_dump *d;
	uint64_t root;	       /* physical address of the top-level table */
	struct vh_mmu mmu;     /* the translation regime */
	uint64_t kernel_start; /* vh_kernel_half_start(): pointers below are not the kernel's */
	struct {
		uint64_t vpage; /* virtual address >> 12, plus one (0 = empty) */
		uint64_t ppage; /* physical address of that 4 KiB page */
	} tlb[VH_VREAD_TLB];
};

/* Reads through the kernel's page tables. */
void vh_vread_kernel(struct vh_vread *r, struct vh_dump *d, const struct vh_kernel_map *km);

/*
 * Reads through a process's page tables at physical @root, with @km's
 * translation regime (forgets earlier translations).
 */
void vh_vread_user(struct vh_vread *r, struct vh_dump *d, const struct vh_kernel_map *km,
		   uint64_t root);

/* Reads @len bytes at @vaddr; the translation's or the dump's error code. */
int vh_vread(struct vh_vread *r, uint64_t vaddr, void *buf, size_t len);

/* The physical address of the byte at @vaddr. */
int vh_vread_translate(struct vh_vread *r, uint64_t vaddr, uint64_t *paddr);

/*
 * vh_vread() without a translation cache, for a single read where clearing a
 * cache would cost more than it saves.
 */
int vh_vread_once(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t vaddr,
		  void *buf, size_t len);

/*
 * vh_page_runs() - the runs of present user pages in [start, end), merged, in
 * address order: @fn(arg, run start, run length) per run; a non-zero return
 * stops the walk and is returned. With @root 0, @d is a process core and the
 * runs are the parts of its segments the core holds; else @root/@mmu are a
 * process's page tables, and @end is capped at the top of the user half (0:
 * the whole user half). Present means present in the page tables, whether
 * the dump holds the page or not.
 */
int vh_page_runs(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t start,
		 uint64_t end, int (*fn)(void *arg, uint64_t start, uint64_t len), void *arg);

#endif
