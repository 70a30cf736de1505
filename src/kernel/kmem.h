/* SPDX-License-Identifier: MIT */
/*
 * What every kernel walker reads the same way: a member of a struct at a
 * profile offset, a kernel pointer's sanity, an mm_struct's page tables.
 */
#ifndef VH_KERNEL_KMEM_H
#define VH_KERNEL_KMEM_H

#include "arch/vread.h"

#include <vmahunt/symbols.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * A plausible kernel pointer: in the kernel half and 8-byte aligned (every
 * struct the walkers follow is). The first fence against a damaged link.
 */
static inline bool vh_kptr_ok(const struct vh_vread *kr, uint64_t v)
{
	return v >= kr->kernel_start && (v & 7) == 0;
}

/**
 * vh_member_read() - read an integer or pointer member of a struct in memory.
 * @r: the reader (kernel space).
 * @base: address of the struct.
 * @m: the member (1, 2, 4 or 8 bytes, little-endian), zero-extended into @out.
 * @out: receives the value; 0 on error.
 *
 * Return: VH_OK; VH_ERR_NOT_PRESENT when the profile says this kernel has no
 * such member; VH_ERR_INVAL for a member of another size (or of unknown size:
 * an offset from VMCOREINFO); or the read's error.
 */
int vh_member_read(struct vh_vread *r, uint64_t base, const struct vh_member *m, uint64_t *out);

/*
 * The same member from a struct image already read (@size bytes at @img);
 * 0 when the member is absent, wider than 8 bytes, or outside the image.
 */
uint64_t vh_member_get(const unsigned char *img, size_t size, const struct vh_member *m);

/**
 * vh_mm_pgd_root() - the physical address of an mm_struct's top-level page table.
 * @kr: a kernel-space reader.
 * @p: the profile (mm_struct.pgd).
 * @mm: the mm_struct's address.
 * @root: receives the table's physical address (page-aligned).
 *
 * mm->pgd is a kernel (direct-map) address; page-table walks need the
 * physical one, which the kernel's own tables give.
 * Return: VH_OK; VH_ERR_INVAL when the profile has no mm_struct.pgd;
 * VH_ERR_CORRUPT when mm->pgd is not a kernel address; or a read or
 * translation error.
 */
int vh_mm_pgd_root(struct vh_vread *kr, const struct vh_profile *p, uint64_t mm, uint64_t *root);

#endif
