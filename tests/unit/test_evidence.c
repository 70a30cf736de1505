/* SPDX-License-Identifier: MIT */
/*
 * The evidence output layer (src/evidence/out.c): names from a dump made safe,
 * files created only inside the output folder (no "..", no absolute names, no
 * symbolic link followed), existing files kept without force, SHA-256 of what
 * was written (holes included) against known digests, absent runs merged,
 * and the manifest: valid, complete, the records in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "evidence/evidence_internal.h"

/* The SHA-256 of the empty string and of "abc" (FIPS 180-2), and of 4096 zero bytes. */
#define SHA_EMPTY  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC	   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_ZERO4K "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/vh-evidence-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_name(const char *in, const char *want)
{
	char out[32];

	vh_evidence_safe_name(in, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_safe_names(void **state)
{
	(void)state;
	check_name("bash", "bash");
	check_name("../../etc/passwd", "_._.._etc_passwd");
	check_name("..", "_.");
	check_name(".hidden", "_hidden");
	check_name("/memfd:x (deleted)", "_memfd_x__deleted_");
	check_name("a\nb\tc\x1b[0m", "a_b_c__0m");
	check_name("\xc3\xa9t\xc3\xa9", "__t__");
	check_name("", "_");
	check_name(NULL, "_");
	check_name("libc.so.6", "libc.so.6");
	/* truncated to the buffer: 31 bytes and the NUL */
	check_name("0123456789012345678901234567890123456789", "0123456789012345678901234567890");
}

static struct vh_evidence_dir *open_dir(const char *sub, bool force)
{
	struct vh_evidence_options o = {.force = force};
	struct vh_evidence_dir *d;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, sub);
	assert_int_equal(vh_evidence_dir_open(path, "test", "src", &o, &d), VH_OK);
	return d;
}

static void test_unsafe_names_refused(void **state)
{
	static const char *bad[] = {"../x", "/etc/x", "a/../b", "a//b", "./x", "a/", ""};
	struct vh_evidence_dir *d = open_dir("names", false);
	struct vh_ev_file *f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vh_ev_file_create(d, bad[i], &f), VH_ERR_INVAL);
		assert_null(f);
	}
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
}

static void test_symlink_not_followed(void **state)
{
	struct vh_evidence_dir *d = open_dir("links", false);
	struct vh_ev_file *f;
	char link[128], target[128];

	(void)state;
	snprintf(target, sizeof(target), "%s/outside", tmpdir);
	assert_int_equal(mkdir(target, 0700), 0);
	snprintf(link, sizeof(link), "%s/links/sub", tmpdir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(vh_ev_file_create(d, "sub/x", &f), VH_ERR_IO);
	snprintf(link, sizeof(link), "%s/links/file", tmpdir);
	assert_int_equal(symlink("/nonexistent-target", link), 0);
	assert_int_not_equal(vh_ev_file_create(d, "file", &f), VH_OK);
	snprintf(target, sizeof(target), "%s/outside/x", tmpdir);
	assert_int_not_equal(access(target, F_OK), 0);
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
}

static void write_file(struct vh_evidence_dir *d, const char *name, const void *buf, size_t len,
		       uint64_t zeros, const char *want_sha)
{
	struct vh_ev_file *f;
	char sha[65];

	assert_int_equal(vh_ev_file_create(d, name, &f), VH_OK);
	assert_int_equal(vh_ev_file_write(f, buf, len), VH_OK);
	assert_int_equal(vh_ev_file_zeros(f, zeros), VH_OK);
	assert_int_equal(vh_ev_file_size(f), len + zeros);
	assert_int_equal(vh_ev_file_finish(f, sha), VH_OK);
	assert_string_equal(sha, want_sha);
}

static void test_hashes_and_holes(void **state)
{
	struct vh_evidence_dir *d = open_dir("hash", false);
	char path[160];
	struct stat st;

	(void)state;
	write_file(d, "empty", "", 0, 0, SHA_EMPTY);
	write_file(d, "abc", "abc", 3, 0, SHA_ABC);
	write_file(d, "deep/er/zero", "", 0, 4096, SHA_ZERO4K); /* a trailing hole */
	snprintf(path, sizeof(path), "%s/hash/deep/er/zero", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4096);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
}

static void test_existing_kept(void **state)
{
	struct vh_evidence_dir *d = open_dir("exist", false);
	struct vh_evidence_options force = {.force = true};
	struct vh_ev_file *f;
	char path[128];

	(void)state;
	write_file(d, "a", "abc", 3, 0, SHA_ABC);
	assert_int_equal(vh_ev_file_create(d, "a", &f), VH_ERR_EXISTS);
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
	/* a folder holding a manifest is evidence already: refused without force */
	snprintf(path, sizeof(path), "%s/exist", tmpdir);
	assert_int_equal(vh_evidence_dir_open(path, "t", "s", NULL, &d), VH_ERR_EXISTS);
	assert_null(d);
	assert_int_equal(vh_evidence_dir_open(path, "t", "s", &force, &d), VH_OK);
	write_file(d, "a", "", 0, 0, SHA_EMPTY);
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
}

static void test_absent_runs(void **state)
{
	struct vh_ev_absent a = {0};

	(void)state;
	assert_int_equal(vh_ev_absent_add(&a, 0x1000, 0x2000, VH_ERR_EXCLUDED), VH_OK);
	assert_int_equal(vh_ev_absent_add(&a, 0x2000, 0x3000, VH_ERR_EXCLUDED), VH_OK);
	assert_int_equal(vh_ev_absent_add(&a, 0x3000, 0x4000, VH_ERR_NOT_MAPPED), VH_OK);
	assert_int_equal(vh_ev_absent_add(&a, 0x8000, 0x9000, VH_ERR_NOT_MAPPED), VH_OK);
	assert_int_equal(vh_ev_absent_add(&a, 0x9000, 0x9000, VH_ERR_NOT_MAPPED), VH_OK);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.pages, 4);
	assert_int_equal(a.runs[0].end, 0x3000);
	vh_ev_absent_free(&a);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void test_manifest(void **state)
{
	struct vh_evidence_dir *d = open_dir("man", false);
	struct vh_json *j;
	char path[128], *m;

	(void)state;
	for (int i = 0; i < 2; i++) {
		j = vh_ev_record_begin(d);
		assert_non_null(j);
		vh_json_u64(j, "n", (uint64_t)i);
		vh_json_str(j, "name", "a\"b");
		assert_int_equal(vh_ev_record_end(d), VH_OK);
	}
	vh_json_u64(vh_ev_summary(d), "files", 2);
	assert_int_equal(vh_evidence_dir_close(d, false), VH_OK);
	snprintf(path, sizeof(path), "%s/man/manifest.json", tmpdir);
	m = slurp(path);
	assert_non_null(strstr(m, "\"command\":\"test\""));
	assert_non_null(strstr(m, "\"complete\":false"));
	assert_non_null(strstr(m, "\"summary\":{\"files\":2}"));
	assert_non_null(strstr(m, "{\"n\":0,\"name\":\"a\\\"b\"},\n{\"n\":1,"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_safe_names),
	    cmocka_unit_test(test_unsafe_names_refused),
	    cmocka_unit_test(test_symlink_not_followed),
	    cmocka_unit_test(test_hashes_and_holes),
	    cmocka_unit_test(test_existing_kept),
	    cmocka_unit_test(test_absent_runs),
	    cmocka_unit_test(test_manifest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
