/* SPDX-License-Identifier: MIT */
/*
 * The task walker over a raw image holding hand-built page tables, task_structs,
 * signal_structs, creds and one process's arguments, with a profile filled by
 * hand: intact lists (new thread_node and old thread_group threads), then
 * damage: a cycle, poisoned and unmapped pointers, a list broken both ways
 * (the children lists recover), a thread list pointing at itself, a thread
 * list whose head (in signal_struct) is not in the dump, an unreadable
 * init_task, a profile without the task layout, and command lines present and
 * missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "helpers/tmpfile.h"

#define P   VH_X86_PTE_PRESENT
#define RW  VH_X86_PTE_RW
#define US  VH_X86_PTE_USER
#define PSE VH_X86_PTE_PSE

#define IMAGE_SIZE 0x100000
#define BASE	   0xffff888000000000ull /* direct map: BASE + phys, one 2 MiB page */
#define PGD	   0x1000
#define PUD	   0x2000
#define PMD	   0x3000
#define UPUD	   0x4000 /* user half, for the command line */
#define UPMD	   0x5000
#define UPT	   0x6000
#define ARGS	   0x7000  /* the page holding pid 10's arguments */
#define TASKS	   0x10000 /* task_structs, TASK_SIZE apart */
#define TASK_SIZE  0x400
#define SIGNALS	   0x40000 /* signal_structs, 0x100 apart */
#define CRED	   0x50000
#define MM	   0x60000 /* mm_structs, 0x100 apart */
#define PIDNS	   0x70000 /* init_pid_ns: its IDR's xarray head at +8, idr_base at +16 */
#define XANODE	   0x71000 /* the IDR's one xa_node (shift 0: pids 0..63) */
#define PIDS	   0x72000 /* struct pids, 0x100 apart, one per task */
#define POISON	   0xdead000000000100ull
#define UNMAPPED   0xffff800000001000ull

/* task_struct layout of the test kernel */
enum {
	T_STATE = 0x0,
	T_FLAGS = 0x4,
	T_EXIT_STATE = 0x8,
	T_PID = 0x10,
	T_TGID = 0x14,
	T_COMM = 0x20,
	T_MM = 0x40,
	T_ACTIVE_MM = 0x48,
	T_REAL_PARENT = 0x50,
	T_REAL_CRED = 0x58,
	T_SIGNAL = 0x60,
	T_START = 0x68,
	T_TASKS = 0x100,
	T_CHILDREN = 0x120,
	T_SIBLING = 0x130,
	T_THREAD_NODE = 0x140,
	T_THREAD_GROUP = 0x150,
	T_PID_LINKS = 0x160, /* hlist_node pid_links[4] */
	T_THREAD_PID = 0x1a0,
	S_THREAD_HEAD = 0x10,
	PID_TASKS = 0x10,   /* struct pid: hlist_head tasks[4] */
	PID_NUMBERS = 0x60, /* struct upid numbers[]: nr first */
	XA_SLOTS = 40,
};

static uint8_t image[IMAGE_SIZE];

/* The test's tasks: index 0 is init_task. */
struct spec {
	int pid, tgid, parent; /* parent: index */
	const char *comm;
	bool kthread;
};

