/* SPDX-License-Identifier: MIT */
/*
 * vh-pages: read every page frame a dump covers, through the public API.
 *
 *   vh-pages [--stride N] [--max N] [--list] [--bench] DUMP
 *
 * --list   one line per page frame: "PFN STATE HASH" (hash of the bytes for
 *          present/zero pages, "-" otherwise), for comparing formats
 * --bench  one line: pages read, bytes, seconds, MB/s
 * --stride read only every Nth page frame (the corruption test uses it)
 * --max    visit at most N page frames: a damaged header can claim ranges of
 *          petabytes, which a full walk would take days to visit
 * Default: a summary of how many pages were read, excluded, absent or failed.
 * Exit 0 when the walk completed (read errors are counted, not fatal), 3 when
 * the dump does not open.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmahunt/vmahunt.h>

/* FNV-1a, 64 bit: enough to tell pages apart across formats. */
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const state_names[] = {"absent", "present", "zero", "excluded"};

int main(int argc, char **argv)
{
	uint64_t stride = 1, max = UINT64_MAX, visited = 0, counts[8] = {0}, failed = 0, bytes = 0;
	int list = 0, bench = 0;
	const char *path = NULL;
	struct vh_dump *d;
	unsigned char *buf;
	size_t nr;
	const struct vh_phys_range *r;
	uint32_t ps;
	double t0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stride") && i + 1 < argc)
			stride = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "--bench"))
			bench = 1;
		else
			path = argv[i];
	}
	if (!path || stride == 0) {
		fprintf(stderr, "usage: vh-pages [--stride N] [--max N] [--list] [--bench] DUMP\n");
		return 2;
	}
	if (vh_dump_open(path, NULL, &d)) {
		fprintf(stderr, "vh-pages: %s\n", vh_errmsg());
		return 3;
	}
	ps = vh_dump_page_size(d);
	buf = malloc(ps);
	if (!buf)
		return 4;
	r = vh_dump_ranges(d, &nr);
	t0 = now();
	for (size_t i = 0; i < nr && visited < max; i++) {
		for (uint64_t pfn = r[i].start / ps; pfn * ps < r[i].end && visited++ < max;
		     pfn += stride) {
			enum vh_page_state st = vh_dump_page_state(d, pfn);
			/* Pages only partly inside a range are read over their covered part. */
			uint64_t lo = pfn * ps < r[i].start ? r[i].start : pfn * ps;
			uint64_t hi = (pfn + 1) * ps > r[i].end ? r[i].end : (pfn + 1) * ps;
			int err = VH_OK;

			counts[st & 7]++;
			if (st == VH_PAGE_PRESENT || st == VH_PAGE_ZERO) {
				err = vh_dump_read_phys(d, lo, buf, (size_t)(hi - lo));
				if (err)
					failed++;
				else
					bytes += hi - lo;
			}
			if (list) {
				if (err)
					printf("%" PRIx64 " error\n", pfn);
				else if (st == VH_PAGE_PRESENT || st == VH_PAGE_ZERO)
					printf("%" PRIx64 " data %016" PRIx64 "\n", pfn,
					       fnv1a(buf, (size_t)(hi - lo)));
				else
					printf("%" PRIx64 " %s\n", pfn, state_names[st & 3]);
			}
		}
	}
	if (bench) {
		double s = now() - t0;

		printf("pages %" PRIu64 " bytes %" PRIu64 " seconds %.3f MB/s %.1f\n",
		       counts[VH_PAGE_PRESENT] + counts[VH_PAGE_ZERO], bytes, s,
		       s > 0 ? bytes / s / 1e6 : 0.0);
	} else if (!list) {
		printf("present %" PRIu64 " zero %" PRIu64 " excluded %" PRIu64 " absent %" PRIu64
		       " failed %" PRIu64 "\n",
		       counts[VH_PAGE_PRESENT], counts[VH_PAGE_ZERO], counts[VH_PAGE_EXCLUDED],
		       counts[VH_PAGE_ABSENT], failed);
	}
	free(buf);
	vh_dump_close(d);
	return 0;
}
