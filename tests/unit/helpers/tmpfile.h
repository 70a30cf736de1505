/* SPDX-License-Identifier: MIT */
#ifndef VH_TEST_TMPFILE_H
#define VH_TEST_TMPFILE_H

#include <stddef.h>

/*
 * vh_test_write_tmp() - write @len bytes to a new temporary file (in $TMPDIR
 * or /tmp) and return its malloc'ed path; the test unlinks and frees it.
 */
char *vh_test_write_tmp(const void *data, size_t len);

#endif
