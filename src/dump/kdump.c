/* SPDX-License-Identifier: MIT */
/*
 * makedumpfile's compressed kdump format ("KDUMP   "), also written by QEMU's
 * dump-guest-memory (kdump-zlib, kdump-lzo, kdump-snappy, kdump-raw-*).
 *
 * Layout, in blocks of block_size bytes (the page size of the dumped machine,
 * for makedumpfile; QEMU writes 64 KiB blocks for every aarch64 guest, since
 * it does not know the kernel's page size, which may be 4, 16 or 64 KiB):
 *
 *   block 0            struct disk_dump_header
 *   block 1            struct kdump_sub_header, then the ELF notes
 *   1 + sub_hdr_size   1st bitmap (pfns that exist), then 2nd bitmap (pfns
 *                      dumped); bitmap_blocks blocks for both halves together
 *   + bitmap_blocks    struct page_desc for every set bit of the 2nd bitmap,
 *                      in pfn order, then the page data they point at
 *
 * Every integer is little-endian; the structs have x86-64 (LP64) layout.
 * Fields are decoded from byte offsets, never by overlaying a C struct.
 *
 * A page's descriptor is found by the rank of its pfn among the set bits of
 * the 2nd bitmap; a rank index (set bits before every 512-pfn chunk) built on
 * open makes that O(1). Both bitmaps are held in memory: max_mapnr / 8 bytes
 * each, 32 KiB per GiB of RAM with 4 KiB pages, bounded by KDUMP_MAX_BITMAP.
 *
 * On open one pass over the page descriptors counts pages by codec, finds the
 * pages stored as makedumpfile's shared zero page, and marks descriptors whose
 * data overlaps an earlier page's. Each descriptor is checked again when its
 * page is read; a damaged page fails alone with VH_ERR_CORRUPT.
 *
 * Blocks and pages: the bitmaps, descriptors and "pfns" of the file are in
 * blocks. The dump's pages (d->page_size) are the kernel's, VMCOREINFO's
 * PAGESIZE, when it is smaller than the block: then a page's state is its
 * block's, a read decompresses the block once (kept in k->blk) and copies
 * the page out, and page counts are block counts times the pages per block.
 * Internally every pfn below is a block number; the ops convert at the
 * boundary (vh_kdump_read_page() and friends take page pfns). Messages say
 * "pfn" when blocks are pages and "block" otherwise.
 */
#include "dump/kdump.h"
#include "util/error.h"

#include <endian.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#define KDUMP_SIGNATURE	   "KDUMP   "
#define DISKDUMP_SIGNATURE "DISKDUMP"
#define SIG_LEN		   8

/* struct disk_dump_header, LP64 layout: the timeval is 8-aligned after utsname. */
#define DH_HEADER_VERSION 8
#define DH_UTSNAME	  12
#define UTS_LEN		  65 /* each of the six new_utsname strings */
#define DH_TIMESTAMP	  408
#define DH_STATUS	  424
#define DH_BLOCK_SIZE	  428
#define DH_SUB_HDR_SIZE	  432
#define DH_BITMAP_BLOCKS  436
#define DH_MAX_MAPNR	  440
#define DH_CURRENT_CPU	  456
#define DH_NR_CPUS	  460
#define DH_SIZE		  464 /* up to tasks[], which makedumpfile leaves empty */

enum { UTS_SYSNAME, UTS_NODENAME, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, UTS_DOMAINNAME };

/* struct kdump_sub_header; the header version says which fields are valid. */
#define KH_PHYS_BASE	     0	/* v1 */
#define KH_DUMP_LEVEL	     8	/* v1 */
#define KH_SPLIT	     12 /* v2 */
#define KH_START_PFN	     16 /* v2, 32-bit values only */
#define KH_END_PFN	     24 /* v2 */
#define KH_OFFSET_VMCOREINFO 32 /* v3 */
#define KH_SIZE_VMCOREINFO   40 /* v3 */
#define KH_OFFSET_NOTE	     48 /* v4 */
#define KH_SIZE_NOTE	     56 /* v4 */
#define KH_OFFSET_ERASEINFO  64 /* v5 */
#define KH_SIZE_ERASEINFO    72 /* v5 */
#define KH_START_PFN_64	     80 /* v6 */
#define KH_END_PFN_64	     88 /* v6 */
#define KH_MAX_MAPNR_64	     96 /* v6 */
#define KH_SIZE		     104

/* disk_dump_header.status and page_desc.flags */
#define DUMP_DH_COMPRESSED_ZLIB	      0x1
#define DUMP_DH_COMPRESSED_LZO	      0x2
#define DUMP_DH_COMPRESSED_SNAPPY     0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8
#define DUMP_DH_EXCLUDED_VMEMMAP      0x10
#define DUMP_DH_COMPRESSED_ZSTD	      0x20
#define DUMP_DH_CODECS                                                                             \
	(DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO | DUMP_DH_COMPRESSED_SNAPPY |            \
	 DUMP_DH_COMPRESSED_ZSTD)

/* makedumpfile's dump_level bits */
#define DL_EXCLUDE_ZERO 0x1

/* struct page_desc: offset (off_t), size, flags, page_flags */
#define PD_OFFSET 0
#define PD_SIZE	  8
#define PD_FLAGS  12
#define PD_LEN	  24

#define KDUMP_MAX_VERSION 64		 /* newer than 6 is read as 6, with a warning */
#define KDUMP_MAX_BITMAP  (256ull << 20) /* per bitmap: 2^31 pfns, 8 TiB of 4 KiB pages */
/* The widest physical address space of x86-64 and arm64 (LPA): 52 bits. */
#define KDUMP_MAX_PHYS	 (1ull << 52)
#define KDUMP_MAX_NOTES	 (64u << 20) /* nr_cpus NT_PRSTATUS notes fit many times over */
#define KDUMP_MAX_VMCI	 (1u << 20)  /* VMCOREINFO is a few KiB */
#define KDUMP_MAX_RANGES (1u << 20)  /* past this, ranges are coarsened */
#define RANK_SHIFT	 3	     /* rank entry every 8 words (512 pfns) */
#define DESC_CHUNK	 4096	     /* descriptors read at once on open */
#define DESC_CACHE	 170	     /* descriptors kept for reads: 4 KiB */

struct kdump {
	struct vh_kdump_src src;
	uint32_t block_size;
	uint32_t block_shift; /* log2(block_size) */
	uint32_t sub_shift;   /* log2(pages per block): 0 unless blocks are larger than pages */
	uint8_t *blk;	      /* with sub_shift: the last block decompressed... */
	uint64_t blk_no;      /* ...its number... */
	bool blk_valid;	      /* ...and whether it holds one */
	int32_t header_version;
	uint32_t status;
	int32_t dump_level;
	uint64_t max_mapnr; /* pfns the bitmaps describe */
	uint64_t start_pfn; /* pfns this file holds: a split dump holds a part */
	uint64_t end_pfn;
	bool split;		  /* the sub-header says this file is one part of a split dump */
	uint64_t tv_sec, tv_usec; /* the header's timestamp: the same in every part of one dump */
	uint64_t phys_base;
	uint64_t nwords;		  /* 64-bit words per bitmap */
	uint64_t *bitmap1;		  /* pfns in memory; bits >= max_mapnr cleared */
	uint64_t *bitmap2;		  /* pfns dumped, each with a page descriptor */
	uint64_t *zero;			  /* pfns stored as the shared zero page, or NULL */
	uint64_t *bad;			  /* pfns whose data overlaps an earlier page's, or NULL */
	uint64_t *nodata;		  /* pfns whose descriptor or data is not stored, or NULL */
	uint64_t stored_end;		  /* first pfn whose descriptor lies past the image */
	uint64_t *rank;			  /* set bits of bitmap2 before each 8-word chunk */
	uint64_t rank_start;		  /* rank of start_pfn */
	uint64_t ndumped;		  /* page descriptors */
	uint64_t desc_off;		  /* first page descriptor */
	uint64_t data_off;		  /* first byte after the descriptors */
	uint8_t *cbuf;			  /* one stored page, before decompression */
	uint8_t pdc[DESC_CACHE * PD_LEN]; /* descriptors pdc_first.. (pdc_len of them) */
	uint64_t pdc_first, pdc_len;
	ZSTD_DCtx *zstd;
	z_stream zlib; /* reused: inflateInit per page costs more than the inflate */
	bool zlib_ready;
};

