/* SPDX-License-Identifier: MIT */
/*
 * A small writer of makedumpfile-style compressed kdump images and their
 * flattened streams, for the kdump and flattened reader tests. It lays the
 * image out as makedumpfile and QEMU do (header block, sub-header and notes,
 * two bitmaps, page descriptors in pfn order, a shared zero page when the
 * dump level excludes zero pages, then page data) and compresses pages with
 * the real zlib, lzo, snappy and zstd libraries.
 */
#ifndef VH_TEST_KDUMP_WRITER_H
#define VH_TEST_KDUMP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KW_ZLIB	      0x1u
#define KW_LZO	      0x2u
#define KW_SNAPPY     0x4u
#define KW_INCOMPLETE 0x8u
#define KW_ZSTD	      0x20u

/* Offsets into the disk_dump_header and kdump_sub_header (LP64 layout). */
#define KW_DH_VERSION	    8
#define KW_DH_STATUS	    424
#define KW_DH_BLOCK_SIZE    428
#define KW_DH_SUB_HDR_SIZE  432
#define KW_DH_BITMAP_BLOCKS 436
#define KW_DH_MAX_MAPNR	    440
#define KW_KH_OFF_VMCI	    32
#define KW_KH_SIZE_VMCI	    40
#define KW_KH_OFF_NOTE	    48
#define KW_KH_SIZE_NOTE	    56
#define KW_KH_MAX_MAPNR_64  96

struct kw_spec {
	uint32_t block_size; /* 0: 4096 */
	uint64_t max_mapnr;  /* pfns; states has this many characters */
	/*
	 * One character per pfn: '.' not in memory, 'E' excluded (1st bitmap
	 * only), 'P' dumped with compressible content, 'R' dumped with random
	 * (incompressible) content, 'Z' dumped, all zeros.
	 */
	const char *states;
	uint32_t codec;		  /* KW_* codec of every page; 0 stores pages raw */
	const uint32_t *codecs;	  /* per pfn, instead of codec, or NULL */
	int header_version;	  /* 0: 6 */
	uint32_t status_extra;	  /* more status bits, e.g. KW_INCOMPLETE */
	int dump_level;		  /* bit 0: zero pages share one stored zero page */
	const char *vmcoreinfo;	  /* stored as a VMCOREINFO note, or NULL */
	const uint8_t *cpu_notes; /* ELF notes stored before VMCOREINFO (at most 4 KiB), or NULL */
	size_t cpu_notes_len;
	const char *machine; /* utsname.machine; NULL: "x86_64" */
	const char *release; /* utsname.release; NULL: "6.1.0-test" */
	bool split;	     /* one part of a split dump: pfns [split_start, split_end) */
	uint64_t split_start, split_end;
	bool garbage_unused; /* fill sub-header fields the version does not define with 0xaa */
};

struct kw_image {
	uint8_t *buf;
	size_t len;
	uint32_t block_size;
	uint64_t bitmap_off, bitmap_half, desc_off, data_off;
	uint64_t note_off, vmcoreinfo_off;
	uint64_t *pd_off;      /* per pfn: offset of its page descriptor, or 0 */
	uint64_t *data_off_of; /* per pfn: offset of its stored data, or 0 */
	uint32_t *data_len;    /* per pfn: stored length */
};

/* kw_build() - lay out a kdump image in memory. Returns 0, or -1 on bad spec. */
int kw_build(const struct kw_spec *s, struct kw_image *img);
void kw_free(struct kw_image *img);

/* The content kw_build() stores for a 'P' or 'R' pfn. */
void kw_page_fill(uint64_t pfn, char state, uint8_t *buf, uint32_t size);

void kw_put_le32(uint8_t *p, uint32_t v);
void kw_put_le64(uint8_t *p, uint64_t v);
void kw_put_be64(uint8_t *p, uint64_t v);

struct kw_flat_opts {
	size_t chunk; /* bytes per record; 0: 4096 */
	bool shuffle; /* records in a random order */
	unsigned seed;
	size_t overlap;		      /* each record also repeats the next record's first bytes */
	bool garbage_first;	      /* records of garbage first, overwritten by the real ones */
	bool skip_zero_header_chunks; /* leave all-zero chunks before the descriptors unwritten */
	bool no_end;		      /* omit the end marker */
};

/*
 * kw_flatten() - the flattened stream of @img, as makedumpfile -F writes it:
 * a 4096-byte header, records, end marker. Returns 0 or -1.
 */
int kw_flatten(const struct kw_image *img, const struct kw_flat_opts *o, uint8_t **out,
	       size_t *out_len);

/* Appends one raw record (big-endian offset, size, then @size bytes of @data). */
int kw_append_record(uint8_t **buf, size_t *len, int64_t offset, int64_t size, const void *data);

#endif
