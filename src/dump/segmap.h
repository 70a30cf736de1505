/* SPDX-License-Identifier: MIT */
/*
 * A map from physical addresses to file offsets, for the formats that store
 * memory as uncompressed byte ranges (ELF PT_LOAD segments, LiME ranges).
 *
 * A reader adds the ranges it finds, in the order the file lists them, with
 * no alignment requirement; vh_segmap_finish() then turns them into sorted,
 * disjoint pieces. Where ranges overlap, stored bytes win over zeros and
 * zeros over excluded; between ranges of the same kind the one added first
 * wins, as in makedumpfile's own lookup of /proc/vmcore (whose first PT_LOAD,
 * the kernel text, repeats bytes of a later RAM segment). makedumpfile -E
 * filters both copies of those bytes, but cuts its PT_LOADs differently in
 * each, so a page excluded in one copy may be stored in the other: the stored
 * one must win. Lookups are binary searches.
 */
#ifndef VH_DUMP_SEGMAP_H
#define VH_DUMP_SEGMAP_H

#include "dump/dump_internal.h"

/* What a piece of the physical address space holds. */
enum vh_seg_kind {
	VH_SEG_FILE,	 /* bytes stored in the file at file_off */
	VH_SEG_ZERO,	 /* known zeros, not stored (ELF p_filesz < p_memsz) */
	VH_SEG_EXCLUDED, /* left out by the dump tool (makedumpfile -E -d N) */
};

struct vh_seg {
	uint64_t start;	   /* physical, inclusive */
	uint64_t end;	   /* physical, exclusive */
	uint64_t file_off; /* VH_SEG_FILE: file offset of @start */
	uint32_t prio;	   /* order of addition: lower wins an overlap of one kind */
	uint32_t kind;	   /* enum vh_seg_kind */
};

struct vh_segmap {
	struct vh_seg *segs;
	size_t n;
	size_t cap;
};

/*
 * vh_segmap_add() - add [start, end) of the given kind (empty ranges are
 * ignored). Returns VH_OK or VH_ERR_NOMEM (message set, naming @d's file).
 */
int vh_segmap_add(struct vh_dump *d, struct vh_segmap *m, uint64_t start, uint64_t end,
		  uint64_t file_off, enum vh_seg_kind kind);

/*
 * vh_segmap_finish() - resolve overlaps, then give @d its ranges and page
 * counts (present, zero, excluded, by_codec[NONE]). Needs @d's page size.
 * Returns VH_OK or VH_ERR_NOMEM.
 */
int vh_segmap_finish(struct vh_dump *d, struct vh_segmap *m);

/* What page @pfn holds: PRESENT if any byte is stored, else ZERO, else EXCLUDED. */
enum vh_page_state vh_segmap_page_state(const struct vh_dump *d, const struct vh_segmap *m,
					uint64_t pfn);

/*
 * First pfn >= @pfn with a stored byte (what vh_segmap_page_state() calls
 * PRESENT), or false. Zero and excluded pieces are skipped whole: a PT_LOAD's
 * zero tail of 2^52 bytes costs one step, not one per page.
 */
bool vh_segmap_next_present(const struct vh_dump *d, const struct vh_segmap *m, uint64_t pfn,
			    uint64_t *next);

/* Reads the stored bytes of page @pfn into @buf; other bytes are left untouched. */
int vh_segmap_read_page(struct vh_dump *d, const struct vh_segmap *m, uint64_t pfn, void *buf,
			const char *what);

void vh_segmap_free(struct vh_segmap *m);

#endif
