/* SPDX-License-Identifier: MIT */
/*
 * The kernel-structure detectors on synthetic task and VMA lists: hidden-task
 * (a process or thread only the pid table has, one unlinked from the task
 * list, one off the pid table; the idle task, dead tasks, partial tables and
 * a broken task list kept quiet or lowered) and vma-tree (map_count against
 * the maple tree, the list and mm_rb; VMAs in one structure only; vm_mm;
 * order; partial walks lowered to info) and task-flags (bits a release
 * leaves undefined, exact and between two rows of its table; the rootkit's
 * PF_MEMALLOC_PIN by task state; idle, exiting and kernel tasks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/detect.h>
#include <vmahunt/symbols.h>

#include "helpers/detecttest.h"

static const struct vh_finding *by_pid(const struct vh_test_sink *s, int32_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].pid == pid)
			return &s->f[i];
	return NULL;
}

/* --- hidden-task --------------------------------------------------------- */

static struct vh_task task(int32_t pid, int32_t tgid, enum vh_task_via via, bool in_table)
{
	struct vh_task t;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.tgid = tgid;
	t.leader = pid == tgid;
	t.via = via;
	t.in_pid_table = in_table;
	t.addr = 0xffff888000010000ull + (uint64_t)pid * 0x1000;
	snprintf(t.comm, sizeof(t.comm), "t%d", pid);
	return t;
}

/* The task list is sorted by tgid, leader first (as vh_tasks_read() gives it). */
static void run_hidden(struct vh_task *t, size_t n, bool list_complete,
		       enum vh_pid_table_state table, struct vh_test_sink *s)
{
	const struct vh_detector *det = vh_detector_find("hidden-task");
	struct vh_task_list tl = {
	    .tasks = t, .ntasks = n, .task_list_complete = list_complete, .pid_table = table};
	struct vh_detect_ctx ctx = {.sink = vh_test_collect, .sink_arg = s, .tasks = &tl};

	memset(s, 0, sizeof(*s));
	assert_non_null(det);
	assert_null(det->task);
	assert_int_equal(det->needs & VH_DETECT_CONTENT, 0);
	assert_int_equal(det->finish(NULL, &ctx), VH_OK);
}

static void test_hidden_clean(void **state)
{
	struct vh_task t[] = {
	    task(0, 0, VH_VIA_TASKS, false), /* the idle task: in no table */
	    task(1, 1, VH_VIA_TASKS, true),    task(2, 2, VH_VIA_TASKS_PREV, true),
	    task(10, 10, VH_VIA_TASKS, true),  task(11, 10, VH_VIA_THREADS, true),
	    task(12, 12, VH_VIA_TASKS, false), /* released (EXIT_DEAD): off the table */
	};
	struct vh_test_sink s;

	(void)state;
	t[5].exit_state = 0x10;
	run_hidden(t, 6, true, VH_PID_TABLE_COMPLETE, &s);
	assert_int_equal(s.n, 0);
}

