/* SPDX-License-Identifier: MIT */
/*
 * vmahunt files: the files processes map or hold open, read back from their
 * inodes' page cache (deleted files and memfds included), ELF images found
 * in anonymous memory rebuilt as files, and, for a process core, the mapped
 * parts of the files its NT_FILE note names. See include/vmahunt/evidence.h.
 *
 * A kernel dump: every selected process's file VMAs (vm_file) and open files
 * (task->files->fdt->fd[]) lead to struct files, files to inodes; each
 * inode is written once (files/INODE-NAME), its record listing every holder.
 * The file's pages come from address_space.i_pages: the struct page of each
 * cached folio gives the page frame (through vmemmap), the frame's bytes come
 * from the dump. A page that is not cached, swapped out, or not in the dump
 * is a hole and an "absent" run of the record, with the reason.
 */
#include "evidence/elfimage.h"
#include "evidence/evidence_internal.h"
#include "evidence/files_internal.h"
#include "kernel/fdtable.h"
#include "kernel/kmem.h"
#include "kernel/maps_internal.h"
#include "kernel/pagecache.h"
#include "kernel/pages.h"
#include "session/session_internal.h"
#include "util/error.h"
#include "util/warnings.h"
#include "util/grow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A file larger than this is written up to its last cached page only. */
#define MAX_FILE_SIZE (1ull << 30)
/* No file is written longer than this (its holes are hashed: a hostile size costs time). */
#define MAX_WRITE (4ull << 30)
/* Indices of the page cache looked at, at most (4 PiB of file). */
#define MAX_INDEX (1ull << 40)
/* Memory an ELF image found in anonymous memory may span. */
#define MAX_ELF_SPAN (256ull << 20)
/* Warnings kept in the summary, and per file record. */
#define MAX_WARNINGS	  200
#define MAX_FILE_WARNINGS 16
/* Seconds between progress lines. */
#define PROGRESS_SECONDS 5.0
/* Bytes of a sanitised name in an output file name. */
#define NAME_BYTES 80

struct holder_map {
	uint64_t start, end, offset;
	char perms[5];
};

/* One process holding an inode: its descriptors and mappings of it. */
struct holder {
	int32_t pid;
	char comm[65];
	int32_t *fds;
	size_t nfds, capfds;
	struct holder_map *maps;
	size_t nmaps, capmaps;
};

/* One inode met through a struct file. */
struct inode_ent {
	uint64_t inode;
	uint64_t file; /* the first struct file met */
	struct vh_file_name name;
	struct holder *h;
	size_t nh, caph;
};

