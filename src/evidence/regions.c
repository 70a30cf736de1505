/* SPDX-License-Identifier: MIT */
/*
 * vmahunt dump: processes' memory written out, one file per VMA, plus the
 * pages the page tables map outside every VMA (hidden pages) as regions of
 * their own. Every page of a region is accounted for: written from the dump,
 * or written as zeros and listed as absent with the reason.
 */
#include "evidence/evidence_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

/* Totals for the manifest's summary. */
struct totals {
	uint64_t processes, skipped, regions, hidden, bytes, pages, absent_pages;
};

struct regions {
	struct vh_session *s;
	const struct vh_region_request *req;
	struct vh_evidence_dir *d;
	struct totals tot;
	time_t last_progress;
	unsigned char page[VH_EV_PAGE];
};

/* One region to write: a VMA, a part of one (--range), or hidden pages. */
struct region {
	const struct vh_task *t;
	uint64_t start, end;
	const struct vh_vma *vma; /* NULL: hidden pages */
};

static void region_name(const struct region *r, char *buf, size_t len)
{
	char comm[64], tail[80] = "";
	const char *path = r->vma && r->vma->path[0] ? r->vma->path : NULL;

	vh_evidence_safe_name(r->t->comm, comm, sizeof(comm));
	if (path) {
		const char *base = strrchr(path, '/');
		char safe[64];

		/* "[heap]", "/usr/lib/libc.so.6", "/memfd:x (deleted)": the last component */
		vh_evidence_safe_name(base && base[1] ? base + 1 : path, safe, sizeof(safe));
		snprintf(tail, sizeof(tail), "-%s", safe);
	}
	snprintf(buf, len, "%" PRId32 "-%s/%" PRIx64 "-%" PRIx64 "-%s%s.bin", r->t->tgid, comm,
		 r->start, r->end, r->vma ? r->vma->perms : "hidden", tail);
}

static void record_region(struct vh_json *j, const struct region *r, const char *file,
			  uint64_t size, const char *sha, const struct vh_ev_absent *a)
{
	const struct vh_vma *v = r->vma;

	vh_json_str(j, "kind", v ? "vma" : "hidden");
	vh_json_str(j, "file", file);
	vh_json_u64(j, "pid", (uint64_t)r->t->tgid);
	vh_json_str(j, "comm", r->t->comm);
	vh_json_hex(j, "start", r->start);
	vh_json_hex(j, "end", r->end);
	if (v) {
		vh_json_hex(j, "vma_start", v->start);
		vh_json_hex(j, "vma_end", v->end);
		vh_json_str(j, "perms", v->perms);
		vh_json_str(j, "path", v->path);
		/* the file offset of this region's first byte, for file mappings */
		vh_json_hex(j, "file_offset", v->file ? v->offset + (r->start - v->start) : 0);
		vh_json_u64(j, "inode", v->inode);
	}
	vh_json_u64(j, "size", size);
	vh_json_str(j, "sha256", sha);
	vh_ev_absent_json(a, j);
}

static void progress(struct regions *g, const struct region *r)
{
	time_t now = time(NULL);

	if (now - g->last_progress < 2)
		return;
	g->last_progress = now;
	vh_ev_progress(g->d, "dump: pid %" PRId32 ": at 0x%" PRIx64 ", %" PRIu64 " regions written",
		       r->t->tgid, r->start, g->tot.regions);
}

/* Writes the pages of @r, page by page: what the dump lacks becomes zeros and is listed. */
static int write_pages(struct regions *g, const struct region *r, struct vh_ev_file *f,
		       struct vh_ev_absent *a)
{
	for (uint64_t va = r->start; va < r->end; va += VH_EV_PAGE) {
		int err = vh_session_read(g->s, VH_SPACE_USER, r->t, va, g->page, VH_EV_PAGE);

		if (err == VH_ERR_NOMEM)
			return err;
		if (err)
			err = vh_ev_absent_add(a, va, va + VH_EV_PAGE, err)
				  ? VH_ERR_NOMEM
				  : vh_ev_file_zeros(f, VH_EV_PAGE);
		else
			err = vh_ev_file_write(f, g->page, VH_EV_PAGE);
		if (err)
			return err;
		if (((va - r->start) & 0xffffff) == 0)
			progress(g, r);
	}
	return VH_OK;
}

