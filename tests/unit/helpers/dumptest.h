/* SPDX-License-Identifier: MIT */
/*
 * What the dump readers' unit tests share: little-endian writers for building
 * synthetic images, opening an image written to a temporary file, and checks of
 * warnings, error messages and attributes. The checks fail the running cmocka test.
 */
#ifndef VH_TEST_DUMPTEST_H
#define VH_TEST_DUMPTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/dump.h>

/* Little-endian stores into a synthetic image. */
void vh_test_put16(uint8_t *p, uint16_t v);
void vh_test_put32(uint8_t *p, uint32_t v);
void vh_test_put64(uint8_t *p, uint64_t v);

/* An image written to a temporary file and opened: @err is vh_dump_open()'s result. */
struct vh_test_opened {
	char *path;
	struct vh_dump *d;
	int err;
};

/* Writes @len bytes of @data to a temporary file and opens it with @opts (may be NULL). */
struct vh_test_opened vh_test_open_bytes(const void *data, size_t len,
					 const struct vh_dump_options *opts);
/* Closes the dump (if open) and removes the file. */
void vh_test_close(struct vh_test_opened *o);

/* Opens @path, failing the test with vmahunt's message when it does not open. */
struct vh_dump *vh_test_open_ok(const char *path);
/* Removes the temporary file @path and frees the string. */
void vh_test_drop(char *path);

/* Whether one of @d's warnings contains @needle. */
bool vh_test_has_warning(struct vh_dump *d, const char *needle);
/* Fails the test unless one of @d's warnings contains @needle. */
void vh_test_expect_warning(struct vh_dump *d, const char *needle);
/* Fails the test unless the last error message (vh_errmsg()) contains @needle. */
void vh_test_expect_msg(const char *needle);
/* The value of @d's attribute @name, "" when it has none. */
const char *vh_test_attr(struct vh_dump *d, const char *name);

#endif
