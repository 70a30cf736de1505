/* SPDX-License-Identifier: MIT */
/* A detector run over a session, and its results kept by the library. */
#include "session/session_internal.h"

#include "util/error.h"
#include "util/warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A finding kept until the end of the run (the results are sorted). */
struct kept {
	struct vh_finding f; /* f.comm, f.path, f.reason and f.notes point at the copies below */
	char *comm;
	char *path;
	char *reason;
	struct vh_finding_note *notes;
	int proc_sev; /* the highest severity of its process (the grouping key) */
};

struct vh_results {
	struct kept *found;
	size_t nfound, cap;
	char **warnings;
	size_t nwarnings;
	bool user_pages;
	bool nomem; /* a warning could not be kept */
};

static void free_kept(struct kept *k)
{
	for (size_t i = 0; k->notes && i < k->f.nnotes; i++) {
		free((char *)k->notes[i].key);
		free((char *)k->notes[i].value);
	}
	free(k->notes);
	free(k->comm);
	free(k->path);
	free(k->reason);
}

/* Copies of @f's notes into @k (a finding's notes live only as long as its emit). */
static int copy_notes(struct kept *k, const struct vh_finding *f)
{
	if (!f->nnotes)
		return VH_OK;
	k->notes = calloc(f->nnotes, sizeof(*k->notes));
	if (!k->notes)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < f->nnotes; i++, k->f.nnotes++) {
		k->notes[i].key = strdup(f->notes[i].key);
		k->notes[i].value = strdup(f->notes[i].value);
		if (!k->notes[i].key || !k->notes[i].value) {
			k->f.nnotes++; /* free_kept() frees this pair too */
			return VH_ERR_NOMEM;
		}
	}
	return VH_OK;
}

static int keep(const struct vh_finding *f, void *arg)
{
	struct vh_results *r = arg;
	struct kept *k;

	if (r->nfound == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct kept *n = realloc(r->found, cap * sizeof(*n));

		if (!n)
			return VH_ERR_NOMEM;
		r->found = n;
		r->cap = cap;
	}
	k = &r->found[r->nfound];
	k->f = *f;
	k->notes = NULL;
	k->f.nnotes = 0; /* counts the notes copied so far */
	k->comm = strdup(f->comm ? f->comm : "");
	k->path = strdup(f->path ? f->path : "");
	k->reason = strdup(f->reason ? f->reason : "");
	if (!k->comm || !k->path || !k->reason || copy_notes(k, f)) {
		free_kept(k);
		return VH_ERR_NOMEM;
	}
	k->f.comm = k->comm;
	k->f.path = k->path;
	k->f.reason = k->reason;
	k->f.notes = k->notes;
	r->nfound++;
	return VH_OK;
}

static void add_warning(struct vh_results *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_warning(struct vh_results *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vh_warnings_vadd(&r->warnings, &r->nwarnings, fmt, ap))
		r->nomem = true;
	va_end(ap);
}

static void scan_warning(const char *msg, void *arg)
{
	add_warning(arg, "%s", msg);
}

static int cmp_kept(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->proc_sev != y->proc_sev)
		return y->proc_sev - x->proc_sev;
	if (x->f.pid != y->f.pid)
		return x->f.pid < y->f.pid ? -1 : 1;
	if (x->f.severity != y->f.severity)
		return (int)y->f.severity - (int)x->f.severity;
	return x->f.start < y->f.start ? -1 : x->f.start > y->f.start;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	return x->f.pid < y->f.pid ? -1 : x->f.pid > y->f.pid;
}

/* Processes with the most severe findings first, then by pid, severity, address. */
static void sort_findings(struct vh_results *r)
{
	size_t i = 0;

	if (!r->nfound)
		return; /* qsort() must not get the NULL array */
	qsort(r->found, r->nfound, sizeof(*r->found), cmp_pid);
	while (i < r->nfound) {
		size_t e = i;
		int max = 0;

		for (; e < r->nfound && r->found[e].f.pid == r->found[i].f.pid; e++)
			if ((int)r->found[e].f.severity > max)
				max = (int)r->found[e].f.severity;
		for (; i < e; i++)
			r->found[i].proc_sev = max;
	}
	qsort(r->found, r->nfound, sizeof(*r->found), cmp_kept);
}

/* Whether a detector is skipped by the run (@core: a process core's run). */
static bool skipped_content(const struct vh_detector *d, bool core)
{
	return (d->needs & VH_DETECT_CONTENT) && !(core && !(d->needs & VH_DETECT_PROCESS));
}

