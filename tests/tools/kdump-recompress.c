/* SPDX-License-Identifier: MIT */
/*
 * kdump-recompress: rewrite a compressed kdump with another page codec.
 *
 *   kdump-recompress --codec snappy|zlib|lzo|zstd|none IN OUT
 *
 * No Debian build of makedumpfile writes snappy pages, yet production kdumps
 * made elsewhere use it. This tool turns a real makedumpfile (or QEMU) kdump
 * into one whose pages are compressed with the chosen codec, so the test suite
 * gets a snappy (or zstd, ...) dump of real kernel memory to read back.
 *
 * Headers, notes and bitmaps are copied unchanged except for the codec bit of
 * the header's status; the page descriptors and data are rewritten in pfn
 * order, the way makedumpfile writes them: the shared zero page first when
 * the dump level excludes zero pages, and a page kept raw when compressing it
 * does not make it smaller. Page contents come from libvmahunt's own reader,
 * so IN must read cleanly (compare IN and OUT with vh-pages --list). IN must be
 * a plain kdump file ("vmahunt convert" a flattened one first).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <vmahunt/vmahunt.h>

#define DH_SIZE 464
#define PD_LEN	24
#define CODECS	(0x1u | 0x2u | 0x4u | 0x20u)

struct layout {
	uint32_t block_size, status, version;
	int32_t dump_level;
	uint64_t max_mapnr, start_pfn, end_pfn;
	uint64_t bitmap2_off, desc_off, data_off, ndumped;
	uint64_t eraseinfo_off, eraseinfo_size;
	uint8_t *bitmap2;
};

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "kdump-recompress: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static bool bit(const uint8_t *map, uint64_t pfn)
{
	return (map[pfn >> 3] >> (pfn & 7)) & 1;
}

/* The few header fields the rewrite needs; the reader has checked the rest. */
static int read_layout(int fd, struct layout *l)
{
	uint8_t dh[DH_SIZE], kh[104];
	uint32_t sub_blocks, bitmap_blocks;
	uint64_t bitmap_off, half;

	if (pread_all(fd, dh, sizeof(dh), 0) || memcmp(dh, "KDUMP   ", 8) != 0)
		return -1;
	l->version = le32(dh + 8);
	l->status = le32(dh + 424);
	l->block_size = le32(dh + 428);
	sub_blocks = le32(dh + 432);
	bitmap_blocks = le32(dh + 436);
	l->max_mapnr = le32(dh + 440);
	if (pread_all(fd, kh, sizeof(kh), l->block_size))
		return -1;
	l->dump_level = (int32_t)le32(kh + 8);
	if (l->version >= 6 && le64(kh + 96))
		l->max_mapnr = le64(kh + 96);
	l->start_pfn = 0;
	l->end_pfn = l->max_mapnr;
	if (l->version >= 2 && le32(kh + 12)) {
		l->start_pfn = l->version >= 6 ? le64(kh + 80) : le64(kh + 16);
		l->end_pfn = l->version >= 6 ? le64(kh + 88) : le64(kh + 24);
	}
	if (l->version >= 5) {
		l->eraseinfo_off = le64(kh + 64);
		l->eraseinfo_size = le64(kh + 72);
	}
	bitmap_off = (1 + (uint64_t)sub_blocks) * l->block_size;
	half = (uint64_t)bitmap_blocks * l->block_size / 2;
	l->bitmap2_off = bitmap_off + half;
	l->desc_off = bitmap_off + (uint64_t)bitmap_blocks * l->block_size;
	l->bitmap2 = calloc(1, (l->max_mapnr + 7) / 8 + 1);
	if (!l->bitmap2 || pread_all(fd, l->bitmap2, (l->max_mapnr + 7) / 8, l->bitmap2_off))
		return -1;
	l->ndumped = 0;
	for (uint64_t pfn = l->start_pfn; pfn < l->end_pfn; pfn++)
		l->ndumped += bit(l->bitmap2, pfn);
	l->data_off = l->desc_off + l->ndumped * PD_LEN;
	return 0;
}

static uint32_t codec_flag(const char *name)
{
	static const struct {
		const char *name;
		uint32_t flag;
	} codecs[] = {{"none", 0}, {"zlib", 0x1}, {"lzo", 0x2}, {"snappy", 0x4}, {"zstd", 0x20}};

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		if (strcmp(name, codecs[i].name) == 0)
			return codecs[i].flag;
	}
	return UINT32_MAX;
}

/* Compresses one page; returns the size, or 0 to keep it raw (as makedumpfile does). */
static size_t compress_page(uint32_t flag, const uint8_t *in, size_t size, uint8_t *out, size_t cap,
			    ZSTD_CCtx *zc)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	size_t n = 0;

	if (flag == 0x1) {
		uLongf len = cap;

		n = compress2(out, &len, in, size, Z_BEST_SPEED) == Z_OK ? len : 0;
	} else if (flag == 0x2) {
		lzo_uint len = cap;

		n = lzo1x_1_compress(in, size, out, &len, wrk) == LZO_E_OK ? len : 0;
	} else if (flag == 0x4) {
		size_t len = cap;

		n = snappy_compress((const char *)in, size, (char *)out, &len) == SNAPPY_OK ? len
											    : 0;
	} else if (flag == 0x20) {
		n = ZSTD_compressCCtx(zc, out, cap, in, size, 1);
		if (ZSTD_isError(n))
			n = 0;
	}
	return n < size ? n : 0;
}

/* True when the old descriptor is the shared zero page. */
static bool is_zero_desc(const struct layout *l, const uint8_t *pd)
{
	return (l->dump_level & 1) && le64(pd) == l->data_off && le32(pd + 8) == l->block_size &&
	       !(le32(pd + 12) & CODECS);
}