static const struct spec specs[] = {
    {0, 0, 0, "swapper/0", true}, {1, 1, 0, "init", false},	    {2, 2, 0, "kthreadd", true},
    {10, 10, 1, "daemon", false}, {11, 10, 1, "worker-a", false},   {12, 10, 1, "worker-b", false},
    {20, 20, 1, "sh", false},	  {30, 30, 2, "kworker/0:1", true},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static void put64(uint64_t phys, uint64_t v)
{
	memcpy(image + phys, &v, 8);
}

static void put32(uint64_t phys, uint32_t v)
{
	memcpy(image + phys, &v, 4);
}

static uint64_t task_phys(size_t i)
{
	return TASKS + i * TASK_SIZE;
}

static uint64_t task_va(size_t i)
{
	return BASE + task_phys(i);
}

static size_t leader_of(size_t i)
{
	for (size_t j = 0; j < NSPECS; j++) {
		if (specs[j].pid == specs[i].tgid)
			return j;
	}
	return i;
}

/* Links the nodes (addresses of list_heads) into a circular list after @head. */
static void link_list(uint64_t head, const uint64_t *nodes, size_t n)
{
	uint64_t prev = head;

	for (size_t i = 0; i < n; i++) {
		put64(prev - BASE, nodes[i]);
		put64(nodes[i] - BASE + 8, prev);
		prev = nodes[i];
	}
	put64(prev - BASE, head);
	put64(head - BASE + 8, prev);
}

static void build_tasks(bool old_threads)
{
	uint64_t nodes[NSPECS];
	size_t n = 0;

	for (size_t i = 0; i < NSPECS; i++) {
		uint64_t t = task_phys(i);

		put32(t + T_STATE, 1);
		put32(t + T_FLAGS, specs[i].kthread ? 0x00200000 : 0x400000);
		put32(t + T_PID, (uint32_t)specs[i].pid);
		put32(t + T_TGID, (uint32_t)specs[i].tgid);
		memcpy(image + t + T_COMM, specs[i].comm, strlen(specs[i].comm));
		put64(t + T_REAL_PARENT, task_va((size_t)specs[i].parent));
		put64(t + T_REAL_CRED, BASE + CRED);
		put64(t + T_SIGNAL, BASE + SIGNALS + leader_of(i) * 0x100);
		put64(t + T_START, 1000u * (uint64_t)specs[i].pid);
		if (!specs[i].kthread) {
			put64(t + T_MM, BASE + MM + leader_of(i) * 0x100);
			put64(t + T_ACTIVE_MM, BASE + MM + leader_of(i) * 0x100);
		}
	}
	put32(CRED + 4, 1000); /* uid */
	put32(CRED + 8, 100);  /* gid */
	/* the task list: init_task is the head, the leaders follow */
	for (size_t i = 1; i < NSPECS; i++) {
		if (specs[i].pid == specs[i].tgid)
			nodes[n++] = task_va(i) + T_TASKS;
	}
	link_list(task_va(0) + T_TASKS, nodes, n);
	/* children lists */
	for (size_t p = 0; p < NSPECS; p++) {
		n = 0;
		for (size_t i = 1; i < NSPECS; i++) {
			if ((size_t)specs[i].parent == p && specs[i].pid == specs[i].tgid)
				nodes[n++] = task_va(i) + T_SIBLING;
		}
		link_list(task_va(p) + T_CHILDREN, nodes, n);
	}
	/* thread lists */
	for (size_t l = 0; l < NSPECS; l++) {
		if (specs[l].pid != specs[l].tgid)
			continue;
		n = 0;
		for (size_t i = 0; i < NSPECS; i++) {
			if (specs[i].tgid == specs[l].tgid && (!old_threads || i != l))
				nodes[n++] =
				    task_va(i) + (old_threads ? T_THREAD_GROUP : T_THREAD_NODE);
		}
		if (old_threads)
			link_list(task_va(l) + T_THREAD_GROUP, nodes, n);
		else
			link_list(BASE + SIGNALS + l * 0x100 + S_THREAD_HEAD, nodes, n);
	}
}

/*
 * The pid table: init_pid_ns's IDR, one leaf xa_node; slot N holds pid N's
 * struct pid, whose tasks[PIDTYPE_PID] hlist holds the task.
 */
static void build_pids(void)
{
	put64(PIDNS + 8, BASE + XANODE + 2); /* xa_head: an internal node pointer */
	for (size_t i = 1; i < NSPECS; i++) {
		uint64_t pid = PIDS + i * 0x100, link = task_va(i) + T_PID_LINKS;

		put64(XANODE + XA_SLOTS + 8 * (uint64_t)specs[i].pid, BASE + pid);
		put64(pid + PID_TASKS, link);
		put32(pid + PID_NUMBERS, (uint32_t)specs[i].pid);
		put64(link - BASE + 8, BASE + pid + PID_TASKS); /* pprev */
		put64(task_phys(i) + T_THREAD_PID, BASE + pid);
	}
}

/* pid 10's mm: arguments "daemon\0-f\0" at user 0x400000; pid 20's are not mapped. */
static void build_mm(void)
{
	static const char args[] = "daemon\0-f";
	uint64_t mm10 = MM + 3 * 0x100, mm20 = MM + 6 * 0x100;

	put64(PGD, UPUD | P | RW | US);
	put64(UPUD, UPMD | P | RW | US);
	put64(UPMD + 2 * 8, UPT | P | RW | US);
	put64(UPT, ARGS | P | RW | US);
	memcpy(image + ARGS, args, sizeof(args));
	put64(mm10, BASE + PGD);
	put64(mm10 + 8, 0x400000);
	put64(mm10 + 16, 0x400000 + sizeof(args));
	put64(mm20, BASE + PGD);
	put64(mm20 + 8, 0x800000);
	put64(mm20 + 16, 0x800010);
}

static struct vh_dump *build(char **path, bool old_threads)
{
	struct vh_dump_options o = {.raw = true, .raw_base = 0};
	struct vh_dump *d;

	memset(image, 0, sizeof(image));
	put64(PGD + 273 * 8, PUD | P | RW); /* 0xffff888000000000 */
	put64(PUD, PMD | P | RW);
	put64(PMD, 0 | P | RW | PSE);
	build_tasks(old_threads);
	build_mm();
	build_pids();
	*path = vh_test_write_tmp(image, sizeof(image));
	assert_non_null(*path);
	assert_int_equal(vh_dump_open(*path, &o, &d), VH_OK);
	return d;
}

static void member(struct vh_member *m, uint32_t off, uint32_t size)
{
	m->offset = off;
	m->size = size;
	m->source = VH_SRC_DWARF;
}

static struct vh_profile *profile(bool old_threads)
{
	struct vh_profile *p;
	struct vh_prof_task_struct *ts;

	assert_int_equal(vh_profile_new(&p), VH_OK);
	ts = &p->task_struct;
	p->sym.init_task.addr = task_va(0);
	p->sym.init_task.source = VH_SRC_SYMTAB;
	member(&p->list_head.next, 0, 8);
	member(&p->list_head.prev, 8, 8);
	member(&ts->state, T_STATE, 4);
	member(&ts->flags, T_FLAGS, 4);
	member(&ts->exit_state, T_EXIT_STATE, 4);
	member(&ts->pid, T_PID, 4);
	member(&ts->tgid, T_TGID, 4);
	member(&ts->comm, T_COMM, 16);
	ts->comm.nelem = 16;
	member(&ts->mm, T_MM, 8);
	member(&ts->active_mm, T_ACTIVE_MM, 8);
	member(&ts->real_parent, T_REAL_PARENT, 8);
	member(&ts->real_cred, T_REAL_CRED, 8);
	member(&ts->signal, T_SIGNAL, 8);
	member(&ts->start_time, T_START, 8);
	member(&ts->tasks, T_TASKS, 16);
	member(&ts->children, T_CHILDREN, 16);
	member(&ts->sibling, T_SIBLING, 16);
	if (old_threads) {
		member(&ts->thread_group, T_THREAD_GROUP, 16);
	} else {
		member(&ts->thread_node, T_THREAD_NODE, 16);
		member(&p->signal_struct.thread_head, S_THREAD_HEAD, 16);
	}
	member(&p->cred.uid, 4, 4);
	member(&p->cred.gid, 8, 4);
	member(&p->mm_struct.pgd, 0, 8);
	member(&p->mm_struct.arg_start, 8, 8);
	member(&p->mm_struct.arg_end, 16, 8);
	/* the pid table */
	p->sym.init_pid_ns.addr = BASE + PIDNS;
	p->sym.init_pid_ns.source = VH_SRC_SYMTAB;
	member(&p->pid_namespace.idr, 0, 24);
	member(&p->idr.idr_rt, 0, 16);
	member(&p->idr.idr_base, 16, 4);
	member(&p->xarray.xa_head, 8, 8);
	member(&p->xa_node.shift, 0, 1);
	member(&p->xa_node.offset, 1, 1);
	member(&p->xa_node.parent, 8, 8);
	member(&p->xa_node.slots, XA_SLOTS, 512);
	p->xa_node.slots.nelem = 64;
	member(&p->pid.tasks, PID_TASKS, 32);
	p->pid.tasks.nelem = 4;
	member(&p->pid.numbers, PID_NUMBERS, 0);
	member(&p->upid.nr, 0, 4);
	member(&p->hlist_node.next, 0, 8);
	member(&p->hlist_node.pprev, 8, 8);
	member(&ts->pid_links, T_PID_LINKS, 64);
	member(&ts->thread_pid, T_THREAD_PID, 8);
	ts->pid_links.nelem = 4;
	p->enums.PIDTYPE_PID.source = VH_SRC_DWARF;
	return p;
}

/* Everything one test holds. */
struct fixture {
	char *path;
	struct vh_dump *d;
	struct vh_profile *p;
	struct vh_kernel_map km;
	struct vh_task_list *tl;
};

static void setup(struct fixture *f, bool old_threads)
{
	memset(f, 0, sizeof(*f));
	f->d = build(&f->path, old_threads);
	f->p = profile(old_threads);
	f->km.pgd = PGD;
	vh_mmu_x86_64(&f->km.mmu, 4);
}

/* Rewrites the dump file after a change to image[] and reopens it. */
static void reopen(struct fixture *f)
{
	struct vh_dump_options o = {.raw = true, .raw_base = 0};

	vh_dump_close(f->d);
	unlink(f->path);
	free(f->path);
	f->path = vh_test_write_tmp(image, sizeof(image));
	assert_non_null(f->path);
	assert_int_equal(vh_dump_open(f->path, &o, &f->d), VH_OK);
}

static void teardown(struct fixture *f)
{
	vh_task_list_free(f->tl);
	vh_profile_free(f->p);
	vh_dump_close(f->d);
	unlink(f->path);
	free(f->path);
}

static const struct vh_task *find(const struct vh_task_list *tl, int pid)
{
	for (size_t i = 0; i < tl->ntasks; i++) {
		if (tl->tasks[i].pid == pid)
			return &tl->tasks[i];
	}
	return NULL;
}

static bool warned(const struct vh_task_list *tl, const char *needle)
{
	for (size_t i = 0; i < tl->nwarnings; i++) {
		if (strstr(tl->warnings[i], needle))
			return true;
	}
	return false;
}

/* Every spec'd task is listed once, read right. */
static void assert_all(const struct vh_task_list *tl)
{
	assert_int_equal(tl->ntasks, NSPECS);
	assert_int_equal(tl->ngroups, 6);
	for (size_t i = 0; i < NSPECS; i++) {
		const struct vh_task *t = find(tl, specs[i].pid);

		assert_non_null(t);
		assert_int_equal(t->tgid, specs[i].tgid);
		assert_int_equal(t->ppid, specs[specs[i].parent].tgid);
		assert_string_equal(t->comm, specs[i].comm);
		assert_int_equal(t->kthread, specs[i].kthread);
		assert_int_equal(t->addr, task_va(i));
	}
}

static void intact(bool old_threads)
{
	struct fixture f;
	const struct vh_task *t;

	setup(&f, old_threads);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, VH_TASKS_CMDLINE, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(f.tl->nwarnings, 0);
	/* sorted by tgid, the leader first */
	assert_int_equal(f.tl->tasks[0].pid, 0);
	assert_int_equal(f.tl->tasks[3].pid, 10);
	assert_int_equal(f.tl->tasks[4].pid, 11);
	t = find(f.tl, 10);
	assert_int_equal(t->nr_threads, 3);
	assert_true(t->leader);
	assert_int_equal(t->uid, 1000);
	assert_int_equal(t->gid, 100);
	assert_int_equal(t->state, 'S');
	assert_int_equal(t->start_time, 10000);
	assert_int_equal(t->via, VH_VIA_TASKS);
	assert_int_equal(find(f.tl, 11)->via, VH_VIA_THREADS);
	assert_false(find(f.tl, 11)->leader);
	/* command lines: read, shared by the threads, unreadable, none */
	assert_int_equal(t->cmdline_state, VH_CMDLINE_OK);
	assert_int_equal(t->cmdline_len, 10);
	assert_memory_equal(t->cmdline, "daemon\0-f", 10);
	assert_int_equal(find(f.tl, 12)->cmdline_state, VH_CMDLINE_OK);
	assert_memory_equal(find(f.tl, 12)->cmdline, "daemon\0-f", 10);
	assert_int_equal(find(f.tl, 20)->cmdline_state, VH_CMDLINE_UNREADABLE);
	assert_null(find(f.tl, 20)->cmdline);
	assert_int_equal(find(f.tl, 2)->cmdline_state, VH_CMDLINE_NONE);
	/* every task but the idle task is in the pid table */
	assert_true(f.tl->task_list_complete);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_COMPLETE);
	for (size_t i = 0; i < f.tl->ntasks; i++)
		assert_int_equal(f.tl->tasks[i].in_pid_table, f.tl->tasks[i].pid != 0);
	teardown(&f);
}

