/* SPDX-License-Identifier: MIT */
/* Raw physical memory image: byte N of the file is physical address raw_base + N. */
#include "dump/dump_internal.h"
#include "util/error.h"

static bool raw_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)head;
	(void)len;
	(void)file_size;
	return false; /* never guessed: a raw image has no magic, the user says --raw-base */
}

static int raw_open(struct vh_dump *d)
{
	uint64_t base = d->opts.raw_base;
	int err = vh_dump_set_page_size(d, 4096, 0);

	if (err)
		return err;
	if (base & 4095)
		return vh_set_error(VH_ERR_INVAL, "%s: raw base 0x%llx is not page aligned",
				    d->file.path, (unsigned long long)base);
	if (d->file.size == 0)
		return vh_set_error(VH_ERR_TRUNCATED, "%s: offset 0x0: empty file", d->file.path);
	if (base + d->file.size < base || base + d->file.size > VH_MAX_PHYS_ADDR)
		return vh_set_error(
		    VH_ERR_INVAL,
		    "%s: raw base 0x%llx plus the file's size lies beyond the 52-bit "
		    "physical address space",
		    d->file.path, (unsigned long long)base);
	d->stats.present = (d->file.size + 4095) / 4096;
	d->stats.by_codec[VH_CODEC_NONE] = d->stats.present;
	return vh_dump_add_range(d, base, base + d->file.size);
}

static int raw_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	uint64_t paddr = pfn << d->page_shift;
	uint64_t off = paddr - d->opts.raw_base;
	uint64_t n = d->file.size - off;

	if (paddr < d->opts.raw_base) /* first page when the base is not aligned cannot happen */
		return VH_ERR_NOT_PRESENT;
	return vh_file_read(&d->file, off, buf, n < d->page_size ? (size_t)n : d->page_size,
			    "raw page");
}

static enum vh_page_state raw_page_state(struct vh_dump *d, uint64_t pfn)
{
	(void)d;
	(void)pfn;
	return VH_PAGE_PRESENT; /* the common layer already checked the range */
}

/* Every page of the file is stored: the first at or after @pfn, if any. */
static bool raw_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	uint64_t first = d->opts.raw_base >> d->page_shift;
	uint64_t end = (d->opts.raw_base + d->file.size + d->page_size - 1) >> d->page_shift;

	if (pfn < first)
		pfn = first;
	if (pfn >= end)
		return false;
	*next = pfn;
	return true;
}

const struct vh_dump_ops vh_raw_ops = {
    .format = VH_FMT_RAW,
    .probe = raw_probe,
    .open = raw_open,
    .read_page = raw_read_page,
    .page_state = raw_page_state,
    .next_present = raw_next_present,
};
