/* SPDX-License-Identifier: MIT */
/* The VMA-only detectors on synthetic VMA lists; severities; the disassembler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/detect.h>

#include "helpers/detecttest.h"

static struct vh_vma vma(uint64_t start, uint64_t end, uint64_t flags, uint64_t file,
			 const char *path)
{
	struct vh_vma v;

	memset(&v, 0, sizeof(v));
	v.start = start;
	v.end = end;
	v.flags = flags;
	v.file = file;
	v.path = path;
	return v;
}

/* Runs every VMA-only detector over @v (no dump: no user pages) into @s. */
static void run(struct vh_task *t, const struct vh_vma *v, size_t n, struct vh_test_sink *s)
{
	size_t nd;
	const struct vh_detector *const *dets = vh_detectors(&nd);
	struct vh_vma_list l = {.vmas = (struct vh_vma *)v, .nvmas = n};
	struct vh_detect_ctx ctx = {.task = t, .vmas = &l, .sink = vh_test_collect, .sink_arg = s};

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < nd; i++) {
		if (dets[i]->needs & VH_DETECT_CONTENT)
			continue;
		if (dets[i]->task)
			assert_int_equal(dets[i]->task(NULL, &ctx), VH_OK);
		for (size_t k = 0; dets[i]->vma && k < n; k++)
			assert_int_equal(dets[i]->vma(NULL, &ctx, &v[k]), VH_OK);
	}
}

static const struct vh_finding *by(const struct vh_test_sink *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->f[i].detector, id))
			return &s->f[i];
	return NULL;
}

#define R VH_VM_READ
#define W VH_VM_WRITE
#define X VH_VM_EXEC

static void test_ordinary_process_is_clean(void **state)
{
	struct vh_task t = {.pid = 7, .comm = "sh", .mm = 0x1000, .leader = true};
	struct vh_vma v[] = {
	    vma(0x400000, 0x401000, R | X, 0xf00, "/bin/busybox"),
	    vma(0x600000, 0x601000, R | W, 0, "[heap]"),
	    vma(0x7ff000000000, 0x7ff000021000, R | W, 0, "[stack]"),
	    vma(0x7ff000100000, 0x7ff000102000, R | X, 0, "[vdso]"),
	    vma(0xffffffffff600000, 0xffffffffff601000, X, 0, "[vsyscall]"),
	};
	struct vh_test_sink s;

	(void)state;
	run(&t, v, 5, &s);
	assert_int_equal(s.n, 0);
}

static void test_planted_kinds(void **state)
{
	struct vh_task t = {.pid = 9, .comm = "bad", .mm = 0x1000, .leader = true};
	struct vh_vma v[] = {
	    vma(0x10000, 0x12000, R | W | X, 0, "[heap]"),
	    vma(0x20000, 0x21000, R | W | X, 0, ""),
	    vma(0x30000, 0x31000, R | X, 0, ""),
	    vma(0x40000, 0x41000, R | X, 0xf00, "/memfd:x (deleted)"),
	    vma(0x50000, 0x51000, R | X, 0xf00, "/usr/lib/libx.so (deleted)"),
	    vma(0x60000, 0x61000, R | W | X, 0, "[stack]"),
	};
	struct vh_test_sink s;

	(void)state;
	run(&t, v, 6, &s);
	assert_int_equal(s.n, 6);
	assert_non_null(by(&s, "heap-exec"));
	assert_int_equal(by(&s, "heap-exec")->severity, VH_SEV_HIGH);
	assert_int_equal(by(&s, "anon-rwx")->start, 0x20000);
	assert_int_equal(by(&s, "anon-exec")->severity, VH_SEV_LOW); /* small r-x: JIT-like */
	assert_int_equal(by(&s, "memfd-exec")->start, 0x40000);
	assert_int_equal(by(&s, "deleted-exec")->start, 0x50000); /* memfd is not "deleted" */
	assert_non_null(by(&s, "stack-exec"));
	assert_int_equal(by(&s, "anon-rwx")->pid, 9);
	assert_string_equal(by(&s, "memfd-exec")->path, "/memfd:x (deleted)");
	assert_int_equal(by(&s, "anon-rwx")->nbytes, 0); /* no user pages: no bytes */
}

static void test_large_anon_exec_is_medium(void **state)
{
	struct vh_task t = {.pid = 9, .comm = "x", .mm = 0x1000, .leader = true};
	struct vh_vma v = vma(0x100000000, 0x200000000, R | X, 0, "");
	struct vh_test_sink s;

	(void)state;
	run(&t, &v, 1, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].severity, VH_SEV_MEDIUM);
}

static void test_kthread_mm(void **state)
{
	struct vh_task t = {.pid = 2, .comm = "kworker", .mm = 0x1000, .kthread = true};
	struct vh_test_sink s;

	(void)state;
	run(&t, NULL, 0, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].detector, "kthread-mm");
	assert_string_equal(s.f[0].comm, "kworker");
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_int_equal(vh_severity_parse("high"), VH_SEV_HIGH);
	assert_int_equal(vh_severity_parse("info"), VH_SEV_INFO);
	assert_int_equal(vh_severity_parse("bogus"), -1);
	assert_string_equal(vh_severity_name(VH_SEV_MEDIUM), "medium");
	assert_non_null(vh_detector_find("shellcode"));
	assert_null(vh_detector_find("nope"));
}

static void test_disasm(void **state)
{
	static const unsigned char stub[] = {0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3};
	char out[256], tiny[24];

	(void)state;
	vh_disasm(stub, sizeof(stub), 0x1000, 8, out, sizeof(out));
	assert_string_equal(out, "0x1000: mov eax, 0x27\n0x1005: syscall \n0x1007: ret ");
	/* a line that does not fit is dropped whole */
	vh_disasm(stub, sizeof(stub), 0x1000, 8, tiny, sizeof(tiny));
	assert_string_equal(tiny, "0x1000: mov eax, 0x27");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ordinary_process_is_clean),
	    cmocka_unit_test(test_planted_kinds),
	    cmocka_unit_test(test_large_anon_exec_is_medium),
	    cmocka_unit_test(test_kthread_mm),
	    cmocka_unit_test(test_severity_names),
	    cmocka_unit_test(test_disasm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
