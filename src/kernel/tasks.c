/* SPDX-License-Identifier: MIT */
/*
 * The task walker: init_task's task list, each group's threads, and the
 * process tree's children lists as a second way in when the task list is
 * damaged.
 *
 * Every list step checks, before a node is taken, that the pointer is a kernel
 * address, that its page translates and is in the dump, and that the node links
 * back (next->prev == cur, as the kernel's CONFIG_DEBUG_LIST checks it). A walk
 * whose every step links back cannot revisit a node other than its head, so the
 * checks end every walk; a visited set and step caps are the second fence.
 */
#include "kernel/kmem.h"
#include "util/warnings.h"
#include "util/error.h"
#include "util/grow.h"

#include <vmahunt/kernel.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kernel pid values stay below PID_MAX_LIMIT (4M on 64-bit). */
#define PID_MAX_LIMIT (4 * 1024 * 1024)
/* Warnings kept; more are counted in one last message. */
#define MAX_WARNINGS 200
/* All list steps of one vh_tasks_read(), every walk together. */
#define MAX_TOTAL_STEPS (16ull * VH_TASKS_MAX)

/* The report bits of task state (include/linux/sched.h, unchanged since 4.14). */
#define TASK_REPORT	     0x7fu
#define TASK_UNINTERRUPTIBLE 0x2u
#define TASK_NOLOAD	     0x400u
#define TASK_IDLE	     (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
/* exit_state of a released task (include/linux/sched.h) */
#define EXIT_DEAD 0x10u

/* A set of addresses (open addressing; 0 is never a kernel address). */
struct addr_set {
	uint64_t *keys;
	size_t cap, n;
};

struct walker {
	struct vh_dump *d;
	const struct vh_kernel_map *km;
	const struct vh_profile *p;
	struct vh_vread kr;
	/* visited set: task_struct addresses, open addressing */
	struct addr_set seen; /* task_struct addresses listed */
	struct addr_set bad;  /* list nodes whose task could not be read (warned once) */
	uint64_t steps;	      /* list steps so far, all walks */
	bool out_of_steps;
	size_t dropped_warnings;
	size_t signal_unreadable; /* groups whose thread list head could not be read */
	int nomem;
	struct vh_task_list *tl;
	size_t tasks_cap;
};

const char *vh_task_via_name(enum vh_task_via via)
{
	switch (via) {
	case VH_VIA_TASKS:
		return "tasks";
	case VH_VIA_TASKS_PREV:
		return "tasks-prev";
	case VH_VIA_CHILDREN:
		return "children";
	case VH_VIA_THREADS:
		return "threads";
	case VH_VIA_PID_TABLE:
		return "pid-table";
	}
	return "?";
}

char vh_task_state_char(uint32_t state, uint32_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	uint32_t rep = (state | exit_state) & TASK_REPORT;
	int fls = 0;

	/* An idle kernel thread sleeps uninterruptibly without counting as load. */
	if ((state & TASK_IDLE) == TASK_IDLE)
		return 'I';
	while (rep) {
		fls++;
		rep >>= 1;
	}
	return letters[fls];
}

static void warn(struct walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct walker *w, const char *fmt, ...)
{
	struct vh_task_list *tl = w->tl;
	va_list ap;

	if (tl->nwarnings >= MAX_WARNINGS) {
		w->dropped_warnings++;
		return;
	}
	va_start(ap, fmt);
	if (vh_warnings_vadd(&tl->warnings, &tl->nwarnings, fmt, ap))
		w->nomem = 1;
	va_end(ap);
}

static int kread(struct walker *w, uint64_t vaddr, void *buf, size_t len)
{
	return vh_vread(&w->kr, vaddr, buf, len);
}

static int read_member(struct walker *w, uint64_t base, const struct vh_member *m, uint64_t *out)
{
	return vh_member_read(&w->kr, base, m, out);
}

static bool kptr_ok(const struct walker *w, uint64_t v)
{
	return vh_kptr_ok(&w->kr, v);
}

/* --- address sets ----------------------------------------------------- */