struct page_desc {
	uint64_t offset;
	uint32_t size;
	uint32_t flags;
};

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static struct kdump *K(struct vh_dump *d)
{
	return d->priv;
}

/* "offset 0x..." or, for a flattened stream, "kdump offset 0x... (file offset 0x...)". */
static const char *where(const struct kdump *k, uint64_t off, char *buf, size_t size)
{
	uint64_t foff;

	if (!k->src.file_offset) {
		snprintf(buf, size, "offset 0x%" PRIx64, off);
		return buf;
	}
	foff = k->src.file_offset(k->src.ctx, off);
	if (foff == UINT64_MAX)
		snprintf(buf, size, "kdump offset 0x%" PRIx64 " (not in the stream)", off);
	else
		snprintf(buf, size, "kdump offset 0x%" PRIx64 " (file offset 0x%" PRIx64 ")", off,
			 foff);
	return buf;
}

/* How messages name block @b: "pfn 0x..." when blocks are pages, else the block and its pfns. */
static const char *blk_name(const struct kdump *k, uint64_t b, char *buf, size_t size)
{
	if (!k->sub_shift)
		snprintf(buf, size, "pfn 0x%" PRIx64, b);
	else
		snprintf(buf, size, "block 0x%" PRIx64 " (pfns 0x%" PRIx64 "-0x%" PRIx64 ")", b,
			 b << k->sub_shift, ((b + 1) << k->sub_shift) - 1);
	return buf;
}

/* What the counts in messages count. */
static const char *units(const struct kdump *k)
{
	return k->sub_shift ? "blocks" : "pages";
}

static int src_read(const struct kdump *k, uint64_t off, void *buf, size_t len, const char *what,
		    unsigned flags)
{
	return k->src.read(k->src.ctx, off, buf, len, what, flags);
}

/* ---- bitmaps and the rank index ---- */

static bool test_bit(const uint64_t *map, uint64_t pfn)
{
	return (map[pfn >> 6] >> (pfn & 63)) & 1;
}

static void set_bit(uint64_t *map, uint64_t pfn)
{
	map[pfn >> 6] |= 1ull << (pfn & 63);
}

/* Set bits of bitmap2 below @pfn (pfn <= max_mapnr). */
static uint64_t rank_of(const struct kdump *k, uint64_t pfn)
{
	uint64_t w = pfn >> 6, r = k->rank[w >> RANK_SHIFT];

	for (uint64_t i = (w >> RANK_SHIFT) << RANK_SHIFT; i < w; i++)
		r += (uint64_t)__builtin_popcountll(k->bitmap2[i]);
	if ((pfn & 63) && w < k->nwords)
		r += (uint64_t)__builtin_popcountll(k->bitmap2[w] & ((1ull << (pfn & 63)) - 1));
	return r;
}

static int build_rank(struct vh_dump *d, struct kdump *k)
{
	uint64_t n = (k->nwords >> RANK_SHIFT) + 1, sum = 0;

	k->rank = calloc(n, sizeof(*k->rank));
	if (!k->rank)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory for the bitmap index",
				    d->file.path);
	for (uint64_t i = 0; i < k->nwords; i++) {
		if ((i & ((1u << RANK_SHIFT) - 1)) == 0)
			k->rank[i >> RANK_SHIFT] = sum;
		sum += (uint64_t)__builtin_popcountll(k->bitmap2[i]);
	}
	if ((k->nwords & ((1u << RANK_SHIFT) - 1)) == 0)
		k->rank[k->nwords >> RANK_SHIFT] = sum;
	k->rank_start = rank_of(k, k->start_pfn);
	k->ndumped = rank_of(k, k->end_pfn) - k->rank_start;
	return VH_OK;
}

/* Reads one bitmap half into words; clears and reports bits past max_mapnr. */
static int load_bitmap(struct vh_dump *d, struct kdump *k, uint64_t off, uint64_t **out,
		       const char *what)
{
	uint64_t bytes = (k->max_mapnr + 7) / 8;
	uint64_t *map = calloc(k->nwords, sizeof(*map));
	int err;

	if (!map)
		return vh_set_error(VH_ERR_NOMEM,
				    "%s: out of memory for the %s (%" PRIu64 " bytes)",
				    d->file.path, what, bytes);
	*out = map;
	err = src_read(k, off, map, (size_t)bytes, what, 0);
	if (err)
		return err;
	for (uint64_t i = 0; i < k->nwords; i++)
		map[i] = le64toh(map[i]);
	if (k->max_mapnr & 63) {
		uint64_t keep = (1ull << (k->max_mapnr & 63)) - 1, *last = &map[k->nwords - 1];

		if (*last & ~keep)
			vh_dump_add_warning(d,
					    "%s: offset 0x%" PRIx64
					    ": %s has bits set past max_mapnr "
					    "0x%" PRIx64 "; ignored",
					    d->file.path, off, what, k->max_mapnr);
		*last &= keep;
	}
	return VH_OK;
}

/* Allocates a bitmap-sized set of pfns on first use. */
static uint64_t *lazy_map(struct kdump *k, uint64_t **map)
{
	if (!*map)
		*map = calloc(k->nwords, sizeof(**map));
	return *map;
}

/* ---- header ---- */

struct dh {
	int32_t header_version;
	char uts[6][UTS_LEN + 1];
	uint64_t tv_sec, tv_usec;
	uint32_t status;
	int32_t block_size;
	int32_t sub_hdr_size;
	uint32_t bitmap_blocks;
	uint32_t max_mapnr;
	uint32_t current_cpu;
	int32_t nr_cpus;
};

static void parse_dh(const uint8_t *b, struct dh *h)
{
	h->header_version = (int32_t)get_le32(b + DH_HEADER_VERSION);
	for (int i = 0; i < 6; i++) {
		memcpy(h->uts[i], b + DH_UTSNAME + i * UTS_LEN, UTS_LEN);
		h->uts[i][UTS_LEN] = '\0';
		/* Shown to users and written into JSON: printable ASCII only. */
		for (char *c = h->uts[i]; *c; c++) {
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		}
	}
	h->tv_sec = get_le64(b + DH_TIMESTAMP);
	h->tv_usec = get_le64(b + DH_TIMESTAMP + 8);
	h->status = get_le32(b + DH_STATUS);
	h->block_size = (int32_t)get_le32(b + DH_BLOCK_SIZE);
	h->sub_hdr_size = (int32_t)get_le32(b + DH_SUB_HDR_SIZE);
	h->bitmap_blocks = get_le32(b + DH_BITMAP_BLOCKS);
	h->max_mapnr = get_le32(b + DH_MAX_MAPNR);
	h->current_cpu = get_le32(b + DH_CURRENT_CPU);
	h->nr_cpus = (int32_t)get_le32(b + DH_NR_CPUS);
}

/* Machines whose kdump structs have 32-bit longs, hence another layout. */
static bool is_32bit_machine(const char *m)
{
	static const char *const names[] = {"i386",   "i486", "i586", "i686",  "arm",	 "mips",
					    "mipsel", "ppc",  "s390", "sparc", "riscv32"};

	if (strncmp(m, "armv", 4) == 0)
		return true; /* armv7l and friends; 64-bit Arm says aarch64 */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(m, names[i]) == 0)
			return true;
	}
	return false;
}

