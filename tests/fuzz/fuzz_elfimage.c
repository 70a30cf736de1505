/* SPDX-License-Identifier: MIT */
/*
 * The ELF rebuild of vmahunt files (src/evidence/elfimage.c) over fuzzed
 * memory: the input is the memory an ELF image was found at. Every plan
 * must stay inside the memory: pieces disjoint and ascending, each piece's
 * bytes in memory and in the file, the file no larger than the memory.
 */
#include <stdlib.h>

#include "evidence/elfimage.h"
#include "fuzz_common.h"

struct mem {
	const uint8_t *data;
	size_t size;
};

static int rd(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct mem *m = arg;

	if (off > m->size || len > m->size - off)
		abort(); /* the planner read past the memory it was given */
	memcpy(buf, m->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vh_elfimg img;
	struct mem m = {data, size};
	uint64_t end = 0;

	if (vh_elfimg_plan(rd, &m, size, &img))
		return 0;
	if (img.size > size || img.npieces > VH_ELFIMG_MAX_PHDRS + 1)
		abort();
	for (size_t i = 0; i < img.npieces; i++) {
		const struct vh_elfimg_piece *p = &img.pieces[i];

		if (!p->len || p->file_off < end || p->mem_off > size ||
		    p->len > size - p->mem_off || p->file_off + p->len > img.size)
			abort();
		end = p->file_off + p->len;
	}
	return 0;
}
