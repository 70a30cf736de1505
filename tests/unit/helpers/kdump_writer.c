/* SPDX-License-Identifier: MIT */
#include "helpers/kdump_writer.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define DH_SIZE 464
#define KH_SIZE 104
#define PD_LEN	24

void kw_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void kw_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void kw_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void kw_page_fill(uint64_t pfn, char state, uint8_t *buf, uint32_t size)
{
	uint64_t seed = pfn * 0x9e3779b97f4a7c15ull + 1;

	if (state == 'Z') {
		memset(buf, 0, size);
		return;
	}
	if (state == 'R') {
		for (uint32_t i = 0; i < size; i++)
			buf[i] = (uint8_t)xorshift(&seed);
		return;
	}
	/* Compressible, yet different on every page and every line. */
	for (uint32_t i = 0; i < size;) {
		char line[64];
		int n =
		    snprintf(line, sizeof(line), "pfn %llx line %u %02x\n", (unsigned long long)pfn,
			     i / 32, (unsigned)(xorshift(&seed) & 0xff));

		for (int j = 0; j < n && i < size; j++)
			buf[i++] = (uint8_t)line[j];
	}
}

/* Compresses one page with @codec into @out (capacity @cap); returns the size, or 0 to store it
 * raw. */
static size_t compress_page(uint32_t codec, const uint8_t *in, uint32_t size, uint8_t *out,
			    size_t cap)
{
	size_t n = 0;

	switch (codec) {
	case KW_ZLIB: {
		uLongf len = cap;

		if (compress2(out, &len, in, size, 1) == Z_OK)
			n = len;
		break;
	}
	case KW_LZO: {
		static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint len = cap;

		lzo_init();
		if (lzo1x_1_compress(in, size, out, &len, wrk) == LZO_E_OK)
			n = len;
		break;
	}
	case KW_SNAPPY: {
		size_t len = cap;

		if (snappy_compress((const char *)in, size, (char *)out, &len) == SNAPPY_OK)
			n = len;
		break;
	}
	case KW_ZSTD: {
		size_t len = ZSTD_compress(out, cap, in, size, 1);

		if (!ZSTD_isError(len))
			n = len;
		break;
	}
	}
	return n < size ? n : 0; /* like makedumpfile: keep the page raw unless it shrinks */
}

/* The note area: one VMCOREINFO ELF note, as the kernel writes it. */
/* @pre (CPU notes, as QEMU writes them before VMCOREINFO), then VMCOREINFO if any. */
static size_t build_notes(const char *vmci, const uint8_t *pre, size_t pre_len, uint8_t *out,
			  size_t *desc_at)
{
	size_t len = vmci ? strlen(vmci) : 0, n = pre_len;

	if (pre_len)
		memcpy(out, pre, pre_len);
	if (!vmci)
		return n;

	kw_put_le32(out + n, 11);		 /* n_namesz: "VMCOREINFO" + NUL */
	kw_put_le32(out + n + 4, (uint32_t)len); /* n_descsz */
	kw_put_le32(out + n + 8, 0);		 /* n_type */
	n += 12;
	memcpy(out + n, "VMCOREINFO", 11);
	n += 12; /* name padded to 4 */
	*desc_at = n;
	memcpy(out + n, vmci, len);
	n += (len + 3) & ~(size_t)3;
	return n;
}

static void write_header(const struct kw_spec *s, struct kw_image *img, uint32_t sub_blocks,
			 uint32_t bitmap_blocks)
{
	uint8_t *h = img->buf;
	uint32_t status = s->codec | s->status_extra;
	const char *machine = s->machine ? s->machine : "x86_64";
	const char *release = s->release ? s->release : "6.1.0-test";

	memcpy(h, "KDUMP   ", 8);
	kw_put_le32(h + KW_DH_VERSION, (uint32_t)(s->header_version ? s->header_version : 6));
	memcpy(h + 12, "Linux", 5);
	memcpy(h + 12 + 65, "testhost", 8);
	memcpy(h + 12 + 2 * 65, release, strlen(release));
	memcpy(h + 12 + 4 * 65, machine, strlen(machine));
	kw_put_le64(h + 408, 1700000000);
	kw_put_le32(h + KW_DH_STATUS, status);
	kw_put_le32(h + KW_DH_BLOCK_SIZE, img->block_size);
	kw_put_le32(h + KW_DH_SUB_HDR_SIZE, sub_blocks);
	kw_put_le32(h + KW_DH_BITMAP_BLOCKS, bitmap_blocks);
	kw_put_le32(h + KW_DH_MAX_MAPNR,
		    s->max_mapnr > 0xffffffffu ? 0xffffffffu : (uint32_t)s->max_mapnr);
	kw_put_le32(h + 460, 2); /* nr_cpus */
}