struct run {
	struct vh_session *s;
	struct vh_evidence_dir *d;
	const struct vh_profile *p;
	struct vh_vread *kr;
	struct vh_vmemmap vm;
	const char *vm_why; /* why the struct pages cannot be found; NULL when found */
	uint64_t max_pfn;
	struct inode_ent *ents;
	size_t nents, capents;
	size_t *hash; /* index + 1 into ents, open addressing by inode address */
	size_t hcap;
	char **warnings;
	size_t nwarnings;
	uint64_t dropped;
	/* totals */
	uint64_t processes, files, anon_elf, not_regular, unreadable, bytes, pages_cached;
	uint64_t absent_pages;
	double t0, last;
	size_t done, todo;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(struct run *r, const char *what)
{
	double t = now();

	if (t - r->last < PROGRESS_SECONDS)
		return;
	r->last = t;
	vh_ev_progress(r->d, "files: %s %zu of %zu, %" PRIu64 " files, %" PRIu64 " MiB, %.0f s",
		       what, r->done, r->todo, r->files + r->anon_elf, r->bytes >> 20, t - r->t0);
}

static int vwarn(struct run *r, const char *fmt, va_list ap)
{
	if (r->nwarnings >= MAX_WARNINGS) {
		r->dropped++;
		return VH_OK;
	}
	return vh_warnings_vadd(&r->warnings, &r->nwarnings, fmt, ap);
}

static int warn(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warn(struct run *r, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vwarn(r, fmt, ap);
	va_end(ap);
	return err;
}

/* --- inodes and their holders ------------------------------------------- */

static size_t hslot(const struct run *r, uint64_t inode)
{
	uint64_t h = inode * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (r->hcap - 1);
}

static int hash_grow(struct run *r)
{
	size_t cap = r->hcap ? r->hcap * 2 : 256;
	size_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return VH_ERR_NOMEM;
	free(r->hash);
	r->hash = h;
	r->hcap = cap;
	for (size_t i = 0; i < r->nents; i++) {
		size_t k = hslot(r, r->ents[i].inode);

		while (r->hash[k])
			k = (k + 1) & (cap - 1);
		r->hash[k] = i + 1;
	}
	return VH_OK;
}

/* The inode's entry, made when new; NULL with *err set on failure to allocate. */
static struct inode_ent *inode_get(struct run *r, uint64_t inode, uint64_t file, int *err)
{
	size_t k;

	*err = VH_OK;
	if ((r->nents + 1) * 2 > r->hcap && (*err = hash_grow(r)))
		return NULL;
	for (k = hslot(r, inode); r->hash[k]; k = (k + 1) & (r->hcap - 1))
		if (r->ents[r->hash[k] - 1].inode == inode)
			return &r->ents[r->hash[k] - 1];
	if (r->nents == r->capents) {
		struct inode_ent *e = vh_grow(r->ents, r->nents, &r->capents, sizeof(*e), 64);

		if (!e) {
			*err = VH_ERR_NOMEM;
			return NULL;
		}
		r->ents = e;
	}
	struct inode_ent *e = &r->ents[r->nents];

	memset(e, 0, sizeof(*e));
	e->inode = inode;
	e->file = file;
	vh_maps_file_name(r->s->maps, file, &e->name);
	r->hash[k] = ++r->nents;
	return e;
}

/*
 * The inode of the struct file at @file; NULL (a warning) when it cannot be
 * read or is no inode: an inode's own mapping names it as its host (what a
 * pointer into other memory, a damaged fd array's, hardly does).
 */
static struct inode_ent *inode_of_file(struct run *r, int32_t pid, uint64_t file, int *err)
{
	const struct vh_profile *p = r->p;
	uint64_t inode = 0, mapping = 0, host = 0;

	*err = VH_OK;
	if (vh_member_read(r->kr, file, &p->file.f_inode, &inode) || !vh_kptr_ok(r->kr, inode)) {
		*err = warn(r, "pid %d: file %#" PRIx64 ": inode %#" PRIx64 " cannot be read",
			    (int)pid, file, inode);
		return NULL;
	}
	if (vh_present(&p->address_space.host) &&
	    (vh_member_read(r->kr, inode, &p->inode.i_mapping, &mapping) ||
	     !vh_kptr_ok(r->kr, mapping) ||
	     vh_member_read(r->kr, mapping, &p->address_space.host, &host) || host != inode)) {
		*err = warn(r,
			    "pid %d: file %#" PRIx64 ": %#" PRIx64
			    " is no inode (its mapping %#" PRIx64 " names host %#" PRIx64 ")",
			    (int)pid, file, inode, mapping, host);
		return NULL;
	}
	return inode_get(r, inode, file, err);
}

static struct holder *holder_get(struct inode_ent *e, const struct vh_task *t)
{
	if (e->nh && e->h[e->nh - 1].pid == t->tgid)
		return &e->h[e->nh - 1];
	if (e->nh == e->caph) {
		struct holder *h = vh_grow(e->h, e->nh, &e->caph, sizeof(*h), 4);

		if (!h)
			return NULL;
		e->h = h;
	}
	struct holder *h = &e->h[e->nh++];

	memset(h, 0, sizeof(*h));
	h->pid = t->tgid;
	snprintf(h->comm, sizeof(h->comm), "%s", t->comm);
	return h;
}

static int holder_fd(struct inode_ent *e, const struct vh_task *t, int32_t fd)
{
	struct holder *h = holder_get(e, t);

	if (!h)
		return VH_ERR_NOMEM;
	if (h->nfds == h->capfds) {
		int32_t *n = vh_grow(h->fds, h->nfds, &h->capfds, sizeof(*n), 4);

		if (!n)
			return VH_ERR_NOMEM;
		h->fds = n;
	}
	h->fds[h->nfds++] = fd;
	return VH_OK;
}

static int holder_map(struct inode_ent *e, const struct vh_task *t, const struct vh_vma *v)
{
	struct holder *h = holder_get(e, t);

	if (!h)
		return VH_ERR_NOMEM;
	if (h->nmaps == h->capmaps) {
		struct holder_map *n = vh_grow(h->maps, h->nmaps, &h->capmaps, sizeof(*n), 4);

		if (!n)
			return VH_ERR_NOMEM;
		h->maps = n;
	}
	struct holder_map *m = &h->maps[h->nmaps++];

	m->start = v->start;
	m->end = v->end;
	m->offset = v->offset;
	memcpy(m->perms, v->perms, sizeof(m->perms));
	m->perms[4] = '\0';
	return VH_OK;
}

static void ents_free(struct run *r)
{
	for (size_t i = 0; i < r->nents; i++) {
		for (size_t k = 0; k < r->ents[i].nh; k++) {
			free(r->ents[i].h[k].fds);
			free(r->ents[i].h[k].maps);
		}
		free(r->ents[i].h);
	}
	free(r->ents);
	free(r->hash);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
}

/* --- names -------------------------------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

size_t vh_ev_file_basename(const char *path, char *out, size_t size)
{
	char buf[NAME_BYTES * 4];
	const char *slash = strrchr(path, '/');
	const char *base = slash && slash[1] ? slash + 1 : path;
	size_t n = strlen(base);

	if (ends_with(base, " (deleted)"))
		n -= 10;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return vh_evidence_safe_name(buf, out, size);
}

/* --- a file from its page cache ----------------------------------------- */

/* Writes what is pending as a hole: @zeros bytes. */
static int flush_zeros(struct vh_ev_file *f, uint64_t *zeros)
{
	int err = *zeros ? vh_ev_file_zeros(f, *zeros) : VH_OK;

	*zeros = 0;
	return err;
}

struct inode_info {
	uint64_t mapping, i_size, size, ino, nlink;
	uint32_t mode, major, minor;
	bool have_nlink, shmem, hugetlbfs, cut;
};

/* Reads what the record needs of an inode; false (a warning) when it cannot. */
static bool inode_read(struct run *r, struct inode_ent *e, struct inode_info *ii, int *err)
{
	const struct vh_profile *p = r->p;
	uint64_t v = 0, sb = 0, mode = 0;

	memset(ii, 0, sizeof(*ii));
	*err = VH_OK;
	if (vh_member_read(r->kr, e->inode, &p->inode.i_mode, &mode) ||
	    vh_member_read(r->kr, e->inode, &p->inode.i_size, &ii->i_size)) {
		*err = warn(r, "inode %#" PRIx64 " (%s) cannot be read: not written", e->inode,
			    e->name.path);
		return false;
	}
	ii->mode = (uint32_t)mode;
	if (vh_member_read(r->kr, e->file, &p->file.f_mapping, &ii->mapping) ||
	    !vh_kptr_ok(r->kr, ii->mapping))
		vh_member_read(r->kr, e->inode, &p->inode.i_mapping, &ii->mapping);
	vh_member_read(r->kr, e->inode, &p->inode.i_ino, &ii->ino);
	ii->have_nlink = !vh_member_read(r->kr, e->inode, &p->inode.i_nlink, &ii->nlink);
	if (!vh_member_read(r->kr, e->inode, &p->inode.i_sb, &sb) && vh_kptr_ok(r->kr, sb)) {
		if (!vh_member_read(r->kr, sb, &p->super_block.s_magic, &v)) {
			ii->shmem = (uint32_t)v == VH_TMPFS_MAGIC;
			ii->hugetlbfs = (uint32_t)v == VH_HUGETLBFS_MAGIC;
		}
		if (!vh_member_read(r->kr, sb, &p->super_block.s_dev, &v)) {
			unsigned bits = (unsigned)p->c.MINORBITS.value;

			ii->major = (uint32_t)(v >> bits);
			ii->minor = (uint32_t)(v & ((1ull << bits) - 1));
		}
	}
	return true;
}

/* The record's holders. */
static void holders_json(struct vh_json *j, const struct inode_ent *e)
{
	vh_json_begin_array(j, "holders");
	for (size_t i = 0; i < e->nh; i++) {
		const struct holder *h = &e->h[i];

		vh_json_begin_object(j, NULL);
		vh_json_u64(j, "pid", (uint64_t)h->pid);
		vh_json_str(j, "comm", h->comm);
		vh_json_begin_array(j, "fds");
		for (size_t k = 0; k < h->nfds; k++)
			vh_json_u64(j, NULL, (uint64_t)h->fds[k]);
		vh_json_end_array(j);
		vh_json_begin_array(j, "maps");
		for (size_t k = 0; k < h->nmaps; k++) {
			vh_json_begin_object(j, NULL);
			vh_json_hex(j, "start", h->maps[k].start);
			vh_json_hex(j, "end", h->maps[k].end);
			vh_json_hex(j, "offset", h->maps[k].offset);
			vh_json_str(j, "perms", h->maps[k].perms);
			vh_json_end_object(j);
		}
		vh_json_end_array(j);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
}

static void warnings_json(struct vh_json *j, char *const *w, size_t n)
{
	vh_json_begin_array(j, "warnings");
	for (size_t i = 0; i < n; i++)
		vh_json_str(j, NULL, w[i]);
	vh_json_end_array(j);
}

/* What one file's write saw, for its record. */
struct file_stats {
	uint64_t pages, cached;
	struct vh_ev_absent absent;
	char **warnings;
	size_t nwarnings;
};

static void fwarn(struct file_stats *fs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fwarn(struct file_stats *fs, const char *fmt, ...)
{
	va_list ap;

	if (fs->nwarnings >= MAX_FILE_WARNINGS)
		return;
	va_start(ap, fmt);
	vh_warnings_vadd(&fs->warnings, &fs->nwarnings, fmt, ap);
	va_end(ap);
}

static void fs_free(struct file_stats *fs)
{
	vh_ev_absent_free(&fs->absent);
	for (size_t i = 0; i < fs->nwarnings; i++)
		free(fs->warnings[i]);
	free(fs->warnings);
}

/* page_frame(): the page is in memory, at the frame it gives (absent reasons are <= 3). */
#define VH_OK_FRAME 100

/* Whether page cache entry @e is this file's folio: its struct page names the file's mapping. */
static int folio_check(struct run *r, const struct inode_info *ii, const struct vh_pc_entry *e,
		       struct file_stats *fs)
{
	uint64_t pfn, mapping = 0;
	int err;

	if (r->vm_why)
		return VH_ERR_NOT_PRESENT; /* no struct pages: no page can be found */
	err = vh_pagecache_folio(r->kr, r->p, &r->vm, r->max_pfn, ii->mapping, e->entry, &pfn,
				 &mapping);
	if (err == VH_ERR_CORRUPT && !mapping)
		fwarn(fs, "page cache index %" PRIu64 ": %#" PRIx64 " is no struct page", e->index,
		      e->entry);
	else if (err == VH_ERR_CORRUPT)
		fwarn(fs,
		      "page cache index %" PRIu64 ": struct page %#" PRIx64
		      " belongs to mapping %#" PRIx64 ", not %#" PRIx64,
		      e->index, e->entry, mapping, ii->mapping);
	else if (err)
		fwarn(fs,
		      "page cache index %" PRIu64 ": struct page %#" PRIx64 " cannot be read (%s)",
		      e->index, e->entry, vh_strerror(err));
	return err;
}

/* Where write_pages() is in the page cache's entries. */
struct pc_cursor {
	size_t ci;	/* the first entry not below the page */
	size_t checked; /* the entry whose folio was checked (SIZE_MAX: none) */
	int check_err;	/* what folio_check() said of it */
};

/* The page frame of page @idx of the file, or why the page is absent. */
static int page_frame(struct run *r, const struct inode_info *ii, const struct vh_pc_list *pc,
		      struct pc_cursor *c, uint64_t idx, struct file_stats *fs, uint64_t *pfn)
{
	const struct vh_pc_entry *e;

	while (c->ci < pc->n && pc->e[c->ci].index + pc->e[c->ci].n <= idx)
		c->ci++;
	if (c->ci == pc->n || pc->e[c->ci].index > idx)
		return pc->partial ? VH_EV_UNKNOWN : VH_OK; /* not cached (or not known) */
	e = &pc->e[c->ci];
	if (vh_pc_is_value(e->entry))
		return ii->shmem ? VH_EV_SWAPPED : VH_EV_EVICTED;
	if (c->checked != c->ci) {
		c->checked = c->ci;
		c->check_err = folio_check(r, ii, e, fs);
	}
	if (c->check_err)
		return c->check_err;
	vh_vmemmap_pfn(&r->vm, e->entry, r->max_pfn, pfn);
	*pfn += idx - e->index; /* a large folio's pages are consecutive frames */
	return VH_OK_FRAME;
}

/*
 * Writes pages [0, ceil(size / 4096)) of the file from its page cache
 * entries @pc: absent pages are holes, listed with their reason.
 */
static int write_pages(struct run *r, const struct inode_info *ii, const struct vh_pc_list *pc,
		       struct vh_ev_file *f, struct file_stats *fs)
{
	unsigned char buf[VH_EV_PAGE];
	uint64_t npages = (ii->size + VH_EV_PAGE - 1) / VH_EV_PAGE, zeros = 0;
	struct pc_cursor c = {0, SIZE_MAX, VH_OK};
	int err;

	fs->pages = npages;
	for (uint64_t idx = 0; idx < npages; idx++) {
		uint64_t off = idx * VH_EV_PAGE, pfn = 0;
		size_t len = ii->size - off < VH_EV_PAGE ? (size_t)(ii->size - off) : VH_EV_PAGE;
		int why = page_frame(r, ii, pc, &c, idx, fs, &pfn);

		if (why == VH_OK_FRAME) {
			why = vh_dump_read_phys(r->s->d, pfn * VH_EV_PAGE, buf, VH_EV_PAGE);
			if (!why) {
				if ((err = flush_zeros(f, &zeros)) ||
				    (err = vh_ev_file_write(f, buf, len)))
					return err;
				fs->cached++;
				continue;
			}
			if (why != VH_ERR_EXCLUDED && why != VH_ERR_NOT_PRESENT)
				fwarn(fs, "page %" PRIu64 " (pfn %#" PRIx64 "): %s", idx, pfn,
				      vh_errmsg());
		}
		zeros += len;
		if ((err = vh_ev_absent_add(&fs->absent, off, off + len, why)))
			return err;
	}
	return flush_zeros(f, &zeros);
}

static int write_inode(struct run *r, struct inode_ent *e)
{
	struct inode_info ii;
	struct vh_pc_list pc = {0};
	struct file_stats fs = {0};
	struct vh_ev_file *f = NULL;
	char rel[NAME_BYTES + 64], base[NAME_BYTES], sha[65];
	uint64_t npages;
	struct vh_json *j;
	int err;

	if (!inode_read(r, e, &ii, &err)) {
		r->unreadable++;
		return err;
	}
	if (!S_ISREG(ii.mode)) {
		r->not_regular++; /* pipes, sockets, devices, directories: no page cache content */
		return VH_OK;
	}
	if (ii.hugetlbfs) {
		/* its page cache is indexed by huge page on older kernels: not read */
		r->unreadable++;
		return warn(r, "%s (inode %#" PRIx64 "): hugetlbfs files are not recovered",
			    e->name.path, e->inode);
	}
	if ((int64_t)ii.i_size < 0) {
		fwarn(&fs, "i_size %" PRId64 " is negative: taken as 0", (int64_t)ii.i_size);
		ii.i_size = 0;
	}
	ii.size = ii.i_size;
	npages = (ii.size + VH_EV_PAGE - 1) / VH_EV_PAGE;
	if (npages > MAX_INDEX)
		npages = MAX_INDEX;
	err = vh_pagecache_read(r->kr, r->p, ii.mapping, npages, &pc);
	if (err == VH_ERR_NOMEM)
		goto out;
	for (size_t i = 0; i < pc.nwarnings; i++)
		fwarn(&fs, "%s", pc.warnings[i]);
	if (ii.size > MAX_FILE_SIZE) {
		uint64_t last = pc.n ? pc.e[pc.n - 1].index + pc.e[pc.n - 1].n : 0;

		if (last * VH_EV_PAGE < ii.size) {
			ii.size = last * VH_EV_PAGE;
			ii.cut = true;
			fwarn(&fs,
			      "i_size %" PRIu64 " over %llu: written up to the last cached page",
			      ii.i_size, MAX_FILE_SIZE);
		}
		if (ii.size > MAX_WRITE) {
			ii.size = MAX_WRITE;
			ii.cut = true;
			fwarn(&fs, "i_size %" PRIu64 ": written up to %llu bytes", ii.i_size,
			      MAX_WRITE);
		}
	}
	vh_ev_file_basename(e->name.path, base, sizeof(base));
	snprintf(rel, sizeof(rel), "files/%016" PRIx64 "-%s", e->inode, base);
	if ((err = vh_ev_file_create(r->d, rel, &f)))
		goto out;
	err = write_pages(r, &ii, &pc, f, &fs);
	if (err) {
		vh_ev_file_discard(f);
		goto out;
	}
	if ((err = vh_ev_file_finish(f, sha)))
		goto out;
	r->files++;
	r->bytes += ii.size;
	r->pages_cached += fs.cached;
	r->absent_pages += fs.absent.pages;
	j = vh_ev_record_begin(r->d);
	if (!j) {
		err = VH_ERR_NOMEM;
		goto out;
	}
	vh_json_str(j, "kind", "file");
	vh_json_str(j, "file", rel);
	vh_json_str(j, "sha256", sha);
	vh_json_u64(j, "size", ii.size);
	vh_json_str(j, "path", e->name.path);
	vh_json_bool(j, "path_partial", e->name.partial);
	vh_json_bool(j, "deleted",
		     ends_with(e->name.path, " (deleted)") || (ii.have_nlink && !ii.nlink));
	vh_json_bool(j, "memfd", !strncmp(e->name.path, "/memfd:", 7));
	vh_json_bool(j, "shmem", ii.shmem);
	vh_json_hex(j, "inode", e->inode);
	vh_json_hex(j, "struct_file", e->file);
	vh_json_u64(j, "i_ino", ii.ino);
	{
		char dev[32];

		snprintf(dev, sizeof(dev), "%02x:%02x", ii.major, ii.minor);
		vh_json_str(j, "dev", dev);
	}
	vh_json_u64(j, "i_nlink", ii.nlink);
	vh_json_u64(j, "i_size", ii.i_size);
	vh_json_bool(j, "cut", ii.cut);
	vh_json_u64(j, "pages", fs.pages);
	vh_json_u64(j, "pages_cached", fs.cached);
	vh_json_u64(j, "nrpages", pc.nrpages);
	vh_ev_absent_json(&fs.absent, j);
	holders_json(j, e);
	warnings_json(j, fs.warnings, fs.nwarnings);
	err = vh_ev_record_end(r->d);
out:
	vh_pc_list_free(&pc);
	fs_free(&fs);
	return err;
}

/* --- ELF images in anonymous memory ------------------------------------- */

struct elf_src {
	struct vh_session *s;
	const struct vh_task *t;
	uint64_t base, avail;
};

static int elf_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct elf_src *src = arg;

	if (off > src->avail || len > src->avail - off)
		return VH_ERR_INVAL;
	return vh_session_read(src->s, VH_SPACE_USER, src->t, src->base + off, buf, len);
}

/* An anonymous VMA an ELF image may start: no file, not a special mapping. */
static bool anon_candidate(const struct vh_vma *v)
{
	if (v->file || (v->found & VH_VMA_GATE))
		return false;
	return !v->path[0] || !strncmp(v->path, "[anon:", 6) || !strcmp(v->path, "[heap]") ||
	       !strcmp(v->path, "[stack]");
}

static const char *layout_name(enum vh_elfimg_layout l)
{
	return l == VH_ELFIMG_FILE ? "file" : "loaded";
}

static const unsigned char elf_magic[4] = {0x7f, 'E', 'L', 'F'};

/* Bytes of memory from the ELF header to the end of the image's last piece, in pages. */
static uint64_t image_extent(const struct vh_elfimg *img, uint64_t avail)
{
	uint64_t end = 0;

	for (size_t i = 0; i < img->npieces; i++)
		if (img->pieces[i].mem_off + img->pieces[i].len > end)
			end = img->pieces[i].mem_off + img->pieces[i].len;
	end = (end + 4095) & ~4095ull;
	return end && end < avail ? end : avail;
}

/*
 * The ELF image starting at @start, in @avail bytes of the process's memory
 * (anonymous VMAs, or pages mapped outside every VMA when @hidden). *@extent
 * receives the bytes the image occupies from @start (0 when none was found).
 */
static int rebuild_elf(struct run *r, const struct vh_task *t, uint64_t start, uint64_t avail,
		       const char *perms, bool hidden, uint64_t *extent)
{
	struct elf_src src = {r->s, t, start, avail < MAX_ELF_SPAN ? avail : MAX_ELF_SPAN};
	struct vh_elfimg *img;
	struct vh_ev_absent absent = {0};
	struct vh_ev_file *f = NULL;
	unsigned char magic[4];
	char rel[NAME_BYTES + 96], comm[NAME_BYTES], sha[65];
	struct vh_json *j;
	int err;

	*extent = 0;
	if (vh_session_read(r->s, VH_SPACE_USER, t, start, magic, sizeof(magic)) ||
	    memcmp(magic, elf_magic, sizeof(magic)))
		return VH_OK;
	img = malloc(sizeof(*img));
	if (!img)
		return VH_ERR_NOMEM;
	if (vh_elfimg_plan(elf_read, &src, src.avail, img)) {
		err = warn(r, "pid %d: ELF header at %#" PRIx64 "%s not rebuilt: %s", (int)t->tgid,
			   start, hidden ? " (outside every VMA)" : "", img->why);
		free(img);
		return err;
	}
	*extent = image_extent(img, src.avail);
	vh_evidence_safe_name(t->comm, comm, sizeof(comm));
	snprintf(rel, sizeof(rel), "anon-elf/%d-%s-%" PRIx64 ".elf", (int)t->tgid, comm, start);
	if ((err = vh_ev_file_create(r->d, rel, &f)))
		goto out;
	if ((err = vh_elfimg_write(img, elf_read, &src, f, &absent))) {
		vh_ev_file_discard(f);
		goto out;
	}
	if ((err = vh_ev_file_finish(f, sha)))
		goto out;
	r->anon_elf++;
	r->bytes += img->size;
	r->absent_pages += absent.pages;
	j = vh_ev_record_begin(r->d);
	if (!j) {
		err = VH_ERR_NOMEM;
		goto out;
	}
	vh_json_str(j, "kind", "anon-elf");
	vh_json_str(j, "file", rel);
	vh_json_str(j, "sha256", sha);
	vh_json_u64(j, "size", img->size);
	vh_json_u64(j, "pid", (uint64_t)t->tgid);
	vh_json_str(j, "comm", t->comm);
	vh_json_hex(j, "address", start);
	vh_json_hex(j, "end", start + *extent);
	vh_json_str(j, "perms", perms);
	vh_json_bool(j, "hidden", hidden);
	vh_json_str(j, "layout", layout_name(img->layout));
	vh_json_str(j, "layout_why", img->why);
	vh_json_u64(j, "e_type", img->e_type);
	vh_json_u64(j, "e_machine", img->e_machine);
	vh_json_u64(j, "phnum", img->phnum);
	vh_json_u64(j, "bad_phdrs", img->bad_phdrs);
	vh_json_bool(j, "section_headers", img->shdrs);
	vh_json_bool(j, "cut", img->cut);
	vh_ev_absent_json(&absent, j);
	err = vh_ev_record_end(r->d);
out:
	vh_ev_absent_free(&absent);
	free(img);
	return err;
}

/*
 * An anonymous VMA and the anonymous VMAs right after it (a loaded image's
 * segments); *@covered_end: where the image found ends.
 */
static int anon_elf(struct run *r, const struct vh_task *t, const struct vh_vma_list *vl, size_t i,
		    uint64_t *covered_end)
{
	const struct vh_vma *v = &vl->vmas[i];
	uint64_t avail = v->end - v->start, extent;
	int err;

	for (size_t k = i + 1; k < vl->nvmas && avail < MAX_ELF_SPAN; k++) {
		if (vl->vmas[k].start != vl->vmas[k - 1].end || !anon_candidate(&vl->vmas[k]))
			break;
		avail = vl->vmas[k].end - v->start;
	}
	err = rebuild_elf(r, t, v->start, avail, v->perms, false, &extent);
	if (extent)
		*covered_end = v->start + extent;
	return err;
}

static int anon_elfs(struct run *r, const struct vh_task *t, const struct vh_vma_list *vl)
{
	uint64_t covered_end = 0;

	for (size_t i = 0; i < vl->nvmas; i++) {
		int err;

		if (!anon_candidate(&vl->vmas[i]))
			continue;
		/*
		 * an image spanning several VMAs is found at its first one; a VMA after
		 * it may start another image (one copied next to one loaded)
		 */
		if (vl->vmas[i].start < covered_end)
			continue;
		if ((err = anon_elf(r, t, vl, i, &covered_end)))
			return err;
	}
	return VH_OK;
}

/* Runs of pages mapped outside every VMA looked at, at most, per process. */
#define MAX_HIDDEN_RUNS 4096

struct hidden_run {
	uint64_t start, end;
};

/* The present pages of a process outside every VMA, merged into runs. */
struct hidden {
	const struct vh_vma_list *vl;
	size_t cur; /* the first VMA not below the mappings walked */
	struct hidden_run *runs;
	size_t n, cap;
	bool nomem, capped;
};

static void hidden_add(struct hidden *h, uint64_t start, uint64_t end)
{
	if (h->n && h->runs[h->n - 1].end == start) {
		h->runs[h->n - 1].end = end;
		return;
	}
	if (h->n >= MAX_HIDDEN_RUNS) {
		h->capped = true;
		return;
	}
	if (h->n == h->cap) {
		struct hidden_run *g = vh_grow(h->runs, h->n, &h->cap, sizeof(*g), 16);

		if (!g) {
			h->nomem = true;
			return;
		}
		h->runs = g;
	}
	h->runs[h->n++] = (struct hidden_run){start, end};
}

/* The parts of a present mapping no VMA covers (the VMAs are sorted by start). */
static int hidden_page(const struct vh_mapping *m, int present, void *arg)
{
	struct hidden *h = arg;
	const struct vh_vma_list *vl = h->vl;
	uint64_t a = m->vaddr, e = m->vaddr + m->page_size;
	size_t k;

	if (!present)
		return 0;
	while (h->cur < vl->nvmas && vl->vmas[h->cur].end <= a)
		h->cur++;
	for (k = h->cur; a < e;) {
		uint64_t next;

		if (k < vl->nvmas && vl->vmas[k].start <= a) {
			if (vl->vmas[k].end > a)
				a = vl->vmas[k].end < e ? vl->vmas[k].end : e;
			k++;
			continue;
		}
		next = k < vl->nvmas && vl->vmas[k].start < e ? vl->vmas[k].start : e;
		hidden_add(h, a, next);
		a = next;
	}
	return h->nomem ? VH_ERR_NOMEM : 0;
}

/* ELF images in pages the page tables map outside every VMA (a VMA taken out of the tree). */
static int hidden_elfs(struct run *r, const struct vh_task *t, const struct vh_vma_list *vl)
{
	struct hidden h = {.vl = vl};
	const struct vh_mmu *mmu = &r->s->km.mmu;
	uint64_t root;
	int err;

	if (vh_mm_pgd_root(r->kr, r->p, t->mm, &root))
		return warn(r, "pid %d: page tables not found: pages outside the VMAs not searched",
			    (int)t->tgid);
	err = vh_walk(r->s->d, mmu, root, 0, vh_mmu_user_end(mmu), hidden_page, &h, NULL);
	if (err == VH_ERR_NOMEM || h.nomem) {
		free(h.runs);
		return VH_ERR_NOMEM;
	}
	err = VH_OK;
	for (size_t i = 0; i < h.n && !err; i++) {
		uint64_t extent;

		err = rebuild_elf(r, t, h.runs[i].start, h.runs[i].end - h.runs[i].start, "", true,
				  &extent);
	}
	if (!err && h.capped)
		err = warn(r,
			   "pid %d: more than %d runs of pages outside the VMAs: the rest not "
			   "searched for ELF images",
			   (int)t->tgid, MAX_HIDDEN_RUNS);
	free(h.runs);
	return err;
}

/* --- a kernel dump -------------------------------------------------------- */

/* File tables of one process read, at most (its threads may have tables of their own). */
#define MAX_TABLES 16

/* The open files of task @th, held by process @t. */
static int task_fds(struct run *r, const struct vh_task *t, const struct vh_task *th)
{
	struct vh_fd_list fl;
	int err = vh_fds_read(r->kr, r->p, th->addr, &fl);

	for (size_t i = 0; i < fl.nwarnings && err != VH_ERR_NOMEM; i++)
		if (warn(r, "pid %d: %s", (int)th->pid, fl.warnings[i]))
			err = VH_ERR_NOMEM;
	if (err == VH_ERR_NOT_PRESENT && !fl.nwarnings)
		err = warn(r, "the profile lacks files_struct/fdtable: open files not read");
	if (err != VH_ERR_NOMEM)
		err = VH_OK;
	for (size_t i = 0; i < fl.n && !err; i++) {
		struct inode_ent *e = inode_of_file(r, t->tgid, fl.fds[i].file, &err);

		if (e)
			err = holder_fd(e, t, fl.fds[i].fd);
	}
	vh_fd_list_free(&fl);
	return err;
}

static int one_process(struct run *r, const struct vh_task *t, const struct vh_files_request *req)
{
	const struct vh_vma_list *vl = NULL;
	int err;

	r->processes++;
	err = vh_session_vmas(r->s, t, &vl);
	if (err == VH_ERR_NOMEM)
		return err;
	if (err) {
		if ((err = warn(r, "pid %d: VMAs cannot be read (%s): open files only",
				(int)t->tgid, vh_errmsg())))
			return err;
	} else {
		for (size_t i = 0; i < vl->nvmas && !err; i++) {
			const struct vh_vma *v = &vl->vmas[i];
			struct inode_ent *e;

			if (!v->file || (v->found & VH_VMA_GATE))
				continue;
			e = inode_of_file(r, t->tgid, v->file, &err);
			if (e)
				err = holder_map(e, t, v);
		}
		if (!err && !req->no_anon_elf)
			err = anon_elfs(r, t, vl);
		if (!err && !req->no_anon_elf)
			err = hidden_elfs(r, t, vl);
		vh_session_vmas_put(r->s, vl);
		if (err)
			return err;
	}
	err = task_fds(r, t, t);
	/* a thread with a file table of its own (clone without CLONE_FILES, unshare) */
	if (!err && vh_present(&r->p->task_struct.files) && t >= r->s->tl->tasks &&
	    t < r->s->tl->tasks + r->s->tl->ntasks) {
		const struct vh_task_list *tl = r->s->tl;
		uint64_t seen[MAX_TABLES], files = 0;
		size_t nseen = 0;

		if (!vh_member_read(r->kr, t->addr, &r->p->task_struct.files, &files))
			seen[nseen++] = files;
		for (size_t k = (size_t)(t - tl->tasks) + 1;
		     !err && k < tl->ntasks && tl->tasks[k].tgid == t->tgid; k++) {
			const struct vh_task *th = &tl->tasks[k];
			bool known = false;

			if (vh_member_read(r->kr, th->addr, &r->p->task_struct.files, &files) ||
			    !files)
				continue;
			for (size_t q = 0; q < nseen && !known; q++)
				known = seen[q] == files;
			if (known || nseen == MAX_TABLES)
				continue;
			seen[nseen++] = files;
			err =
			    warn(r, "pid %d: thread %d has a file table of its own (%#" PRIx64 ")",
				 (int)t->tgid, (int)th->pid, files);
			if (!err)
				err = task_fds(r, t, th);
		}
	}
	return err;
}

static void summary(struct run *r, bool core)
{
	struct vh_json *j = vh_ev_summary(r->d);

	vh_json_str(j, "source", core ? "process core" : "kernel dump");
	vh_json_u64(j, "processes", r->processes);
	vh_json_u64(j, "files", r->files);
	vh_json_u64(j, "anon_elf", r->anon_elf);
	vh_json_u64(j, "not_regular", r->not_regular);
	vh_json_u64(j, "unreadable", r->unreadable);
	vh_json_u64(j, "bytes", r->bytes);
	vh_json_u64(j, "pages_cached", r->pages_cached);
	vh_json_u64(j, "absent_pages", r->absent_pages);
	if (r->vm_why)
		vh_json_str(j, "struct_pages", r->vm_why);
	warnings_json(j, r->warnings, r->nwarnings);
	vh_json_u64(j, "warnings_dropped", r->dropped);
}

static uint64_t dump_max_pfn(struct vh_dump *d)
{
	size_t n = 0;
	const struct vh_phys_range *rg = vh_dump_ranges(d, &n);

	return n ? (rg[n - 1].end + VH_EV_PAGE - 1) / VH_EV_PAGE : 0;
}

/* The process to work on for @pid: its thread-group leader (or the task itself). */
static const struct vh_task *process_of(const struct vh_session *s, int32_t pid)
{
	const struct vh_task *t = vh_session_find_task(s, pid);
	const struct vh_task *leader = t ? vh_session_find_task(s, t->tgid) : NULL;

	return leader ? leader : t;
}

static int files_kernel(struct run *r, const struct vh_files_request *req)
{
	struct vh_session *s = r->s;
	const struct vh_task_list *tl = s->tl;
	const struct vh_task *only = NULL;
	int err = VH_OK;

	if (!s->prof || !s->maps)
		return vh_set_error(VH_ERR_INVAL, "%s: no kernel profile or VMA reader",
				    vh_dump_path(s->d));
	r->p = s->prof;
	r->kr = &s->kr;
	if (req->by_pid) {
		only = process_of(s, req->pid);
		if (!only)
			return vh_set_error(VH_ERR_INVAL, "%s: no task with pid %d",
					    vh_dump_path(s->d), (int)req->pid);
		if (!only->mm)
			return vh_set_error(VH_ERR_INVAL, "pid %d is a kernel thread: no files",
					    (int)req->pid);
	}
	if (vh_vmemmap_find(s->d, &s->km, s->prof, &r->vm, &r->vm_why) && r->vm_why &&
	    (err =
		 warn(r, "struct pages cannot be found (%s): no file content is read", r->vm_why)))
		return err;
	r->max_pfn = dump_max_pfn(s->d);
	r->todo = only ? 1 : tl->ngroups;
	for (size_t i = 0; i < tl->ntasks && !err; i++) {
		const struct vh_task *t = &tl->tasks[i];

		if (only ? t != only : !t->leader || !t->mm || t->kthread)
			continue;
		err = one_process(r, t, req);
		r->done++;
		progress(r, "processes");
	}
	r->done = 0;
	r->todo = r->nents;
	for (size_t i = 0; i < r->nents && !err; i++) {
		err = write_inode(r, &r->ents[i]);
		r->done++;
		progress(r, "inodes");
	}
	return err;
}

/* --- a process core ------------------------------------------------------- */

static int cmp_core_file(const void *a, const void *b)
{
	const struct vh_core_file *x = *(const struct vh_core_file *const *)a;
	const struct vh_core_file *y = *(const struct vh_core_file *const *)b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* One file of the NT_FILE note: its mappings @m[0..n), sorted by offset. */
/* A mapping of the NT_FILE note that can be written: no wrap, inside MAX_WRITE. */
static bool core_map_ok(const struct vh_core_file *m)
{
	uint64_t end = m->offset + (m->end - m->start);

	return m->end > m->start && end > m->offset && end <= MAX_WRITE;
}

static int core_file(struct run *r, const struct vh_task *t, const struct vh_core_file *const *m,
		     size_t n, size_t index)
{
	unsigned char buf[VH_EV_PAGE];
	struct vh_ev_absent absent = {0};
	struct vh_ev_file *f = NULL;
	char rel[NAME_BYTES + 64], base[NAME_BYTES], sha[65];
	uint64_t pos = 0, size = 0, cached = 0;
	struct vh_json *j;
	int err;

	for (size_t i = 0; i < n; i++) {
		uint64_t end = m[i]->offset + (m[i]->end - m[i]->start);

		if (!core_map_ok(m[i])) {
			if ((err =
				 warn(r,
				      "%s: mapping %#" PRIx64 "-%#" PRIx64 " at offset %#" PRIx64
				      " not written (past %llu bytes, or empty)",
				      m[i]->path, m[i]->start, m[i]->end, m[i]->offset, MAX_WRITE)))
				return err;
		} else if (end > size) {
			size = end;
		}
	}
	vh_ev_file_basename(m[0]->path, base, sizeof(base));
	snprintf(rel, sizeof(rel), "files/%04zu-%s", index, base);
	if ((err = vh_ev_file_create(r->d, rel, &f)))
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		uint64_t off = m[i]->offset, len = m[i]->end - m[i]->start;

		if (!core_map_ok(m[i]) || off + len <= pos)
			continue; /* not written, or written already (mapped twice) */
		if (off > pos) {
			err = vh_ev_file_zeros(f, off - pos);
			if (!err)
				err = vh_ev_absent_add(&absent, pos, off, VH_ERR_NOT_MAPPED);
			pos = off;
		}
		for (uint64_t a = m[i]->start + (pos - off); a < m[i]->end && !err;) {
			size_t chunk = VH_EV_PAGE - (size_t)(a % VH_EV_PAGE);
			int rerr;

			if (chunk > m[i]->end - a)
				chunk = (size_t)(m[i]->end - a);
			rerr = vh_session_read(r->s, VH_SPACE_USER, t, a, buf, chunk);
			if (rerr) {
				err = vh_ev_file_zeros(f, chunk);
				if (!err)
					err = vh_ev_absent_add(&absent, pos, pos + chunk, rerr);
			} else {
				err = vh_ev_file_write(f, buf, chunk);
				cached++;
			}
			pos += chunk;
			a += chunk;
		}
	}
	if (err) {
		vh_ev_file_discard(f);
		goto out;
	}
	if ((err = vh_ev_file_finish(f, sha)))
		goto out;
	r->files++;
	r->bytes += size;
	r->pages_cached += cached;
	r->absent_pages += absent.pages;
	j = vh_ev_record_begin(r->d);
	if (!j) {
		err = VH_ERR_NOMEM;
		goto out;
	}
	vh_json_str(j, "kind", "core-file");
	vh_json_str(j, "file", rel);
	vh_json_str(j, "sha256", sha);
	vh_json_u64(j, "size", size);
	vh_json_bool(j, "size_known", false);
	vh_json_str(j, "path", m[0]->path);
	vh_json_bool(j, "deleted", ends_with(m[0]->path, " (deleted)"));
	vh_json_bool(j, "memfd", !strncmp(m[0]->path, "/memfd:", 7));
	vh_json_u64(j, "pid", (uint64_t)t->tgid);
	vh_json_str(j, "comm", t->comm);
	vh_json_u64(j, "pages_read", cached);
	vh_json_begin_array(j, "maps");
	for (size_t i = 0; i < n; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_hex(j, "start", m[i]->start);
		vh_json_hex(j, "end", m[i]->end);
		vh_json_hex(j, "offset", m[i]->offset);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_ev_absent_json(&absent, j);
	err = vh_ev_record_end(r->d);
out:
	vh_ev_absent_free(&absent);
	return err;
}

static int files_core(struct run *r, const struct vh_files_request *req)
{
	struct vh_session *s = r->s;
	const struct vh_core_info *c = vh_core_info(s->d);
	const struct vh_task *t = s->tl && s->tl->ntasks ? &s->tl->tasks[0] : NULL;
	const struct vh_core_file **m;
	const struct vh_vma_list *vl = NULL;
	size_t nout = 0;
	int err = VH_OK;

	if (!c || !t)
		return vh_set_error(VH_ERR_INVAL, "%s: the core's process is not loaded",
				    vh_dump_path(s->d));
	if (req->by_pid && !vh_session_find_task(s, req->pid))
		return vh_set_error(VH_ERR_INVAL, "%s: the core's process has no task %d",
				    vh_dump_path(s->d), (int)req->pid);
	r->processes = 1;
	m = calloc(c->nfiles ? c->nfiles : 1, sizeof(*m));
	if (!m)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < c->nfiles; i++)
		m[i] = &c->files[i];
	qsort(m, c->nfiles, sizeof(*m), cmp_core_file);
	r->todo = c->nfiles;
	for (size_t i = 0; i < c->nfiles && !err;) {
		size_t k = i + 1;

		while (k < c->nfiles && !strcmp(m[k]->path, m[i]->path))
			k++;
		err = core_file(r, t, m + i, k - i, nout++);
		r->done = k;
		progress(r, "mappings");
		i = k;
	}
	free(m);
	if (!err && !req->no_anon_elf && !(err = vh_session_vmas(s, t, &vl))) {
		err = anon_elfs(r, t, vl);
		vh_session_vmas_put(s, vl);
	}
	return err;
}

int vh_evidence_files(struct vh_session *s, const struct vh_files_request *req,
		      struct vh_evidence_dir *d)
{
	static const struct vh_files_request all = {0};
	struct run r = {.s = s, .d = d};
	int err;

	if (!s || !d)
		return vh_set_error(VH_ERR_INVAL, "vh_evidence_files: no session or folder");
	if (!req)
		req = &all;
	if (!s->tl || !(s->loaded & VH_LOAD_VMAS))
		return vh_set_error(VH_ERR_INVAL, "%s: the session was not loaded with its VMAs",
				    vh_dump_path(s->d));
	r.t0 = r.last = now();
	err = s->core ? files_core(&r, req) : files_kernel(&r, req);
	if (!err || err == VH_ERR_IO || err == VH_ERR_EXISTS || err == VH_ERR_NOMEM)
		summary(&r, s->core);
	ents_free(&r);
	return err;
}
