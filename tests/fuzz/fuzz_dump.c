/* SPDX-License-Identifier: MIT */
/*
 * Any dump format, as format detection decides: open, page states, stored
 * pages through vh_dump_next_present(), reads across page and range
 * boundaries, VMCOREINFO lookups, and locating the kernel (page-table walks
 * over the fuzzed pages).
 */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"

#define MAX_PAGES 64 /* pages read per input: enough to reach every branch */

static void read_pages(struct vh_dump *d)
{
	uint32_t ps = vh_dump_page_size(d);
	uint8_t buf[2 * 4096];
	uint64_t pfn = 0;

	for (int i = 0; i < MAX_PAGES && vh_dump_next_present(d, pfn, &pfn) == VH_OK; i++, pfn++) {
		(void)vh_dump_page_state(d, pfn);
		/* A read that straddles the page's end, as the walkers' reads do. */
		(void)vh_dump_read_phys(d, pfn * ps + ps - 16, buf, ps < sizeof(buf) ? ps : 32);
	}
}

static void read_ranges(struct vh_dump *d)
{
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);
	uint8_t buf[64];

	for (size_t i = 0; i < n && i < 16; i++) {
		(void)vh_dump_page_state(d, r[i].start / vh_dump_page_size(d));
		(void)vh_dump_read_phys(d, r[i].start, buf, sizeof(buf));
		(void)vh_dump_read_phys(d, r[i].end - 8, buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_dump_options o = {.cache_pages = 8};
	struct vh_kernel_map km;
	struct vh_page_stats st;
	struct vh_dump *d;
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (vh_dump_open(path, &o, &d) == VH_OK) {
		vh_dump_page_stats(d, &st);
		(void)vh_dump_vmcoreinfo_get(d, "OSRELEASE");
		read_ranges(d);
		read_pages(d);
		if (vh_dump_format(d) != VH_FMT_CORE)
			(void)vh_kernel_map_find(d, &km);
		vh_dump_close(d);
	}
	close(fd);
	return 0;
}
