/* SPDX-License-Identifier: MIT */
/*
 * Small files whose headers declare huge memory: for every format, a few KiB
 * that claim terabytes (zero tails, all-dumped bitmaps, huge ranges), some
 * with a kernel that can be located, whose symbols must be searched. Shared
 * by the bounded-work test and the fuzz seed corpora.
 */
#ifndef VH_TEST_CRAFTED_H
#define VH_TEST_CRAFTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vh_crafted {
	const char *name;    /* file name, e.g. "elf-vmci-hugetail" */
	const char *summary; /* what its header claims */
	uint64_t raw_base;   /* non-zero: open as a raw image with this base */
	uint64_t stored;     /* pages the file stores (an upper bound) */
	/*
	 * The kernel can be located: its page tables (stored) map the 1 GiB
	 * kernel image region with 2 MiB pages, over memory the file declares
	 * but stores only the tables of. VMCOREINFO names no kallsyms tables,
	 * so loading symbols from the dump searches that region for them.
	 */
	bool kernel;
};

/* The crafted files, in a fixed order; *n receives their number. */
const struct vh_crafted *vh_crafted_list(size_t *n);

/* Builds file @i of the list into a malloc'ed buffer. Returns 0 or -1. */
int vh_crafted_build(size_t i, uint8_t **buf, size_t *len);

#endif
