/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's process tree: each leader under its parent (ppid), kernel
 * threads folded, roots where the parent is missing, a ppid cycle broken at
 * its lowest pid, nesting bounded (a deep chain is listed flat).
 */
#include "report/html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The process tree nests this deep; below, descendants are listed flat. */
#define MAX_DEPTH 48

struct tree {
	const struct html_state *st;
	FILE *o;
	long *kids;  /* indices of leaders into st->tasks, sorted by (ppid, pid) */
	long *bypid; /* the same leaders sorted by pid */
	size_t nkids;
	bool *seen; /* per task: already drawn (a ppid cycle must not loop) */
};

static int cmp_kid(const void *a, const void *b, void *arg)
{
	const struct vh_task *const *t = arg;
	const struct vh_task *x = t[*(const long *)a], *y = t[*(const long *)b];

	if (x->ppid != y->ppid)
		return (x->ppid > y->ppid) - (x->ppid < y->ppid);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The first of @ppid's children in tr->kids (tr->nkids when none). */
static size_t first_kid(const struct tree *tr, int32_t ppid)
{
	size_t lo = 0, hi = tr->nkids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tr->st->tasks[tr->kids[mid]]->ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void tree_node(struct tree *tr, long ti, int depth);

/* @ppid's children of one sort (kernel threads or not), not drawn yet. */
static size_t kids_of(struct tree *tr, const struct vh_task *parent, bool kthreads, bool draw,
		      int depth)
{
	size_t n = 0;

	for (size_t k = first_kid(tr, parent->pid); k < tr->nkids; k++) {
		long ti = tr->kids[k];
		const struct vh_task *t = tr->st->tasks[ti];

		if (t->ppid != parent->pid)
			break;
		if (t == parent || tr->seen[ti] || t->kthread != kthreads)
			continue;
		n++;
		if (draw)
			tree_node(tr, ti, depth);
	}
	return n;
}

static void node_head(struct tree *tr, long ti);

/*
 * Past MAX_DEPTH the descendants of @ti are drawn flat, one level, with an
 * explicit stack: a dump can chain thousands of tasks by ppid, and neither
 * the browser's nesting nor this recursion should follow it.
 */
static void tree_flat(struct tree *tr, long ti)
{
	long *stack = malloc((tr->nkids + 1) * sizeof(long));
	size_t n = 0;

	if (!stack)
		return;
	stack[n++] = ti;
	while (n) {
		const struct vh_task *t = tr->st->tasks[stack[--n]];

		for (size_t k = first_kid(tr, t->pid); k < tr->nkids && n < tr->nkids; k++) {
			long c = tr->kids[k];

			if (tr->st->tasks[c]->ppid != t->pid)
				break;
			if (tr->seen[c])
				continue;
			node_head(tr, c);
			fputs("</li>\n", tr->o);
			stack[n++] = c;
		}
	}
	free(stack);
}

static void tree_children(struct tree *tr, long ti, int depth)
{
	const struct vh_task *t = tr->st->tasks[ti];
	size_t nu = kids_of(tr, t, false, false, 0), nk = kids_of(tr, t, true, false, 0);

	if (depth >= MAX_DEPTH) {
		fputs("</li>\n", tr->o);
		tree_flat(tr, ti);
		return;
	}
	if (nu) {
		fputs("<ul>\n", tr->o);
		kids_of(tr, t, false, true, depth + 1);
		fputs("</ul>", tr->o);
	}
	if (nk) {
		fprintf(tr->o, "<details class=\"kt\"><summary>%zu kernel threads</summary><ul>\n",
			nk);
		kids_of(tr, t, true, true, depth + 1);
		fputs("</ul></details>", tr->o);
	}
	fputs("</li>\n", tr->o);
}

/* One task's line, its <li> left open for its children. */
static void node_head(struct tree *tr, long ti)
{
	const struct vh_task *t = tr->st->tasks[ti];
	long pi = vh_html_find_proc(tr->st, t->pid);
	FILE *o = tr->o;

	tr->seen[ti] = true;
	fprintf(o, "<li id=\"t-%" PRId32 "\"%s>", t->pid, t->kthread ? " class=\"k\"" : "");
	if (pi >= 0)
		fprintf(o, "<a href=\"#p-%" PRId32 "\">", t->pid);
	fprintf(o, "<b>%" PRId32 "</b> ", t->pid);
	vh_html_text(o, t->comm, false);
	fputs(pi >= 0 ? "</a>" : "", o);
	if (t->via != VH_VIA_TASKS)
		fprintf(o, " <span class=\"sev s2\">via %s</span>", vh_task_via_name(t->via));
	if (pi >= 0 && tr->st->p[pi].first >= 0) {
		const struct html_finding *f = &tr->st->f[tr->st->p[pi].first];

		fprintf(o, " <a class=\"sev s%d\" href=\"#f-%ld\">%s</a>", f->sev,
			tr->st->p[pi].first, vh_severity_name((enum vh_severity)f->sev));
	}
	vh_html_cmdline(o, t);
}

static void tree_node(struct tree *tr, long ti, int depth)
{
	node_head(tr, ti);
	tree_children(tr, ti, depth);
}

/* Whether a leader with pid @pid exists (tr->bypid: leaders sorted by pid). */
static bool leader_exists(const struct tree *tr, int32_t pid)
{
	size_t lo = 0, hi = tr->nkids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int32_t m = tr->st->tasks[tr->bypid[mid]]->pid;

		if (m == pid)
			return true;
		if (m < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_pid(const void *a, const void *b, void *arg)
{
	const struct vh_task *const *t = arg;
	int32_t x = t[*(const long *)a]->pid, y = t[*(const long *)b]->pid;

	return (x > y) - (x < y);
}

static bool tree_init(struct tree *tr, const struct html_state *st, FILE *o)
{
	*tr = (struct tree){.st = st, .o = o};
	tr->kids = malloc((st->ntasks + 1) * sizeof(long));
	tr->bypid = malloc((st->ntasks + 1) * sizeof(long));
	tr->seen = calloc(st->ntasks + 1, sizeof(bool));
	if (!tr->kids || !tr->bypid || !tr->seen)
		return false;
	/* threads are not drawn: a process is its leader (a core's one task is one) */
	for (size_t i = 0; i < st->ntasks; i++)
		if (st->tasks[i]->leader || st->ntasks == 1)
			tr->kids[tr->nkids++] = (long)i;
	memcpy(tr->bypid, tr->kids, tr->nkids * sizeof(long));
	qsort_r(tr->kids, tr->nkids, sizeof(long), cmp_kid, st->tasks);
	qsort_r(tr->bypid, tr->nkids, sizeof(long), cmp_pid, st->tasks);
	return true;
}

void vh_html_tree(FILE *o, const struct html_state *st)
{
	struct tree tr;

	fprintf(o, "<section id=\"tree\"><h2>Process tree (%zu tasks)</h2>\n<ul class=\"tree\">\n",
		st->ntasks);
	if (tree_init(&tr, st, o)) {
		/* roots: pid 0, a task its own parent, a parent the dump lacks */
		for (size_t k = 0; k < tr.nkids; k++) {
			const struct vh_task *t = st->tasks[tr.bypid[k]];

			if (!tr.seen[tr.bypid[k]] &&
			    (t->pid == 0 || t->ppid == t->pid || !leader_exists(&tr, t->ppid)))
				tree_node(&tr, tr.bypid[k], 0);
		}
		/* what is left hangs in a ppid cycle: drawn from its lowest pid */
		for (size_t k = 0; k < tr.nkids; k++)
			if (!tr.seen[tr.bypid[k]])
				tree_node(&tr, tr.bypid[k], 0);
	}
	fputs("</ul></section>\n", o);
	free(tr.kids);
	free(tr.bypid);
	free(tr.seen);
}
