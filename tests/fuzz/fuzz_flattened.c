/* SPDX-License-Identifier: MIT */
/*
 * The flattened stream (makedumpfile -F): its record indexer, the kdump
 * reader behind it, and the converter that replays the records like
 * makedumpfile -R. The makedumpfile header is supplied, so every input
 * exercises the records rather than failing at the signature.
 */
#include <stdlib.h>

#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"

#define HDR 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_dump_options o = {.cache_pages = 8};
	uint8_t *in = calloc(1, HDR + size);
	char path[64], out[64];
	struct vh_dump *d;
	uint64_t pfn = 0;
	uint8_t page[4096];
	int fd, ofd;

	if (!in)
		return 0;
	memcpy(in, "makedumpfile", 12);
	in[23] = 1; /* type, big-endian */
	in[31] = 1; /* version */
	memcpy(in + HDR, data, size);
	fd = fuzz_memfd(in, HDR + size, path, sizeof(path));
	free(in);
	if (fd < 0)
		return 0;
	if (vh_dump_open(path, &o, &d) == VH_OK) {
		for (int i = 0; i < 16 && vh_dump_next_present(d, pfn, &pfn) == VH_OK; i++, pfn++)
			(void)vh_dump_read_phys(d, pfn * vh_dump_page_size(d), page, 64);
		vh_dump_close(d);
	}
	ofd = fuzz_memfd(NULL, 0, out, sizeof(out));
	if (ofd >= 0) {
		(void)vh_dump_convert_flattened(path, out);
		close(ofd);
	}
	close(fd);
	return 0;
}
