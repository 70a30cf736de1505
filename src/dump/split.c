/* SPDX-License-Identifier: MIT */
/*
 * A split kdump (makedumpfile --split) joined into one dump.
 *
 * Each part is a complete kdump file whose sub-header names the pfns it holds,
 * [start_pfn, end_pfn); its bitmaps and page descriptors are read by the kdump
 * reader, which already treats pfns outside that range as absent. The joined
 * dump routes each pfn to the part whose range holds it. The parts must be
 * of one dump (same header timestamp, max_mapnr, page size, dump level,
 * phys_base and VMCOREINFO) and their ranges must not overlap; pfns no part
 * holds are absent, with one warning per missing range naming the part
 * number it would be (parts numbered in pfn order, as makedumpfile writes
 * them).
 */
#include "dump/cache.h"
#include "dump/dump_internal.h"
#include "dump/kdump.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SPLIT_MAX_PARTS	    4096 /* makedumpfile forks a process per part: a few in practice */
#define DEFAULT_CACHE_PAGES 1024

struct part {
	struct vh_dump *d;
	struct vh_kdump_split info;
	size_t arg; /* position among the paths given */
};

struct split_priv {
	struct part *parts; /* sorted by start_pfn, disjoint */
	size_t nparts;
};

/* The part whose range holds @pfn, or NULL. */
static struct part *part_of(struct vh_dump *d, uint64_t pfn)
{
	struct split_priv *p = d->priv;
	size_t lo = 0, hi = p->nparts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < p->parts[mid].info.start_pfn)
			hi = mid;
		else if (pfn >= p->parts[mid].info.end_pfn)
			lo = mid + 1;
		else
			return &p->parts[mid];
	}
	return NULL;
}

static bool split_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)head;
	(void)len;
	(void)file_size;
	return false; /* opened by vh_dump_open_parts() only */
}

static int split_open(struct vh_dump *d)
{
	(void)d;
	return VH_ERR_INVAL;
}

static int split_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	struct part *pt = part_of(d, pfn);

	if (!pt)
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "%s: pfn 0x%" PRIx64 ": in no part of the split dump",
				    d->file.path, pfn);
	pt->d->work.page_reads++;
	return pt->d->ops->read_page(pt->d, pfn, buf);
}

static enum vh_page_state split_page_state(struct vh_dump *d, uint64_t pfn)
{
	struct part *pt = part_of(d, pfn);

	return pt ? vh_dump_page_state(pt->d, pfn) : VH_PAGE_ABSENT;
}

static bool split_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	struct split_priv *p = d->priv;

	for (size_t i = 0; i < p->nparts; i++) {
		struct part *pt = &p->parts[i];
		uint64_t from = pfn < pt->info.start_pfn ? pt->info.start_pfn : pfn, n;

		if (from >= pt->info.end_pfn)
			continue;
		if (vh_dump_next_present(pt->d, from, &n) == VH_OK && n < pt->info.end_pfn) {
			*next = n;
			return true;
		}
	}
	return false;
}

static void split_close(struct vh_dump *d)
{
	struct split_priv *p = d->priv;

	if (!p)
		return;
	for (size_t i = 0; i < p->nparts; i++)
		vh_dump_close(p->parts[i].d);
	free(p->parts);
	free(p);
	d->priv = NULL;
}

static const struct vh_dump_ops vh_split_ops = {
    .format = VH_FMT_KDUMP,
    .probe = split_probe,
    .open = split_open,
    .read_page = split_read_page,
    .page_state = split_page_state,
    .next_present = split_next_present,
    .close = split_close,
};

static int cmp_part(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if (x->info.start_pfn != y->info.start_pfn)
		return x->info.start_pfn < y->info.start_pfn ? -1 : 1;
	if (x->info.end_pfn != y->info.end_pfn) /* an empty part before the one it starts */
		return x->info.end_pfn < y->info.end_pfn ? -1 : 1;
	return x->arg < y->arg ? -1 : x->arg > y->arg;
}

/* NULL when @a and @b can be parts of one dump, else what differs. */
static const char *differs(const struct part *a, const struct part *b)
{
	const char *va = vh_dump_vmcoreinfo(a->d, NULL), *vb = vh_dump_vmcoreinfo(b->d, NULL);

	if (a->info.tv_sec != b->info.tv_sec || a->info.tv_usec != b->info.tv_usec)
		return "the header timestamps differ";
	if (a->info.max_mapnr != b->info.max_mapnr)
		return "max_mapnr differs";
	if (a->info.block_size != b->info.block_size)
		return "the page sizes differ";
	if (a->info.dump_level != b->info.dump_level)
		return "the dump levels differ";
	if (a->info.phys_base != b->info.phys_base)
		return "phys_base differs";
	if (strcmp(a->d->arch, b->d->arch))
		return "the machines differ";
	if ((va == NULL) != (vb == NULL) || (va && strcmp(va, vb)))
		return "their VMCOREINFO differs";
	return NULL;
}

