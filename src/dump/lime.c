/* SPDX-License-Identifier: MIT */
/* Placeholder: the lime reader is being written; it recognises nothing yet. */
#include "dump/dump_internal.h"
#include "util/error.h"

static bool lime_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)head;
	(void)len;
	(void)file_size;
	return false;
}

static int lime_open(struct vh_dump *d)
{
	return vh_set_error(VH_ERR_UNSUPPORTED, "%s: lime reader not implemented", d->file.path);
}

static int lime_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	(void)d;
	(void)pfn;
	(void)buf;
	return VH_ERR_UNSUPPORTED;
}

static enum vh_page_state lime_page_state(struct vh_dump *d, uint64_t pfn)
{
	(void)d;
	(void)pfn;
	return VH_PAGE_ABSENT;
}

const struct vh_dump_ops vh_lime_ops = {
	.format = VH_FMT_LIME,
	.probe = lime_probe,
	.open = lime_open,
	.read_page = lime_read_page,
	.page_state = lime_page_state,
};