/* One warning naming the detectors @pick selects, after @what; none when no detector is. */
static void warn_list(struct vh_results *r, const struct vh_scan *s, const char *what,
		      bool (*pick)(const struct vh_detector *, bool), bool core)
{
	char msg[512];
	size_t n = 0;

	snprintf(msg, sizeof(msg), "%s", what);
	for (size_t i = 0; i < s->ndets; i++) {
		if (!pick(s->dets[i], core))
			continue;
		strncat(msg, n++ ? ", " : " ", sizeof(msg) - strlen(msg) - 1);
		strncat(msg, s->dets[i]->id, sizeof(msg) - strlen(msg) - 1);
	}
	if (n)
		add_warning(r, "%s", msg);
}

static bool needs_kernel(const struct vh_detector *d, bool core)
{
	(void)core;
	return !(d->needs & VH_DETECT_PROCESS);
}

/* A process core's memory is read through its segments. */
static int core_read(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	return vh_dump_read_phys(arg, uaddr, buf, len);
}

/* A process core: one process, its map rebuilt from the core, its segments for memory. */
static int run_core(struct vh_session *ses, struct vh_scan *s, struct vh_results *r)
{
	const struct vh_core_info *c = vh_core_info(ses->d);
	bool user_pages = false;

	for (size_t i = 0; i < c->nloads; i++)
		user_pages |= c->loads[i].filesz > 0;
	warn_list(r, s, "process core: detectors that need a kernel skipped:", needs_kernel, true);
	return vh_scan_run_process(s, ses->d, &ses->tl->tasks[0], ses->core_vmas, user_pages,
				   core_read, ses->d);
}

/* --pid N: the process of task N (a thread id names its process, as /proc/N does). */
static int select_process(const struct vh_session *ses, int32_t pid, struct vh_scan *s)
{
	const struct vh_task *t = vh_session_find_task(ses, pid);

	if (!t)
		return vh_set_error(VH_ERR_INVAL, "no process %d in the dump", (int)pid);
	s->tgid = t->tgid;
	return VH_OK;
}

static int run(struct vh_session *ses, const struct vh_scan_options *o, struct vh_results *r)
{
	const struct vh_detector *dets[VH_SCAN_MAX_DETECTORS];
	struct vh_scan s = {.dets = dets, .sink = keep, .sink_arg = r, .warn = scan_warning};
	const struct vh_detector *const *all = o->detectors;
	size_t n = o->ndetectors;
	int err;

	if (!all)
		all = vh_detectors(&n);
	for (size_t i = 0; i < n && s.ndets < VH_SCAN_MAX_DETECTORS; i++)
		dets[s.ndets++] = all[i];
	if (o->by_pid && (err = select_process(ses, o->pid, &s)))
		return err;
	err = ses->core ? run_core(ses, &s, r)
			: vh_scan_run(&s, ses->d, &ses->km, ses->prof, ses->maps, ses->tl);
	if (err)
		return err;
	r->user_pages = s.user_pages;
	if (!s.user_pages)
		warn_list(r, &s,
			  "the dump holds no user-process pages (makedumpfile -d 31?): "
			  "content detectors skipped:",
			  skipped_content, ses->core);
	sort_findings(r);
	return r->nomem ? vh_set_error(VH_ERR_NOMEM, "out of memory") : VH_OK;
}

int vh_session_scan(struct vh_session *ses, const struct vh_scan_options *opts,
		    struct vh_results **out)
{
	static const struct vh_scan_options every;
	struct vh_results *r;
	int err;

	*out = NULL;
	if (!(ses->loaded & VH_LOAD_VMAS))
		return vh_set_error(VH_ERR_INVAL, "%s: the session was not loaded with its VMAs",
				    vh_dump_path(ses->d));
	r = calloc(1, sizeof(*r));
	if (!r)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	err = run(ses, opts ? opts : &every, r);
	if (err) {
		vh_results_free(r);
		return err;
	}
	*out = r;
	return VH_OK;
}

size_t vh_results_nfindings(const struct vh_results *r)
{
	return r->nfound;
}

const struct vh_finding *vh_results_finding(const struct vh_results *r, size_t i)
{
	return i < r->nfound ? &r->found[i].f : NULL;
}

size_t vh_results_nwarnings(const struct vh_results *r)
{
	return r->nwarnings;
}

const char *vh_results_warning(const struct vh_results *r, size_t i)
{
	return i < r->nwarnings ? r->warnings[i] : NULL;
}

bool vh_results_user_pages(const struct vh_results *r)
{
	return r->user_pages;
}

bool vh_results_at_least(const struct vh_results *r, enum vh_severity sev)
{
	for (size_t i = 0; i < r->nfound; i++)
		if (r->found[i].f.severity >= sev)
			return true;
	return false;
}

void vh_results_free(struct vh_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfound; i++)
		free_kept(&r->found[i]);
	vh_warnings_free(r->warnings, r->nwarnings);
	free(r->found);
	free(r);
}
