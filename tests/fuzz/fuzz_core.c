/* SPDX-License-Identifier: MIT */
/*
 * Process cores, plain ELF or zstd-compressed: open, the notes' process
 * facts (NT_PRPSINFO, NT_FILE, auxv), and stored pages. Inputs that are not
 * cores go through the same path as in the CLI (format detection).
 */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_dump_options o = {.cache_pages = 8};
	const struct vh_core_info *c;
	struct vh_dump *d;
	char path[64];
	uint8_t buf[4096 + 32];
	uint64_t pfn = 0, v;
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (vh_dump_open(path, &o, &d) == VH_OK) {
		c = vh_core_info(d);
		if (c) {
			(void)vh_core_auxv_get(c, 6 /* AT_PAGESZ */, &v);
			for (size_t i = 0; i < c->nloads && i < 16; i++)
				(void)vh_dump_read_phys(d, c->loads[i].start, buf, 32);
		}
		for (int i = 0; i < 32 && vh_dump_next_present(d, pfn, &pfn) == VH_OK; i++, pfn++)
			(void)vh_dump_read_phys(d, pfn * 4096 + 4080, buf, 32);
		vh_dump_close(d);
	}
	close(fd);
	return 0;
}
