/* SPDX-License-Identifier: MIT */
/* What the VMA reader (vmas.c) offers other parts of the library. */
#ifndef VH_KERNEL_MAPS_INTERNAL_H
#define VH_KERNEL_MAPS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <vmahunt/vma.h>

/* A struct file's name, as a file VMA of it is named. */
struct vh_file_name {
	const char *path; /* d_path(): owned by the struct vh_maps */
	uint32_t major, minor;
	uint64_t ino;
	bool partial; /* the path could not be read whole */
};

/*
 * vh_maps_file_name() - the path (d_path semantics, " (deleted)", memfd and
 * other d_dname() names), device and inode number of the struct file at
 * @file, from the same cache the VMA names come from.
 */
void vh_maps_file_name(struct vh_maps *m, uint64_t file, struct vh_file_name *out);

#endif