static void test_intact_thread_node(void **state)
{
	(void)state;
	intact(false);
}

static void test_intact_thread_group(void **state)
{
	(void)state;
	intact(true);
}

/* Damages one pointer, walks, checks everything is still found and the warning. */
static void damaged(uint64_t where, uint64_t value, const char *needle, enum vh_task_via via)
{
	struct fixture f;
	bool found_via = false;

	setup(&f, false);
	put64(where - BASE, value);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	if (!warned(f.tl, needle)) {
		for (size_t i = 0; i < f.tl->nwarnings; i++)
			print_error("warning: %s\n", f.tl->warnings[i]);
		fail_msg("no warning names %s", needle);
	}
	for (size_t i = 0; i < f.tl->ntasks; i++)
		found_via |= f.tl->tasks[i].via == via;
	assert_true(found_via);
	teardown(&f);
}

static void test_cycle(void **state)
{
	char needle[32];

	(void)state;
	/* daemon's tasks.next goes back to init's */
	snprintf(needle, sizeof(needle), "0x%llx", (unsigned long long)(task_va(1) + T_TASKS));
	damaged(task_va(3) + T_TASKS, task_va(1) + T_TASKS, needle, VH_VIA_TASKS_PREV);
}

static void test_poison(void **state)
{
	(void)state;
	damaged(task_va(1) + T_TASKS, POISON, "0xdead000000000100: not a kernel address",
		VH_VIA_TASKS_PREV);
}

