/* SPDX-License-Identifier: MIT */
/*
 * The session and report API on the two real samples of samples/: a process
 * core and a makedumpfile -d 31 kernel dump. Expected values come from their
 * ground truth (samples/core.inject.truth.json and the kernel dump's
 * truth.json.xz, captured inside the live system), not from vmahunt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#define CORE  VMAHUNT_SAMPLES "/core.inject.zst"
#define KDUMP VMAHUNT_SAMPLES "/linux-6.1-kdump-zstd-d31.kdump"

/* core.inject.truth.json */
#define CORE_PID    24826
#define CORE_FIRST  0x55c072ffb000ull
#define CORE_RWX    0x7fa1b488d000ull
#define CORE_HEAP_X 0x55c098b7c000ull
#define STUB_OFFSET 512
static const unsigned char stub[] = {0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3};

/* the kernel dump's truth: uname -r, init_task, the inject plant's executable heap */
#define KDUMP_RELEASE	 "6.1.0-56-cloud-amd64"
#define KDUMP_INIT_TASK	 0xffffffff88a1aa40ull
#define KDUMP_INJECT	 104
#define KDUMP_HEAP_X	 0x744000ull
#define KDUMP_HEAP_X_END 0x746000ull

static struct vh_session *open_loaded(const char *path, unsigned what)
{
	struct vh_session *s;

	assert_int_equal(vh_session_open(path, NULL, &s), VH_OK);
	assert_int_equal(vh_session_load(s, what), VH_OK);
	return s;
}

static void test_core_session(void **state)
{
	struct vh_session *s = open_loaded(CORE, VH_LOAD_VMAS);
	const struct vh_task_list *tl = vh_session_tasks(s);
	const struct vh_task *t;
	const struct vh_vma_list *l;
	unsigned char buf[sizeof(stub)];

	(void)state;
	assert_true(vh_session_is_core(s));
	assert_null(vh_session_kernel_map(s));
	assert_null(vh_session_profile(s));
	assert_int_equal(tl->ntasks, 1);
	t = vh_session_find_task(s, CORE_PID);
	assert_non_null(t);
	assert_string_equal(t->comm, "inject");
	assert_null(vh_session_find_task(s, 1));
	assert_int_equal(vh_session_vmas(s, t, &l), VH_OK);
	assert_true(l->nvmas > 0);
	assert_int_equal(l->vmas[0].start, CORE_FIRST);
	vh_session_vmas_put(s, l);
	/* the planted stubs, read through the session's user address space */
	assert_int_equal(
	    vh_session_read(s, VH_SPACE_USER, t, CORE_RWX + STUB_OFFSET, buf, sizeof(buf)), VH_OK);
	assert_memory_equal(buf, stub, sizeof(stub));
	assert_int_equal(
	    vh_session_read(s, VH_SPACE_USER, t, CORE_HEAP_X + STUB_OFFSET, buf, sizeof(buf)),
	    VH_OK);
	assert_memory_equal(buf, stub, sizeof(stub));
	assert_int_equal(vh_session_read(s, VH_SPACE_PHYS, NULL, 0, buf, 1), VH_ERR_UNSUPPORTED);
	assert_int_equal(vh_session_read(s, VH_SPACE_KERNEL, NULL, 0, buf, 1), VH_ERR_UNSUPPORTED);
	vh_session_close(s);
}

/* Finds the finding of @detector at [start, end) of @pid. */
static const struct vh_finding *find(const struct vh_results *r, const char *detector, int32_t pid,
				     uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < vh_results_nfindings(r); i++) {
		const struct vh_finding *f = vh_results_finding(r, i);

		if (!strcmp(f->detector, detector) && f->pid == pid && f->start == start &&
		    f->end == end)
			return f;
	}
	return NULL;
}

