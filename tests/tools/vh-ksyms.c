/* SPDX-License-Identifier: MIT */
/*
 * vh-ksyms: the kernel's kallsyms decoded from a dump, through the public API.
 *
 *   vh-ksyms [--search] DUMP            every symbol: "ADDR TYPE NAME" (running address)
 *   vh-ksyms [--search] DUMP NAME...    the named symbols: "NAME ADDR", or "NAME absent"
 *
 * --search ignores VMCOREINFO: the tables are found by their shape.
 *
 * A first line "# N symbols, tables found by METHOD, addresses ENCODING".
 * Exit 0 on success, 3 when the dump or its kallsyms cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include <vmahunt/vmahunt.h>

int main(int argc, char **argv)
{
	struct vh_dump *d;
	struct vh_kernel_map km;
	struct vh_kallsyms *ks;
	unsigned flags = 0;

	if (argc > 1 && !strcmp(argv[1], "--search")) {
		flags = VH_KALLSYMS_SEARCH;
		argc--;
		argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: vh-ksyms [--search] DUMP [NAME...]\n");
		return 2;
	}
	if (vh_dump_open(argv[1], NULL, &d) != VH_OK) {
		fprintf(stderr, "vh-ksyms: %s\n", vh_errmsg());
		return 3;
	}
	if (vh_kernel_map_find(d, &km) != VH_OK || vh_kallsyms_load(d, &km, flags, &ks) != VH_OK) {
		fprintf(stderr, "vh-ksyms: %s\n", vh_errmsg());
		vh_dump_close(d);
		return 3;
	}
	printf("# %zu symbols, tables found by %s, addresses %s\n", vh_kallsyms_count(ks),
	       vh_kallsyms_method(ks), vh_kallsyms_encoding(ks));
	for (int i = 2; i < argc; i++) {
		struct vh_ksym s;

		if (vh_kallsyms_lookup(ks, argv[i], &s) == VH_OK)
			printf("%s 0x%llx\n", argv[i], (unsigned long long)s.addr);
		else
			printf("%s absent\n", argv[i]);
	}
	for (size_t i = 0; argc == 2 && i < vh_kallsyms_count(ks); i++) {
		struct vh_ksym s;

		if (vh_kallsyms_get(ks, i, &s) == VH_OK)
			printf("0x%016llx %c %s\n", (unsigned long long)s.addr, s.type, s.name);
	}
	vh_kallsyms_free(ks);
	vh_dump_close(d);
	return 0;
}
