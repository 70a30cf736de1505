/* SPDX-License-Identifier: MIT */
/*
 * Replays files through a harness without libFuzzer: every file named, or
 * every file of every folder named, once, through LLVMFuzzerTestOneInput().
 * Built into the normal and sanitized builds so the corpora and the crash
 * reproducers are a regression test wherever the suite runs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f)
			fclose(f);
		return 1;
	}
	buf = malloc(n ? (size_t)n : 1); /* exactly the file's size: ASan sees overreads */
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

/* A folder's files, in name order (so a failure is reproducible by its place). */
static int run_dir(const char *dir, size_t *count)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), err = 0;

	if (n < 0)
		return 0; /* no reproducers yet: an absent folder is empty */
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && !stat(path, &st) && S_ISREG(st.st_mode)) {
			err |= run_file(path);
			(*count)++;
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode))
			err |= run_dir(argv[i], &count);
		else if (!stat(argv[i], &st)) {
			err |= run_file(argv[i]);
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return err;
}