static int check_dh(struct vh_dump *d, struct kdump *k, const struct dh *h)
{
	const char *path = d->file.path;
	uint32_t swapped = __builtin_bswap32((uint32_t)h->header_version);
	int err;

	if (h->header_version < 1 || h->header_version > KDUMP_MAX_VERSION) {
		if (swapped >= 1 && swapped <= KDUMP_MAX_VERSION)
			return vh_set_error(VH_ERR_UNSUPPORTED,
					    "%s: offset 0x%x: big-endian kdump (header_version %u "
					    "byte-swapped); only little-endian dumps are supported",
					    path, DH_HEADER_VERSION, swapped);
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: kdump header_version %d, expected 1 to 6",
				    path, DH_HEADER_VERSION, h->header_version);
	}
	if (is_32bit_machine(h->uts[UTS_MACHINE]))
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: offset 0x%x: kdump of a 32-bit machine (\"%s\"): its "
				    "header layout is not supported",
				    path, DH_UTSNAME + UTS_MACHINE * UTS_LEN, h->uts[UTS_MACHINE]);
	if (h->block_size <= 0)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: kdump block_size %d, expected the page size "
				    "(a power of two, 4096 on x86-64)",
				    path, DH_BLOCK_SIZE, h->block_size);
	err = vh_dump_set_page_size(d, (uint64_t)h->block_size, DH_BLOCK_SIZE);
	if (err)
		return err;
	if (h->sub_hdr_size < 1)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: kdump sub_hdr_size %d blocks, expected at "
				    "least 1",
				    path, DH_SUB_HDR_SIZE, h->sub_hdr_size);
	if (h->bitmap_blocks < 2)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: kdump bitmap_blocks %u, expected room for "
				    "two bitmaps (at least 2)",
				    path, DH_BITMAP_BLOCKS, h->bitmap_blocks);
	k->block_size = (uint32_t)h->block_size;
	k->block_shift = d->page_shift; /* until choose_page_size() looks at VMCOREINFO */
	k->header_version = h->header_version;
	k->status = h->status;
	if (h->header_version > 6)
		vh_dump_add_warning(d,
				    "%s: offset 0x%x: kdump header_version %d is newer than 6; "
				    "read as version 6",
				    path, DH_HEADER_VERSION, h->header_version);
	return VH_OK;
}

/* ---- sub-header ---- */

struct kh {
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn, end_pfn;
	uint64_t off_vmcoreinfo, size_vmcoreinfo;
	uint64_t off_note, size_note;
	uint64_t off_eraseinfo, size_eraseinfo;
	uint64_t max_mapnr_64;
};

/* Only the fields the header version defines are taken; the rest stay zero. */
static void parse_kh(const uint8_t *b, int version, struct kh *s)
{
	memset(s, 0, sizeof(*s));
	s->phys_base = get_le64(b + KH_PHYS_BASE);
	s->dump_level = (int32_t)get_le32(b + KH_DUMP_LEVEL);
	if (version >= 2) {
		s->split = (int32_t)get_le32(b + KH_SPLIT);
		s->start_pfn = get_le64(b + KH_START_PFN);
		s->end_pfn = get_le64(b + KH_END_PFN);
	}
	if (version >= 3) {
		s->off_vmcoreinfo = get_le64(b + KH_OFFSET_VMCOREINFO);
		s->size_vmcoreinfo = get_le64(b + KH_SIZE_VMCOREINFO);
	}
	if (version >= 4) {
		s->off_note = get_le64(b + KH_OFFSET_NOTE);
		s->size_note = get_le64(b + KH_SIZE_NOTE);
	}
	if (version >= 5) {
		s->off_eraseinfo = get_le64(b + KH_OFFSET_ERASEINFO);
		s->size_eraseinfo = get_le64(b + KH_SIZE_ERASEINFO);
	}
	if (version >= 6) {
		s->start_pfn = get_le64(b + KH_START_PFN_64);
		s->end_pfn = get_le64(b + KH_END_PFN_64);
		s->max_mapnr_64 = get_le64(b + KH_MAX_MAPNR_64);
	}
}

static int read_kh(struct kdump *k, const struct dh *h, struct kh *s)
{
	uint8_t buf[KH_SIZE] = {0};
	uint64_t avail = (uint64_t)h->sub_hdr_size * k->block_size;
	size_t len = avail < KH_SIZE ? (size_t)avail : KH_SIZE;
	int err = src_read(k, k->block_size, buf, len, "kdump sub-header", 0);

	if (err)
		return err;
	parse_kh(buf, k->header_version, s);
	k->dump_level = s->dump_level;
	return VH_OK;
}

/* max_mapnr and the pfn range this file holds. */
static int set_geometry(struct vh_dump *d, struct kdump *k, const struct dh *h, const struct kh *s)
{
	const char *path = d->file.path;
	uint64_t half, bytes, bitmap_off;
	char w[96];

	k->max_mapnr = h->max_mapnr;
	if (k->header_version >= 6 && s->max_mapnr_64)
		k->max_mapnr = s->max_mapnr_64;
	if (k->max_mapnr == 0)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: %s: kdump max_mapnr is 0: no memory described", path,
				    where(k, DH_MAX_MAPNR, w, sizeof(w)));
	/* Bound it before any arithmetic: (max_mapnr + 7) / 8 wraps to 0 near 2^64. */
	if (k->max_mapnr > KDUMP_MAX_PHYS / k->block_size)
		return vh_set_error(
		    VH_ERR_FORMAT,
		    "%s: %s: kdump max_mapnr 0x%" PRIx64 " pfns of %u bytes is more "
		    "than a 52-bit physical address space holds",
		    path,
		    where(k,
			  k->max_mapnr == h->max_mapnr ? DH_MAX_MAPNR
						       : k->block_size + KH_MAX_MAPNR_64,
			  w, sizeof(w)),
		    k->max_mapnr, k->block_size);
	k->start_pfn = 0;
	k->end_pfn = k->max_mapnr;
	if (s->split) {
		/* empty is allowed: makedumpfile gives the parts past its last split
		 * block (1 GiB by default) [max_mapnr, max_mapnr) */
		if (s->start_pfn > s->end_pfn || s->end_pfn > k->max_mapnr)
			return vh_set_error(VH_ERR_FORMAT,
					    "%s: %s: split dump pfn range 0x%" PRIx64 "-0x%" PRIx64
					    " is reversed or beyond max_mapnr 0x%" PRIx64,
					    path, where(k, k->block_size + KH_SPLIT, w, sizeof(w)),
					    s->start_pfn, s->end_pfn, k->max_mapnr);
		k->start_pfn = s->start_pfn;
		k->end_pfn = s->end_pfn;
		k->split = true;
	}
	k->tv_sec = h->tv_sec;
	k->tv_usec = h->tv_usec;
	k->phys_base = s->phys_base;
	half = (uint64_t)h->bitmap_blocks * k->block_size / 2;
	bytes = (k->max_mapnr + 7) / 8;
	if (bytes > half)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: %s: kdump bitmaps of %" PRIu64 " bytes each cannot hold "
				    "max_mapnr 0x%" PRIx64 " pfns (%" PRIu64 " bytes needed)",
				    path, where(k, DH_BITMAP_BLOCKS, w, sizeof(w)), half,
				    k->max_mapnr, bytes);
	if (bytes > KDUMP_MAX_BITMAP)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: kdump max_mapnr 0x%" PRIx64 " needs bitmaps of %" PRIu64
				    " bytes, more than the %llu MiB vmahunt holds in memory",
				    path, k->max_mapnr, bytes, KDUMP_MAX_BITMAP >> 20);
	/* Both bitmaps are stored in the file (in records, if flattened): a small
	 * file cannot make us allocate large ones. */
	if (2 * bytes > d->file.size)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: %s: kdump bitmaps for max_mapnr 0x%" PRIx64
				    " need %" PRIu64 " bytes, more than the whole file (0x%" PRIx64
				    " bytes)",
				    path, where(k, DH_MAX_MAPNR, w, sizeof(w)), k->max_mapnr,
				    2 * bytes, d->file.size);
	/* No overflow: 2^32 blocks of at most 2^20 bytes. */
	bitmap_off = (1 + (uint64_t)h->sub_hdr_size) * k->block_size;
	k->desc_off = bitmap_off + (uint64_t)h->bitmap_blocks * k->block_size;
	if (k->desc_off > k->src.size)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: %s: kdump header, sub-header and bitmaps end at 0x%" PRIx64
				    ", past the end of the file (size 0x%" PRIx64 ")",
				    path, where(k, 0, w, sizeof(w)), k->desc_off, k->src.size);
	k->nwords = (k->max_mapnr + 63) / 64;
	return VH_OK;
}

static const char *codec_of_flags(uint32_t flags)
{
	switch (flags & DUMP_DH_CODECS) {
	case 0:
		return "none";
	case DUMP_DH_COMPRESSED_ZLIB:
		return "zlib";
	case DUMP_DH_COMPRESSED_LZO:
		return "lzo";
	case DUMP_DH_COMPRESSED_SNAPPY:
		return "snappy";
	case DUMP_DH_COMPRESSED_ZSTD:
		return "zstd";
	}
	return "several codecs";
}