static int write_region(struct regions *g, const struct region *r)
{
	struct vh_ev_absent a = {0};
	struct vh_ev_file *f;
	char name[256], sha[65];
	uint64_t size;
	struct vh_json *j;
	int err;

	region_name(r, name, sizeof(name));
	err = vh_ev_file_create(g->d, name, &f);
	if (err)
		return err;
	err = write_pages(g, r, f, &a);
	if (err) {
		vh_ev_file_discard(f);
		vh_ev_absent_free(&a);
		return err;
	}
	size = vh_ev_file_size(f);
	err = vh_ev_file_finish(f, sha);
	if (!err && !(j = vh_ev_record_begin(g->d)))
		err = VH_ERR_NOMEM;
	if (!err) {
		record_region(j, r, name, size, sha, &a);
		err = vh_ev_record_end(g->d);
	}
	g->tot.regions++;
	g->tot.hidden += r->vma == NULL;
	g->tot.bytes += size;
	g->tot.pages += size / VH_EV_PAGE;
	g->tot.absent_pages += a.pages;
	vh_ev_absent_free(&a);
	return err;
}

/* [start, end) clipped to what the request selects; false when nothing is left. */
static bool clip(const struct vh_region_request *q, uint64_t *start, uint64_t *end)
{
	if (q->select != VH_REGIONS_RANGE)
		return true;
	if (*start < q->start)
		*start = q->start & ~(uint64_t)(VH_EV_PAGE - 1);
	if (*end > q->end)
		*end = (q->end + VH_EV_PAGE - 1) & ~(uint64_t)(VH_EV_PAGE - 1);
	return *start < *end;
}

static bool vma_selected(const struct vh_region_request *q, const struct vh_vma *v)
{
	switch (q->select) {
	case VH_REGIONS_VMA:
		return q->start >= v->start && q->start < v->end;
	case VH_REGIONS_RANGE:
		return v->start < q->end && q->start < v->end;
	default:
		return true;
	}
}

/* Hidden pages: present runs outside every VMA, gathered by vh_session_pages(). */
struct hidden_walk {
	struct regions *g;
	const struct vh_task *t;
	const struct vh_vma_list *l;
	size_t next; /* first VMA that may end after the run */
	int err;
};

static int hidden_run(void *arg, uint64_t start, uint64_t len)
{
	struct hidden_walk *h = arg;
	uint64_t end = start + len;

	while (start < end) {
		const struct vh_vma *v;
		struct region r = {.t = h->t, .start = start, .end = end};

		while (h->next < h->l->nvmas && h->l->vmas[h->next].end <= start)
			h->next++;
		v = h->next < h->l->nvmas ? &h->l->vmas[h->next] : NULL;
		if (v && v->start <= start) { /* inside a VMA: skip to its end */
			start = v->end;
			continue;
		}
		if (v && v->start < end)
			r.end = v->start;
		if (clip(h->g->req, &r.start, &r.end) && (h->err = write_region(h->g, &r)))
			return 1;
		start = r.end > start ? r.end : end;
	}
	return 0;
}

static int write_hidden(struct regions *g, const struct vh_task *t, const struct vh_vma_list *l)
{
	struct hidden_walk h = {.g = g, .t = t, .l = l};
	uint64_t lo = 0, hi = 0;
	int err;

	if (g->req->select == VH_REGIONS_VMA)
		return VH_OK; /* one VMA asked for: hidden pages are in no VMA */
	if (g->req->select == VH_REGIONS_RANGE)
		lo = g->req->start, hi = g->req->end;
	err = vh_session_pages(g->s, t, lo, hi, hidden_run, &h);
	return h.err ? h.err : err;
}