static void test_unmapped(void **state)
{
	(void)state;
	damaged(task_va(0) + T_TASKS, UNMAPPED, "0xffff800000001000, which cannot be read",
		VH_VIA_TASKS_PREV);
}

static void test_not_in_dump(void **state)
{
	char needle[48];

	(void)state;
	/* mapped by the 2 MiB page, beyond the 1 MiB image */
	snprintf(needle, sizeof(needle), "0x%llx", BASE + 0x180000);
	damaged(task_va(2) + T_TASKS, BASE + 0x180000, needle, VH_VIA_TASKS_PREV);
}

static void test_both_ways(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false);
	/* init's next and sh's prev poisoned: daemon is reachable only as init's child */
	put64(task_phys(1) + T_TASKS, POISON);
	put64(task_phys(6) + T_TASKS + 8, UNMAPPED);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(find(f.tl, 2)->via, VH_VIA_CHILDREN);
	assert_int_equal(find(f.tl, 10)->via, VH_VIA_CHILDREN);
	assert_int_equal(find(f.tl, 20)->via, VH_VIA_TASKS_PREV);
	assert_true(warned(f.tl, "0xdead000000000100"));
	assert_true(warned(f.tl, "0xffff800000001000"));
	teardown(&f);
}

static void test_hidden_from_task_list(void **state)
{
	struct fixture f;
	uint64_t a = task_va(2) + T_TASKS, c = task_va(6) + T_TASKS;

	(void)state;
	setup(&f, false);
	/* unlink daemon from the task list cleanly, as a rootkit would: kthreadd <-> sh */
	put64(a - BASE, c);
	put64(c - BASE + 8, a);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(find(f.tl, 10)->via, VH_VIA_CHILDREN);
	assert_true(
	    warned(f.tl, "(pid 10) is on its parent's children list but not on the task list"));
	teardown(&f);
}

