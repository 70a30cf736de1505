/* SPDX-License-Identifier: MIT */
/* Placeholder: the kdump reader is being written; it recognises nothing yet. */
#include "dump/dump_internal.h"
#include "util/error.h"

static bool kdump_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)head;
	(void)len;
	(void)file_size;
	return false;
}

static int kdump_open(struct vh_dump *d)
{
	return vh_set_error(VH_ERR_UNSUPPORTED, "%s: kdump reader not implemented", d->file.path);
}

static int kdump_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	(void)d;
	(void)pfn;
	(void)buf;
	return VH_ERR_UNSUPPORTED;
}

static enum vh_page_state kdump_page_state(struct vh_dump *d, uint64_t pfn)
{
	(void)d;
	(void)pfn;
	return VH_PAGE_ABSENT;
}

const struct vh_dump_ops vh_kdump_ops = {
	.format = VH_FMT_KDUMP,
	.probe = kdump_probe,
	.open = kdump_open,
	.read_page = kdump_read_page,
	.page_state = kdump_page_state,
};