static void write_sub_header(const struct kw_spec *s, struct kw_image *img, size_t note_len,
			     size_t desc_at)
{
	uint8_t *k = img->buf + img->block_size;
	int v = s->header_version ? s->header_version : 6;

	if (s->garbage_unused)
		memset(k, 0xaa, KH_SIZE);
	kw_put_le64(k + 0, 0x1000000); /* phys_base */
	kw_put_le32(k + 8, (uint32_t)s->dump_level);
	if (v >= 2) {
		kw_put_le32(k + 12, s->split);
		kw_put_le64(k + 16, s->split ? s->split_start : 0);
		kw_put_le64(k + 24, s->split ? s->split_end : 0);
	}
	if (v >= 3) {
		kw_put_le64(k + KW_KH_OFF_VMCI, s->vmcoreinfo ? img->vmcoreinfo_off : 0);
		kw_put_le64(k + KW_KH_SIZE_VMCI, s->vmcoreinfo ? strlen(s->vmcoreinfo) : 0);
	}
	if (v >= 4) {
		kw_put_le64(k + KW_KH_OFF_NOTE, note_len ? img->note_off : 0);
		kw_put_le64(k + KW_KH_SIZE_NOTE, note_len);
	}
	if (v >= 5) {
		kw_put_le64(k + 64, 0);
		kw_put_le64(k + 72, 0);
	}
	if (v >= 6) {
		kw_put_le64(k + 80, s->split ? s->split_start : 0);
		kw_put_le64(k + 88, s->split ? s->split_end : 0);
		kw_put_le64(k + KW_KH_MAX_MAPNR_64, s->max_mapnr);
	}
	(void)desc_at;
}

static bool dumped(char c)
{
	return c == 'P' || c == 'R' || c == 'Z';
}

static bool in_part(const struct kw_spec *s, uint64_t pfn)
{
	return !s->split || (pfn >= s->split_start && pfn < s->split_end);
}

static int grow(struct kw_image *img, size_t need)
{
	uint8_t *p;

	if (need <= img->len)
		return 0;
	p = realloc(img->buf, need);
	if (!p)
		return -1;
	memset(p + img->len, 0, need - img->len);
	img->buf = p;
	img->len = need;
	return 0;
}

static int write_pages(const struct kw_spec *s, struct kw_image *img, uint64_t ndumped)
{
	uint32_t bs = img->block_size;
	uint8_t *page = malloc(bs), *cbuf = malloc(2 * bs + 1024);
	uint64_t pos, idx = 0, zero_off = 0;
	int ret = -1;

	if (!page || !cbuf)
		goto out;
	img->data_off = img->desc_off + ndumped * PD_LEN;
	pos = img->data_off;
	if (grow(img, pos))
		goto out;
	if (s->dump_level & 1) {
		zero_off = pos;
		pos += bs;
		if (grow(img, pos))
			goto out;
	}
	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		char c = s->states[pfn];
		uint32_t codec = s->codecs ? s->codecs[pfn] : s->codec, flags = 0, size = bs;
		uint8_t *pd;
		size_t n;

		if (!dumped(c) || !in_part(s, pfn))
			continue;
		img->pd_off[pfn] = img->desc_off + idx++ * PD_LEN;
		pd = img->buf + img->pd_off[pfn];
		if (c == 'Z' && (s->dump_level & 1)) {
			kw_put_le64(pd, zero_off);
			kw_put_le32(pd + 8, bs);
			img->data_off_of[pfn] = zero_off;
			img->data_len[pfn] = bs;
			continue;
		}
		kw_page_fill(pfn, c, page, bs);
		n = compress_page(codec, page, bs, cbuf, 2 * bs + 1024);
		if (n) {
			flags = codec;
			size = (uint32_t)n;
		}
		if (grow(img, pos + size))
			goto out;
		pd = img->buf + img->pd_off[pfn];
		memcpy(img->buf + pos, n ? cbuf : page, size);
		kw_put_le64(pd, pos);
		kw_put_le32(pd + 8, size);
		kw_put_le32(pd + 12, flags);
		img->data_off_of[pfn] = pos;
		img->data_len[pfn] = size;
		pos += size;
	}
	ret = 0;
out:
	free(page);
	free(cbuf);
	return ret;
}

static void write_bitmaps(const struct kw_spec *s, struct kw_image *img)
{
	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		char c = s->states[pfn];
		uint8_t bit = (uint8_t)(1u << (pfn & 7));

		if (c != '.')
			img->buf[img->bitmap_off + pfn / 8] |= bit;
		if (dumped(c))
			img->buf[img->bitmap_off + img->bitmap_half + pfn / 8] |= bit;
	}
}