static void test_thread_self_loop(void **state)
{
	(void)state;
	/* worker-a's thread_node.next points at itself */
	damaged(task_va(4) + T_THREAD_NODE, task_va(4) + T_THREAD_NODE, "threads of pid 10",
		VH_VIA_THREADS);
}

static void test_node_not_a_task(void **state)
{
	struct fixture f;
	size_t skipped = 0;

	(void)state;
	setup(&f, false);
	/* daemon's pid is garbage, its links intact: the walk goes on past it */
	put32(task_phys(3) + T_PID, 0xffffff00);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	/* daemon is lost; its threads, off every list now, are in the pid table */
	assert_int_equal(f.tl->ntasks, NSPECS - 1);
	assert_null(find(f.tl, 10));
	assert_int_equal(find(f.tl, 11)->via, VH_VIA_PID_TABLE);
	assert_int_equal(find(f.tl, 12)->via, VH_VIA_PID_TABLE);
	assert_int_equal(find(f.tl, 20)->via, VH_VIA_TASKS);
	assert_int_equal(find(f.tl, 30)->via, VH_VIA_TASKS);
	for (size_t i = 0; i < f.tl->nwarnings; i++)
		skipped +=
		    strstr(f.tl->warnings[i], "not a task (pid out of range); skipped") != NULL;
	assert_int_equal(skipped, 1); /* met on the task list and init's children: warned once */
	teardown(&f);
}

