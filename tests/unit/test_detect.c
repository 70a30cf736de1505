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
		void *st = NULL;

		if (dets[i]->needs & VH_DETECT_CONTENT)
			continue;
		if (dets[i]->init)
			assert_int_equal(dets[i]->init(dets[i], &st), VH_OK);
		if (dets[i]->task)
			assert_int_equal(dets[i]->task(st, &ctx), VH_OK);
		for (size_t k = 0; dets[i]->vma && k < n; k++)
			assert_int_equal(dets[i]->vma(st, &ctx, &v[k]), VH_OK);
		if (dets[i]->fini)
			dets[i]->fini(st);
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
	vh_disasm(VH_ARCH_X86_64, stub, sizeof(stub), 0x1000, 8, out, sizeof(out));
	assert_string_equal(out, "0x1000: mov eax, 0x27\n0x1005: syscall \n0x1007: ret ");
	/* a line that does not fit is dropped whole */
	vh_disasm(VH_ARCH_X86_64, stub, sizeof(stub), 0x1000, 8, tiny, sizeof(tiny));
	assert_string_equal(tiny, "0x1000: mov eax, 0x27");
}

/* One page of user memory at FFI_PAGE_AT for the content reads; anything else is absent. */
#define FFI_PAGE_AT 0x20000u
static unsigned char ffi_page[4096];
static int ffi_read_ok = 1;

static int ffi_read(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	(void)arg;
	if (!ffi_read_ok || uaddr < FFI_PAGE_AT || uaddr + len > FFI_PAGE_AT + sizeof(ffi_page))
		return VH_ERR_EXCLUDED;
	memcpy(buf, ffi_page + (uaddr - FFI_PAGE_AT), len);
	return VH_OK;
}

/* libffi 3.4's closure trampoline (CET build) jumping to @target, at @off of the page. */
static void put_tramp(size_t off, uint64_t target)
{
	static const unsigned char code[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x4c, 0x8d, 0x15, 0xf5,
					     0xff, 0xff, 0xff, 0xff, 0x25, 0x07, 0x00, 0x00,
					     0x00, 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00};

	memcpy(ffi_page + off, code, sizeof(code));
	memcpy(ffi_page + off + sizeof(code), &target, 8);
}

/* The severity of the one finding detector @id makes of @v[@which], memory read by @read. */
static enum vh_severity one_finding(const char *id, const struct vh_task *t, struct vh_vma *v,
				    size_t n, size_t which,
				    int (*read)(void *, uint64_t, void *, size_t))
{
	struct vh_vma_list l = {.vmas = v, .nvmas = n};
	struct vh_detect_ctx ctx = {
	    .task = t, .vmas = &l, .sink = vh_test_collect, .read = read, .user_pages = true};
	const struct vh_detector *d = vh_detector_find(id);
	static struct vh_test_sink s;

	memset(&s, 0, sizeof(s));
	ctx.sink_arg = &s;
	assert_int_equal(d->vma(NULL, &ctx, &v[which]), VH_OK);
	assert_int_equal(s.n, 1);
	return s.f[0].severity;
}

/* The anon-rwx finding of a process mapping @lib, its rwx page holding @page. */
static enum vh_severity rwx_severity(const char *lib)
{
	struct vh_task t = {.pid = 5, .comm = "python3", .mm = 0x1000, .leader = true};
	struct vh_vma v[] = {
	    vma(0x7000, 0x9000, R | X, 0xf00, lib),
	    vma(FFI_PAGE_AT, FFI_PAGE_AT + 0x1000, R | W | X, 0, ""),
	};
	return one_finding("anon-rwx", &t, v, 2, 1, ffi_read);
}

/* libffi closure pages and JIT caches are calibrated; anything else stays high. */
static void test_rwx_calibration(void **state)
{
	(void)state;
	memset(ffi_page, 0, sizeof(ffi_page));
	put_tramp(16, 0x70c8);
	put_tramp(80, 0x70c8);
	ffi_read_ok = 1;
	assert_int_equal(rwx_severity("/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2"), VH_SEV_INFO);
	/* a trampoline-looking jump out of libffi: not libffi's */
	put_tramp(160, 0x41414000);
	assert_int_equal(rwx_severity("/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2"), VH_SEV_HIGH);
	/* no trampoline at all: shellcode in a process that happens to map libffi */
	memset(ffi_page, 0x90, sizeof(ffi_page));
	assert_int_equal(rwx_severity("/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2"), VH_SEV_HIGH);
	/* content not in the dump: probably the closures, said unverified */
	ffi_read_ok = 0;
	assert_int_equal(rwx_severity("/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2"), VH_SEV_INFO);
	assert_int_equal(rwx_severity("/usr/lib/jvm/lib/server/libjvm.so"), VH_SEV_LOW);
	assert_int_equal(rwx_severity("/usr/lib/libfoo.so"), VH_SEV_HIGH);
	ffi_read_ok = 1;
}

/* LuaJIT: the program's text at LJ_TEXT; MCLink headers (next, size) at given addresses. */
#define LJ_TEXT 0x40000000u
static struct {
	uint64_t at, link[2];
} lj_links[4];
static int lj_read_ok = 1;

