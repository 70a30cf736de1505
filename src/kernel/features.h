/* SPDX-License-Identifier: MIT */
/*
 * What a kernel does, read from its profile (types, members, symbols) rather
 * than from its release string: distributions backport changes, and a vendor
 * release string says little about the code behind it.
 */
#ifndef VH_KERNEL_FEATURES_H
#define VH_KERNEL_FEATURES_H

#include <vmahunt/symbols.h>

#include <stdbool.h>

/*
 * A file-backed VMA may carry an anon_vma_name (a named shmem mapping shows
 * "[anon_shmem:NAME]"): vm_area_struct.anon_name is a member of its own, not
 * the other half of a union with the i_mmap node (6.2+).
 */
bool vh_vma_anon_name_any(const struct vh_profile *p);

/*
 * show_map_vma() names a VMA "[heap]" only when it overlaps [start_brk, brk)
 * (vma_is_initial_heap(), 6.6+), not when it merely touches it.
 */
bool vh_vma_heap_strict(const struct vh_profile *p);

#endif
