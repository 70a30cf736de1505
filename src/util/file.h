/* SPDX-License-Identifier: MIT */
#ifndef VH_UTIL_FILE_H
#define VH_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

/* A read-only file read with pread(): dumps are never read whole into memory. */
struct vh_file {
	int fd;
	uint64_t size;
	char *path;
};

/* Opens @path; on failure returns VH_ERR_IO with vh_errmsg() set. */
int vh_file_open(struct vh_file *f, const char *path);
void vh_file_close(struct vh_file *f);

/*
 * vh_file_read() - read exactly @len bytes at @off. @what names the data for
 * the error message ("kdump sub-header"). Returns VH_ERR_TRUNCATED when the
 * file ends first, VH_ERR_IO on a read error.
 */
int vh_file_read(const struct vh_file *f, uint64_t off, void *buf, size_t len, const char *what);

#endif