struct rewrite {
	int in, out;
	struct vh_dump *d;
	const struct layout *l;
	uint32_t flag;
	uint64_t pos; /* next page data offset in OUT */
	uint64_t counts[2];
	ZSTD_CCtx *zc;
};

static int rewrite_page(struct rewrite *r, uint64_t pfn, uint64_t idx, uint8_t *page, uint8_t *cbuf,
			size_t cap)
{
	const struct layout *l = r->l;
	uint8_t old[PD_LEN], pd[PD_LEN] = {0};
	size_t n;

	if (pread_all(r->in, old, PD_LEN, l->desc_off + idx * PD_LEN))
		return die("%s", "cannot read a page descriptor");
	if (is_zero_desc(l, old)) {
		put_le64(pd, l->data_off);
		put_le32(pd + 8, l->block_size);
		return pwrite_all(r->out, pd, PD_LEN, l->desc_off + idx * PD_LEN) ? -1 : 0;
	}
	if (vh_dump_read_phys(r->d, pfn * l->block_size, page, l->block_size))
		return die("%s", vh_errmsg());
	n = compress_page(r->flag, page, l->block_size, cbuf, cap, r->zc);
	put_le64(pd, r->pos);
	put_le32(pd + 8, n ? (uint32_t)n : l->block_size);
	put_le32(pd + 12, n ? r->flag : 0);
	if (pwrite_all(r->out, n ? cbuf : page, n ? n : l->block_size, r->pos) ||
	    pwrite_all(r->out, pd, PD_LEN, l->desc_off + idx * PD_LEN))
		return die("%s", strerror(errno));
	r->pos += n ? n : l->block_size;
	r->counts[n ? 1 : 0]++;
	return 0;
}

static int copy_range(int in, int out, uint64_t from, uint64_t len, uint64_t to)
{
	uint8_t buf[65536];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		if (pread_all(in, buf, n, from) || pwrite_all(out, buf, n, to))
			return -1;
		from += n;
		to += n;
		len -= n;
	}
	return 0;
}

/* Headers, notes and bitmaps unchanged, but for the status codec bit. */
static int copy_headers(struct rewrite *r)
{
	uint8_t st[4];

	if (copy_range(r->in, r->out, 0, r->l->desc_off, 0))
		return die("%s", "cannot copy the headers and bitmaps");
	put_le32(st, (r->l->status & ~CODECS) | r->flag);
	return pwrite_all(r->out, st, 4, 424) ? die("%s", strerror(errno)) : 0;
}

/* The eraseinfo, which makedumpfile appends after the pages, moves with them. */
static int copy_eraseinfo(struct rewrite *r)
{
	uint8_t off[8];

	if (!r->l->eraseinfo_off || !r->l->eraseinfo_size)
		return 0;
	put_le64(off, r->pos);
	if (copy_range(r->in, r->out, r->l->eraseinfo_off, r->l->eraseinfo_size, r->pos) ||
	    pwrite_all(r->out, off, 8, r->l->block_size + 64))
		return die("%s", "cannot copy the eraseinfo");
	return 0;
}

static int rewrite_all(struct rewrite *r)
{
	const struct layout *l = r->l;
	size_t cap = 2 * (size_t)l->block_size + 1024;
	uint8_t *page = malloc(l->block_size), *cbuf = malloc(cap);
	uint64_t idx = 0;
	int err = (page && cbuf) ? copy_headers(r) : die("%s", "out of memory");

	r->pos = l->data_off;
	if (!err && (l->dump_level & 1)) {
		memset(page, 0, l->block_size);
		err = pwrite_all(r->out, page, l->block_size, r->pos);
		r->pos += l->block_size;
	}
	for (uint64_t pfn = l->start_pfn; !err && pfn < l->end_pfn; pfn++) {
		if (bit(l->bitmap2, pfn))
			err = rewrite_page(r, pfn, idx++, page, cbuf, cap);
	}
	if (!err)
		err = copy_eraseinfo(r);
	free(page);
	free(cbuf);
	return err;
}

int main(int argc, char **argv)
{
	struct layout l = {0};
	struct rewrite r = {0};
	int err;

	if (argc != 5 || strcmp(argv[1], "--codec") != 0 ||
	    (r.flag = codec_flag(argv[2])) == UINT32_MAX) {
		fprintf(stderr,
			"usage: kdump-recompress --codec snappy|zlib|lzo|zstd|none IN OUT\n");
		return 2;
	}
	if (lzo_init() != LZO_E_OK || !(r.zc = ZSTD_createCCtx()))
		return die("%s", "cannot initialise the compressors");
	if (vh_dump_open(argv[3], NULL, &r.d))
		return die("%s", vh_errmsg());
	r.in = open(argv[3], O_RDONLY | O_CLOEXEC);
	if (r.in < 0 || read_layout(r.in, &l))
		return die("%s: not a plain kdump file", argv[3]);
	r.out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (r.out < 0)
		return die("cannot create %s", argv[4]);
	r.l = &l;
	err = rewrite_all(&r);
	if (close(r.out) < 0)
		err = die("cannot write %s", argv[4]);
	if (!err)
		printf("%s: %" PRIu64 " pages %s, %" PRIu64 " kept raw\n", argv[4], r.counts[1],
		       argv[2], r.counts[0]);
	close(r.in);
	vh_dump_close(r.d);
	ZSTD_freeCCtx(r.zc);
	free(l.bitmap2);
	return err ? 1 : 0;
}