static void describe_status(uint32_t st, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
	    {DUMP_DH_COMPRESSED_ZLIB, "zlib"},
	    {DUMP_DH_COMPRESSED_LZO, "lzo"},
	    {DUMP_DH_COMPRESSED_SNAPPY, "snappy"},
	    {DUMP_DH_COMPRESSED_INCOMPLETE, "incomplete"},
	    {DUMP_DH_EXCLUDED_VMEMMAP, "excluded_vmemmap"},
	    {DUMP_DH_COMPRESSED_ZSTD, "zstd"},
	};
	size_t n = (size_t)snprintf(buf, size, "0x%x (", st);
	const char *sep = "";

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < size; i++) {
		if (st & bits[i].bit) {
			n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, bits[i].name);
			sep = ", ";
		}
	}
	if (n < size)
		snprintf(buf + n, size - n, "%s)", *sep ? "" : "uncompressed");
}

static void describe_level(int32_t level, char *buf, size_t size)
{
	static const char *const names[] = {"zero", "cache", "cache_private", "user", "free"};
	size_t n = (size_t)snprintf(buf, size, "%d", level);
	const char *sep = " (excludes ";

	for (int i = 0; i < 5 && n < size; i++) {
		if (level & (1 << i)) {
			n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
	if (n < size && level > 0)
		snprintf(buf + n, size - n, ")");
}

/*
 * utsname.machine says nothing: empty, or QEMU's placeholder "Unknown" (QEMU
 * 7.2 writes it for targets it has no uname for, aarch64 among them).
 */
static bool machine_unnamed(const struct dh *h)
{
	return !h->uts[UTS_MACHINE][0] || strcmp(h->uts[UTS_MACHINE], "Unknown") == 0;
}

static int add_attrs(struct vh_dump *d, struct kdump *k, const struct dh *h, const struct kh *s)
{
	char buf[160];
	int err = 0;

	err |= vh_dump_add_attr(d, "header_version", "%d", k->header_version);
	err |= vh_dump_add_attr(d, "sub_header_version", "%d", k->header_version);
	describe_status(k->status, buf, sizeof(buf));
	err |= vh_dump_add_attr(d, "status", "%s", buf);
	err |= vh_dump_add_attr(d, "block_size", "%u", k->block_size);
	err |= vh_dump_add_attr(d, "max_mapnr", "0x%" PRIx64, k->max_mapnr);
	err |= vh_dump_add_attr(d, "phys_base", "0x%" PRIx64, s->phys_base);
	describe_level(s->dump_level, buf, sizeof(buf));
	err |= vh_dump_add_attr(d, "dump_level", "%s", buf);
	if (h->uts[UTS_RELEASE][0])
		err |= vh_dump_add_attr(d, "release", "%s", h->uts[UTS_RELEASE]);
	if (h->uts[UTS_MACHINE][0])
		err |= vh_dump_add_attr(d, "machine", "%s", h->uts[UTS_MACHINE]);
	if (h->uts[UTS_NODENAME][0])
		err |= vh_dump_add_attr(d, "nodename", "%s", h->uts[UTS_NODENAME]);
	if (h->tv_sec && h->tv_sec < (1ull << 40)) {
		time_t t = (time_t)h->tv_sec;
		struct tm tm;

		if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
			err |= vh_dump_add_attr(d, "timestamp", "%s", buf);
	}
	err |= vh_dump_add_attr(d, "nr_cpus", "%d", h->nr_cpus);
	err |= vh_dump_add_attr(d, "current_cpu", "%u", h->current_cpu);
	if (s->split)
		err |=
		    vh_dump_add_attr(d, "split",
				     "pfns 0x%" PRIx64 "-0x%" PRIx64
				     " (one part of a split dump; the others are separate files)",
				     k->start_pfn, k->end_pfn);
	else
		err |= vh_dump_add_attr(d, "split", "no");
	err |= vh_dump_add_attr(d, "incomplete", "%s",
				(k->status & DUMP_DH_COMPRESSED_INCOMPLETE) ? "yes" : "no");
	if (s->off_eraseinfo && s->size_eraseinfo)
		err |= vh_dump_add_attr(d, "eraseinfo",
					"%" PRIu64 " bytes at offset 0x%" PRIx64
					" (makedumpfile erased some data)",
					s->size_eraseinfo, s->off_eraseinfo);
	if (!machine_unnamed(h))
		snprintf(d->arch, sizeof(d->arch), "%.*s", (int)sizeof(d->arch) - 1,
			 h->uts[UTS_MACHINE]);
	return err ? VH_ERR_NOMEM : VH_OK;
}

/* ---- notes and VMCOREINFO: damage here costs the notes, never the memory ---- */

static int read_blob(struct vh_dump *d, struct kdump *k, uint64_t off, uint64_t size, uint64_t max,
		     const char *what, uint8_t **out)
{
	char w[96];

	*out = NULL;
	if (size > max || size > d->file.size || off > k->src.size || size > k->src.size - off) {
		return vh_dump_add_warning(d,
					   "%s: %s: %s of %" PRIu64 " bytes lies outside the file "
					   "or exceeds %" PRIu64 " bytes; ignored",
					   d->file.path, where(k, off, w, sizeof(w)), what, size,
					   max);
	}
	*out = malloc(size ? size : 1);
	if (!*out)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	if (src_read(k, off, *out, (size_t)size, what, 0) != VH_OK) {
		free(*out);
		*out = NULL;
		return vh_dump_add_warning(d, "%s; ignored", vh_errmsg());
	}
	return VH_OK;
}

static int read_note_area(struct vh_dump *d, struct kdump *k, const struct kh *s)
{
	uint8_t *buf;
	uint64_t foff;
	int err;

	if (!s->off_note || !s->size_note)
		return VH_OK;
	err = read_blob(d, k, s->off_note, s->size_note, KDUMP_MAX_NOTES, "ELF note area", &buf);
	if (err || !buf)
		return err;
	foff = k->src.file_offset ? k->src.file_offset(k->src.ctx, s->off_note) : s->off_note;
	err = vh_notes_parse(d, buf, (size_t)s->size_note, foff);
	free(buf);
	if (err == VH_ERR_NOMEM)
		return err;
	if (err)
		return vh_dump_add_warning(d, "%s; notes ignored", vh_errmsg());
	return VH_OK;
}

/* makedumpfile points offset_vmcoreinfo into the VMCOREINFO note's text. */
static int read_vmcoreinfo(struct vh_dump *d, struct kdump *k, const struct kh *s)
{
	uint8_t *buf;
	int err;

	if (!s->off_vmcoreinfo || !s->size_vmcoreinfo)
		return VH_OK;
	err = read_blob(d, k, s->off_vmcoreinfo, s->size_vmcoreinfo, KDUMP_MAX_VMCI, "VMCOREINFO",
			&buf);
	if (err || !buf)
		return err;
	err = vh_dump_set_vmcoreinfo(d, (const char *)buf, (size_t)s->size_vmcoreinfo);
	free(buf);
	return err;
}

/* ---- the machine: page size and arch, once the notes and VMCOREINFO are read ---- */

/*
 * The kernel's page size, VMCOREINFO's PAGESIZE, when it is smaller than the
 * block (QEMU's 64 KiB blocks of an aarch64 guest): upper layers walk page
 * tables and count pages in the kernel's pages. Without PAGESIZE, or when it
 * is the block size, pages are blocks as before.
 */
static int choose_page_size(struct vh_dump *d, struct kdump *k)
{
	const char *v = vh_dump_vmcoreinfo_get(d, "PAGESIZE");
	unsigned long long ps;
	char *end;
	bool number;

	if (!v)
		return VH_OK;
	ps = strtoull(v, &end, 10);
	number = *v && !*end;
	if (number && ps == k->block_size)
		return VH_OK;
	if (!number || ps < 512 || ps > k->block_size || (ps & (ps - 1)))
		return vh_dump_add_warning(d,
					   "%s: VMCOREINFO PAGESIZE=%s is not a power of two from "
					   "512 to the block size %u; pages of %u bytes used",
					   d->file.path, v, k->block_size, k->block_size);
	if (vh_dump_set_page_size(d, ps, 0) != VH_OK)
		return VH_ERR_FORMAT; /* not reached: ps was checked above */
	k->sub_shift = k->block_shift - d->page_shift;
	k->blk = malloc(k->block_size);
	if (!k->blk)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	return vh_dump_add_attr(d, "pages_per_block",
				"%u (block_size %u, VMCOREINFO PAGESIZE %llu)", 1u << k->sub_shift,
				k->block_size, ps);
}

/* utsname.machine says nothing (QEMU's aarch64 kdumps): VMCOREINFO or the notes may. */
static int infer_arch(struct vh_dump *d, const struct dh *h)
{
	const char *from;
	int err;

	if (!machine_unnamed(h))
		return VH_OK;
	err = vh_dump_infer_arch(d, &from);
	if (err || !from)
		return err;
	return vh_dump_add_attr(d, "arch_from", "%s (utsname.machine is %s)", from,
				h->uts[UTS_MACHINE][0] ? "\"Unknown\"" : "empty");
}

/* Counts so far are of blocks; the dump's are of pages. */
static void scale_stats(struct vh_dump *d, const struct kdump *k)
{
	struct vh_page_stats *st = &d->stats;

	st->present <<= k->sub_shift;
	st->zero <<= k->sub_shift;
	st->excluded <<= k->sub_shift;
	for (int c = 0; c < VH_CODEC_COUNT; c++)
		st->by_codec[c] <<= k->sub_shift;
}

/* ---- memory ranges: runs of pfns in either bitmap ---- */

static uint64_t word_or(const struct kdump *k, uint64_t i)
{
	return k->bitmap1[i] | k->bitmap2[i];
}

/* First pfn >= @pfn (below @end) whose "in memory" bit equals @set, or @end. */
static uint64_t next_pfn(const struct kdump *k, uint64_t pfn, uint64_t end, bool set)
{
	while (pfn < end) {
		uint64_t w = word_or(k, pfn >> 6);

		if (!set)
			w = ~w;
		w &= ~0ull << (pfn & 63);
		if (w) {
			pfn = (pfn & ~63ull) + (uint64_t)__builtin_ctzll(w);
			return pfn < end ? pfn : end;
		}
		pfn = (pfn & ~63ull) + 64;
	}
	return end;
}

/* Calls @fn for each run of pfns in memory, up to @max runs; returns the number of runs. */
static uint64_t for_each_run(const struct kdump *k, uint64_t max,
			     int (*fn)(struct vh_dump *d, uint64_t start, uint64_t end),
			     struct vh_dump *d, int *err)
{
	uint64_t pfn = k->start_pfn, nruns = 0;

	while (!*err && (pfn = next_pfn(k, pfn, k->end_pfn, true)) < k->end_pfn) {
		uint64_t end = next_pfn(k, pfn, k->end_pfn, false);

		if (fn && nruns < max)
			*err = fn(d, pfn << k->block_shift, end << k->block_shift);
		nruns++;
		pfn = end;
	}
	return nruns;
}

static int add_ranges(struct vh_dump *d, struct kdump *k)
{
	uint64_t nruns, first, last;
	int err = VH_OK;

	/* Counted first: a hostile bitmap could ask for one range per pfn. */
	nruns = for_each_run(k, 0, NULL, d, &err);
	if (nruns <= KDUMP_MAX_RANGES) {
		for_each_run(k, KDUMP_MAX_RANGES, vh_dump_add_range, d, &err);
		return err;
	}
	first = next_pfn(k, k->start_pfn, k->end_pfn, true);
	last = k->end_pfn;
	while (last > first && !test_bit(k->bitmap1, last - 1) && !test_bit(k->bitmap2, last - 1))
		last--;
	vh_dump_add_warning(d,
			    "%s: the kdump bitmaps describe %" PRIu64 " separate runs of pages; "
			    "reported as one range (page states remain exact)",
			    d->file.path, nruns);
	return vh_dump_add_range(d, first << k->block_shift, last << k->block_shift);
}

/* Pages in the 1st bitmap only (excluded), and in the 2nd only (inconsistent). */
static int count_bitmaps(struct vh_dump *d, struct kdump *k)
{
	uint64_t only2 = 0, first2 = 0;

	for (uint64_t i = k->start_pfn >> 6; i < k->nwords && (i << 6) < k->end_pfn; i++) {
		uint64_t mask = ~0ull;

		if (i == k->start_pfn >> 6)
			mask &= ~0ull << (k->start_pfn & 63);
		if (((i + 1) << 6) > k->end_pfn)
			mask &= (1ull << (k->end_pfn & 63)) - 1;
		d->stats.excluded +=
		    (uint64_t)__builtin_popcountll(k->bitmap1[i] & ~k->bitmap2[i] & mask);
		if (k->bitmap2[i] & ~k->bitmap1[i] & mask) {
			if (!only2)
				first2 = (i << 6) + (uint64_t)__builtin_ctzll(
							k->bitmap2[i] & ~k->bitmap1[i] & mask);
			only2 +=
			    (uint64_t)__builtin_popcountll(k->bitmap2[i] & ~k->bitmap1[i] & mask);
		}
	}
	if (only2) {
		char b[96];

		return vh_dump_add_warning(
		    d,
		    "%s: %" PRIu64 " %s (first %s) are dumped "
		    "(2nd bitmap) but not in memory (1st bitmap); read as dumped",
		    d->file.path, only2, units(k), blk_name(k, first2, b, sizeof(b)));
	}
	return VH_OK;
}

/* ---- page descriptors ---- */

static void parse_pd(const uint8_t *b, struct page_desc *pd)
{
	pd->offset = get_le64(b + PD_OFFSET);
	pd->size = get_le32(b + PD_SIZE);
	pd->flags = get_le32(b + PD_FLAGS);
}

static enum vh_codec codec_of(uint32_t flags)
{
	switch (flags & DUMP_DH_CODECS) {
	case DUMP_DH_COMPRESSED_ZLIB:
		return VH_CODEC_ZLIB;
	case DUMP_DH_COMPRESSED_LZO:
		return VH_CODEC_LZO;
	case DUMP_DH_COMPRESSED_SNAPPY:
		return VH_CODEC_SNAPPY;
	case DUMP_DH_COMPRESSED_ZSTD:
		return VH_CODEC_ZSTD;
	}
	return VH_CODEC_NONE;
}

/*
 * makedumpfile with dump_level bit 0 set (-d 1, -d 31) and QEMU (always dump
 * level 1) store one zero page first in the data area and point every zero
 * page's descriptor at it: those pages are VH_PAGE_ZERO. With -d 0 each zero
 * page is compressed and stored like any other, and counts as present:
 * telling them apart would mean decompressing every page on open.
 */
static bool is_zero_desc(const struct kdump *k, const struct page_desc *pd)
{
	return k->zero && pd->offset == k->data_off && pd->size == k->block_size &&
	       !(pd->flags & DUMP_DH_CODECS);
}

enum pd_verdict { PD_OK, PD_ZERO, PD_MISSING, PD_DATA_PAST_EOF, PD_BAD };

/* What a descriptor says, checked on its own (not against other descriptors). */
static enum pd_verdict check_pd(const struct kdump *k, const struct page_desc *pd, const char **why)
{
	uint32_t codecs = pd->flags & DUMP_DH_CODECS;

	*why = NULL;
	if (pd->offset == 0 && pd->size == 0 && pd->flags == 0)
		return PD_MISSING; /* never written: incomplete dump, or a lost record */
	if (is_zero_desc(k, pd))
		return PD_ZERO;
	if (codecs & (codecs - 1))
		*why = "names more than one codec";
	else if (pd->size == 0)
		*why = "has size 0";
	else if (pd->size > k->block_size)
		*why = "has a size larger than the block size";
	else if (!codecs && pd->size != k->block_size)
		*why = "stores the page uncompressed but its size is not the block size";
	else if (pd->offset < k->data_off)
		*why = "points before the page data area (into headers, bitmaps or descriptors)";
	if (*why)
		return PD_BAD;
	if (pd->offset > k->src.size || pd->size > k->src.size - pd->offset)
		return PD_DATA_PAST_EOF;
	return PD_OK;
}

static const char *incomplete_note(const struct kdump *k)
{
	return (k->status & DUMP_DH_COMPRESSED_INCOMPLETE)
		   ? " (the dump is marked incomplete: makedumpfile could not write it all)"
		   : " (the file looks truncated)";
}

/* One kind of damage found by the open-time pass: how often, and where first. */
struct finding {
	uint64_t count;
	uint64_t pfn; /* the first page found */
	uint64_t off; /* its descriptor's offset, or its data's for data past EOF */
};

/* Counters of the open-time pass over the descriptors. */
struct pd_census {
	struct finding missing, past_eof, bad, overlap;
	uint64_t max_end; /* end of the furthest page data seen */
};

static void note_first(struct finding *f, uint64_t pfn, uint64_t off)
{
	if (f->count++ == 0) {
		f->pfn = pfn;
		f->off = off;
	}
}

/* A dumped page with nothing stored: counted present (as before), skipped by next_present. */
static int mark_nodata(struct vh_dump *d, struct kdump *k, uint64_t pfn)
{
	if (!lazy_map(k, &k->nodata))
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	set_bit(k->nodata, pfn);
	d->stats.present++;
	return VH_OK;
}

static int census_one(struct vh_dump *d, struct kdump *k, struct pd_census *c, uint64_t pfn,
		      const struct page_desc *pd, uint64_t pd_off)
{
	const char *why;

	switch (check_pd(k, pd, &why)) {
	case PD_ZERO:
		set_bit(k->zero, pfn);
		d->stats.zero++;
		return VH_OK;
	case PD_MISSING:
		note_first(&c->missing, pfn, pd_off);
		return mark_nodata(d, k, pfn);
	case PD_DATA_PAST_EOF:
		note_first(&c->past_eof, pfn, pd->offset);
		return mark_nodata(d, k, pfn);
	case PD_BAD:
		note_first(&c->bad, pfn, pd_off);
		break;
	case PD_OK:
		d->stats.by_codec[codec_of(pd->flags)]++;
		if (pd->offset < c->max_end) {
			/* Every known writer stores page data in pfn order, without overlap. */
			if (!lazy_map(k, &k->bad))
				return vh_set_error(VH_ERR_NOMEM, "%s: out of memory",
						    d->file.path);
			set_bit(k->bad, pfn);
			note_first(&c->overlap, pfn, pd_off);
		}
		if (pd->offset + pd->size > c->max_end)
			c->max_end = pd->offset + pd->size;
		break;
	}
	d->stats.present++;
	return VH_OK;
}

/* First pfn >= @pfn in the 2nd bitmap; the caller knows there is one. */
static uint64_t next_dumped(const struct kdump *k, uint64_t pfn)
{
	for (;;) {
		uint64_t w = k->bitmap2[pfn >> 6] & (~0ull << (pfn & 63));

		if (w)
			return (pfn & ~63ull) + (uint64_t)__builtin_ctzll(w);
		pfn = (pfn & ~63ull) + 64;
	}
}

/* Reads descriptors [idx, idx + n) into @buf; those past the end of the image read as zeros. */
static int read_pd_chunk(struct kdump *k, uint64_t idx, uint64_t n, uint8_t *buf)
{
	uint64_t off = k->desc_off + idx * PD_LEN, len = n * PD_LEN;

	memset(buf, 0, (size_t)len);
	if (off >= k->src.size)
		return VH_OK;
	if (len > k->src.size - off)
		len = (k->src.size - off) / PD_LEN * PD_LEN;
	return src_read(k, off, buf, (size_t)len, "page descriptors", 0);
}

/* The shared zero page exists when the dump level excludes zero pages and
 * the first block of page data holds zeros. */
static int find_zero_page(struct kdump *k)
{
	uint8_t *blk;
	bool zero = true;

	if (!(k->dump_level & DL_EXCLUDE_ZERO) || k->data_off > k->src.size ||
	    k->block_size > k->src.size - k->data_off)
		return VH_OK;
	blk = malloc(k->block_size);
	if (!blk)
		return VH_ERR_NOMEM;
	if (src_read(k, k->data_off, blk, k->block_size, "zero page", VH_KDUMP_SRC_NO_HOLES))
		zero = false;
	for (uint32_t i = 0; zero && i < k->block_size; i++)
		zero = blk[i] == 0;
	free(blk);
	if (zero && !lazy_map(k, &k->zero))
		return VH_ERR_NOMEM;
	return VH_OK;
}

static int warn_finding(struct vh_dump *d, struct kdump *k, const struct finding *f,
			const char *what, const char *tail)
{
	char w[96], b[96];

	if (!f->count)
		return VH_OK;
	return vh_dump_add_warning(d, "%s: %" PRIu64 " %s %s (first: %s, %s)%s", d->file.path,
				   f->count, units(k), what, blk_name(k, f->pfn, b, sizeof(b)),
				   where(k, f->off, w, sizeof(w)), tail);
}

static int census_warnings(struct vh_dump *d, struct kdump *k, const struct pd_census *c)
{
	char tail[160];
	int err = VH_OK;

	snprintf(tail, sizeof(tail), "%s; reading them fails", incomplete_note(k));
	err |= warn_finding(d, k, &c->missing, "have no page descriptor in the file", tail);
	err |= warn_finding(d, k, &c->past_eof, "have data past the end of the file", tail);
	err |=
	    warn_finding(d, k, &c->bad, "have malformed page descriptors", "; reading them fails");
	err |= warn_finding(d, k, &c->overlap, "have data overlapping an earlier page's",
			    "; reading them fails");
	if ((k->status & DUMP_DH_COMPRESSED_INCOMPLETE) && !c->missing.count && !c->past_eof.count)
		err |= vh_dump_add_warning(d,
					   "%s: the dump is marked incomplete, yet every page "
					   "descriptor and page is present",
					   d->file.path);
	return err ? VH_ERR_NOMEM : VH_OK;
}

/* Descriptors the image holds: a bitmap may mark far more pages dumped than that. */
static uint64_t stored_descs(const struct kdump *k)
{
	uint64_t n = k->desc_off < k->src.size ? (k->src.size - k->desc_off) / PD_LEN : 0;

	return n < k->ndumped ? n : k->ndumped;
}

/*
 * The descriptors past the end of the image, counted at once rather than one
 * by one: they cost nothing in the file, so they must cost nothing here.
 */
static void census_unstored(struct vh_dump *d, struct kdump *k, struct pd_census *c,
			    uint64_t nstored, uint64_t pfn)
{
	uint64_t rest = k->ndumped - nstored;

	k->stored_end = k->end_pfn;
	if (!rest)
		return;
	pfn = next_dumped(k, pfn);
	k->stored_end = pfn;
	if (!c->missing.count) {
		c->missing.pfn = pfn;
		c->missing.off = k->desc_off + nstored * PD_LEN;
	}
	c->missing.count += rest;
	d->stats.present += rest;
}

/* One pass over every stored descriptor, in pfn order: stats, zero pages, overlaps. */
static int census(struct vh_dump *d, struct kdump *k)
{
	struct pd_census c = {0};
	uint8_t *buf = malloc(DESC_CHUNK * PD_LEN);
	uint64_t idx = 0, pfn = k->start_pfn, nstored = stored_descs(k);
	int err;

	if (!buf)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	err = find_zero_page(k);
	c.max_end = k->data_off + (k->zero ? k->block_size : 0);
	while (!err && idx < nstored) {
		uint64_t n = nstored - idx < DESC_CHUNK ? nstored - idx : DESC_CHUNK;

		err = read_pd_chunk(k, idx, n, buf);
		for (uint64_t i = 0; !err && i < n; i++) {
			struct page_desc pd;

			/* The chunk's pfns are the next set bits of the 2nd bitmap. */
			pfn = next_dumped(k, pfn);
			parse_pd(buf + i * PD_LEN, &pd);
			err = census_one(d, k, &c, pfn++, &pd, k->desc_off + (idx + i) * PD_LEN);
		}
		idx += n;
	}
	free(buf);
	if (!err)
		census_unstored(d, k, &c, nstored, pfn);
	if (err == VH_ERR_NOMEM)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	if (err)
		return err;
	return census_warnings(d, k, &c);
}

/* ---- open ---- */

static int open_layout(struct vh_dump *d, struct kdump *k, struct dh *h, struct kh *s)
{
	uint8_t buf[DH_SIZE];
	int err = src_read(k, 0, buf, sizeof(buf), "kdump header", 0);

	if (err)
		return err;
	if (memcmp(buf, KDUMP_SIGNATURE, SIG_LEN) != 0) {
		if (k->src.file_offset && memcmp(buf, "\177ELF", 4) == 0)
			return vh_set_error(
			    VH_ERR_UNSUPPORTED,
			    "%s: the flattened stream holds an ELF vmcore "
			    "(makedumpfile -E -F): run \"vmahunt convert\" and open "
			    "its output",
			    d->file.path);
		if (memcmp(buf, DISKDUMP_SIGNATURE, SIG_LEN) == 0)
			return vh_set_error(VH_ERR_UNSUPPORTED,
					    "%s: offset 0x0: old diskdump format (\"DISKDUMP\"), "
					    "not supported; only makedumpfile's \"KDUMP   \"",
					    d->file.path);
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x0: expected the kdump signature \"KDUMP   \"",
				    d->file.path);
	}
	parse_dh(buf, h);
	err = check_dh(d, k, h);
	if (!err)
		err = read_kh(k, h, s);
	if (!err)
		err = set_geometry(d, k, h, s);
	return err;
}

static int open_bitmaps(struct vh_dump *d, struct kdump *k, const struct dh *h)
{
	uint64_t bitmap_off = (1 + (uint64_t)h->sub_hdr_size) * k->block_size;
	uint64_t half = (uint64_t)h->bitmap_blocks * k->block_size / 2;
	int err = load_bitmap(d, k, bitmap_off, &k->bitmap1, "1st bitmap");

	if (!err)
		err = load_bitmap(d, k, bitmap_off + half, &k->bitmap2, "2nd bitmap");
	if (!err)
		err = build_rank(d, k);
	if (err)
		return err;
	k->data_off = k->desc_off + k->ndumped * PD_LEN;
	if (k->split && k->ndumped) {
		/*
		 * makedumpfile (1.7.8, seen on the lab's dumps) gives every part of a
		 * split dump the whole 2nd bitmap and a descriptor table sized for all
		 * of its pages: the part's descriptors come first, the rest is left
		 * unwritten, and the page data (the shared zero page first) starts
		 * after the whole table. The first descriptor says which layout: its
		 * data is the first block or the second (after the zero page) of the
		 * data area, and the two candidates differ by a multiple of 24 bytes,
		 * which a block size (a power of two) never is.
		 */
		uint64_t all = k->desc_off + rank_of(k, k->max_mapnr) * PD_LEN, off;
		uint8_t pd[PD_LEN];

		if (all > k->data_off && read_pd_chunk(k, 0, 1, pd) == VH_OK &&
		    ((off = get_le64(pd + PD_OFFSET)) == all || off == all + k->block_size))
			k->data_off = all;
	}
	return VH_OK;
}

int vh_kdump_open_src(struct vh_dump *d, const struct vh_kdump_src *src)
{
	struct kdump *k = calloc(1, sizeof(*k));
	struct dh h;
	struct kh s;
	int err;

	if (!k) {
		if (src->free)
			src->free(src->ctx);
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	}
	k->src = *src;
	d->priv = k;
	lzo_init();
	err = open_layout(d, k, &h, &s);
	if (!err)
		err = open_bitmaps(d, k, &h);
	if (err)
		return err;
	k->cbuf = malloc(k->block_size);
	if (!k->cbuf)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	err = add_attrs(d, k, &h, &s);
	if (!err && (k->status & DUMP_DH_COMPRESSED_INCOMPLETE))
		err = vh_dump_add_warning(
		    d,
		    "%s: offset 0x%x: the dump is marked incomplete "
		    "(DUMP_DH_COMPRESSED_INCOMPLETE): some pages may be missing",
		    d->file.path, DH_STATUS);
	if (!err)
		err = read_note_area(d, k, &s);
	if (!err)
		err = read_vmcoreinfo(d, k, &s);
	if (!err)
		err = infer_arch(d, &h);
	if (!err)
		err = choose_page_size(d, k);
	if (!err)
		err = add_ranges(d, k);
	if (!err)
		err = count_bitmaps(d, k);
	if (!err)
		err = census(d, k);
	if (!err)
		scale_stats(d, k);
	return err;
}

/* ---- reading a page ---- */

/* What uncompress() does, on a stream kept from page to page. */
static int inflate_page(struct kdump *k, const uint8_t *src, size_t len, void *dst, size_t *out,
			long *code)
{
	z_stream *z = &k->zlib;

	if (!k->zlib_ready) {
		if (inflateInit(z) != Z_OK)
			return VH_ERR_NOMEM;
		k->zlib_ready = true;
	} else if (inflateReset(z) != Z_OK) {
		return VH_ERR_NOMEM;
	}
	z->next_in = (Bytef *)(uintptr_t)src;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = k->block_size;
	*code = inflate(z, Z_FINISH);
	*out = z->total_out;
	return *code == Z_STREAM_END ? VH_OK : VH_ERR_CORRUPT;
}

static int decompress(struct kdump *k, uint32_t flags, const uint8_t *src, size_t len, void *dst,
		      size_t *out, long *code)
{
	*code = 0;
	switch (flags & DUMP_DH_CODECS) {
	case DUMP_DH_COMPRESSED_ZLIB:
		return inflate_page(k, src, len, dst, out, code);
	case DUMP_DH_COMPRESSED_LZO: {
		lzo_uint n = k->block_size;

		*code = lzo1x_decompress_safe(src, len, dst, &n, NULL);
		*out = n;
		return *code == LZO_E_OK ? VH_OK : VH_ERR_CORRUPT;
	}
	case DUMP_DH_COMPRESSED_SNAPPY: {
		size_t n = 0;

		*code = snappy_uncompressed_length((const char *)src, len, &n);
		if (*code != SNAPPY_OK || n != k->block_size) {
			*out = n;
			return VH_ERR_CORRUPT;
		}
		*code = snappy_uncompress((const char *)src, len, dst, &n);
		*out = n;
		return *code == SNAPPY_OK ? VH_OK : VH_ERR_CORRUPT;
	}
	case DUMP_DH_COMPRESSED_ZSTD: {
		size_t n;

		if (!k->zstd && !(k->zstd = ZSTD_createDCtx()))
			return VH_ERR_NOMEM;
		n = ZSTD_decompressDCtx(k->zstd, dst, k->block_size, src, len);
		if (ZSTD_isError(n)) {
			*code = -(long)(0 - n); /* zstd's error codes are -1, -2, ... as size_t */
			*out = 0;
			return VH_ERR_CORRUPT;
		}
		*out = n;
		return VH_OK;
	}
	}
	memcpy(dst, src, len);
	*out = len;
	return VH_OK;
}

/*
 * Descriptor @idx from a small cache of DESC_CACHE consecutive descriptors:
 * a walk over memory reads pages in pfn order, hence descriptors in order.
 */
static int cached_pd(struct kdump *k, uint64_t idx, uint8_t *b)
{
	if (!k->pdc_len || idx < k->pdc_first || idx - k->pdc_first >= k->pdc_len) {
		uint64_t n = k->ndumped - idx < DESC_CACHE ? k->ndumped - idx : DESC_CACHE;
		uint64_t off = k->desc_off + idx * PD_LEN;
		int err;

		if (n > (k->src.size - off) / PD_LEN) /* the caller checked idx itself fits */
			n = (k->src.size - off) / PD_LEN;
		k->pdc_len = 0;
		err = src_read(k, off, k->pdc, (size_t)(n * PD_LEN), "page descriptors", 0);
		if (err)
			return err;
		k->pdc_first = idx;
		k->pdc_len = n;
	}
	memcpy(b, k->pdc + (idx - k->pdc_first) * PD_LEN, PD_LEN);
	return VH_OK;
}

static int read_pd(struct vh_dump *d, struct kdump *k, uint64_t pfn, struct page_desc *pd,
		   uint64_t *pd_off)
{
	uint64_t idx = rank_of(k, pfn) - k->rank_start;
	uint8_t b[PD_LEN];
	char w[96], bn[96];
	int err;

	*pd_off = k->desc_off + idx * PD_LEN;
	if (*pd_off > k->src.size || PD_LEN > k->src.size - *pd_off)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: %s: page descriptor at %s lies past the end "
				    "of the file%s",
				    d->file.path, blk_name(k, pfn, bn, sizeof(bn)),
				    where(k, *pd_off, w, sizeof(w)), incomplete_note(k));
	err = cached_pd(k, idx, b);
	if (err)
		return err;
	parse_pd(b, pd);
	return VH_OK;
}

