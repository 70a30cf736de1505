/* SPDX-License-Identifier: MIT */
#include "helpers/dumptest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/error.h>

#include "helpers/tmpfile.h"

void vh_test_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void vh_test_put32(uint8_t *p, uint32_t v)
{
	vh_test_put16(p, (uint16_t)v);
	vh_test_put16(p + 2, (uint16_t)(v >> 16));
}

void vh_test_put64(uint8_t *p, uint64_t v)
{
	vh_test_put32(p, (uint32_t)v);
	vh_test_put32(p + 4, (uint32_t)(v >> 32));
}

struct vh_test_opened vh_test_open_bytes(const void *data, size_t len,
					 const struct vh_dump_options *opts)
{
	struct vh_test_opened o = {0};

	o.path = vh_test_write_tmp(data, len);
	assert_non_null(o.path);
	o.err = vh_dump_open(o.path, opts, &o.d);
	return o;
}

void vh_test_close(struct vh_test_opened *o)
{
	vh_dump_close(o->d);
	o->d = NULL;
	vh_test_drop(o->path);
	o->path = NULL;
}

struct vh_dump *vh_test_open_ok(const char *path)
{
	struct vh_dump *d = NULL;

	if (vh_dump_open(path, NULL, &d))
		fail_msg("open %s: %s", path, vh_errmsg());
	return d;
}

void vh_test_drop(char *path)
{
	if (!path)
		return;
	unlink(path);
	free(path);
}

bool vh_test_has_warning(struct vh_dump *d, const char *needle)
{
	size_t n;
	const char *const *w = vh_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++) {
		if (strstr(w[i], needle))
			return true;
	}
	return false;
}

void vh_test_expect_warning(struct vh_dump *d, const char *needle)
{
	size_t n;

	vh_dump_warnings(d, &n);
	if (!vh_test_has_warning(d, needle))
		fail_msg("no warning contains \"%s\" (%zu warnings)", needle, n);
}

void vh_test_expect_msg(const char *needle)
{
	if (!strstr(vh_errmsg(), needle))
		fail_msg("message \"%s\" lacks \"%s\"", vh_errmsg(), needle);
}

const char *vh_test_attr(struct vh_dump *d, const char *name)
{
	size_t n;
	const struct vh_dump_attr *a = vh_dump_attrs(d, &n);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].name, name) == 0)
			return a[i].value;
	}
	return "";
}
