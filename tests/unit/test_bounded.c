/* SPDX-License-Identifier: MIT */
/*
 * Work bounded by what a file stores (issue 14). For every format, a file of
 * a few KiB whose headers declare terabytes (helpers/crafted.c) must open,
 * locate the kernel and walk its pages at a cost set by its stored pages: the
 * dump layer's work counters are checked against that, since wall-clock
 * limits are too noisy to assert. The CLI's info, ps, maps and scan then run
 * on each file: their times are printed, and only a hang (a 60 s timeout) or
 * a crash fails. Files whose kernel can be located must also search its
 * image for the kallsyms tables at that cost, not the gigabyte of image their
 * page tables map. vh_dump_next_present() is also checked against a pfn-by-pfn
 * walk of page_state() on small dumps of every format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "dump/dump_internal.h"
#include "helpers/crafted.h"
#include "helpers/dumptest.h"
#include "helpers/kdump_writer.h"
#include "helpers/tmpfile.h"

/* After vmahunt/core.h: <signal.h> defines si_addr as a macro. */
#include <sys/wait.h>

static const struct vh_dump_options small_cache = {.cache_pages = 16};

static uint64_t total_work(const struct vh_dump *d)
{
	return d->work.page_states + d->work.page_reads + d->work.next_present;
}

