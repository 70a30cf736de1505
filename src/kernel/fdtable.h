/* SPDX-License-Identifier: MIT */
/*
 * A task's open files: task->files (struct files_struct) -> fdt (struct
 * fdtable) -> fd[0 .. max_fds), each a struct file * or NULL.
 */
#ifndef VH_KERNEL_FDTABLE_H
#define VH_KERNEL_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/vread.h"

#include <vmahunt/symbols.h>

/* File descriptors read at most (the kernel's default nr_open, 1 << 20). */
#define VH_FDS_MAX (1u << 20)

struct vh_fd {
	int32_t fd;
	uint64_t file; /* struct file * */
};

/* The result of vh_fds_read(). */
struct vh_fd_list {
	struct vh_fd *fds; /* open descriptors, ascending */
	size_t n;
	uint64_t max_fds; /* fdtable.max_fds as read */
	bool partial;	  /* part of the table could not be read (see warnings) */
	char **warnings;  /* one-line messages naming the bad address */
	size_t nwarnings;
};

/**
 * vh_fds_read() - the open files of a task.
 * @kr: a kernel-space reader.
 * @p: the profile (task_struct.files, files_struct.fdt, fdtable.max_fds and .fd).
 * @task: the task_struct's address.
 * @out: receives the list (zeroed first); free it with vh_fd_list_free().
 *
 * The fd array is read a page at a time, bounded by max_fds and VH_FDS_MAX;
 * an unreadable page of it, or a pointer that is no kernel address, is a
 * warning and the rest is still read. A task without files (exiting) has none.
 *
 * Return: VH_OK (also with a partial list); VH_ERR_NOT_PRESENT when the
 * profile lacks the layout; the read error when the fdtable itself cannot be
 * read (out->warnings says where); VH_ERR_NOMEM.
 */
int vh_fds_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t task,
		struct vh_fd_list *out);

/* Frees a list's contents. */
void vh_fd_list_free(struct vh_fd_list *l);

#endif