static void test_hidden_planted(void **state)
{
	struct vh_task t[] = {
	    task(0, 0, VH_VIA_TASKS, false),
	    task(1, 1, VH_VIA_TASKS, true),
	    task(10, 10, VH_VIA_PID_TABLE, true), /* unlinked, children too */
	    task(11, 10, VH_VIA_PID_TABLE, true), /* its thread: counted with it */
	    task(20, 20, VH_VIA_CHILDREN, true),  /* unlinked from the task list only */
	    task(30, 30, VH_VIA_TASKS, false),	  /* off the pid table: hidden from /proc */
	    task(40, 40, VH_VIA_TASKS, true),
	    task(41, 40, VH_VIA_PID_TABLE, true), /* a thread off its thread list */
	};
	struct vh_test_sink s;

	(void)state;
	run_hidden(t, 8, true, VH_PID_TABLE_COMPLETE, &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(by_pid(&s, 10)->severity, VH_SEV_HIGH);
	assert_string_equal(by_pid(&s, 10)->detector, "hidden-task");
	assert_string_equal(by_pid(&s, 10)->comm, "t10");
	assert_int_equal(by_pid(&s, 10)->start, t[2].addr);
	assert_non_null(strstr(by_pid(&s, 10)->reason, "1 hidden threads"));
	assert_null(by_pid(&s, 11));
	assert_int_equal(by_pid(&s, 20)->severity, VH_SEV_HIGH);
	assert_non_null(strstr(by_pid(&s, 20)->reason, "children list"));
	assert_non_null(strstr(by_pid(&s, 30)->reason, "not in the pid table"));
	assert_non_null(strstr(by_pid(&s, 41)->reason, "thread list"));
	assert_int_equal(by_pid(&s, 41)->nbytes, 0);
}

static void test_hidden_uncertain(void **state)
{
	struct vh_task t[] = {
	    task(1, 1, VH_VIA_TASKS, true),
	    task(20, 20, VH_VIA_CHILDREN, true), /* past a break of the task list */
	    task(30, 30, VH_VIA_TASKS, false),
	    task(51, 50, VH_VIA_THREADS, true), /* a thread whose leader was lost */
	};
	struct vh_test_sink s;

	(void)state;
	/* a broken task list: medium; a partial pid table says nothing of absence */
	run_hidden(t, 4, false, VH_PID_TABLE_PARTIAL, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(by_pid(&s, 20)->severity, VH_SEV_MEDIUM);
	assert_null(by_pid(&s, 30));
	assert_int_equal(by_pid(&s, 51)->severity, VH_SEV_MEDIUM);
	run_hidden(t, 4, false, VH_PID_TABLE_NOT_READ, &s);
	assert_null(by_pid(&s, 30));
}

/* --- vma-tree ------------------------------------------------------------ */

#define MM 0xffff888000200000ull

static struct vh_vma vma(uint64_t start, uint64_t end, unsigned found)
{
	struct vh_vma v;

	memset(&v, 0, sizeof(v));
	v.addr = 0xffff888000300000ull + start / 0x10;
	v.start = start;
	v.end = end;
	v.found = found;
	v.vm_mm = MM;
	v.path = "";
	return v;
}

static void run_tree(struct vh_vma_list *l, struct vh_test_sink *s)
{
	const struct vh_detector *det = vh_detector_find("vma-tree");
	struct vh_task t = {.pid = 7, .tgid = 7, .leader = true, .comm = "p", .mm = MM};
	struct vh_detect_ctx ctx = {.task = &t, .vmas = l, .sink = vh_test_collect, .sink_arg = s};

	memset(s, 0, sizeof(*s));
	assert_non_null(det);
	assert_int_equal(det->needs & VH_DETECT_CONTENT, 0);
	assert_int_equal(det->task(NULL, &ctx), VH_OK);
}

static void test_tree_maple(void **state)
{
	struct vh_vma v[] = {
	    vma(0x400000, 0x401000, VH_VMA_IN_MAPLE),
	    vma(0x600000, 0x602000, VH_VMA_IN_MAPLE),
	    vma(0xffffffffff600000, 0xffffffffff601000, VH_VMA_GATE),
	};
	struct vh_vma_list l = {.mm = MM, .vmas = v, .nvmas = 3, .map_count = 2, .nmaple = 2};
	struct vh_test_sink s;

	(void)state;
	v[2].vm_mm = 0; /* the gate VMA is in no mm */
	run_tree(&l, &s);
	assert_int_equal(s.n, 0);
	/* a VMA erased from the tree, map_count left: the span of the rest */
	l.map_count = 3;
	run_tree(&l, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].detector, "vma-tree");
	assert_int_equal(s.f[0].severity, VH_SEV_HIGH);
	assert_int_equal(s.f[0].pid, 7);
	assert_int_equal(s.f[0].start, 0x400000);
	assert_int_equal(s.f[0].end, 0x602000);
	assert_non_null(strstr(s.f[0].reason, "map_count 3 but the maple tree holds 2 VMAs"));
	/* ...but a tree read only in part proves nothing */
	l.walk_partial = true;
	run_tree(&l, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].severity, VH_SEV_INFO);
	/* another mm's VMA, misplaced and unsorted entries */
	l.walk_partial = false;
	l.map_count = 2;
	l.misplaced = 1;
	l.unsorted = 1;
	v[1].vm_mm = MM + 0x1000;
	run_tree(&l, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.f[0].start, 0x600000);
	assert_non_null(strstr(s.f[0].reason, "names mm"));
	assert_int_equal(s.f[1].severity, VH_SEV_MEDIUM);
	assert_int_equal(s.f[2].severity, VH_SEV_MEDIUM);
	/* the tree emptied, map_count left */
	l.nmaple = 0;
	l.map_count = 2;
	v[1].vm_mm = MM;
	l.misplaced = l.unsorted = 0;
	run_tree(&l, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.f[0].reason, "map_count 2 but no VMA structure holds any VMA"));
	l.nmaple = 2;
	/* map_count unreadable: nothing to compare */
	v[1].vm_mm = MM;
	l.misplaced = l.unsorted = 0;
	l.map_count = -1;
	run_tree(&l, &s);
	assert_int_equal(s.n, 0);
}

static void test_tree_list_and_rb(void **state)
{
	unsigned both = VH_VMA_IN_LIST | VH_VMA_IN_RB;
	struct vh_vma v[] = {
	    vma(0x400000, 0x401000, both),
	    vma(0x500000, 0x501000, VH_VMA_IN_RB), /* hidden from /proc/PID/maps */
	    vma(0x600000, 0x602000, both),
	};
	struct vh_vma_list l = {
	    .mm = MM, .vmas = v, .nvmas = 3, .map_count = 3, .nlist = 2, .nrb = 3};
	struct vh_test_sink s;

	(void)state;
	run_tree(&l, &s);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(s.f[0].reason, "the VMA list holds 2 and mm_rb 3"));
	assert_int_equal(s.f[1].start, 0x500000);
	assert_int_equal(s.f[1].severity, VH_SEV_HIGH);
	assert_non_null(strstr(s.f[1].reason, "in mm_rb but not in the VMA list"));
	/* consistent again; then removed from both, map_count kept */
	v[1].found = both;
	l.nlist = 3;
	run_tree(&l, &s);
	assert_int_equal(s.n, 0);
	l.map_count = 4;
	run_tree(&l, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].severity, VH_SEV_HIGH);
}

