/* SPDX-License-Identifier: MIT */
/*
 * The pid table: init_pid_ns's IDR (an xarray since 4.20, a radix tree with
 * the same encoding since 4.15), its struct pids and the task attached to
 * each as PIDTYPE_PID (pid->tasks[PIDTYPE_PID], an hlist through
 * task_struct.pid_links[PIDTYPE_PID], or .pids[PIDTYPE_PID].node before 4.19).
 * This is what /proc lists, so a task the task list lacks is still here.
 */
#include "kernel/kmem.h"
#include "kernel/xarray.h"
#include "util/error.h"
#include "util/warnings.h"

#include <vmahunt/kernel.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 100
/* Tasks on one pid's PIDTYPE_PID hlist: one normally, two in de_thread(). */
#define MAX_TASKS_PER_PID 16

struct ptwalk {
	struct vh_vread kr;
	const struct vh_profile *p;
	struct vh_pid_table *pt;
	size_t cap;
	size_t dropped;
	uint32_t idr_base;
	uint32_t head_off; /* offset of tasks[PIDTYPE_PID] in struct pid */
	uint32_t link_off; /* offset of pid_links[PIDTYPE_PID] in task_struct */
	bool nomem;
};

static void warn(struct ptwalk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Damage: the table is partial. Past MAX_WARNINGS messages are only counted. */
static void warn(struct ptwalk *w, const char *fmt, ...)
{
	va_list ap;

	w->pt->complete = false;
	if (w->pt->nwarnings >= MAX_WARNINGS) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	if (vh_warnings_vadd(&w->pt->warnings, &w->pt->nwarnings, fmt, ap))
		w->nomem = true;
	va_end(ap);
}

static void count_dropped(struct ptwalk *w, ...)
{
	va_list ap;

	va_start(ap, w);
	if (vh_warnings_vadd(&w->pt->warnings, &w->pt->nwarnings,
			     "pid table: %zu more warnings not kept", ap))
		w->nomem = true;
	va_end(ap);
}

static bool kptr_ok(const struct ptwalk *w, uint64_t v)
{
	return vh_kptr_ok(&w->kr, v);
}

/* A pointer at @addr: the pid's task hlist head, an entry of an array of them. */
static int read_u64(struct ptwalk *w, uint64_t addr, uint64_t *out)
{
	return vh_vread(&w->kr, addr, out, sizeof(*out));
}

static int push(struct ptwalk *w, int32_t nr, uint64_t pid, uint64_t task)
{
	struct vh_pid_table *pt = w->pt;

	if (pt->nentries >= VH_PID_TABLE_MAX)
		return 1;
	if (pt->nentries == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		struct vh_pid_entry *g = realloc(pt->entries, cap * sizeof(*g));

		if (!g) {
			w->nomem = true;
			return 1;
		}
		pt->entries = g;
		w->cap = cap;
	}
	pt->entries[pt->nentries++] = (struct vh_pid_entry){nr, pid, task};
	return 0;
}

/* The number the struct pid itself gives at level 0 (pid->numbers[0].nr). */
static void check_number(struct ptwalk *w, uint64_t pid, int32_t nr)
{
	const struct vh_profile *p = w->p;
	uint64_t v;
	int32_t own;

	if (!vh_present(&p->pid.numbers) || !vh_present(&p->upid.nr))
		return;
	if (vh_member_read(&w->kr, pid + p->pid.numbers.offset, &p->upid.nr, &v))
		return;
	own = (int32_t)v;
	if (own != nr)
		warn(w,
		     "pid table: struct pid %#" PRIx64 " at index %" PRId32
		     " says it is pid %" PRId32,
		     pid, nr, own);
}

/* The tasks on one struct pid's PIDTYPE_PID hlist, each link checked back. */
static int on_pid(void *arg, uint64_t index, uint64_t pid)
{
	struct ptwalk *w = arg;
	uint64_t head = pid + w->head_off, node = 0, where = head;
	const struct vh_prof_hlist_node *hn = &w->p->hlist_node;
	int32_t nr = (int32_t)(index + w->idr_base);
	size_t n = 0;

	if (!kptr_ok(w, pid)) {
		warn(w, "pid table: entry %" PRId32 " is %#" PRIx64 ": not a struct pid", nr, pid);
		return 0;
	}
	w->pt->npids++;
	check_number(w, pid, nr);
	if (read_u64(w, head, &node)) {
		warn(w, "pid table: struct pid %#" PRIx64 " (pid %" PRId32 ") cannot be read", pid,
		     nr);
		return 0;
	}
	if (!node)
		return push(w, nr, pid, 0); /* a pid kept by a group or a pidfd: no task */
	while (node) {
		uint64_t pprev = 0, next = 0;

		if (n++ == MAX_TASKS_PER_PID) {
			warn(w, "pid table: pid %" PRId32 " has more than %d tasks attached", nr,
			     MAX_TASKS_PER_PID);
			break;
		}
		if (!kptr_ok(w, node) || vh_member_read(&w->kr, node, &hn->pprev, &pprev) ||
		    vh_member_read(&w->kr, node, &hn->next, &next)) {
			warn(w,
			     "pid table: pid %" PRId32 ": task link %#" PRIx64 " (after %#" PRIx64
			     ") cannot be read",
			     nr, node, where);
			break;
		}
		if (pprev != where) {
			warn(w,
			     "pid table: pid %" PRId32 ": task link %#" PRIx64
			     " does not link back "
			     "(pprev %#" PRIx64 ", expected %#" PRIx64 ")",
			     nr, node, pprev, where);
			break;
		}
		if (push(w, nr, pid, node - w->link_off))
			return w->nomem ? VH_ERR_NOMEM : 1;
		where = node + hn->next.offset;
		node = next;
	}
	return 0;
}

static void on_xa_warn(void *arg, const char *msg)
{
	warn(arg, "pid table: %s", msg);
}

static int xa_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct ptwalk *w = arg;

	if (addr < w->kr.kernel_start)
		return VH_ERR_NOT_MAPPED;
	return vh_vread(&w->kr, addr, buf, len);
}