static void test_core_scan(void **state)
{
	struct vh_session *s = open_loaded(CORE, VH_LOAD_VMAS);
	struct vh_results *r;

	(void)state;
	assert_int_equal(vh_session_scan(s, NULL, &r), VH_OK);
	/* the rwx mapping and the executable heap, each flagged as such and as shellcode */
	assert_int_equal(vh_results_nfindings(r), 4);
	assert_true(vh_results_user_pages(r));
	assert_true(vh_results_at_least(r, VH_SEV_HIGH));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(vh_results_finding(r, i)->severity, VH_SEV_HIGH);
		assert_int_equal(vh_results_finding(r, i)->pid, CORE_PID);
	}
	assert_null(vh_results_finding(r, 4));
	assert_non_null(find(r, "heap-exec", CORE_PID, CORE_HEAP_X, CORE_HEAP_X + 0x2000));
	assert_non_null(find(r, "anon-rwx", CORE_PID, CORE_RWX, CORE_RWX + 0x4000));
	/* sorted: by severity within the process, then by address */
	for (size_t i = 1; i < 4; i++)
		assert_true(vh_results_finding(r, i - 1)->start <= vh_results_finding(r, i)->start);
	assert_true(vh_results_nwarnings(r) >= 1);
	assert_non_null(strstr(vh_results_warning(r, 0), "process core: detectors that need a "
							 "kernel skipped:"));
	assert_null(vh_results_warning(r, vh_results_nwarnings(r)));
	vh_results_free(r);
	vh_session_close(s);
}

static void test_kernel_session(void **state)
{
	struct vh_session *s = open_loaded(KDUMP, VH_LOAD_CMDLINE | VH_LOAD_VMAS);
	const struct vh_profile *p = vh_session_profile(s);
	const struct vh_task *t;
	struct vh_dump_facts x;
	char comm[16];
	unsigned char b;

	(void)state;
	assert_false(vh_session_is_core(s));
	assert_non_null(vh_session_kernel_map(s));
	assert_non_null(p);
	/* the profile keeps link addresses; the kernel ran KASLR-relocated */
	assert_int_equal(p->sym.init_task.addr + vh_session_kernel_map(s)->kaslr_offset,
			 KDUMP_INIT_TASK);
	/* init_task's comm, read through the kernel's page tables, not through the task walk */
	assert_int_equal(vh_session_read(s, VH_SPACE_KERNEL, NULL,
					 KDUMP_INIT_TASK + p->task_struct.comm.offset, comm,
					 sizeof(comm)),
			 VH_OK);
	comm[sizeof(comm) - 1] = '\0';
	assert_string_equal(comm, "swapper/0");
	t = vh_session_find_task(s, KDUMP_INJECT);
	assert_non_null(t);
	assert_string_equal(t->comm, "inject");
	assert_string_equal(vh_session_find_task(s, 1)->comm, "init");
	/* -d 31 left every user page out: the heap's PTEs or its page are gone */
	assert_int_not_equal(vh_session_read(s, VH_SPACE_USER, t, KDUMP_HEAP_X, &b, 1), VH_OK);
	assert_int_equal(vh_session_read(s, VH_SPACE_USER, NULL, KDUMP_HEAP_X, &b, 1),
			 VH_ERR_INVAL);
	vh_session_facts(s, &x);
	assert_string_equal(x.osrelease, KDUMP_RELEASE);
	assert_int_equal(x.paging_levels, 4);
	assert_non_null(x.kmap);
	assert_ptr_equal(x.prof, p);
	assert_string_equal(x.kmap_error, "");
	vh_session_close(s);
}

static void test_kernel_scan(void **state)
{
	struct vh_session *s = open_loaded(KDUMP, VH_LOAD_VMAS);
	struct vh_scan_options o = {.by_pid = true, .pid = KDUMP_INJECT};
	struct vh_results *r;

	(void)state;
	assert_int_equal(vh_session_scan(s, &o, &r), VH_OK);
	assert_non_null(find(r, "heap-exec", KDUMP_INJECT, KDUMP_HEAP_X, KDUMP_HEAP_X_END));
	for (size_t i = 0; i < vh_results_nfindings(r); i++)
		assert_int_equal(vh_results_finding(r, i)->pid, KDUMP_INJECT);
	assert_false(vh_results_user_pages(r));
	assert_non_null(strstr(vh_results_warning(r, vh_results_nwarnings(r) - 1),
			       "the dump holds no user-process pages"));
	vh_results_free(r);
	o.pid = 99999;
	assert_int_equal(vh_session_scan(s, &o, &r), VH_ERR_INVAL);
	assert_null(r);
	assert_string_equal(vh_errmsg(), "no process 99999 in the dump");
	vh_session_close(s);
}

