/* SPDX-License-Identifier: MIT */
/* unmapped-payload: what a page of shared memory holds, and its severity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/detect.h>

#include "detect/detectors.h"

#define PAGE 4096

static unsigned char page[PAGE];

/* An ELF header: class 2, byte order @data (1 little, 2 big), e_type @type, x86-64. */
static void put_elf(unsigned char *b, unsigned char data, uint16_t type)
{
	static const unsigned char magic[4] = {0x7f, 'E', 'L', 'F'};

	memset(b, 0, 64);
	memcpy(b, magic, 4);
	b[4] = 2;
	b[5] = data;
	b[6] = 1;
	if (data == 1) {
		b[16] = (unsigned char)type;
		b[17] = (unsigned char)(type >> 8);
		b[18] = 62;
	} else {
		b[17] = (unsigned char)type;
		b[16] = (unsigned char)(type >> 8);
		b[19] = 62;
	}
}

static struct vh_payload_hit judge(size_t n)
{
	struct vh_payload_hit h;

	vh_payload_page(vh_isa(VH_ARCH_X86_64), page, n, &h);
	return h;
}

static void test_elf_images(void **state)
{
	struct vh_payload_hit h;

	(void)state;
	memset(page, 'x', sizeof(page));
	put_elf(page, 1, 2); /* ET_EXEC, little-endian */
	h = judge(PAGE);
	assert_int_equal(h.sign, VH_PAYLOAD_ELF);
	assert_int_equal(h.e_type, 2);
	assert_int_equal(h.e_machine, 62);
	assert_int_equal(h.offset, 0);
	assert_int_equal(vh_payload_severity(h.sign), VH_SEV_HIGH);
	put_elf(page, 1, 3); /* ET_DYN */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_ELF);
	put_elf(page, 2, 1); /* ET_REL, big-endian */
	h = judge(PAGE);
	assert_int_equal(h.sign, VH_PAYLOAD_ELF);
	assert_int_equal(h.e_type, 1);
	assert_int_equal(h.e_machine, 62);
}

static void test_elf_lookalikes(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	put_elf(page, 1, 4); /* ET_CORE: a core file is data */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	put_elf(page, 1, 2);
	page[4] = 7; /* no such class */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	put_elf(page, 1, 2);
	page[6] = 0; /* EV_NONE */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	put_elf(page, 3, 2); /* no such byte order */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	put_elf(page, 1, 2);
	assert_int_equal(judge(32).sign, VH_PAYLOAD_NONE); /* shorter than a header */
	memset(page, 0, sizeof(page));
	put_elf(page + 100, 1, 2); /* an ELF header counts at the page start only */
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
}

static void test_shellcode(void **state)
{
	static const unsigned char stub[] = {0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05};
	struct vh_payload_hit h;

	(void)state;
	memset(page, 'A', sizeof(page));
	memset(page + 0x800, 0x90, 64);
	memcpy(page + 0x840, stub, sizeof(stub));
	h = judge(PAGE);
	assert_int_equal(h.sign, VH_PAYLOAD_SHELLCODE);
	assert_int_equal(h.offset, 0x800);
	assert_int_equal(vh_payload_severity(h.sign), VH_SEV_HIGH);
	/* one sign alone: info */
	memset(page, 'A', sizeof(page));
	memcpy(page + 0x123, stub, sizeof(stub));
	h = judge(PAGE);
	assert_int_equal(h.sign, VH_PAYLOAD_STUB);
	assert_int_equal(h.offset, 0x123);
	assert_int_equal(vh_payload_severity(h.sign), VH_SEV_INFO);
	memset(page, 'A', sizeof(page));
	memset(page + 0x200, 0x90, 40);
	h = judge(PAGE);
	assert_int_equal(h.sign, VH_PAYLOAD_SLED);
	assert_int_equal(h.offset, 0x200);
	assert_int_equal(vh_payload_severity(h.sign), VH_SEV_INFO);
	/* 31 NOPs are no sled */
	memset(page, 'A', sizeof(page));
	memset(page + 0x200, 0x90, 31);
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
}

