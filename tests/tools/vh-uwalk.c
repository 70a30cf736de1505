/* SPDX-License-Identifier: MIT */
/*
 * vh-uwalk: the page-table entries a virtual address goes through, level by
 * level, from a given top-level table.
 *
 *   vh-uwalk DUMP ROOT LEVELS VADDR...
 *
 * ROOT is the physical address of the top-level table (a process's mm->pgd
 * translated with vh-kvtop), LEVELS 4 or 5. Prints, per address and level
 * walked, "VADDR LEVEL ENTRY_PADDR ENTRY" (hex but LEVEL), stopping at a leaf
 * or a non-present entry. The page-table tests use it to find the entries to
 * patch in a copy of a dump. Exit 0, or 3 when the dump cannot be opened.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <vmahunt/vmahunt.h>

static void walk(struct vh_dump *d, uint64_t table, int levels, uint64_t va)
{
	for (int level = levels; level >= 1; level--) {
		uint64_t idx = (va >> (12 + 9 * (level - 1))) & 511;
		uint64_t at = (table & VH_X86_PTE_ADDR_MASK) + idx * 8, e;

		if (vh_dump_read_phys(d, at, &e, sizeof(e))) {
			printf("0x%" PRIx64 " %d 0x%" PRIx64 " -\n", va, level, at);
			return;
		}
		printf("0x%" PRIx64 " %d 0x%" PRIx64 " 0x%" PRIx64 "\n", va, level, at, e);
		if (!(e & VH_X86_PTE_PRESENT) || level == 1 || (level <= 3 && (e & VH_X86_PTE_PSE)))
			return;
		table = e;
	}
}

int main(int argc, char **argv)
{
	struct vh_dump *d;
	int levels;

	if (argc < 5) {
		fprintf(stderr, "usage: vh-uwalk DUMP ROOT LEVELS VADDR...\n");
		return 2;
	}
	if (vh_dump_open(argv[1], NULL, &d)) {
		fprintf(stderr, "vh-uwalk: %s\n", vh_errmsg());
		return 3;
	}
	levels = atoi(argv[3]);
	for (int i = 4; i < argc; i++)
		walk(d, strtoull(argv[2], NULL, 0), levels, strtoull(argv[i], NULL, 0));
	vh_dump_close(d);
	return 0;
}