/* The error for a descriptor check_pd() rejected. */
static int pd_error(struct vh_dump *d, struct kdump *k, uint64_t pfn, const struct page_desc *pd,
		    uint64_t pd_off, enum pd_verdict v, const char *why)
{
	char w[96], b[96];

	blk_name(k, pfn, b, sizeof(b));
	if (v == PD_MISSING)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: %s: page descriptor at %s was never "
				    "written%s",
				    d->file.path, b, where(k, pd_off, w, sizeof(w)),
				    incomplete_note(k));
	if (v == PD_DATA_PAST_EOF)
		return vh_set_error(
		    VH_ERR_TRUNCATED,
		    "%s: %s: page data at offset 0x%" PRIx64
		    " (0x%x bytes, %s) runs past the end of the file (size 0x%" PRIx64 ")%s",
		    d->file.path, b, pd->offset, pd->size, codec_of_flags(pd->flags), k->src.size,
		    incomplete_note(k));
	return vh_set_error(
	    VH_ERR_CORRUPT,
	    "%s: %s: page descriptor at %s (data offset 0x%" PRIx64 ", size 0x%x, flags 0x%x) %s",
	    d->file.path, b, where(k, pd_off, w, sizeof(w)), pd->offset, pd->size, pd->flags, why);
}

/* Block @pfn into @buf (block_size bytes, zeroed by the caller). */
static int read_block(struct vh_dump *d, struct kdump *k, uint64_t pfn, void *buf)
{
	struct page_desc pd;
	enum pd_verdict v;
	const char *why;
	uint64_t pd_off;
	size_t out;
	long code;
	char w[96], b[96];
	int err = read_pd(d, k, pfn, &pd, &pd_off);

	if (err)
		return err;
	v = check_pd(k, &pd, &why);
	if (v == PD_ZERO)
		return VH_OK; /* the common layer hands us a zeroed buffer */
	if (v == PD_OK && k->bad && test_bit(k->bad, pfn)) {
		v = PD_BAD;
		why = "points at data overlapping an earlier page's";
	}
	if (v != PD_OK)
		return pd_error(d, k, pfn, &pd, pd_off, v, why);
	err = src_read(k, pd.offset, k->cbuf, pd.size, "page data", VH_KDUMP_SRC_NO_HOLES);
	if (err)
		return err;
	err = decompress(k, pd.flags, k->cbuf, pd.size, buf, &out, &code);
	if (err == VH_ERR_NOMEM)
		return vh_set_error(err, "%s: out of memory for a decompressor", d->file.path);
	if (err || out != k->block_size)
		return vh_set_error(VH_ERR_CORRUPT,
				    "%s: %s: page data at %s (0x%x bytes, %s) %s "
				    "(code %ld, 0x%zx bytes out, expected 0x%x)",
				    d->file.path, blk_name(k, pfn, b, sizeof(b)),
				    where(k, pd.offset, w, sizeof(w)), pd.size,
				    codec_of_flags(pd.flags),
				    err ? "does not decompress" : "decompresses to the wrong size",
				    code, err ? (size_t)0 : out, k->block_size);
	return VH_OK;
}