static void test_tree_many(void **state)
{
	struct vh_vma v[40];
	struct vh_vma_list l = {.mm = MM, .vmas = v, .nvmas = 40, .map_count = 40, .nmaple = 40};
	struct vh_test_sink s;

	(void)state;
	for (size_t i = 0; i < 40; i++) {
		v[i] = vma(0x400000 + i * 0x1000, 0x401000 + i * 0x1000, VH_VMA_IN_MAPLE);
		v[i].vm_mm = MM + 0x1000;
	}
	run_tree(&l, &s);
	assert_int_equal(s.n, 17); /* 16 VMAs, then one line for the 24 others */
	assert_non_null(strstr(s.f[16].reason, "24 more VMAs"));
}

/* --- task-flags ---------------------------------------------------------- */

static void run_flags(const char *release, struct vh_task *t, size_t n, struct vh_test_sink *s)
{
	const struct vh_detector *det = vh_detector_find("task-flags");
	static struct vh_profile prof;
	struct vh_task_list tl = {.tasks = t, .ntasks = n, .task_list_complete = true};
	struct vh_detect_ctx ctx = {.sink = vh_test_collect,
				    .sink_arg = s,
				    .tasks = &tl,
				    .prof = &prof,
				    .warn = vh_test_collect_warning};

	memset(s, 0, sizeof(*s));
	memset(&prof, 0, sizeof(prof));
	snprintf(prof.osrelease, sizeof(prof.osrelease), "%s", release);
	assert_non_null(det);
	assert_int_equal(det->finish(NULL, &ctx), VH_OK);
}

static void test_flags(void **state)
{
	struct vh_task t[] = {
	    task(0, 0, VH_VIA_TASKS, false), task(1, 1, VH_VIA_TASKS, true),
	    task(2, 2, VH_VIA_TASKS, true),  task(3, 3, VH_VIA_TASKS, true),
	    task(4, 4, VH_VIA_TASKS, true),  task(5, 5, VH_VIA_TASKS, true),
	    task(6, 6, VH_VIA_TASKS, true),
	};
	struct vh_test_sink s;

	(void)state;
	t[0].flags = 0x20000000u; /* the idle task: never reported */
	t[1].flags = 0x00400100u, t[1].state = 'S';
	t[2].flags = 0x20400100u, t[2].state = 'S'; /* a hole of 6.1, PF_BLOCK_TS in 6.12 */
	t[3].flags = 0x10400100u, t[3].state = 'S'; /* the rootkit's bit, sleeping */
	t[4].flags = 0x10400100u, t[4].state = 'D'; /* inside get_user_pages(): legitimate */
	t[5].flags = 0x10200040u, t[5].state = 'S', t[5].kthread = true;
	t[6].flags = 0x01400104u, t[6].state = 'Z', t[6].exit_state = 0x20;
	run_flags("6.1.0-26-cloud-amd64", t, 7, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(by_pid(&s, 2)->severity, VH_SEV_HIGH);
	assert_string_equal(by_pid(&s, 2)->detector, "task-flags");
	assert_non_null(strstr(by_pid(&s, 2)->reason, "0x20000000"));
	assert_int_equal(by_pid(&s, 2)->start, t[2].addr);
	assert_int_equal(by_pid(&s, 3)->severity, VH_SEV_MEDIUM);
	assert_non_null(strstr(by_pid(&s, 3)->reason, "PF_MEMALLOC_PIN"));

	/* 6.12 defines 0x20000000 (PF_BLOCK_TS) */
	run_flags("6.12.48+deb13-amd64", t, 7, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(by_pid(&s, 3));

	/* 6.5, between the rows: bits undefined in 6.1 and 6.12 only, low */
	t[2].flags = 0x01400100u;
	run_flags("6.5.0-1-amd64", t, 7, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(by_pid(&s, 2)->severity, VH_SEV_LOW);
	t[2].flags = 0x00404100u; /* 0x4000: a hole of 6.1, PF_USER_WORKER in 6.12 */
	run_flags("6.5.0-1-amd64", t, 7, &s);
	assert_int_equal(s.n, 1);

	/* a release older than the table: only the PF_MEMALLOC_PIN check, said once */
	t[2].flags = 0x01400100u;
	run_flags("4.19.0-20-amd64", t, 7, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(by_pid(&s, 3));
	assert_int_equal(s.nwarn, 1);
	assert_non_null(strstr(s.warn[0], "only the PF_MEMALLOC_PIN check runs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hidden_clean),
	    cmocka_unit_test(test_hidden_planted),
	    cmocka_unit_test(test_hidden_uncertain),
	    cmocka_unit_test(test_tree_maple),
	    cmocka_unit_test(test_tree_list_and_rb),
	    cmocka_unit_test(test_tree_many),
	    cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