static size_t set_slot(const struct addr_set *set, uint64_t key)
{
	size_t mask = set->cap - 1;
	size_t i = (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull) & mask;

	while (set->keys[i] && set->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static bool set_has(const struct addr_set *set, uint64_t key)
{
	return set->cap && set->keys[set_slot(set, key)] == key;
}

static int set_add(struct addr_set *set, uint64_t key)
{
	if ((set->n + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		struct addr_set grown = {calloc(cap, sizeof(uint64_t)), cap, 0};

		if (!grown.keys)
			return VH_ERR_NOMEM;
		for (size_t i = 0; i < set->cap; i++) {
			if (set->keys[i])
				grown.keys[set_slot(&grown, set->keys[i])] = set->keys[i];
		}
		grown.n = set->n;
		free(set->keys);
		*set = grown;
	}
	if (set->keys[set_slot(set, key)] != key) {
		set->keys[set_slot(set, key)] = key;
		set->n++;
	}
	return VH_OK;
}

/* --- one task ---------------------------------------------------------- */

static bool pid_ok(uint64_t v)
{
	return v <= PID_MAX_LIMIT;
}

static void read_comm(struct walker *w, uint64_t addr, struct vh_task *t)
{
	const struct vh_member *m = &w->p->task_struct.comm;
	size_t len = m->nelem ? m->nelem : m->size;

	if (len >= sizeof(t->comm))
		len = sizeof(t->comm) - 1;
	if (kread(w, addr + m->offset, t->comm, len))
		snprintf(t->comm, sizeof(t->comm), "?");
	t->comm[len] = '\0';
}

static void read_cred(struct walker *w, struct vh_task *t)
{
	const struct vh_profile *p = w->p;
	uint64_t cred, uid, gid;

	if (read_member(w, t->addr, &p->task_struct.real_cred, &cred) || !kptr_ok(w, cred))
		return;
	if (read_member(w, cred, &p->cred.uid, &uid) || read_member(w, cred, &p->cred.gid, &gid))
		return;
	t->uid = (uint32_t)uid;
	t->gid = (uint32_t)gid;
	t->have_cred = true;
}

static void read_parent(struct walker *w, struct vh_task *t)
{
	uint64_t tgid;

	if (t->real_parent == t->addr || !kptr_ok(w, t->real_parent))
		return; /* init_task is its own parent; ppid stays 0 */
	if (!read_member(w, t->real_parent, &w->p->task_struct.tgid, &tgid) && pid_ok(tgid))
		t->ppid = (int32_t)tgid;
}

/*
 * Reads the task_struct at @addr. Fails when pid or tgid cannot be read or are
 * not pids: then @addr is not a task and the caller treats the link as broken.
 * The other fields are best effort (left 0 when unreadable).
 */
static int read_task(struct walker *w, uint64_t addr, struct vh_task *t)
{
	const struct vh_prof_task_struct *ts = &w->p->task_struct;
	uint64_t pid, tgid, v;
	int err;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	err = read_member(w, addr, &ts->pid, &pid);
	if (!err)
		err = read_member(w, addr, &ts->tgid, &tgid);
	if (err)
		return err;
	if (!pid_ok(pid) || !pid_ok(tgid))
		return VH_ERR_CORRUPT;
	t->pid = (int32_t)pid;
	t->tgid = (int32_t)tgid;
	t->leader = pid == tgid;
	read_comm(w, addr, t);
	if (!read_member(w, addr, &ts->state, &v))
		t->state_raw = (uint32_t)v;
	if (!read_member(w, addr, &ts->exit_state, &v))
		t->exit_state = (uint32_t)v;
	if (!read_member(w, addr, &ts->flags, &v))
		t->flags = (uint32_t)v;
	read_member(w, addr, &ts->mm, &t->mm);
	read_member(w, addr, &ts->active_mm, &t->active_mm);
	read_member(w, addr, &ts->start_time, &t->start_time);
	read_member(w, addr, &ts->start_boottime, &t->start_boottime);
	read_member(w, addr, &ts->real_parent, &t->real_parent);
	t->state = vh_task_state_char(t->state_raw, t->exit_state);
	/* No mm and not on its way out (exiting or a zombie) is a kernel thread too. */
	t->kthread =
	    (t->flags & (uint64_t)w->p->c.PF_KTHREAD.value) ||
	    (t->mm == 0 && t->exit_state == 0 && !(t->flags & (uint64_t)w->p->c.PF_EXITING.value));
	read_parent(w, t);
	read_cred(w, t);
	return VH_OK;
}

/* Appends a task read at @addr. Return: VH_OK, or read_task()'s error. */
static int add_task(struct walker *w, uint64_t addr, enum vh_task_via via)
{
	struct vh_task_list *tl = w->tl;
	struct vh_task t;
	int err = read_task(w, addr, &t);

	if (err)
		return err;
	if (tl->ntasks >= VH_TASKS_MAX)
		return VH_ERR_INVAL;
	if (tl->ntasks == w->tasks_cap) {
		struct vh_task *grown =
		    vh_grow(tl->tasks, tl->ntasks, &w->tasks_cap, sizeof(*grown), 256);

		if (!grown)
			return VH_ERR_NOMEM;
		tl->tasks = grown;
	}
	if (set_add(&w->seen, addr))
		return VH_ERR_NOMEM;
	t.via = via;
	tl->tasks[tl->ntasks++] = t;
	return VH_OK;
}

/* --- lists ------------------------------------------------------------- */

/* What one list walk is and does with the nodes it meets. */
struct list_walk {
	const char *what;     /* "the task list", "pid 7's children", ... for warnings */
	uint64_t head;	      /* address of the list_head the walk starts and ends at */
	uint32_t node_off;    /* offset of the node's list_head in task_struct */
	bool backwards;	      /* follow prev instead of next */
	enum vh_task_via via; /* recorded for tasks this walk adds */
	bool stop_at_known;   /* a task already found ends the walk (the backward join) */
	bool warn_at_known;   /* ...and it is damage (a cycle) */
	int32_t want_tgid;    /* thread walks: tasks of another group are damage; else -1 */
	uint64_t end;	      /* a second address that ends the walk like the head, unread; or 0 */
};

static const char *describe_err(int err)
{
	return err == VH_ERR_CORRUPT ? "not a task (pid out of range)" : vh_strerror(err);
}

/*
 * Follows one link from the list_head at @cur. Returns the next list_head, or
 * 0 when the walk ends (back at the head: *complete set) or breaks (warned).
 */
static uint64_t step(struct walker *w, const struct list_walk *lw, uint64_t cur, bool *complete)
{
	const struct vh_prof_list_head *lh = &w->p->list_head;
	const struct vh_member *fwd = lw->backwards ? &lh->prev : &lh->next;
	const struct vh_member *back = lw->backwards ? &lh->next : &lh->prev;
	const char *fname = lw->backwards ? "prev" : "next";
	uint64_t next, link;
	int err;

	if (++w->steps > MAX_TOTAL_STEPS) {
		w->out_of_steps = true;
		return 0;
	}
	err = read_member(w, cur, fwd, &next);
	if (err) {
		warn(w, "%s: cannot read the %s pointer at 0x%" PRIx64 ": %s", lw->what, fname,
		     cur + fwd->offset, vh_strerror(err));
		return 0;
	}
	if (lw->end && next == lw->end) {
		*complete = true; /* the head the dump lacks: known, not read */
		return 0;
	}
	if (next == lw->head) {
		/*
		 * Back at the head, which must link back too: a head whose next was
		 * overwritten with its own address looks like an empty list, but its
		 * prev still names the last node.
		 */
		err = read_member(w, next, back, &link);
		if (!err && link == cur) {
			*complete = true;
			return 0;
		}
		if (err)
			warn(w, "%s: cannot read the head's %s pointer at 0x%" PRIx64 ": %s",
			     lw->what, lw->backwards ? "next" : "prev", next + back->offset,
			     vh_strerror(err));
		else
			warn(w,
			     "%s: %s pointer at 0x%" PRIx64 " returns to the head 0x%" PRIx64
			     ", which does not link back (its %s is 0x%" PRIx64 ")",
			     lw->what, fname, cur + fwd->offset, next,
			     lw->backwards ? "next" : "prev", link);
		return 0;
	}
	if (!kptr_ok(w, next)) {
		warn(w, "%s: %s pointer at 0x%" PRIx64 " is 0x%" PRIx64 ": not a kernel address",
		     lw->what, fname, cur + fwd->offset, next);
		return 0;
	}
	err = read_member(w, next, back, &link);
	if (err) {
		warn(w,
		     "%s: %s pointer at 0x%" PRIx64 " is 0x%" PRIx64 ", which cannot be read: %s",
		     lw->what, fname, cur + fwd->offset, next, vh_strerror(err));
		return 0;
	}
	if (link != cur) {
		warn(w,
		     "%s: %s pointer at 0x%" PRIx64 " is 0x%" PRIx64 ", which does not link back "
		     "(its %s is 0x%" PRIx64 ", expected 0x%" PRIx64 ")",
		     lw->what, fname, cur + fwd->offset, next, lw->backwards ? "next" : "prev",
		     link, cur);
		return 0;
	}
	return next;
}

/* Takes the task whose node is at @node. Returns false when the walk must stop. */
static bool visit(struct walker *w, const struct list_walk *lw, uint64_t node, uint64_t prev_node)
{
	uint64_t task = node - lw->node_off;
	int err;

	if (set_has(&w->bad, task))
		return true; /* warned already; the links around it were checked */
	if (set_has(&w->seen, task)) {
		if (lw->warn_at_known)
			warn(w,
			     "%s: the link at 0x%" PRIx64 " leads back to task 0x%" PRIx64
			     ", already walked (a cycle)",
			     lw->what, prev_node, task);
		return !lw->stop_at_known;
	}
	err = add_task(w, task, lw->via);
	if (err == VH_ERR_NOMEM) {
		w->nomem = 1;
		return false;
	}
	if (err) {
		/*
		 * The node links both ways, so the list goes on past it: only the
		 * task's own fields are damaged (or on a page the dump lacks).
		 */
		warn(w, "%s: node 0x%" PRIx64 " (task 0x%" PRIx64 "): %s; skipped", lw->what, node,
		     task, describe_err(err));
		if (set_add(&w->bad, task))
			w->nomem = 1;
		return !w->nomem;
	}
	if (lw->want_tgid >= 0 && w->tl->tasks[w->tl->ntasks - 1].tgid != lw->want_tgid)
		warn(w, "%s: task 0x%" PRIx64 " (pid %" PRId32 ") belongs to thread group %" PRId32,
		     lw->what, task, w->tl->tasks[w->tl->ntasks - 1].pid,
		     w->tl->tasks[w->tl->ntasks - 1].tgid);
	return true;
}

/* Walks one list in one direction. Return: true when it came back to its head. */
static bool walk(struct walker *w, const struct list_walk *lw)
{
	uint64_t cur = lw->head;
	bool complete = false;

	for (uint64_t n = 0; n < VH_TASKS_MAX && !w->nomem; n++) {
		uint64_t next = step(w, lw, cur, &complete);

		if (!next || !visit(w, lw, next, cur))
			return complete;
		cur = next;
	}
	if (!w->nomem)
		warn(w, "%s: stopped after %u nodes", lw->what, VH_TASKS_MAX);
	return false;
}

/* Walks a list forwards and, when that breaks, backwards from the head to the break. */
static bool walk_both(struct walker *w, struct list_walk *lw)
{
	if (walk(w, lw))
		return true;
	lw->backwards = true;
	lw->warn_at_known = false;
	/*
	 * On the task list every task is met once: the first one the forward
	 * walk already took is where the two walks join. Children and thread
	 * lists hold tasks found before (on the task list), so they go on.
	 */
	if (lw->via == VH_VIA_TASKS) {
		lw->via = VH_VIA_TASKS_PREV;
		lw->stop_at_known = true;
	}
	walk(w, lw);
	return false;
}

/* The threads of the group led by tasks[i]. */
static void walk_threads(struct walker *w, size_t i)
{
	const struct vh_profile *p = w->p;
	const struct vh_task *leader = &w->tl->tasks[i];
	struct list_walk lw = {.via = VH_VIA_THREADS, .want_tgid = leader->tgid};
	char what[80];
	uint64_t signal;

	snprintf(what, sizeof(what), "threads of pid %" PRId32, leader->pid);
	lw.what = what;
	if (vh_present(&p->task_struct.thread_node) && vh_present(&p->signal_struct.thread_head)) {
		/* 3.14+: the list's head is in the shared signal_struct */
		int err = read_member(w, leader->addr, &p->task_struct.signal, &signal);

		if (err || !kptr_ok(w, signal)) {
			warn(w, "%s: task 0x%" PRIx64 " has no readable signal pointer", what,
			     leader->addr);
			return;
		}
		lw.head = signal + p->signal_struct.thread_head.offset;
		lw.node_off = p->task_struct.thread_node.offset;
		/*
		 * A head the dump lacks (makedumpfile -d 31 has been seen dropping
		 * signal_struct slab pages): walk the ring from the leader, the first
		 * node, up to the head's address, which is known without reading it.
		 */
		if (read_member(w, lw.head, &p->list_head.next, &signal)) {
			w->signal_unreadable++;
			lw.end = lw.head;
			lw.head = leader->addr + lw.node_off;
		}
	} else if (vh_present(&p->task_struct.thread_group)) {
		/* older kernels: a ring through the tasks themselves, no separate head */
		lw.head = leader->addr + p->task_struct.thread_group.offset;
		lw.node_off = p->task_struct.thread_group.offset;
	} else {
		return;
	}
	walk_both(w, &lw);
}

/* The children of tasks[i]: a second way to tasks the task list lost. */
static void walk_children(struct walker *w, size_t i)
{
	const struct vh_profile *p = w->p;
	const struct vh_task *t = &w->tl->tasks[i];
	struct list_walk lw = {.via = VH_VIA_CHILDREN, .want_tgid = -1};
	char what[80];

	if (!vh_present(&p->task_struct.children) || !vh_present(&p->task_struct.sibling))
		return;
	snprintf(what, sizeof(what), "children of pid %" PRId32, t->pid);
	lw.what = what;
	lw.head = t->addr + p->task_struct.children.offset;
	lw.node_off = p->task_struct.sibling.offset;
	walk_both(w, &lw);
}

/* --- the pid table ----------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Marks the listed tasks the pid table holds (@addrs sorted, @n of them). */
static void mark_in_pid_table(struct walker *w, const uint64_t *addrs, size_t n)
{
	for (size_t i = 0; i < w->tl->ntasks; i++) {
		struct vh_task *t = &w->tl->tasks[i];

		t->in_pid_table = n && bsearch(&t->addr, addrs, n, sizeof(*addrs), cmp_u64);
	}
}

/*
 * Listed tasks a whole pid table lacks: hidden from /proc. The idle task is in
 * no table; a released (EXIT_DEAD) task has left it and is leaving the lists.
 */
static void warn_not_in_pid_table(struct walker *w)
{
	for (size_t i = 0; i < w->tl->ntasks; i++) {
		const struct vh_task *t = &w->tl->tasks[i];

		if (!t->in_pid_table && t->pid != 0 && !(t->exit_state & EXIT_DEAD))
			warn(w,
			     "task 0x%" PRIx64 " (pid %" PRId32 ") is on the lists but not in the "
			     "pid table (hidden from /proc)",
			     t->addr, t->pid);
	}
}

/*
 * A task only the pid table names must name its struct pid back (4.19+:
 * task->thread_pid): else the hlist node is not a task's, and the memory is
 * damaged rather than a task hidden.
 */
static bool thread_pid_ok(struct walker *w, const struct vh_pid_entry *e)
{
	uint64_t back = 0;
	int err = read_member(w, e->task, &w->p->task_struct.thread_pid, &back);

	if (err == VH_ERR_NOT_PRESENT || (!err && back == e->pid))
		return true;
	if (err)
		warn(w,
		     "pid table: pid %" PRId32 ": task 0x%" PRIx64 " cannot be read: %s; skipped",
		     e->nr, e->task, vh_strerror(err));
	else
		warn(w,
		     "pid table: pid %" PRId32 ": task 0x%" PRIx64 " names struct pid 0x%" PRIx64
		     ", not 0x%" PRIx64 "; skipped",
		     e->nr, e->task, back, e->pid);
	return false;
}

/* A task of the pid table that no list led to: listed, with a warning. */
static void add_hidden(struct walker *w, const struct vh_pid_entry *e)
{
	int err;

	if (set_has(&w->seen, e->task) || set_has(&w->bad, e->task))
		return;
	if (!thread_pid_ok(w, e)) {
		if (set_add(&w->bad, e->task))
			w->nomem = 1;
		return;
	}
	err = add_task(w, e->task, VH_VIA_PID_TABLE);
	if (err == VH_ERR_NOMEM) {
		w->nomem = 1;
		return;
	}
	if (err) {
		warn(w, "pid table: pid %" PRId32 ": task 0x%" PRIx64 ": %s; skipped", e->nr,
		     e->task, describe_err(err));
		if (set_add(&w->bad, e->task))
			w->nomem = 1;
		return;
	}
	struct vh_task *t = &w->tl->tasks[w->tl->ntasks - 1];

	t->in_pid_table = true;
	warn(w,
	     "task 0x%" PRIx64 " (pid %" PRId32 ") is in the pid table but on no task or "
	     "thread list",
	     e->task, t->pid);
	if (t->pid != e->nr)
		warn(w,
		     "pid table: task 0x%" PRIx64 " is attached to pid %" PRId32
		     " but its pid is %" PRId32,
		     e->task, e->nr, t->pid);
}

/* The pid table as a last way in; sets in_pid_table and tl->pid_table. */
static void walk_pid_table(struct walker *w)
{
	struct vh_pid_table *pt = NULL;
	uint64_t *addrs;
	size_t n = 0;
	int err = vh_pid_table_read(w->d, w->km, w->p, &pt);

	if (err == VH_ERR_NOMEM) {
		w->nomem = 1;
		return;
	}
	if (err) {
		if (err != VH_ERR_NOT_PRESENT)
			warn(w, "the pid table cannot be read: %s", vh_strerror(err));
		return;
	}
	for (size_t i = 0; i < pt->nwarnings; i++)
		warn(w, "%s", pt->warnings[i]);
	addrs = malloc((pt->nentries ? pt->nentries : 1) * sizeof(*addrs));
	if (!addrs) {
		w->nomem = 1;
		vh_pid_table_free(pt);
		return;
	}
	for (size_t i = 0; i < pt->nentries; i++)
		if (pt->entries[i].task)
			addrs[n++] = pt->entries[i].task;
	qsort(addrs, n, sizeof(*addrs), cmp_u64);
	mark_in_pid_table(w, addrs, n);
	for (size_t i = 0; i < pt->nentries && !w->nomem; i++)
		if (pt->entries[i].task)
			add_hidden(w, &pt->entries[i]);
	w->tl->pid_table = pt->complete ? VH_PID_TABLE_COMPLETE : VH_PID_TABLE_PARTIAL;
	if (pt->complete)
		warn_not_in_pid_table(w);
	free(addrs);
	vh_pid_table_free(pt);
}

/* --- command lines ----------------------------------------------------- */

static void read_cmdline(struct walker *w, struct vh_task *t)
{
	const struct vh_prof_mm_struct *mm = &w->p->mm_struct;
	uint64_t root, start, end, len;

	t->cmdline_state = VH_CMDLINE_NONE;
	if (!t->mm || t->kthread)
		return;
	t->cmdline_state = VH_CMDLINE_UNREADABLE;
	if (vh_mm_pgd_root(&w->kr, w->p, t->mm, &root) ||
	    read_member(w, t->mm, &mm->arg_start, &start) ||
	    read_member(w, t->mm, &mm->arg_end, &end))
		return;
	if (end <= start || start >= w->kr.kernel_start) {
		t->cmdline_state = VH_CMDLINE_NONE;
		return;
	}
	len = end - start;
	if (len > VH_CMDLINE_MAX) {
		len = VH_CMDLINE_MAX;
		t->cmdline_truncated = true;
	}
	t->cmdline = malloc(len + 1);
	if (!t->cmdline) {
		w->nomem = 1;
		return;
	}
	/* one read per process: a translation cache would cost more than it saves */
	if (vh_vread_once(w->d, &w->km->mmu, root, start, t->cmdline, len)) {
		free(t->cmdline);
		t->cmdline = NULL;
		return;
	}
	t->cmdline[len] = '\0';
	t->cmdline_len = len;
	t->cmdline_state = VH_CMDLINE_OK;
}

/* Threads share their leader's mm: read each mm's command line once. */
static void read_cmdlines(struct walker *w)
{
	struct vh_task_list *tl = w->tl;
	const struct vh_task *src = NULL;

	for (size_t i = 0; i < tl->ntasks && !w->nomem; i++) {
		struct vh_task *t = &tl->tasks[i];

		if (src && src->mm == t->mm && src->tgid == t->tgid &&
		    src->cmdline_state != VH_CMDLINE_NOT_READ) {
			t->cmdline_state = src->cmdline_state;
			t->cmdline_truncated = src->cmdline_truncated;
			if (src->cmdline) {
				t->cmdline = malloc(src->cmdline_len + 1);
				if (!t->cmdline) {
					w->nomem = 1;
					return;
				}
				memcpy(t->cmdline, src->cmdline, src->cmdline_len + 1);
				t->cmdline_len = src->cmdline_len;
			}
			continue;
		}
		read_cmdline(w, t);
		src = t;
	}
}

/* --- the whole walk ---------------------------------------------------- */

static int cmp_task(const void *a, const void *b)
{
	const struct vh_task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->leader != y->leader)
		return x->leader ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void count_groups(struct vh_task_list *tl)
{
	size_t lead = SIZE_MAX;

	tl->ngroups = 0;
	for (size_t i = 0; i < tl->ntasks; i++) {
		struct vh_task *t = &tl->tasks[i];

		if (t->leader) {
			tl->ngroups++;
			lead = i;
			t->nr_threads = 1;
		} else if (lead != SIZE_MAX && tl->tasks[lead].tgid == t->tgid) {
			tl->tasks[lead].nr_threads++;
		}
	}
}

static int check_profile(const struct vh_profile *p)
{
	const struct vh_prof_task_struct *ts = &p->task_struct;

	if (!vh_present(&p->sym.init_task))
		return vh_set_error(VH_ERR_INVAL, "the kernel profile has no init_task symbol");
	if (!vh_present(&ts->tasks) || !vh_present(&ts->pid) || !vh_present(&ts->tgid) ||
	    !vh_present(&ts->comm) || !vh_present(&p->list_head.next) ||
	    !vh_present(&p->list_head.prev))
		return vh_set_error(
		    VH_ERR_INVAL,
		    "the kernel profile lacks task_struct's layout (tasks, pid, tgid, "
		    "comm): a vmlinux with DWARF is needed");
	return VH_OK;
}

/* Whether @tl holds pid 1, the init process every running kernel has. */
static bool has_init(const struct vh_task_list *tl)
{
	for (size_t i = 0; i < tl->ntasks; i++)
		if (tl->tasks[i].pid == 1 && tl->tasks[i].tgid == 1)
			return true;
	return false;
}

/* The task list from init_task; then threads, then the children lists. */
static int walk_all(struct walker *w, uint64_t init_task, unsigned flags)
{
	const struct vh_profile *p = w->p;
	struct list_walk lw = {
	    .what = "the task list",
	    .head = init_task + p->task_struct.tasks.offset,
	    .node_off = p->task_struct.tasks.offset,
	    .via = VH_VIA_TASKS,
	    .stop_at_known = true,
	    .warn_at_known = true,
	    .want_tgid = -1,
	};
	bool complete;
	int err = add_task(w, init_task, VH_VIA_TASKS);
	/* init_task's pid or tgid damaged: its list may still lead to every task */
	bool bad_init = err == VH_ERR_CORRUPT;

	if (err && !bad_init)
		return vh_set_error(err, "cannot read init_task at 0x%" PRIx64 ": %s", init_task,
				    vh_strerror(err));
	complete = walk_both(w, &lw);
	/* children lists: every leader's, including those the children walks add */
	for (size_t i = 0; i < w->tl->ntasks && !w->nomem; i++) {
		size_t before = w->tl->ntasks;

		if (!w->tl->tasks[i].leader)
			continue;
		walk_children(w, i);
		for (size_t j = before; complete && j < w->tl->ntasks; j++)
			warn(w,
			     "task 0x%" PRIx64 " (pid %" PRId32 ") is on its parent's "
			     "children list but not on the task list",
			     w->tl->tasks[j].addr, w->tl->tasks[j].pid);
	}
	for (size_t i = 0, n = w->tl->ntasks; i < n && !w->nomem; i++) {
		if (w->tl->tasks[i].leader)
			walk_threads(w, i);
	}
	w->tl->task_list_complete = complete;
	if (!w->nomem)
		walk_pid_table(w);
	if (w->nomem)
		return vh_set_error(VH_ERR_NOMEM, "out of memory walking the task list");
	if (bad_init && !has_init(w->tl))
		/* nothing like a kernel's tasks either: most likely another kernel's layout */
		return vh_set_error(VH_ERR_CORRUPT,
				    "init_task at 0x%" PRIx64 " does not look like a task: "
				    "is the vmlinux the dump's kernel?",
				    init_task);
	if (bad_init)
		warn(w,
		     "init_task at 0x%" PRIx64 " has no valid pid or tgid (damaged): not listed; "
		     "the tasks were walked from its list",
		     init_task);
	if (w->signal_unreadable)
		warn(w,
		     "%zu thread groups have their signal_struct (the thread list's head) outside "
		     "the dump: their threads were walked from the group leader",
		     w->signal_unreadable);
	if (w->out_of_steps)
		warn(w, "the walks stopped after %llu list steps",
		     (unsigned long long)MAX_TOTAL_STEPS);
	qsort(w->tl->tasks, w->tl->ntasks, sizeof(*w->tl->tasks), cmp_task);
	count_groups(w->tl);
	if (flags & VH_TASKS_CMDLINE)
		read_cmdlines(w);
	if (w->dropped_warnings)
		warn(w, "%zu more warnings not kept", w->dropped_warnings);
	if (w->nomem)
		return vh_set_error(VH_ERR_NOMEM, "out of memory walking the task list");
	return VH_OK;
}

int vh_tasks_read(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		  unsigned flags, struct vh_task_list **out)
{
	struct walker *w;
	int err;

	*out = NULL;
	if (!d || !km || !p)
		return vh_set_error(VH_ERR_INVAL, "vh_tasks_read: NULL argument");
	err = check_profile(p);
	if (err)
		return err;
	w = calloc(1, sizeof(*w));
	if (!w)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	w->tl = calloc(1, sizeof(*w->tl));
	if (!w->tl) {
		free(w);
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	}
	w->d = d;
	w->km = km;
	vh_vread_kernel(&w->kr, d, km);
	w->p = p;
	err = walk_all(w, p->sym.init_task.addr + km->kaslr_offset, flags);
	if (err)
		vh_task_list_free(w->tl);
	else
		*out = w->tl;
	free(w->seen.keys);
	free(w->bad.keys);
	free(w);
	return err;
}

void vh_task_list_free(struct vh_task_list *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->ntasks; i++)
		free(tl->tasks[i].cmdline);
	vh_warnings_free(tl->warnings, tl->nwarnings);
	free(tl->tasks);
	free(tl);
}