/* Where the task hlist and its links are; false when the profile lacks them. */
static bool layout(struct ptwalk *w)
{
	const struct vh_profile *p = w->p;
	const struct vh_member *links = &p->task_struct.pid_links;
	uint32_t type =
	    vh_present(&p->enums.PIDTYPE_PID) ? (uint32_t)p->enums.PIDTYPE_PID.value : 0;
	uint32_t hsize = p->pid.tasks.nelem ? p->pid.tasks.size / p->pid.tasks.nelem : 8;

	if (!vh_present(&p->pid.tasks) || !vh_present(&p->hlist_node.next) ||
	    !vh_present(&p->hlist_node.pprev) || type > 8)
		return false;
	w->head_off = p->pid.tasks.offset + type * hsize;
	if (!vh_present(links))
		links = &p->task_struct.pids; /* before 4.19: struct pid_link { node; pid; } */
	if (!vh_present(links))
		return false;
	w->link_off =
	    links->offset + type * (links->nelem
					? links->size / links->nelem
					: (p->hlist_node.type.size ? p->hlist_node.type.size : 16));
	return true;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct vh_pid_entry *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->task < y->task ? -1 : x->task > y->task;
}

static int walk_table(struct ptwalk *w, uint64_t ns)
{
	const struct vh_profile *p = w->p;
	uint64_t idr = ns + p->pid_namespace.idr.offset;
	uint64_t head = 0, base;
	struct vh_xa_layout xl;
	struct vh_xa_ops ops = {.read = xa_read, .entry = on_pid, .warn = on_xa_warn, .arg = w};
	struct vh_xa_stats st;
	int err;

	if (vh_xa_layout_from_profile(p, &xl))
		return vh_set_error(VH_ERR_NOT_PRESENT, "the profile lacks the xarray node layout");
	err = vh_member_read(&w->kr, idr + p->idr.idr_rt.offset, &p->xarray.xa_head, &head);
	if (err)
		return vh_set_error(err, "init_pid_ns at %#" PRIx64 " cannot be read: %s", ns,
				    vh_strerror(err));
	if (!vh_member_read(&w->kr, idr, &p->idr.idr_base, &base))
		w->idr_base = (uint32_t)base;
	err = vh_xa_walk(&xl, head, &ops, &st);
	if (err == VH_ERR_NOMEM || w->nomem)
		return vh_set_error(VH_ERR_NOMEM, "out of memory reading the pid table");
	if (err)
		warn(w, "pid table: more than %u entries: the rest are not listed",
		     VH_PID_TABLE_MAX);
	return VH_OK;
}

int vh_pid_table_read(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		      struct vh_pid_table **out)
{
	struct ptwalk w = {.p = p};
	int err;

	*out = NULL;
	if (!vh_present(&p->sym.init_pid_ns) || !vh_present(&p->pid_namespace.idr) ||
	    !vh_present(&p->idr.idr_rt) || !vh_present(&p->xarray.xa_head))
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "the profile lacks init_pid_ns's IDR (the pid hash of "
				    "kernels before 4.15 is not supported)");
	if (!layout(&w))
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "the profile lacks pid.tasks or task_struct.pid_links");
	w.pt = calloc(1, sizeof(*w.pt));
	if (!w.pt)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	w.pt->complete = true;
	vh_vread_kernel(&w.kr, d, km);
	err = walk_table(&w, p->sym.init_pid_ns.addr + km->kaslr_offset);
	if (!err && w.dropped)
		count_dropped(&w, w.dropped);
	if (!err && w.nomem)
		err = vh_set_error(VH_ERR_NOMEM, "out of memory reading the pid table");
	if (err) {
		vh_pid_table_free(w.pt);
		return err;
	}
	if (w.pt->nentries)
		qsort(w.pt->entries, w.pt->nentries, sizeof(*w.pt->entries), cmp_entry);
	*out = w.pt;
	return VH_OK;
}

void vh_pid_table_free(struct vh_pid_table *pt)
{
	if (!pt)
		return;
	vh_warnings_free(pt->warnings, pt->nwarnings);
	free(pt->entries);
	free(pt);
}
