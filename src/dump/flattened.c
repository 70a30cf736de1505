/* SPDX-License-Identifier: MIT */
/* Placeholder: the flattened reader is being written; it recognises nothing yet. */
#include "dump/dump_internal.h"
#include "util/error.h"

static bool flattened_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)head;
	(void)len;
	(void)file_size;
	return false;
}

static int flattened_open(struct vh_dump *d)
{
	return vh_set_error(VH_ERR_UNSUPPORTED, "%s: flattened reader not implemented", d->file.path);
}

static int flattened_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	(void)d;
	(void)pfn;
	(void)buf;
	return VH_ERR_UNSUPPORTED;
}

static enum vh_page_state flattened_page_state(struct vh_dump *d, uint64_t pfn)
{
	(void)d;
	(void)pfn;
	return VH_PAGE_ABSENT;
}

const struct vh_dump_ops vh_flattened_ops = {
	.format = VH_FMT_FLATTENED,
	.probe = flattened_probe,
	.open = flattened_open,
	.read_page = flattened_read_page,
	.page_state = flattened_page_state,
};

int vh_dump_convert_flattened(const char *in_path, const char *out_path)
{
	(void)out_path;
	return vh_set_error(VH_ERR_UNSUPPORTED, "%s: flattened reader not implemented", in_path);
}
