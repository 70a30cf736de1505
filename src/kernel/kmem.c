/* SPDX-License-Identifier: MIT */
#include "kernel/kmem.h"

#include "util/error.h"

#include <inttypes.h>

/* Little-endian, as x86-64 (and every host vmahunt builds for) stores it. */
static uint64_t le_value(const unsigned char *b, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = size; i > 0; i--)
		v = v << 8 | b[i - 1];
	return v;
}

int vh_member_read(struct vh_vread *r, uint64_t base, const struct vh_member *m, uint64_t *out)
{
	unsigned char b[8];
	int err;

	*out = 0;
	if (!vh_present(m) || m->offset == VH_ABSENT)
		return VH_ERR_NOT_PRESENT;
	if (m->size != 1 && m->size != 2 && m->size != 4 && m->size != 8)
		return VH_ERR_INVAL;
	err = vh_vread(r, base + m->offset, b, m->size);
	if (!err)
		*out = le_value(b, m->size);
	return err;
}

uint64_t vh_member_get(const unsigned char *img, size_t size, const struct vh_member *m)
{
	if (!vh_present(m) || m->offset == VH_ABSENT || m->size > 8 || m->offset > size ||
	    m->size > size - m->offset)
		return 0;
	return le_value(img + m->offset, m->size);
}

int vh_mm_pgd_root(struct vh_vread *kr, const struct vh_profile *p, uint64_t mm, uint64_t *root)
{
	uint64_t pgd, paddr;
	int err;

	if (!vh_present(&p->mm_struct.pgd))
		return vh_set_error(VH_ERR_INVAL, "the profile has no mm_struct.pgd");
	err = vh_member_read(kr, mm, &p->mm_struct.pgd, &pgd);
	if (err)
		return err;
	if (pgd < kr->kernel_start)
		return vh_set_error(VH_ERR_CORRUPT,
				    "mm 0x%" PRIx64 ": pgd 0x%" PRIx64 " is not a kernel address",
				    mm, pgd);
	err = vh_vread_translate(kr, pgd, &paddr);
	/* kept whole: a 52-bit arm64 pgd is a 128-byte slab object, not a page */
	if (!err)
		*root = paddr;
	return err;
}
