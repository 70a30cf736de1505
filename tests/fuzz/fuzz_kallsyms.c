/* SPDX-License-Identifier: MIT */
/*
 * kallsyms tables in fuzzed kernel memory. The input's first 72 bytes say
 * where the tables are for the decoder (num_syms, then offsets from _text of
 * the tables, 0 = unknown); the rest is the kernel image from _text on. The
 * search then looks for the tables by their shape in that memory.
 */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "symbols/kallsyms.h"

#define NFIELDS 9
#define TEXT	0xffffffff81000000ull /* _text without KASLR */

static uint64_t field(const uint8_t *data, int i)
{
	uint64_t v = fuzz_le64(data + 8 * i);

	return v ? TEXT + (v & 0xffffff) : 0;
}

static int text_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct fuzz_mem *m = arg;

	if (addr < TEXT || addr - TEXT > m->size || len > m->size - (addr - TEXT))
		return VH_ERR_NOT_MAPPED;
	memcpy(buf, m->data + (addr - TEXT), len);
	return VH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem mem = {data, 0, 0};
	struct vh_ks_mem m = {text_read, &mem};
	struct vh_ks_layout l = {0};
	uint64_t range[1][2];
	struct vh_kallsyms *ks;

	if (size < 8 * NFIELDS || size > (1u << 20))
		return 0;
	mem.data = data + 8 * NFIELDS;
	mem.size = size - 8 * NFIELDS;
	range[0][0] = TEXT;
	range[0][1] = TEXT + mem.size;
	l.num_syms = fuzz_le64(data) & 0xfffff;
	l.names = field(data, 1);
	l.markers = field(data, 2);
	l.token_table = field(data, 3);
	l.token_index = field(data, 4);
	l.offsets = field(data, 5);
	l.relative_base = field(data, 6);
	l.addresses = field(data, 7);
	l.seqs_of_names = field(data, 8);
	if (vh_ks_decode(&m, &l, TEXT, "fuzz", &ks) == VH_OK)
		vh_kallsyms_free(ks);
	if (vh_ks_search(&m, (const uint64_t(*)[2])range, 1, TEXT, &ks) == VH_OK)
		vh_kallsyms_free(ks);
	return 0;
}
