/* SPDX-License-Identifier: MIT */
/*
 * The compressed kdump reader, as used by the plain kdump reader (kdump.c)
 * and by the flattened reader (flattened.c).
 *
 * makedumpfile writes the same kdump image either as a file (seeking to each
 * part) or as a flattened stream of (offset, size, data) records. The reader
 * therefore never touches the file directly: it reads "kdump offsets" through
 * a struct vh_kdump_src, which is either the file itself or an index of the
 * flattened stream's records.
 */
#ifndef VH_DUMP_KDUMP_H
#define VH_DUMP_KDUMP_H

#include "dump/dump_internal.h"

/*
 * Flag for vh_kdump_src.read(): fail with VH_ERR_TRUNCATED where the source
 * holds no data. Without it, never-written parts of a flattened image read as
 * zeros, as they would in the file makedumpfile -R writes (header padding,
 * for instance). Page data is read with it, so a lost record is an error and
 * never a page of zeros.
 */
#define VH_KDUMP_SRC_NO_HOLES 0x1u

struct vh_kdump_src {
	uint64_t size; /* bytes in the kdump image */
	/*
	 * read() - exactly @len bytes at kdump offset @off. @what names the data
	 * for messages ("kdump sub-header"). Returns VH_OK, VH_ERR_TRUNCATED or
	 * VH_ERR_IO with the message set.
	 */
	int (*read)(void *ctx, uint64_t off, void *buf, size_t len, const char *what,
		    unsigned flags);
	/*
	 * file_offset() - where kdump offset @off lies in the file, or UINT64_MAX
	 * when nothing was written there. NULL when they are the same.
	 */
	uint64_t (*file_offset)(void *ctx, uint64_t off);
	void (*free)(void *ctx); /* frees @ctx; may be NULL */
	void *ctx;
};

/*
 * vh_kdump_open_src() - parse the kdump image @src holds and fill @d. Takes
 * ownership of @src->ctx even on failure (vh_kdump_close() frees it).
 */
int vh_kdump_open_src(struct vh_dump *d, const struct vh_kdump_src *src);
int vh_kdump_read_page(struct vh_dump *d, uint64_t pfn, void *buf);
enum vh_page_state vh_kdump_page_state(struct vh_dump *d, uint64_t pfn);
bool vh_kdump_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next);
void vh_kdump_close(struct vh_dump *d);

/*
 * What a kdump file's headers say about the part of memory it holds; pfns in
 * the dump's pages (d->page_size), which may be smaller than its blocks.
 */
struct vh_kdump_split {
	bool split;	    /* the sub-header marks the file as one part of a split dump */
	uint64_t start_pfn; /* pfns the file holds: [start_pfn, end_pfn) */
	uint64_t end_pfn;   /* (0 and max_mapnr when not split) */
	uint64_t max_mapnr; /* pfns of the whole machine */
	uint32_t
	    block_size; /* the header's block size (the page size, but for QEMU's aarch64 kdumps) */
	int32_t dump_level;
	uint64_t tv_sec, tv_usec; /* the header's timestamp */
	uint64_t phys_base;
};

/*
 * vh_kdump_split_info() - the split facts of @d, a dump opened by the kdump or
 * the flattened reader. Returns VH_OK, or VH_ERR_INVAL for another format.
 */
int vh_kdump_split_info(const struct vh_dump *d, struct vh_kdump_split *out);

#endif