/* Same file (device and inode) given twice? */
static bool same_file(const struct part *a, const struct part *b)
{
	struct stat sa, sb;

	return fstat(a->d->file.fd, &sa) == 0 && fstat(b->d->file.fd, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Checks the parts (sorted) fit together; returns VH_OK or an error with message. */
static int check_parts(const struct part *pt, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const char *why = differs(&pt[0], &pt[i]);

		if (why)
			return vh_set_error(VH_ERR_FORMAT,
					    "%s: not a part of the same split dump as %s: %s",
					    pt[i].d->file.path, pt[0].d->file.path, why);
	}
	for (size_t i = 1; i < n; i++) {
		const struct part *a = &pt[i - 1], *b = &pt[i];

		if (b->info.start_pfn >= a->info.end_pfn)
			continue;
		if (same_file(a, b))
			return vh_set_error(VH_ERR_INVAL,
					    "%s: the same file is given twice (as %s)",
					    b->d->file.path, a->d->file.path);
		if (a->info.start_pfn == b->info.start_pfn && a->info.end_pfn == b->info.end_pfn)
			return vh_set_error(VH_ERR_FORMAT,
					    "%s and %s: both hold pfns 0x%" PRIx64 "-0x%" PRIx64
					    ": the same part given twice (a copy?)",
					    a->d->file.path, b->d->file.path, a->info.start_pfn,
					    a->info.end_pfn);
		return vh_set_error(VH_ERR_FORMAT,
				    "%s (pfns 0x%" PRIx64 "-0x%" PRIx64 ") and %s (pfns 0x%" PRIx64
				    "-0x%" PRIx64 ") overlap: parts of one split dump never do",
				    a->d->file.path, a->info.start_pfn, a->info.end_pfn,
				    b->d->file.path, b->info.start_pfn, b->info.end_pfn);
	}
	return VH_OK;
}

static int warn_missing(struct vh_dump *d, uint64_t start, uint64_t end, size_t number,
			const char *after, const char *before)
{
	char where[1024];

	if (after && before)
		snprintf(where, sizeof(where), "between %s and %s", after, before);
	else if (before)
		snprintf(where, sizeof(where), "before %s", before);
	else
		snprintf(where, sizeof(where), "after %s", after ? after : "?");
	return vh_dump_add_warning(
	    d,
	    "split dump: part %zu is missing (pfns 0x%" PRIx64 "-0x%" PRIx64 ", physical 0x%" PRIx64
	    "-0x%" PRIx64 ", %s): no file given holds "
	    "those pages; they read as absent",
	    number, start, end, start << d->page_shift, end << d->page_shift, where);
}

/* Fills the joined dump @d from its sorted parts. */
static int join(struct vh_dump *d, struct split_priv *p)
{
	const struct part *first = &p->parts[0];
	const struct vh_dump *fd = first->d;
	size_t total = 0, number = 1;
	uint64_t prev = 0;
	int err;

	snprintf(d->arch, sizeof(d->arch), "%s", fd->arch);
	err = vh_dump_set_page_size(d, fd->page_size, 0);
	if (!err && fd->vmcoreinfo)
		err = vh_dump_set_vmcoreinfo(d, fd->vmcoreinfo, fd->vmcoreinfo_len);
	for (size_t i = 0; !err && i < fd->ncpus; i++) {
		struct vh_cpu_regs *r = vh_dump_add_cpu(d);

		if (!r)
			return VH_ERR_NOMEM;
		*r = fd->cpus[i];
	}
	for (size_t i = 0; !err && i < fd->nattrs; i++) {
		if (strcmp(fd->attrs[i].name, "split"))
			err = vh_dump_add_attr(d, fd->attrs[i].name, "%s", fd->attrs[i].value);
		else
			err = vh_dump_add_attr(d, "split", "%zu part%s joined", p->nparts,
					       p->nparts == 1 ? "" : "s");
	}
	for (size_t i = 0; !err && i < p->nparts; i++) {
		const struct part *pt = &p->parts[i];
		struct vh_page_stats st;

		for (size_t w = 0; !err && w < pt->d->nwarnings; w++)
			err = vh_dump_add_warning(d, "%s", pt->d->warnings[w]);
		for (size_t r = 0; !err && r < pt->d->nranges; r++)
			err = vh_dump_add_range(d, pt->d->ranges[r].start, pt->d->ranges[r].end);
		vh_dump_page_stats(pt->d, &st);
		d->stats.present += st.present;
		d->stats.zero += st.zero;
		d->stats.excluded += st.excluded;
		for (int c = 0; c < VH_CODEC_COUNT; c++)
			d->stats.by_codec[c] += st.by_codec[c];
		total += pt->d->file.size;
	}
	/*
	 * Parts numbered in pfn order, counting one missing part per gap (there may
	 * be more; the files cannot say): attrs part_N, and a warning per gap.
	 */
	for (size_t i = 0; !err && i < p->nparts; i++) {
		const struct part *pt = &p->parts[i];
		char name[32];

		if (pt->info.start_pfn > prev) {
			err =
			    warn_missing(d, prev, pt->info.start_pfn, number,
					 i ? p->parts[i - 1].d->file.path : NULL, pt->d->file.path);
			number++;
		}
		snprintf(name, sizeof(name), "part_%zu", number);
		if (!err)
			err = vh_dump_add_attr(
			    d, name, "%s: pfns 0x%" PRIx64 "-0x%" PRIx64 "%s", pt->d->file.path,
			    pt->info.start_pfn, pt->info.end_pfn,
			    pt->info.start_pfn == pt->info.end_pfn ? " (empty)" : "");
		number++;
		prev = pt->info.end_pfn;
	}
	if (!err && prev < first->info.max_mapnr)
		err = warn_missing(d, prev, first->info.max_mapnr, number,
				   p->parts[p->nparts - 1].d->file.path, NULL);
	d->file.size = total;
	return err;
}

/* "a + b + c", the parts' paths in pfn order: the joined dump's name in messages. */
static char *joined_path(const struct split_priv *p)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < p->nparts; i++)
		len += strlen(p->parts[i].d->file.path) + 3;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < p->nparts; i++) {
		if (i)
			strcat(s, " + ");
		strcat(s, p->parts[i].d->file.path);
	}
	return s;
}

