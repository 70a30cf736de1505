/* SPDX-License-Identifier: MIT */
/*
 * kallsyms tables in fuzzed kernel memory. The input: 9 little-endian u64
 * saying where the tables are for the decoder (num_syms, names, markers,
 * token_table, token_index, offsets, relative_base, addresses,
 * seqs_of_names: offsets from _text, 0 = unknown), then chunks of the kernel
 * image (u32 offset from _text, u32 length, the bytes), so that tables 64 KiB
 * into the image and the banner near its start fit in a small input. The
 * search then looks for the tables by their shape over the chunks' span.
 */
#include <stdlib.h>

#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "symbols/kallsyms.h"

#define NFIELDS	   9
#define TEXT	   0xffffffff81000000ull /* _text without KASLR */
#define MAX_CHUNKS 64
#define MAX_SPAN   (16u << 20)

struct chunk {
	uint32_t off, len;
	const uint8_t *data;
};

struct image {
	struct chunk c[MAX_CHUNKS];
	size_t n;
	uint64_t span; /* end of the furthest chunk */
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t field(const uint8_t *data, int i)
{
	uint64_t v = fuzz_le64(data + 8 * i);

	return v ? TEXT + (v & 0xffffff) : 0;
}

static void parse_chunks(struct image *im, const uint8_t *p, size_t size)
{
	while (size >= 8 && im->n < MAX_CHUNKS) {
		struct chunk *c = &im->c[im->n];

		c->off = le32(p) % MAX_SPAN;
		c->len = le32(p + 4);
		p += 8;
		size -= 8;
		if (c->len > size)
			c->len = (uint32_t)size;
		c->data = p;
		p += c->len;
		size -= c->len;
		im->n++;
		if ((uint64_t)c->off + c->len > im->span)
			im->span = (uint64_t)c->off + c->len;
	}
}

/* A read inside one chunk (the first that holds it all); elsewhere unmapped. */
static int image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;

	for (size_t i = 0; i < im->n; i++) {
		const struct chunk *c = &im->c[i];
		uint64_t start = TEXT + c->off;

		if (addr >= start && addr - start <= c->len && len <= c->len - (addr - start)) {
			memcpy(buf, c->data + (addr - start), len);
			return VH_OK;
		}
	}
	return VH_ERR_NOT_MAPPED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image im;
	struct vh_ks_mem m = {image_read, &im};
	struct vh_ks_layout l = {0};
	uint64_t range[1][2];
	struct vh_kallsyms *ks;

	if (size < 8 * NFIELDS || size > (1u << 20))
		return 0;
	memset(&im, 0, sizeof(im));
	parse_chunks(&im, data + 8 * NFIELDS, size - 8 * NFIELDS);
	l.num_syms = field(data, 0);
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
	range[0][0] = TEXT;
	range[0][1] = TEXT + im.span;
	if (vh_ks_search(&m, (const uint64_t(*)[2])range, 1, TEXT, &ks) == VH_OK)
		vh_kallsyms_free(ks);
	return 0;
}