int vh_kdump_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	struct kdump *k = K(d);
	uint64_t b = pfn >> k->sub_shift;
	int err;

	if (!k->sub_shift)
		return read_block(d, k, pfn, buf);
	/* A walk reads a block's pages in a row: decompress it once for all of them. */
	if (!k->blk_valid || k->blk_no != b) {
		k->blk_valid = false;
		memset(k->blk, 0, k->block_size);
		err = read_block(d, k, b, k->blk);
		if (err)
			return err;
		k->blk_no = b;
		k->blk_valid = true;
	}
	memcpy(buf, k->blk + ((pfn & ((1ull << k->sub_shift) - 1)) << d->page_shift), d->page_size);
	return VH_OK;
}

enum vh_page_state vh_kdump_page_state(struct vh_dump *d, uint64_t pfn)
{
	struct kdump *k = K(d);

	pfn >>= k->sub_shift;
	if (pfn < k->start_pfn || pfn >= k->end_pfn)
		return VH_PAGE_ABSENT;
	if (test_bit(k->bitmap2, pfn))
		return (k->zero && test_bit(k->zero, pfn)) ? VH_PAGE_ZERO : VH_PAGE_PRESENT;
	return test_bit(k->bitmap1, pfn) ? VH_PAGE_EXCLUDED : VH_PAGE_ABSENT;
}

