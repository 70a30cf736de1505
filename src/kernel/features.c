/* SPDX-License-Identifier: MIT */
#include "kernel/features.h"

/* Bytes [off, off + size) and [off2, off2 + size2) share a byte. */
static bool overlap(uint32_t off, uint32_t size, uint32_t off2, uint32_t size2)
{
	return off < off2 + size2 && off2 < off + size;
}

/*
 * Commit "mm: anonymous shared memory naming" (6.2) moved anon_name out of
 * the union it shared with vm_area_struct.shared (the i_mmap interval-tree
 * node) so that a file VMA can be named too; until then that slot of a file
 * VMA holds tree pointers, not a name. The layout says which it is: the two
 * members overlap exactly when they are that union. Both DWARF and BTF give
 * full offsets and sizes of members inside anonymous unions. When a member
 * is missing (no anon_name: before 5.17 or CONFIG_ANON_VMA_NAME off; or a
 * profile without sizes), the slot is not read as a name: garbage as a name
 * would be worse than no name.
 */
bool vh_vma_anon_name_any(const struct vh_profile *p)
{
	const struct vh_member *name = &p->vm_area_struct.anon_name;
	const struct vh_member *shared = &p->vm_area_struct.shared;

	if (!vh_present(name) || !vh_present(shared) || !name->size || !shared->size)
		return false;
	return !overlap(name->offset, name->size, shared->offset, shared->size);
}

/*
 * Commit "mm: factor out VMA stack and heap checks" (6.6) made show_map_vma()
 * use vma_is_initial_heap(), which tests vm_start < brk && vm_end > start_brk
 * where the code before used <= and >=. That function is a static inline in
 * <linux/mm.h>: it leaves no symbol (kallsyms, ELF), no BTF, and DWARF only
 * inside the units that inline it, so nothing the profile reads can name it.
 * The tell is therefore a change merged in the same release that BTF and
 * DWARF both record, whatever the configuration: sched_entity.deadline, added
 * by the EEVDF scheduler (6.6; every later kernel keeps it). It stays right on
 * a distribution kernel whose release string is older or unlike upstream's;
 * it would be wrong only on a kernel carrying one of the two changes without
 * the other.
 */
bool vh_vma_heap_strict(const struct vh_profile *p)
{
	return vh_present(&p->sched_entity.deadline);
}
