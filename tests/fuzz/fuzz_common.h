/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses: the library opens dumps by path, so the
 * input is handed over as an in-memory file (memfd) named by /proc/self/fd,
 * with no temporary file to clean up; and a fake kernel memory that maps the
 * input at a fixed kernel address, for decoders that read through callbacks.
 */
#ifndef VH_FUZZ_COMMON_H
#define VH_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vmahunt/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where fuzzed kernel memory starts: a direct-map address, as real pointers. */
#define FUZZ_BASE 0xffff888000100000ull

/* An in-memory file holding @data; returns its fd (path in @path) or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("vh-fuzz", 0);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* Fuzzed kernel memory: [FUZZ_BASE, FUZZ_BASE + size) holds the input. */
struct fuzz_mem {
	const uint8_t *data;
	size_t size;
	size_t reads; /* bounded, so a decoder that loops forever shows as a timeout */
};

static inline int fuzz_mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct fuzz_mem *m = arg;

	m->reads++;
	if (addr < FUZZ_BASE || addr - FUZZ_BASE > m->size || len > m->size - (addr - FUZZ_BASE))
		return VH_ERR_NOT_MAPPED;
	memcpy(buf, m->data + (addr - FUZZ_BASE), len);
	return VH_OK;
}

static inline uint64_t fuzz_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
