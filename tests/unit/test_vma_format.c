/* SPDX-License-Identifier: MIT */
/* vh_vma_format(): the kernel's show_map_vma() layout, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/vma.h>

static struct vh_vma vma(uint64_t start, uint64_t end, const char *perms, const char *path)
{
	struct vh_vma v;

	memset(&v, 0, sizeof(v));
	v.start = start;
	v.end = end;
	memcpy(v.perms, perms, 5);
	v.path = path;
	return v;
}

static void test_named_lines_pad_to_column_73(void **state)
{
	struct vh_vma v = vma(0x7ffc6ffd2000, 0x7ffc6fff3000, "rw-p", "[stack]");
	char buf[256];

	(void)state;
	assert_int_equal(vh_vma_format(&v, buf, sizeof(buf)), 80);
	assert_string_equal(buf, "7ffc6ffd2000-7ffc6fff3000 rw-p 00000000 00:00 0"
				 "                          [stack]");
	assert_int_equal(strchr(buf, '[') - buf, 73);

	v = vma(0x400000, 0x401000, "r-xp", "/bin/busybox");
	v.offset = 0x1000;
	v.major = 0;
	v.minor = 2;
	v.inode = 7;
	vh_vma_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, "00400000-00401000 r-xp 00001000 00:02 7"
				 "                                  /bin/busybox");
}

static void test_anonymous_line_ends_with_space(void **state)
{
	struct vh_vma v = vma(0x5e5000, 0x5ec000, "rw-p", "");
	char buf[128];

	(void)state;
	vh_vma_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, "005e5000-005ec000 rw-p 00000000 00:00 0 ");
}

/* Wide fields push the name: the header's space plus seq_pad()'s own one before it. */
static void test_wide_fields_and_short_buffer(void **state)
{
	struct vh_vma v = vma(0xffffffffff600000, 0xffffffffff601000, "--xs", "/x");
	char buf[256], small[20];

	(void)state;
	v.offset = 0x123456789000;
	v.major = 0x103;
	v.minor = 0x12345;
	v.inode = 18446744073709551615ull;
	int n = vh_vma_format(&v, buf, sizeof(buf));

	assert_string_equal(buf, "ffffffffff600000-ffffffffff601000 --xs 123456789000 103:12345 "
				 "18446744073709551615  /x");
	assert_int_equal(n, (int)strlen(buf));
	/* cut to fit, NUL-terminated, the whole length returned */
	assert_int_equal(vh_vma_format(&v, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_named_lines_pad_to_column_73),
	    cmocka_unit_test(test_anonymous_line_ends_with_space),
	    cmocka_unit_test(test_wide_fields_and_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