int vh_dump_open_parts(const char *const *paths, size_t n, const struct vh_dump_options *opts,
		       struct vh_dump **out)
{
	struct vh_dump_options popts = {0};
	struct split_priv *p = NULL;
	struct vh_dump *d = NULL;
	int err = VH_OK;

	if (!out)
		return vh_set_error(VH_ERR_INVAL, "vh_dump_open_parts: invalid argument");
	*out = NULL;
	if (!paths || n == 0)
		return vh_set_error(VH_ERR_INVAL, "no dump file given");
	if (n > SPLIT_MAX_PARTS)
		return vh_set_error(VH_ERR_INVAL, "%zu dump files: at most %d parts are read", n,
				    SPLIT_MAX_PARTS);
	if (n > 1 && opts && opts->raw)
		return vh_set_error(VH_ERR_INVAL,
				    "a raw image is one file: several files are the parts of a "
				    "split kdump");
	if (opts)
		popts = *opts;
	popts.cache_pages = 1; /* reads go to the parts' readers, under the joined cache */
	p = calloc(1, sizeof(*p));
	if (p)
		p->parts = calloc(n, sizeof(*p->parts));
	if (!p || !p->parts) {
		free(p);
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct part *pt = &p->parts[i];

		if (!paths[i]) {
			err = vh_set_error(VH_ERR_INVAL, "no dump file given");
			goto fail;
		}
		err = vh_dump_open(paths[i], n == 1 ? opts : &popts, &pt->d);
		if (err)
			goto fail;
		p->nparts++;
		pt->arg = i;
		if (vh_kdump_split_info(pt->d, &pt->info) != VH_OK || !pt->info.split) {
			if (n == 1) { /* one ordinary dump: nothing to join */
				*out = pt->d;
				free(p->parts);
				free(p);
				return VH_OK;
			}
			err = vh_set_error(
			    VH_ERR_FORMAT,
			    "%s: not a part of a split dump (a %s file%s): several DUMP files "
			    "must be the parts of one makedumpfile --split dump",
			    paths[i], vh_dump_format_name(vh_dump_format(pt->d)),
			    vh_dump_format(pt->d) == VH_FMT_KDUMP ||
				    vh_dump_format(pt->d) == VH_FMT_FLATTENED
				? " whose sub-header has no split range"
				: "");
			goto fail;
		}
	}
	qsort(p->parts, p->nparts, sizeof(*p->parts), cmp_part);
	err = check_parts(p->parts, p->nparts);
	if (err)
		goto fail;
	d = calloc(1, sizeof(*d));
	if (!d) {
		err = vh_set_error(VH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	d->file.fd = -1;
	if (opts)
		d->opts = *opts;
	d->ops = &vh_split_ops;
	d->priv = p;
	p = NULL;
	d->file.path = joined_path(d->priv);
	if (!d->file.path) {
		err = vh_set_error(VH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	err = join(d, d->priv);
	if (err)
		goto fail;
	vh_dump_finish_ranges(d);
	d->cache = vh_cache_new(d->opts.cache_pages ? d->opts.cache_pages : DEFAULT_CACHE_PAGES,
				d->page_size);
	if (!d->cache) {
		err = vh_set_error(VH_ERR_NOMEM, "%s: out of memory for the page cache",
				   d->file.path);
		goto fail;
	}
	*out = d;
	return VH_OK;
fail:
	if (err == VH_ERR_NOMEM && !vh_errmsg()[0])
		vh_set_errmsg("out of memory");
	vh_dump_close(d);
	if (p) {
		for (size_t i = 0; i < p->nparts; i++)
			vh_dump_close(p->parts[i].d);
		free(p->parts);
		free(p);
	}
	return err;
}