static int lj_read(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	(void)arg;
	if (!lj_read_ok)
		return VH_ERR_EXCLUDED;
	for (size_t i = 0; i < sizeof(lj_links) / sizeof(lj_links[0]); i++) {
		if (lj_links[i].at == uaddr && len <= sizeof(lj_links[i].link)) {
			memcpy(buf, lj_links[i].link, len);
			return VH_OK;
		}
	}
	memset(buf, 0xcc, len);
	return VH_OK;
}

/* The anon-exec (or, @perms with W, anon-rwx) finding of [start, end) in a process whose
 * program is @prog, with another machine-code VMA at 0x3ffd0000-0x3ffe0000. */
static enum vh_severity lj_severity(const char *prog, uint64_t start, uint64_t end, unsigned perms)
{
	struct vh_task t = {.pid = 6, .comm = "jitlua", .mm = 0x1000, .leader = true};
	struct vh_vma v[] = {
	    vma(0x3ffd0000, 0x3ffe0000, R | X, 0, ""),
	    vma(start, end, perms, 0, ""),
	    vma(LJ_TEXT, LJ_TEXT + 0x6d000, R | X, 0x8000, prog),
	};
	return one_finding(perms & W ? "anon-rwx" : "anon-exec", &t, v, 3, 1, lj_read);
}

static void lj_link(size_t i, uint64_t at, uint64_t next, uint64_t size)
{
	lj_links[i].at = at;
	lj_links[i].link[0] = next;
	lj_links[i].link[1] = size;
}

/* LuaJIT's machine-code areas are info when their links verify; anything else is not. */
static void test_luajit_calibration(void **state)
{
	const char *lj = "/usr/bin/luajit-2.1.0-beta3";

	(void)state;
	memset(lj_links, 0, sizeof(lj_links));
	lj_read_ok = 1;
	lj_link(0, 0x3fff0000, 0, 0x10000);
	assert_int_equal(lj_severity(lj, 0x3fff0000, 0x40000000, R | X), VH_SEV_INFO);
	/* LuaJIT built without W^X: its code is rwx */
	assert_int_equal(lj_severity(lj, 0x3fff0000, 0x40000000, R | W | X), VH_SEV_INFO);
	/* two areas the kernel merged into one VMA, the second linking to another VMA's */
	lj_link(1, 0x3ff00000, 0, 0x10000);
	lj_link(2, 0x3ff10000, 0x3ffd0000, 0x20000);
	lj_link(3, 0x3ffd0000, 0, 0x10000);
	assert_int_equal(lj_severity(lj, 0x3ff00000, 0x3ff30000, R | X), VH_SEV_INFO);
	/* ... whose own link is no MCLink */
	lj_link(3, 0x3ffd0000, 0, 0x1234);
	assert_int_equal(lj_severity(lj, 0x3ff00000, 0x3ff30000, R | X), VH_SEV_LOW);
	lj_link(3, 0x3ffd0000, 0, 0x10000);
	/* the last area overruns the VMA */
	assert_int_equal(lj_severity(lj, 0x3ff00000, 0x3ff20000, R | X), VH_SEV_LOW);
	/* a size that is not the area's, a link to nowhere, no link at all */
	lj_link(0, 0x3fff0000, 0, 0x8000);
	assert_int_equal(lj_severity(lj, 0x3fff0000, 0x40000000, R | X), VH_SEV_LOW);
	lj_link(0, 0x3fff0000, 0x41414000, 0x10000);
	assert_int_equal(lj_severity(lj, 0x3fff0000, 0x40000000, R | X), VH_SEV_LOW);
	assert_int_equal(lj_severity(lj, 0x3fef0000, 0x3ff00000, R | X), VH_SEV_LOW);
	/* rwx that does not verify, in a LuaJIT process: a JIT's, likely (low), not info */
	assert_int_equal(lj_severity(lj, 0x3fef0000, 0x3ff00000, R | W | X), VH_SEV_LOW);
	/* beyond a jump's reach of luajit's code, or in a process not running LuaJIT */
	lj_link(0, 0x1000000000ull, 0, 0x10000);
	assert_int_equal(lj_severity(lj, 0x1000000000ull, 0x1000010000ull, R | X), VH_SEV_LOW);
	lj_link(0, 0x3fff0000, 0, 0x10000);
	assert_int_equal(lj_severity("/usr/bin/perl", 0x3fff0000, 0x40000000, R | X), VH_SEV_LOW);
	/* an area larger than LuaJIT makes them (4 MiB): not believed */
	lj_link(0, 0x3e000000, 0, 0x800000);
	assert_int_equal(lj_severity(lj, 0x3e000000, 0x3e800000, R | X), VH_SEV_LOW);
	lj_link(0, 0x3fff0000, 0, 0x10000);
	/* content not in the dump: said unverified, in a LuaJIT process only, up to 4 MiB */
	lj_read_ok = 0;
	assert_int_equal(lj_severity(lj, 0x3fff0000, 0x40000000, R | X), VH_SEV_INFO);
	assert_int_equal(lj_severity(lj, 0x3e000000, 0x3e800000, R | X), VH_SEV_LOW);
	assert_int_equal(lj_severity("/usr/bin/perl", 0x3fff0000, 0x40000000, R | X), VH_SEV_LOW);
	lj_read_ok = 1;
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
	    cmocka_unit_test(test_rwx_calibration),
	    cmocka_unit_test(test_luajit_calibration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