static void test_signal_not_in_dump(void **state)
{
	struct fixture f;
	uint64_t sig = BASE + 0x180000; /* mapped, beyond the image */

	(void)state;
	setup(&f, false);
	/* daemon's group: its signal_struct (the thread list's head) is not in the dump */
	for (size_t i = 3; i <= 5; i++)
		put64(task_phys(i) + T_SIGNAL, sig);
	put64(task_phys(3) + T_THREAD_NODE + 8, sig + S_THREAD_HEAD);
	put64(task_phys(5) + T_THREAD_NODE, sig + S_THREAD_HEAD);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(find(f.tl, 10)->nr_threads, 3);
	assert_int_equal(f.tl->nwarnings, 1);
	assert_true(warned(f.tl, "1 thread groups have their signal_struct"));
	teardown(&f);
}

static void test_init_task_unreadable(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false);
	f.p->sym.init_task.addr = UNMAPPED;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_ERR_NOT_MAPPED);
	assert_null(f.tl);
	assert_non_null(strstr(vh_errmsg(), "0xffff800000001000"));
	/* readable, but no task there (pid out of range): the pid table still gives the
	 * tasks, and that is said */
	f.p->sym.init_task.addr = BASE + ARGS - T_PID;
	put32(ARGS, 0xffffff00);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_non_null(find(f.tl, 1));
	assert_int_equal(f.tl->ntasks, NSPECS - 1);
	assert_true(warned(f.tl, "has no valid pid or tgid (damaged)"));
	vh_task_list_free(f.tl);
	f.tl = NULL;
	/* and without a pid table either, nothing like a kernel's tasks: another layout */
	f.p->sym.init_pid_ns.source = VH_SRC_NONE;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "does not look like a task"));
	teardown(&f);
}