/* The benign control's content: text, zeros. */
static void test_plain_data(void **state)
{
	static const char text[] = "VMAHUNT-SHMHIDE benign: plain data, no code\n";

	(void)state;
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (unsigned char)text[i % (sizeof(text) - 1)];
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	memset(page, 0, sizeof(page));
	assert_int_equal(judge(PAGE).sign, VH_PAYLOAD_NONE);
	assert_int_equal(judge(0).sign, VH_PAYLOAD_NONE);
	assert_int_equal(vh_payload_severity(VH_PAYLOAD_NONE), VH_SEV_INFO);
}

static void test_file_kinds(void **state)
{
	enum vh_severity cap;

	(void)state;
	assert_string_equal(vh_payload_file_kind("/memfd:x (deleted)", &cap), "memfd");
	assert_int_equal(cap, VH_SEV_HIGH);
	assert_string_equal(vh_payload_file_kind("/dev/shm/payload", &cap), "posix-shm");
	assert_int_equal(cap, VH_SEV_HIGH);
	assert_string_equal(vh_payload_file_kind("/dev/shm/gone (deleted)", &cap), "posix-shm");
	assert_int_equal(cap, VH_SEV_HIGH);
	/* a module an insmod of the initramfs holds, an object file a compiler writes */
	assert_string_equal(vh_payload_file_kind("/lab/modules/x.ko", &cap), "tmpfs-file");
	assert_int_equal(cap, VH_SEV_LOW);
	assert_string_equal(vh_payload_file_kind("/tmp/ccA1.o (deleted)", &cap), "tmpfs-file");
	assert_int_equal(cap, VH_SEV_MEDIUM);
	assert_string_equal(vh_payload_file_kind("/dev/shmem", &cap), "tmpfs-file");
	assert_string_equal(vh_payload_file_kind("", &cap), "tmpfs-file");
	assert_int_equal(cap, VH_SEV_LOW);
}

static void test_registered(void **state)
{
	const struct vh_detector *d = vh_detector_find("unmapped-payload");

	(void)state;
	assert_non_null(d);
	assert_true(d->needs & VH_DETECT_CONTENT);
	assert_false(d->needs & VH_DETECT_PROCESS); /* it reads kernel structures */
	assert_non_null(d->task);
	assert_non_null(d->finish);
}

/* Without a kernel (a process core, a test) it skips with one warning and no finding. */
static int nfind, nwarn;

static int count_finding(const struct vh_finding *f, void *arg)
{
	(void)f;
	(void)arg;
	nfind++;
	return VH_OK;
}

static void count_warning(const char *msg, void *arg)
{
	(void)arg;
	assert_non_null(strstr(msg, "unmapped-payload: skipped"));
	nwarn++;
}

static void test_no_kernel(void **state)
{
	const struct vh_detector *d = vh_detector_find("unmapped-payload");
	struct vh_task t = {.pid = 42, .tgid = 42, .leader = true, .mm = 0xffff888000001000ull};
	struct vh_vma_list l = {0};
	struct vh_detect_ctx ctx = {
	    .task = &t, .vmas = &l, .sink = count_finding, .warn = count_warning};
	void *st = NULL;

	(void)state;
	nfind = nwarn = 0;
	assert_int_equal(d->init(d, &st), VH_OK);
	assert_int_equal(d->task(st, &ctx), VH_OK);
	assert_int_equal(d->task(st, &ctx), VH_OK);
	ctx.task = NULL;
	ctx.vmas = NULL;
	assert_int_equal(d->finish(st, &ctx), VH_OK);
	d->fini(st);
	assert_int_equal(nfind, 0);
	assert_int_equal(nwarn, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_images), cmocka_unit_test(test_elf_lookalikes),
	    cmocka_unit_test(test_shellcode),  cmocka_unit_test(test_plain_data),
	    cmocka_unit_test(test_file_kinds), cmocka_unit_test(test_registered),
	    cmocka_unit_test(test_no_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