/* Set bits of bitmap2 not marked zero or unstored, below stored_end: word by word. */
static bool next_present_block(const struct kdump *k, uint64_t pfn, uint64_t *next)
{
	if (pfn < k->start_pfn)
		pfn = k->start_pfn;
	while (pfn < k->stored_end) {
		uint64_t i = pfn >> 6, w = k->bitmap2[i] & (~0ull << (pfn & 63));

		if (k->zero)
			w &= ~k->zero[i];
		if (k->nodata)
			w &= ~k->nodata[i];
		if (w) {
			pfn = (pfn & ~63ull) + (uint64_t)__builtin_ctzll(w);
			*next = pfn;
			return pfn < k->stored_end;
		}
		pfn = (pfn & ~63ull) + 64;
	}
	return false;
}

bool vh_kdump_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	const struct kdump *k = K(d);
	uint64_t b = pfn >> k->sub_shift, nb;

	if (!next_present_block(k, b, &nb))
		return false;
	*next = nb == b ? pfn : nb << k->sub_shift;
	return true;
}

void vh_kdump_close(struct vh_dump *d)
{
	struct kdump *k = K(d);

	if (!k)
		return;
	if (k->src.free)
		k->src.free(k->src.ctx);
	free(k->bitmap1);
	free(k->bitmap2);
	free(k->zero);
	free(k->bad);
	free(k->nodata);
	free(k->rank);
	free(k->cbuf);
	free(k->blk);
	ZSTD_freeDCtx(k->zstd);
	if (k->zlib_ready)
		inflateEnd(&k->zlib);
	free(k);
	d->priv = NULL;
}

