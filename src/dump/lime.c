/* SPDX-License-Identifier: MIT */
/*
 * LiME (lime-forensics) memory image, "lime" format: a sequence of ranges,
 * each a 32-byte header followed by its bytes, until the end of the file.
 *
 *   u32 magic     0x4C694D45 ("EMiL" on disk)
 *   u32 version   1
 *   u64 s_addr    first physical address
 *   u64 e_addr    last physical address (inclusive)
 *   u8  reserved[8]
 *   ...           e_addr - s_addr + 1 bytes of memory
 *
 * A damaged first header fails the open. A damaged later header ends the
 * walk with a warning (its size is what locates the next header, so nothing
 * after it can be found); the ranges before it stay readable. A last range
 * cut short by the end of the file keeps its bytes, with a warning. LiME
 * says nothing about the machine: arch stays "unknown", pages are 4 KiB.
 */
#include "dump/dump_internal.h"
#include "dump/segmap.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>

#define LIME_MAGIC     0x4C694D45u
#define LIME_VERSION   1
#define LIME_HDR_SIZE  32
#define LIME_PAGE_SIZE 4096
/* Real images have tens of ranges (one per System RAM resource). */
#define LIME_MAX_RANGES (1u << 20)

struct lime_priv {
	struct vh_segmap map;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool lime_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)file_size;
	/* The magic alone: open() reports a wrong version rather than "unrecognised". */
	return len >= 4 && le32(head) == LIME_MAGIC;
}

/*
 * Reports a bad header at @off: an error for the first one, a warning that
 * ends the walk for later ones (returns 1 then, to stop without failing).
 */
static int bad_header(struct vh_dump *d, uint64_t off, size_t idx, int code, const char *why)
{
	int err;

	if (idx == 0)
		return vh_set_error(code, "%s: offset 0x%llx: LiME header: %s", d->file.path,
				    (unsigned long long)off, why);
	err = vh_dump_add_warning(d,
				  "%s: offset 0x%llx: LiME header %zu: %s; the rest of the file is "
				  "ignored",
				  d->file.path, (unsigned long long)off, idx, why);
	return err ? err : 1;
}

/* Checks one header; returns VH_OK, 1 (stop, warned) or an error. */
static int check_header(struct vh_dump *d, uint64_t off, size_t idx, const uint8_t *h,
			uint64_t *s_addr, uint64_t *len)
{
	uint32_t magic = le32(h), version = le32(h + 4);
	uint64_t e_addr = le64(h + 16);
	char why[128];

	*s_addr = le64(h + 8);
	if (magic != LIME_MAGIC) {
		snprintf(why, sizeof(why), "magic 0x%08x, expected 0x%08x", magic, LIME_MAGIC);
		return bad_header(d, off, idx, VH_ERR_FORMAT, why);
	}
	if (version != LIME_VERSION) {
		snprintf(why, sizeof(why), "version %u, expected %d", version, LIME_VERSION);
		return bad_header(d, off, idx, VH_ERR_UNSUPPORTED, why);
	}
	if (e_addr < *s_addr || e_addr - *s_addr == UINT64_MAX) {
		snprintf(why, sizeof(why),
			 "range 0x%llx-0x%llx: the end must not be below the start nor the range "
			 "span all 2^64 addresses",
			 (unsigned long long)*s_addr, (unsigned long long)e_addr);
		return bad_header(d, off, idx, VH_ERR_CORRUPT, why);
	}
	*len = e_addr - *s_addr + 1;
	return VH_OK;
}

/*
 * One range at @off; sets *next to the following header, or 0 to stop, and
 * *valid when the header was sound.
 */
static int add_range(struct vh_dump *d, uint64_t off, size_t idx, uint64_t *next, bool *valid)
{
	struct lime_priv *p = d->priv;
	uint8_t h[LIME_HDR_SIZE];
	uint64_t s_addr = 0, len = 0, data = off + LIME_HDR_SIZE, avail;
	int err;

	*next = 0;
	err = vh_file_read(&d->file, off, h, sizeof(h), "LiME header");
	if (!err)
		err = check_header(d, off, idx, h, &s_addr, &len);
	if (err)
		return err > 0 ? VH_OK : err;
	*valid = true;
	avail = d->file.size - data;
	if (len > avail) {
		err = vh_dump_add_warning(
		    d,
		    "%s: offset 0x%llx: LiME range 0x%llx-0x%llx needs 0x%llx "
		    "bytes but the file has 0x%llx (truncated image); the rest is "
		    "reported as not present",
		    d->file.path, (unsigned long long)off, (unsigned long long)s_addr,
		    (unsigned long long)(s_addr + len - 1), (unsigned long long)len,
		    (unsigned long long)avail);
		if (!err)
			err = vh_segmap_add(d, &p->map, s_addr, s_addr + avail, data, VH_SEG_FILE);
		return err;
	}
	*next = data + len;
	return vh_segmap_add(d, &p->map, s_addr, s_addr + len, data, VH_SEG_FILE);
}

static int walk(struct vh_dump *d, size_t *nranges)
{
	uint64_t off = 0;
	size_t idx = 0;

	for (;;) {
		uint64_t left = d->file.size - off, next;
		bool valid = false;
		int err;

		if (idx > 0 && left == 0)
			return VH_OK;
		if (left < LIME_HDR_SIZE && idx > 0)
			return vh_dump_add_warning(
			    d,
			    "%s: offset 0x%llx: %llu trailing bytes, too few "
			    "for a LiME header; ignored",
			    d->file.path, (unsigned long long)off, (unsigned long long)left);
		if (idx == LIME_MAX_RANGES)
			return vh_dump_add_warning(
			    d,
			    "%s: offset 0x%llx: more than %u LiME ranges; the "
			    "rest of the file is ignored",
			    d->file.path, (unsigned long long)off, LIME_MAX_RANGES);
		err = add_range(d, off, idx, &next, &valid);
		if (!err && valid)
			*nranges = idx + 1;
		if (err || next == 0)
			return err;
		off = next;
		idx++;
	}
}

static int lime_open(struct vh_dump *d)
{
	struct lime_priv *p = calloc(1, sizeof(*p));
	size_t nranges = 0;
	int err;

	if (!p)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	d->priv = p;
	err = vh_dump_set_page_size(d, LIME_PAGE_SIZE, 0);
	if (!err)
		err = walk(d, &nranges);
	if (err)
		return err;
	if (p->map.n == 0)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: offset 0x20: the first LiME range has no data",
				    d->file.path);
	err = vh_segmap_finish(d, &p->map);
	if (!err)
		err = vh_dump_add_attr(d, "lime.ranges", "%zu", nranges);
	return err;
}

static int lime_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	struct lime_priv *p = d->priv;

	return vh_segmap_read_page(d, &p->map, pfn, buf, "LiME range data");
}

static bool lime_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	struct lime_priv *p = d->priv;

	return vh_segmap_next_present(d, &p->map, pfn, next);
}

static enum vh_page_state lime_page_state(struct vh_dump *d, uint64_t pfn)
{
	struct lime_priv *p = d->priv;

	return vh_segmap_page_state(d, &p->map, pfn);
}

static void lime_close(struct vh_dump *d)
{
	struct lime_priv *p = d->priv;

	if (!p)
		return;
	vh_segmap_free(&p->map);
	free(p);
	d->priv = NULL;
}

const struct vh_dump_ops vh_lime_ops = {
    .format = VH_FMT_LIME,
    .probe = lime_probe,
    .open = lime_open,
    .read_page = lime_read_page,
    .page_state = lime_page_state,
    .next_present = lime_next_present,
    .close = lime_close,
};
