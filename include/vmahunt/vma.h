/* SPDX-License-Identifier: MIT */
/*
 * Memory maps: every VMA of a process, as /proc/PID/maps showed it.
 *
 * The VMAs of an mm_struct are read from the maple tree (mm->mm_mt, 6.1+) or,
 * on older kernels, from both the vm_next list and the mm_rb red-black tree
 * (compared: a VMA one of them lacks gives a warning). Each VMA gets the name
 * the kernel's show_map_vma() would print: a file's path (d_path semantics:
 * mounts crossed, " (deleted)" for an unlinked dentry), [heap], [stack],
 * [vdso], [vvar] and other special mappings, [anon:NAME], [anon_shmem:NAME];
 * and x86-64's [vsyscall] gate VMA, printed last for every process when the
 * kernel has it on.
 *
 * Damage (cycles, nodes out of range, unreadable pages, unsorted or
 * overlapping VMAs) ends only the walk it is on: the result is partial and a
 * warning names the bad address. Nothing here hangs or reads unboundedly.
 */
#ifndef VMAHUNT_VMA_H
#define VMAHUNT_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/arch.h>
#include <vmahunt/dump.h>
#include <vmahunt/symbols.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a VMA was found (bits of struct vh_vma.found). */
#define VH_VMA_IN_MAPLE 0x1u /* mm->mm_mt */
#define VH_VMA_IN_LIST	0x2u /* mm->mmap / vm_next (before 6.1) */
#define VH_VMA_IN_RB	0x4u /* mm->mm_rb (before 6.1) */
#define VH_VMA_GATE	0x8u /* the [vsyscall] gate VMA (in no mm) */

/* The path of a file VMA whose struct file cannot be read (damage). */
#define VH_VMA_UNREADABLE_FILE "[unreadable file]"
/*
 * Prefix of a path whose upper part could not be read (a dentry or mount in a
 * page the dump lacks): "[unreadable]/busybox". With nothing read at all the
 * path is VH_VMA_UNREADABLE_FILE.
 */
#define VH_VMA_UNREADABLE_PREFIX "[unreadable]"

/* One VMA. Its path belongs to the struct vh_maps (valid until vh_maps_close()). */
struct vh_vma {
	uint64_t addr;	 /* kernel address of the vm_area_struct */
	uint64_t start;	 /* vm_start */
	uint64_t end;	 /* vm_end (exclusive) */
	uint64_t flags;	 /* vm_flags, raw */
	uint64_t pgoff;	 /* vm_pgoff, raw (pages) */
	uint64_t offset; /* as maps prints it: pgoff << PAGE_SHIFT for files, else 0 */
	uint64_t file;	 /* struct file *, 0 for anonymous memory */
	uint32_t major;	 /* device of the file's superblock, 0 when none */
	uint32_t minor;
	uint64_t inode;	   /* i_ino, 0 when none */
	uint64_t vm_mm;	   /* vm_mm as read (the mm read when the profile lacks it; 0: gate) */
	char perms[5];	   /* "r-xp" */
	const char *path;  /* the name column ("" for none): owned by the struct vh_maps */
	unsigned found;	   /* VH_VMA_* bits */
	bool path_partial; /* the path could not be read whole (damage) */
};

/* The result of vh_vmas_read(). */
struct vh_vma_list {
	uint64_t mm;	     /* the mm_struct read */
	struct vh_vma *vmas; /* sorted by start, the gate VMA last */
	size_t nvmas;
	int32_t map_count; /* mm->map_count, -1 when unreadable */
	bool partial;	   /* some VMAs may be missing (damage) */
	/*
	 * What the walk saw, for the vma-tree detector: VMA pointers each
	 * structure held (maple tree entries; vm_next list nodes; mm_rb nodes),
	 * counted before the VMAs themselves are read.
	 */
	size_t nmaple, nlist, nrb;
	size_t unsorted;   /* VMAs below the end of the one before, in the structure's order */
	size_t misplaced;  /* maple: VMAs stored at an index range other than their own */
	bool walk_partial; /* a structure could not be walked whole: the counts are lower bounds */
	char **warnings;   /* one-line messages naming the bad address */
	size_t nwarnings;
};

/* Context reused across the mm_structs of one dump (caches, layout). */
struct vh_maps;

/**
 * vh_maps_open() - prepare to read memory maps.
 * @d: the dump.
 * @km: where the kernel is (vh_kernel_map_find()).
 * @p: the kernel's profile (vh_profile_open()).
 * @out: receives the context; free it with vh_maps_close().
 *
 * Return: VH_OK; VH_ERR_INVAL when the profile lacks what the walk needs
 * (vm_area_struct layout, mm_struct.mm_mt or mmap); VH_ERR_NOMEM.
 */
VH_EXPORT int vh_maps_open(struct vh_dump *d, const struct vh_kernel_map *km,
			   const struct vh_profile *p, struct vh_maps **out);

/**
 * vh_maps_close() - free a context.
 * @m: the context, or NULL.
 */
VH_EXPORT void vh_maps_close(struct vh_maps *m);

/**
 * vh_vmas_read() - every VMA of one mm_struct, named as /proc/PID/maps names them.
 * @m: the context.
 * @mm: kernel address of the mm_struct (struct vh_task.mm).
 * @out: receives the list; free it with vh_vma_list_free().
 *
 * Return: VH_OK (also with a partial list and warnings); the read error when
 * the mm_struct itself cannot be read; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_vmas_read(struct vh_maps *m, uint64_t mm, struct vh_vma_list **out);

/**
 * vh_vma_list_free() - free a VMA list.
 * @l: the list, or NULL.
 */
VH_EXPORT void vh_vma_list_free(struct vh_vma_list *l);

/**
 * vh_vma_format() - one line as /proc/PID/maps prints it (no newline).
 * @v: the VMA.
 * @buf: receives the line, NUL-terminated (cut to fit).
 * @len: size of @buf (a path can be 4096 bytes long).
 *
 * The kernel's show_map_vma() layout: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x
 * %lu " then, when there is a name, spaces up to column 73 and the name.
 *
 * Return: the length the whole line has (as snprintf).
 */
VH_EXPORT int vh_vma_format(const struct vh_vma *v, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