static void test_misuse(void **state)
{
	struct vh_session *s;
	struct vh_results *r;
	const struct vh_vma_list *l;

	(void)state;
	assert_int_equal(vh_session_open(VMAHUNT_SAMPLES "/no-such-dump", NULL, &s), VH_ERR_IO);
	assert_null(s);
	assert_int_equal(vh_session_open(KDUMP, NULL, &s), VH_OK);
	assert_null(vh_session_tasks(s));
	assert_null(vh_session_find_task(s, 1));
	assert_int_equal(vh_session_scan(s, NULL, &r), VH_ERR_INVAL);
	assert_int_equal(vh_session_load(s, VH_LOAD_TASKS), VH_OK);
	/* loaded without VH_LOAD_VMAS: no VMA reader */
	assert_int_equal(vh_session_vmas(s, vh_session_find_task(s, 1), &l), VH_ERR_INVAL);
	assert_int_equal(vh_session_load(s, VH_LOAD_TASKS), VH_ERR_INVAL);
	assert_int_equal(vh_session_read(s, (enum vh_space)7, NULL, 0, &r, 1), VH_ERR_INVAL);
	vh_session_close(s);
	vh_session_close(NULL);
	vh_results_free(NULL);
}

/* Renders @kind of @path in @fmt into a string (the caller frees it). */
static char *render(const char *path, enum vh_report_format fmt, enum vh_report_kind kind)
{
	struct vh_session *s = open_loaded(path, VH_LOAD_CMDLINE | VH_LOAD_VMAS);
	struct vh_report *rep;
	struct vh_results *res;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	FILE *err = fopen("/dev/null", "w");

	assert_non_null(out);
	assert_non_null(err);
	assert_int_equal(vh_report_open(fmt, kind, s, out, err, &rep), VH_OK);
	if (kind == VH_REPORT_SCAN) {
		assert_int_equal(vh_session_scan(s, NULL, &res), VH_OK);
		vh_report_results(rep, res);
		vh_results_free(res);
	} else if (kind == VH_REPORT_PS) {
		for (size_t i = 0; i < vh_session_tasks(s)->ntasks; i++)
			vh_report_task(rep, &vh_session_tasks(s)->tasks[i]);
	} else if (kind == VH_REPORT_INFO) {
		vh_report_dump(rep);
	}
	assert_int_equal(vh_report_close(rep), VH_OK);
	fclose(out);
	fclose(err);
	vh_session_close(s);
	return text;
}

static void test_reports(void **state)
{
	char *t;

	(void)state;
	t = render(CORE, VH_REPORT_JSON, VH_REPORT_SCAN);
	assert_non_null(strstr(t, "{\"type\":\"finding\",\"detector\":\"heap-exec\""));
	assert_non_null(strstr(t, "\"start\":\"0x55c098b7c000\""));
	assert_non_null(strstr(t, "{\"type\":\"warning\",\"message\":\"process core:"));
	free(t);
	t = render(CORE, VH_REPORT_TEXT, VH_REPORT_SCAN);
	assert_int_equal(strncmp(t, "# pid 24826 inject\n", 19), 0);
	free(t);
	t = render(KDUMP, VH_REPORT_TEXT, VH_REPORT_PS);
	assert_int_equal(strncmp(t, "    PID    TGID    PPID ST   UID K TASK", 39), 0);
	assert_non_null(strstr(t, " inject\n"));
	free(t);
	t = render(KDUMP, VH_REPORT_JSON, VH_REPORT_INFO);
	assert_non_null(strstr(t, "\"osrelease\":\"" KDUMP_RELEASE "\""));
	assert_int_equal(strncmp(t, "{\"type\":\"dump\",\"schema\":1,", 26), 0);
	assert_non_null(strstr(t, "\"symbols\":{\"source\":\"btf\""));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_core_session),   cmocka_unit_test(test_core_scan),
	    cmocka_unit_test(test_kernel_session), cmocka_unit_test(test_kernel_scan),
	    cmocka_unit_test(test_misuse),	   cmocka_unit_test(test_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
