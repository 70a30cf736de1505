/* SPDX-License-Identifier: MIT */
/*
 * vh-kvtop: translate kernel virtual addresses of a dump to physical ones,
 * through the kernel page tables the dump itself locates (vh_kernel_map_find()).
 *
 *   vh-kvtop DUMP VADDR...
 *
 * Prints one line per address: "VADDR PADDR" (hex), or "VADDR -" when it does
 * not translate. The damaged-dump tests use it to find where in a dump file a
 * kernel structure lives. Exit 0, or 3 when the dump or its kernel cannot be found.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <vmahunt/vmahunt.h>

int main(int argc, char **argv)
{
	struct vh_kernel_map km;
	struct vh_dump *d;

	if (argc < 3) {
		fprintf(stderr, "usage: vh-kvtop DUMP VADDR...\n");
		return 2;
	}
	if (vh_dump_open(argv[1], NULL, &d) || vh_kernel_map_find(d, &km)) {
		fprintf(stderr, "vh-kvtop: %s\n", vh_errmsg());
		return 3;
	}
	for (int i = 2; i < argc; i++) {
		uint64_t va = strtoull(argv[i], NULL, 0);
		struct vh_translation t;

		if (vh_translate(d, &km.mmu, km.pgd, va, &t) == VH_OK)
			printf("0x%" PRIx64 " 0x%" PRIx64 "\n", va, t.paddr);
		else
			printf("0x%" PRIx64 " -\n", va);
	}
	vh_dump_close(d);
	return 0;
}