/* init_task's pid damaged: it is not listed, every other task still is, and that is said. */
static void test_init_task_damaged(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false);
	put32(task_va(0) - BASE + T_PID, 0xffffff00);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_null(find(f.tl, 0));
	assert_non_null(find(f.tl, 1));
	assert_int_equal(f.tl->ntasks, NSPECS - 1);
	assert_true(warned(f.tl, "has no valid pid or tgid (damaged)"));
	teardown(&f);
}

static void test_profile_lacks_layout(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false);
	f.p->task_struct.tasks.source = VH_SRC_NONE;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "task_struct"));
	f.p->task_struct.tasks.source = VH_SRC_DWARF;
	f.p->sym.init_task.source = VH_SRC_NONE;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "init_task"));
	teardown(&f);
}

/* Unlinked from the task list and its parent's children: only the pid table has it. */
static void test_only_in_pid_table(void **state)
{
	struct fixture f;
	uint64_t a = task_va(2) + T_TASKS, c = task_va(6) + T_TASKS;
	uint64_t s0 = task_va(1) + T_CHILDREN, s1 = task_va(6) + T_SIBLING;

	(void)state;
	setup(&f, false);
	put64(a - BASE, c); /* kthreadd <-> sh on the task list */
	put64(c - BASE + 8, a);
	put64(s0 - BASE, s1); /* init's children: sh only */
	put64(s1 - BASE + 8, s0);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_true(f.tl->task_list_complete);
	assert_int_equal(find(f.tl, 10)->via, VH_VIA_PID_TABLE);
	assert_true(find(f.tl, 10)->in_pid_table);
	/* its threads are on its thread list, but nothing walked that list */
	assert_int_equal(find(f.tl, 11)->via, VH_VIA_PID_TABLE);
	assert_int_equal(find(f.tl, 10)->nr_threads, 3);
	assert_true(warned(f.tl, "(pid 10) is in the pid table but on no task or thread list"));
	vh_task_list_free(f.tl);
	/* a pid whose hlist names memory that does not name the pid back: not a task */
	put64(task_phys(3) + T_THREAD_PID, BASE + PIDS);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_null(find(f.tl, 10));
	assert_true(warned(f.tl, "pid table: pid 10: task 0xffff888000010c00 names struct pid"));
	teardown(&f);
}

/* Off the pid table (hidden from /proc): listed, marked; damaged tables are partial. */
static void test_pid_table_damage(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false);
	put64(XANODE + XA_SLOTS + 8 * 20, 0); /* sh detached from its pid */
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_COMPLETE);
	assert_false(find(f.tl, 20)->in_pid_table);
	assert_true(find(f.tl, 10)->in_pid_table);
	assert_true(warned(f.tl, "(pid 20) is on the lists but not in the pid table"));
	assert_int_equal(f.tl->nwarnings, 1);
	vh_task_list_free(f.tl);
	/* the node points at itself: a cycle the parent check ends */
	put64(XANODE + XA_SLOTS + 8 * 20, BASE + XANODE + 2);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_PARTIAL);
	assert_true(warned(f.tl, "pid table: xarray node 0xffff888000071000: leaf slot 20"));
	vh_task_list_free(f.tl);
	/* a task link that does not point back, and a pid entry that is not a pointer */
	put64(XANODE + XA_SLOTS + 8 * 20, BASE + PIDS + 6 * 0x100);
	put64(task_phys(3) + T_PID_LINKS + 8, 0);
	put64(XANODE + XA_SLOTS + 8 * 40, 0x1234);
	reopen(&f);
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_PARTIAL);
	assert_true(warned(f.tl, "pid 10: task link"));
	assert_true(warned(f.tl, "entry 40 is 0x1234"));
	assert_false(find(f.tl, 10)->in_pid_table);
	vh_task_list_free(f.tl);
	/* the head unreadable: nothing read, nothing marked, tasks all there */
	f.p->sym.init_pid_ns.addr = UNMAPPED;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_all(f.tl);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_NOT_READ);
	assert_true(warned(f.tl, "the pid table cannot be read"));
	vh_task_list_free(f.tl);
	/* a profile without the IDR: not read, no warning */
	f.p->sym.init_pid_ns.source = VH_SRC_NONE;
	assert_int_equal(vh_tasks_read(f.d, &f.km, f.p, 0, &f.tl), VH_OK);
	assert_int_equal(f.tl->pid_table, VH_PID_TABLE_NOT_READ);
	assert_int_equal(f.tl->nwarnings, 0);
	teardown(&f);
}

