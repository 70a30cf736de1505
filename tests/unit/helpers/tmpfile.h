/* SPDX-License-Identifier: MIT */
#ifndef VH_TEST_TMPFILE_H
#define VH_TEST_TMPFILE_H

#include <stddef.h>

/*
 * vh_test_write_tmp() - write @len bytes to a new temporary file (in $TMPDIR
 * or /tmp) and return its malloc'ed path; the test unlinks and frees it.
 */
char *vh_test_write_tmp(const void *data, size_t len);

/*
 * vh_test_seed() - with VH_SEED_DIR set, keeps @data as a fuzzing seed in
 * $VH_SEED_DIR/@harness/ (named by its hash; cut to 60 KiB): the unit tests'
 * writers make the seed corpora of tests/fuzz/ (see docs/fuzzing.md).
 * vh_test_write_tmp() calls it for every dump file it writes.
 */
void vh_test_seed(const char *harness, const void *data, size_t len);

#endif