/* A process whose map cannot be read: said in a record, and the others go on. */
static int record_skipped(struct regions *g, const struct vh_task *t, int err)
{
	struct vh_json *j = vh_ev_record_begin(g->d);

	if (!j)
		return VH_ERR_NOMEM;
	vh_json_str(j, "kind", "skipped");
	vh_json_u64(j, "pid", (uint64_t)t->tgid);
	vh_json_str(j, "comm", t->comm);
	vh_json_str(j, "reason", vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
	g->tot.skipped++;
	return vh_ev_record_end(g->d);
}

/* Errors of writing (the output), as opposed to reading one process's memory. */
static bool fatal(int err)
{
	return err == VH_ERR_NOMEM || err == VH_ERR_IO || err == VH_ERR_EXISTS;
}

static int write_process(struct regions *g, const struct vh_task *t, bool *matched)
{
	const struct vh_vma_list *l;
	int err = vh_session_vmas(g->s, t, &l);

	if (err)
		return fatal(err) ? err : record_skipped(g, t, err);
	g->tot.processes++;
	for (size_t i = 0; i < l->nvmas && !err; i++) {
		struct region r = {
		    .t = t, .start = l->vmas[i].start, .end = l->vmas[i].end, .vma = &l->vmas[i]};

		if (!vma_selected(g->req, r.vma) || !clip(g->req, &r.start, &r.end))
			continue;
		*matched = true;
		err = write_region(g, &r);
	}
	if (!err && !g->req->no_hidden && !vh_session_is_core(g->s)) {
		err = write_hidden(g, t, l);
		if (err && !fatal(err))
			err = record_skipped(g, t, err);
	}
	vh_session_vmas_put(g->s, l);
	return err;
}

static void summary(struct regions *g)
{
	struct vh_json *j = vh_ev_summary(g->d);

	vh_json_u64(j, "processes", g->tot.processes);
	vh_json_u64(j, "processes_skipped", g->tot.skipped);
	vh_json_u64(j, "regions", g->tot.regions);
	vh_json_u64(j, "hidden_regions", g->tot.hidden);
	vh_json_u64(j, "bytes", g->tot.bytes);
	vh_json_u64(j, "pages", g->tot.pages);
	vh_json_u64(j, "absent_pages", g->tot.absent_pages);
}

static int check_request(const struct vh_region_request *q)
{
	if (q->select != VH_REGIONS_ALL && q->select != VH_REGIONS_RANGE &&
	    q->select != VH_REGIONS_VMA)
		return vh_set_error(VH_ERR_INVAL, "unknown region selection %d", q->select);
	if (q->select != VH_REGIONS_ALL && !q->by_pid)
		return vh_set_error(VH_ERR_INVAL, "a range or a VMA needs a process (pid)");
	if (q->select == VH_REGIONS_RANGE && q->start >= q->end)
		return vh_set_error(VH_ERR_INVAL, "range 0x%" PRIx64 "-0x%" PRIx64 " is empty",
				    q->start, q->end);
	return VH_OK;
}

/* The processes asked for: every thread-group leader with memory, or pid's process. */
static bool wanted(const struct vh_session *s, const struct vh_region_request *q,
		   const struct vh_task *t, int32_t tgid)
{
	if (q->by_pid)
		return t->tgid == tgid && (t->leader || vh_session_is_core(s));
	return t->leader && (t->mm || vh_session_is_core(s));
}

int vh_evidence_regions(struct vh_session *s, const struct vh_region_request *req,
			struct vh_evidence_dir *d)
{
	struct regions *g;
	const struct vh_task_list *tl = vh_session_tasks(s);
	const struct vh_task *pt = NULL;
	bool matched = false;
	int err = check_request(req);

	if (err)
		return err;
	if (!tl)
		return vh_set_error(VH_ERR_INVAL, "the session's tasks are not loaded");
	if (req->by_pid && !(pt = vh_session_find_task(s, req->pid)))
		return vh_set_error(VH_ERR_INVAL, "no process %" PRId32 " in the dump", req->pid);
	if (pt && !pt->mm && !vh_session_is_core(s))
		return vh_set_error(VH_ERR_INVAL,
				    "pid %" PRId32 " has no user memory (a kernel "
				    "thread or a zombie)",
				    req->pid);
	g = calloc(1, sizeof(*g));
	if (!g)
		return VH_ERR_NOMEM;
	*g = (struct regions){.s = s, .req = req, .d = d, .last_progress = time(NULL)};
	for (size_t i = 0; i < tl->ntasks && !err; i++) {
		const struct vh_task *t = &tl->tasks[i];

		if (wanted(s, req, t, pt ? pt->tgid : 0))
			err = write_process(g, t, &matched);
	}
	if (!err && req->select != VH_REGIONS_ALL && !matched && !g->tot.regions)
		err = req->select == VH_REGIONS_VMA
			  ? vh_set_error(VH_ERR_INVAL, "pid %" PRId32 ": no VMA holds 0x%" PRIx64,
					 req->pid, req->start)
			  : vh_set_error(VH_ERR_INVAL,
					 "pid %" PRId32 ": no VMA and no mapped page in 0x%" PRIx64
					 "-0x%" PRIx64,
					 req->pid, req->start, req->end);
	summary(g);
	free(g);
	return err;
}