static void test_pid_table_read(void **state)
{
	struct fixture f;
	struct vh_pid_table *pt;

	(void)state;
	setup(&f, false);
	assert_int_equal(vh_pid_table_read(f.d, &f.km, f.p, &pt), VH_OK);
	assert_true(pt->complete);
	assert_int_equal(pt->nentries, NSPECS - 1);
	assert_int_equal(pt->npids, NSPECS - 1);
	for (size_t i = 1; i < NSPECS; i++) {
		assert_int_equal(pt->entries[i - 1].nr, specs[i].pid);
		assert_int_equal(pt->entries[i - 1].task, task_va(i));
	}
	vh_pid_table_free(pt);
	f.p->pid.tasks.source = VH_SRC_NONE;
	assert_int_equal(vh_pid_table_read(f.d, &f.km, f.p, &pt), VH_ERR_NOT_PRESENT);
	assert_null(pt);
	teardown(&f);
}

static void test_state_char(void **state)
{
	(void)state;
	assert_int_equal(vh_task_state_char(0, 0), 'R');
	assert_int_equal(vh_task_state_char(0x1, 0), 'S');
	assert_int_equal(vh_task_state_char(0x2, 0), 'D');
	assert_int_equal(vh_task_state_char(0x4, 0), 'T');
	assert_int_equal(vh_task_state_char(0x8, 0), 't');
	assert_int_equal(vh_task_state_char(0, 0x10), 'X');
	assert_int_equal(vh_task_state_char(0, 0x20), 'Z');
	assert_int_equal(vh_task_state_char(0x40, 0), 'P');
	assert_int_equal(vh_task_state_char(0x402, 0), 'I');
	assert_int_equal(vh_task_state_char(0x100 | 0x2, 0), 'D'); /* TASK_KILLABLE */
	assert_string_equal(vh_task_via_name(VH_VIA_CHILDREN), "children");
	assert_string_equal(vh_task_via_name(VH_VIA_PID_TABLE), "pid-table");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intact_thread_node),
	    cmocka_unit_test(test_intact_thread_group),
	    cmocka_unit_test(test_cycle),
	    cmocka_unit_test(test_poison),
	    cmocka_unit_test(test_unmapped),
	    cmocka_unit_test(test_not_in_dump),
	    cmocka_unit_test(test_both_ways),
	    cmocka_unit_test(test_hidden_from_task_list),
	    cmocka_unit_test(test_thread_self_loop),
	    cmocka_unit_test(test_node_not_a_task),
	    cmocka_unit_test(test_signal_not_in_dump),
	    cmocka_unit_test(test_init_task_unreadable),
	    cmocka_unit_test(test_init_task_damaged),
	    cmocka_unit_test(test_profile_lacks_layout),
	    cmocka_unit_test(test_only_in_pid_table),
	    cmocka_unit_test(test_pid_table_damage),
	    cmocka_unit_test(test_pid_table_read),
	    cmocka_unit_test(test_state_char),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