int kw_build(const struct kw_spec *s, struct kw_image *img)
{
	uint8_t notes[8192];
	size_t note_len = 0, desc_at = 0;
	uint32_t bs = s->block_size ? s->block_size : 4096, sub_blocks, bitmap_blocks;
	uint64_t ndumped = 0, bitmap_bytes;

	memset(img, 0, sizeof(*img));
	if (s->cpu_notes_len > sizeof(notes) - 4096 ||
	    (s->vmcoreinfo && strlen(s->vmcoreinfo) > 4096 - 32))
		return -1;
	if (!s->states || strlen(s->states) != s->max_mapnr)
		return -1;
	img->block_size = bs;
	if (s->vmcoreinfo || s->cpu_notes_len)
		note_len =
		    build_notes(s->vmcoreinfo, s->cpu_notes, s->cpu_notes_len, notes, &desc_at);
	sub_blocks = (uint32_t)((KH_SIZE + note_len + bs - 1) / bs);
	bitmap_bytes = (s->max_mapnr + 7) / 8;
	bitmap_blocks = (uint32_t)(2 * ((bitmap_bytes + bs - 1) / bs));
	img->bitmap_off = (1 + (uint64_t)sub_blocks) * bs;
	img->bitmap_half = (uint64_t)bitmap_blocks / 2 * bs;
	img->desc_off = img->bitmap_off + (uint64_t)bitmap_blocks * bs;
	img->note_off = bs + KH_SIZE;
	img->vmcoreinfo_off = img->note_off + desc_at;
	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++)
		ndumped += dumped(s->states[pfn]) && in_part(s, pfn);
	img->pd_off = calloc(s->max_mapnr, sizeof(uint64_t));
	img->data_off_of = calloc(s->max_mapnr, sizeof(uint64_t));
	img->data_len = calloc(s->max_mapnr, sizeof(uint32_t));
	if (!img->pd_off || !img->data_off_of || !img->data_len ||
	    grow(img, img->desc_off + ndumped * PD_LEN))
		goto fail;
	write_header(s, img, sub_blocks, bitmap_blocks);
	memcpy(img->buf + img->note_off, notes, note_len);
	write_sub_header(s, img, note_len, desc_at);
	write_bitmaps(s, img);
	if (write_pages(s, img, ndumped))
		goto fail;
	return 0;
fail:
	kw_free(img);
	return -1;
}

void kw_free(struct kw_image *img)
{
	free(img->buf);
	free(img->pd_off);
	free(img->data_off_of);
	free(img->data_len);
	memset(img, 0, sizeof(*img));
}

int kw_append_record(uint8_t **buf, size_t *len, int64_t offset, int64_t size, const void *data)
{
	size_t add = 16 + (size > 0 && data ? (size_t)size : 0);
	uint8_t *p = realloc(*buf, *len + add);

	if (!p)
		return -1;
	kw_put_be64(p + *len, (uint64_t)offset);
	kw_put_be64(p + *len + 8, (uint64_t)size);
	if (add > 16)
		memcpy(p + *len + 16, data, (size_t)size);
	*buf = p;
	*len += add;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

int kw_flatten(const struct kw_image *img, const struct kw_flat_opts *o, uint8_t **out,
	       size_t *out_len)
{
	size_t chunk = o->chunk ? o->chunk : 4096, n = (img->len + chunk - 1) / chunk;
	size_t *order = malloc(n * sizeof(*order));
	uint8_t *buf = calloc(1, 4096);
	size_t len = 4096;
	uint64_t seed = o->seed * 2654435761u + 7;

	if (!order || !buf)
		goto fail;
	memcpy(buf, "makedumpfile", 12);
	kw_put_be64(buf + 16, 1);
	kw_put_be64(buf + 24, 1);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; o->shuffle && i > 1; i--) {
		size_t j = (size_t)(xorshift(&seed) % i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	if (o->garbage_first) {
		uint8_t junk[6000];

		memset(junk, 0x5a, sizeof(junk));
		if (kw_append_record(&buf, &len, 100, sizeof(junk), junk) ||
		    kw_append_record(&buf, &len, (int64_t)img->desc_off, 48, junk))
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		size_t off = order[i] * chunk, sz = img->len - off < chunk ? img->len - off : chunk;

		if (off + sz < img->len && sz + o->overlap <= img->len - off)
			sz += o->overlap;
		if (o->skip_zero_header_chunks && off + sz <= img->desc_off &&
		    all_zero(img->buf + off, sz))
			continue;
		if (kw_append_record(&buf, &len, (int64_t)off, (int64_t)sz, img->buf + off))
			goto fail;
	}
	if (!o->no_end && kw_append_record(&buf, &len, -1, -1, NULL))
		goto fail;
	free(order);
	*out = buf;
	*out_len = len;
	return 0;
fail:
	free(order);
	free(buf);
	return -1;
}