/* Visits every stored page; returns how many. */
static uint64_t walk_present(struct vh_dump *d)
{
	uint64_t pfn = 0, n = 0;

	while (vh_dump_next_present(d, pfn, &pfn) == VH_OK) {
		assert_int_equal(vh_dump_page_state(d, pfn), VH_PAGE_PRESENT);
		n++;
		pfn++;
	}
	return n;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Finds no kallsyms tables; returns the dump's work for the search. */
static uint64_t kallsyms_search_work(struct vh_dump *d, const struct vh_kernel_map *km)
{
	struct vh_kallsyms *ks = NULL;
	uint64_t before = total_work(d);

	assert_int_equal(vh_kallsyms_load(d, km, VH_KALLSYMS_SEARCH, &ks), VH_ERR_NOT_PRESENT);
	assert_null(ks);
	return total_work(d) - before;
}

/*
 * Locating the kernel and walking the stored pages cost O(stored pages); when
 * the kernel is found, searching its image for the kallsyms tables costs
 * O(stored pages) too, plus one lookup per mapping of the image (512 per page
 * directory at most): never the gigabyte the page tables map.
 */
static void check_library(const struct vh_crafted *c, const char *path)
{
	struct vh_dump_options o = small_cache;
	struct vh_kernel_map km;
	struct vh_dump *d;
	uint64_t bound = 8 * (c->stored + 1) + 64;
	int err;

	o.raw = c->raw_base != 0;
	o.raw_base = c->raw_base;
	err = vh_dump_open(path, &o, &d);
	if (err) {
		print_message("  %s: open fails: %s\n", c->name, vh_errmsg());
		assert_false(c->kernel);
		assert_true(strlen(vh_errmsg()) > 0);
		return;
	}
	memset(&d->work, 0, sizeof(d->work));
	err = vh_kernel_map_find(d, &km);
	assert_int_equal(err == VH_OK, c->kernel);
	assert_true(walk_present(d) <= c->stored);
	print_message("  %s: kernel search + page walk: %llu page visits (bound %llu)\n", c->name,
		      (unsigned long long)total_work(d), (unsigned long long)bound);
	assert_true(total_work(d) <= bound);
	if (c->kernel) {
		uint64_t ks_bound = 64 * (c->stored + 1) + 2 * 512, work;
		double t0 = now();

		work = kallsyms_search_work(d, &km);
		print_message("  %s: kallsyms search: %llu page visits (bound %llu; the tables "
			      "map %llu pages), %.3f s\n",
			      c->name, (unsigned long long)work, (unsigned long long)ks_bound,
			      (unsigned long long)((1ull << 30) - (16u << 20)) / 4096, now() - t0);
		assert_true(work <= ks_bound);
	}
	vh_dump_close(d);
}

/* Runs one CLI command under a 60 s timeout (hangs only: times are printed, not asserted). */
static void check_cli(const struct vh_crafted *c, const char *path, const char *cmd)
{
	const char *vmahunt = getenv("VMAHUNT");
	char line[1024], raw[64] = "";
	double t0;
	int st;

	if (!vmahunt)
		return;
	if (c->raw_base)
		snprintf(raw, sizeof(raw), "--raw-base 0x%llx", (unsigned long long)c->raw_base);
	snprintf(line, sizeof(line), "timeout 60 '%s' %s %s '%s' >/dev/null 2>&1", vmahunt, cmd,
		 raw, path);
	t0 = now();
	st = system(line);
	print_message("  %s: vmahunt %s: %.3f s, exit %d\n", c->name, cmd, now() - t0,
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	assert_true(WIFEXITED(st));
	assert_int_not_equal(WEXITSTATUS(st), 124); /* timeout: a hang */
	assert_true(WEXITSTATUS(st) < 128);	    /* killed by a signal */
}

/* With VH_CRAFTED_DIR set, keeps a copy of each file there (for fuzz seeds, timings). */
static void keep_copy(const char *name, const uint8_t *buf, size_t len)
{
	const char *dir = getenv("VH_CRAFTED_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_crafted(void **state)
{
	static const char *const cmds[] = {"info", "ps", "maps", "scan"};
	size_t n;
	const struct vh_crafted *list = vh_crafted_list(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf;
		size_t len;
		char *path;

		assert_int_equal(vh_crafted_build(i, &buf, &len), 0);
		path = vh_test_write_tmp(buf, len);
		keep_copy(list[i].name, buf, len);
		free(buf);
		print_message("%s (%zu bytes): %s\n", list[i].name, len, list[i].summary);
		check_library(&list[i], path);
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
			check_cli(&list[i], path, cmds[k]);
		vh_test_drop(path);
	}
}

/* A page is stored when page_state() says PRESENT and reading it succeeds. */
static bool stored(struct vh_dump *d, uint64_t pfn)
{
	uint32_t ps = vh_dump_page_size(d);
	uint8_t *buf = malloc(ps);
	bool ok;

	assert_non_null(buf);
	ok = vh_dump_page_state(d, pfn) == VH_PAGE_PRESENT &&
	     vh_dump_read_phys(d, pfn * ps, buf, 1) == VH_OK;
	free(buf);
	return ok;
}

/*
 * next_present() agrees with a pfn-by-pfn walk below @limit (these files
 * hold no damaged page data, so every page it names can be read).
 */
static void check_agrees(struct vh_dump *d, uint64_t limit)
{
	uint64_t want = 0, got = 0;

	for (;;) {
		while (want < limit && !stored(d, want))
			want++;
		if (vh_dump_next_present(d, got, &got) != VH_OK)
			got = limit;
		if (got > limit)
			got = limit;
		assert_int_equal(got, want);
		if (want == limit)
			return;
		want++;
		got++;
	}
}

/* Every crafted file: small enough below 2^20 pfns to compare exhaustively. */
static void test_agrees_crafted(void **state)
{
	size_t n;
	const struct vh_crafted *list = vh_crafted_list(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct vh_dump_options o = small_cache;
		struct vh_test_opened t;
		uint8_t *buf;
		size_t len;

		assert_int_equal(vh_crafted_build(i, &buf, &len), 0);
		o.raw = list[i].raw_base != 0;
		o.raw_base = list[i].raw_base;
		t = vh_test_open_bytes(buf, len, &o);
		free(buf);
		if (!t.err)
			check_agrees(t.d, 1u << 20);
		vh_test_close(&t);
	}
}

/* kdumps with every page state, zero pages, and descriptors cut by truncation. */
static void test_agrees_kdump(void **state)
{
	static const char states[] = "..PPZZEE.PRPZ..EEPP........PPPPZPZPRRRRP...EPZP"
				     "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP"
				     "PPPPPPPPPPPPPPPPPPPPPPPPPPP..ZZZZZZZZZZZZZZZZZZZZZZZZZZZZPPP";
	struct kw_spec s = {.max_mapnr = sizeof(states) - 1, .states = states, .dump_level = 31};
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	/* Cut inside the descriptors, at their end, in the data, and not at all. */
	for (size_t cut = (size_t)img.desc_off + 5; cut <= img.len; cut += 4 * 24 + 1) {
		struct vh_test_opened t = vh_test_open_bytes(img.buf, cut, &small_cache);

		if (!t.err)
			check_agrees(t.d, s.max_mapnr + 64);
		vh_test_close(&t);
	}
	kw_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agrees_kdump),
	    cmocka_unit_test(test_agrees_crafted),
	    cmocka_unit_test(test_crafted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