/* ---- the plain kdump file ---- */

static int file_src_read(void *ctx, uint64_t off, void *buf, size_t len, const char *what,
			 unsigned flags)
{
	(void)flags; /* a file has no holes we could tell from zeros */
	return vh_file_read(ctx, off, buf, len, what);
}

static bool kdump_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)file_size;
	return len >= SIG_LEN && (memcmp(head, KDUMP_SIGNATURE, SIG_LEN) == 0 ||
				  memcmp(head, DISKDUMP_SIGNATURE, SIG_LEN) == 0);
}

static int kdump_open(struct vh_dump *d)
{
	struct vh_kdump_src src = {
	    .size = d->file.size,
	    .read = file_src_read,
	    .ctx = &d->file,
	};

	return vh_kdump_open_src(d, &src);
}

const struct vh_dump_ops vh_kdump_ops = {
    .format = VH_FMT_KDUMP,
    .probe = kdump_probe,
    .open = kdump_open,
    .read_page = vh_kdump_read_page,
    .page_state = vh_kdump_page_state,
    .next_present = vh_kdump_next_present,
    .close = vh_kdump_close,
};

int vh_kdump_split_info(const struct vh_dump *d, struct vh_kdump_split *out)
{
	const struct kdump *k;

	if (!d || (d->ops != &vh_kdump_ops && d->ops != &vh_flattened_ops) || !d->priv)
		return VH_ERR_INVAL;
	k = d->priv;
	memset(out, 0, sizeof(*out));
	/* In the dump's pages, the unit of the pfns the split reader routes. */
	out->split = k->split;
	out->start_pfn = k->start_pfn << k->sub_shift;
	out->end_pfn = k->end_pfn << k->sub_shift;
	out->max_mapnr = k->max_mapnr << k->sub_shift;
	out->block_size = k->block_size;
	out->dump_level = k->dump_level;
	out->tv_sec = k->tv_sec;
	out->tv_usec = k->tv_usec;
	out->phys_base = k->phys_base;
	return VH_OK;
}
