/* SPDX-License-Identifier: MIT */
#include "helpers/tmpfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEED_MAX (60u << 10)

void vh_test_seed(const char *harness, const void *data, size_t len)
{
	const char *dir = getenv("VH_SEED_DIR");
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: equal seeds share a name */
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		return;
	if (len > SEED_MAX)
		len = SEED_MAX;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	snprintf(path, sizeof(path), "%s/%s", dir, harness);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%016llx", dir, harness, (unsigned long long)h);
	f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* A dump file's seeds: every harness that takes its kind of bytes. */
static void seed_dump(const unsigned char *data, size_t len)
{
	vh_test_seed("dump", data, len);
	if (len > 4096 && !memcmp(data, "makedumpfile", 12))
		vh_test_seed("flattened", data + 4096, len - 4096);
	if (len >= 4 && (!memcmp(data, "\177ELF", 4) || !memcmp(data, "\x28\xb5\x2f\xfd", 4)))
		vh_test_seed("core", data, len);
}

char *vh_test_write_tmp(const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	int fd;

	seed_dump(data, len);
	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&path, "%s/vmahunt-test-XXXXXX", dir) < 0)
		return NULL;
	fd = mkstemp(path);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) {
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}
