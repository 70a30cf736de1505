/* SPDX-License-Identifier: MIT */
/* The JSON writer: nesting, commas, hex addresses, hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/json.h"

/* Runs @fill against a memory stream and compares what it wrote with @want. */
static void expect(void (*fill)(struct vh_json *), const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vh_json j;

	assert_non_null(f);
	vh_json_init(&j, f);
	fill(&j);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void nested(struct vh_json *j)
{
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "dump");
	vh_json_u64(j, "schema", 1);
	vh_json_hex(j, "kaslr_offset", 0xffffffff81000000ull);
	vh_json_begin_array(j, "ranges");
	vh_json_begin_object(j, NULL);
	vh_json_hex(j, "start", 0);
	vh_json_end_object(j);
	vh_json_begin_object(j, NULL);
	vh_json_hex(j, "start", 0x100000);
	vh_json_end_object(j);
	vh_json_end_array(j);
	vh_json_null(j, "osrelease");
	vh_json_bool(j, "kthread", true);
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void test_nesting(void **state)
{
	(void)state;
	expect(nested, "{\"type\":\"dump\",\"schema\":1,\"kaslr_offset\":\"0xffffffff81000000\","
		       "\"ranges\":[{\"start\":\"0x0\"},{\"start\":\"0x100000\"}],"
		       "\"osrelease\":null,\"kthread\":true}\n");
}

static void hostile(struct vh_json *j)
{
	/* A quote, a backslash, control bytes, valid UTF-8, and bytes that are not UTF-8. */
	vh_json_str(j, NULL, "a\"b\\c\n\x01\x7f é \xff\xc3(");
}

static void test_escaping(void **state)
{
	(void)state;
	expect(hostile, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f é \\u00ff\\u00c3(\"");
}

static void array_of_strings(struct vh_json *j)
{
	vh_json_begin_array(j, NULL);
	vh_json_str(j, NULL, "x");
	vh_json_str(j, NULL, NULL);
	vh_json_end_array(j);
}

static void test_array(void **state)
{
	(void)state;
	expect(array_of_strings, "[\"x\",null]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
