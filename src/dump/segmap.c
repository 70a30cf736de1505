/* SPDX-License-Identifier: MIT */
/* Physical ranges stored as plain bytes: overlap resolution, page lookups, page counts. */
#include "dump/segmap.h"
#include "util/error.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

int vh_segmap_add(struct vh_dump *d, struct vh_segmap *m, uint64_t start, uint64_t end,
		  uint64_t file_off, enum vh_seg_kind kind)
{
	struct vh_seg *s;

	if (end <= start)
		return VH_OK;
	if (m->n == m->cap) {
		struct vh_seg *p = vh_grow(m->segs, m->n, &m->cap, sizeof(*p), 16);

		if (!p)
			return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
		m->segs = p;
	}
	s = &m->segs[m->n];
	s->start = start;
	s->end = end;
	s->file_off = file_off;
	s->prio = (uint32_t)m->n;
	s->kind = kind;
	m->n++;
	return VH_OK;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct vh_seg *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A binary min-heap of indices into segs, ordered by prio. */
struct prio_heap {
	size_t *idx;
	size_t n;
	const struct vh_seg *segs;
};

/* Stored bytes beat zeros beat excluded (enum order), then the range added first wins. */
static bool heap_less(const struct prio_heap *h, size_t a, size_t b)
{
	const struct vh_seg *x = &h->segs[h->idx[a]], *y = &h->segs[h->idx[b]];

	if (x->kind != y->kind)
		return x->kind < y->kind;
	return x->prio < y->prio;
}

static void heap_swap(struct prio_heap *h, size_t a, size_t b)
{
	size_t t = h->idx[a];

	h->idx[a] = h->idx[b];
	h->idx[b] = t;
}

static void heap_push(struct prio_heap *h, size_t seg)
{
	size_t i = h->n++;

	h->idx[i] = seg;
	while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_pop(struct prio_heap *h)
{
	size_t i = 0;

	h->idx[0] = h->idx[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (r < h->n && heap_less(h, r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(h, i, m);
		i = m;
	}
}

/* Appends [x, y) taken from @w to @out, extending the previous piece when it continues it. */
static void emit(struct vh_seg *out, size_t *nout, const struct vh_seg *w, uint64_t x, uint64_t y)
{
	struct vh_seg *prev = *nout ? &out[*nout - 1] : NULL;

	if (prev && prev->end == x && prev->prio == w->prio && prev->kind == w->kind) {
		prev->end = y;
		return;
	}
	out[*nout] = *w;
	out[*nout].start = x;
	out[*nout].end = y;
	if (w->kind == VH_SEG_FILE)
		out[*nout].file_off = w->file_off + (x - w->start);
	(*nout)++;
}

/*
 * Sweep over every start and end point; between two consecutive points the
 * covering range that heap_less() puts first wins. Expired ranges leave the heap lazily.
 * O(n log n), whatever the overlaps: a hostile file cannot make this slow.
 */
static int resolve_overlaps(struct vh_dump *d, struct vh_segmap *m)
{
	size_t n = m->n, npts = 0, nout = 0, next = 0;
	uint64_t *pts = malloc(2 * n * sizeof(*pts));
	struct vh_seg *out = malloc(2 * n * sizeof(*out));
	struct prio_heap h = {malloc(n * sizeof(size_t)), 0, m->segs};

	if (!pts || !out || !h.idx) {
		free(pts);
		free(out);
		free(h.idx);
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	}
	for (size_t i = 0; i < n; i++) {
		pts[npts++] = m->segs[i].start;
		pts[npts++] = m->segs[i].end;
	}
	qsort(pts, npts, sizeof(*pts), cmp_u64);
	for (size_t k = 0; k + 1 < npts; k++) {
		uint64_t x = pts[k], y = pts[k + 1];

		if (x == y)
			continue;
		while (next < n && m->segs[next].start <= x)
			heap_push(&h, next++);
		while (h.n && m->segs[h.idx[0]].end <= x)
			heap_pop(&h);
		if (h.n)
			emit(out, &nout, &m->segs[h.idx[0]], x, y);
	}
	free(pts);
	free(h.idx);
	free(m->segs);
	m->segs = out;
	m->n = nout;
	m->cap = 2 * n;
	return VH_OK;
}

static enum vh_page_state kind_state(uint32_t kind)
{
	return kind == VH_SEG_FILE   ? VH_PAGE_PRESENT
	       : kind == VH_SEG_ZERO ? VH_PAGE_ZERO
				     : VH_PAGE_EXCLUDED;
}

/* PRESENT beats ZERO beats EXCLUDED: a page with any stored byte must be read. */
static enum vh_page_state better(enum vh_page_state a, enum vh_page_state b)
{
	static const int rank[] = {[VH_PAGE_ABSENT] = 0,
				   [VH_PAGE_EXCLUDED] = 1,
				   [VH_PAGE_ZERO] = 2,
				   [VH_PAGE_PRESENT] = 3};

	return rank[a] >= rank[b] ? a : b;
}

static void count_pages(struct vh_page_stats *st, enum vh_page_state s, uint64_t n)
{
	if (s == VH_PAGE_PRESENT)
		st->present += n;
	else if (s == VH_PAGE_ZERO)
		st->zero += n;
	else if (s == VH_PAGE_EXCLUDED)
		st->excluded += n;
}

/*
 * Counts each page once, by its best state. Pieces are sorted and disjoint, so
 * only a piece's first page can be shared with earlier pieces: it is carried
 * in @cur until a piece starting on a later page shows it is complete.
 */
static void compute_stats(struct vh_dump *d, const struct vh_segmap *m)
{
	struct vh_page_stats *st = &d->stats;
	bool have_cur = false;
	uint64_t cur_pfn = 0;
	enum vh_page_state cur = VH_PAGE_ABSENT;

	for (size_t i = 0; i < m->n; i++) {
		const struct vh_seg *s = &m->segs[i];
		uint64_t first = s->start >> d->page_shift, last = (s->end - 1) >> d->page_shift;
		enum vh_page_state ks = kind_state(s->kind);

		if (have_cur && first == cur_pfn) {
			cur = better(cur, ks);
			if (first == last)
				continue;
			first++;
		}
		if (have_cur)
			count_pages(st, cur, 1);
		count_pages(st, ks, last - first);
		have_cur = true;
		cur_pfn = last;
		cur = ks;
	}
	if (have_cur)
		count_pages(st, cur, 1);
	st->by_codec[VH_CODEC_NONE] = st->present;
}

/* The dump's ranges, one per piece; vh_dump_finish_ranges() merges them later. */
static int set_ranges(struct vh_dump *d, const struct vh_segmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		int err = vh_dump_add_range(d, m->segs[i].start, m->segs[i].end);

		if (err)
			return err;
	}
	return VH_OK;
}

int vh_segmap_finish(struct vh_dump *d, struct vh_segmap *m)
{
	bool overlap = false;
	int err;

	if (m->n == 0)
		return VH_OK;
	qsort(m->segs, m->n, sizeof(*m->segs), cmp_seg);
	/* Sorted by start: if no piece overlaps its predecessor, none overlaps any. */
	for (size_t i = 1; i < m->n && !overlap; i++)
		overlap = m->segs[i].start < m->segs[i - 1].end;
	if (overlap) {
		err = resolve_overlaps(d, m);
		if (err)
			return err;
	}
	err = set_ranges(d, m);
	if (err)
		return err;
	compute_stats(d, m);
	return VH_OK;
}

/* Index of the first piece that ends after @addr (m->n when none). */
static size_t first_after(const struct vh_segmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->segs[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum vh_page_state vh_segmap_page_state(const struct vh_dump *d, const struct vh_segmap *m,
					uint64_t pfn)
{
	uint64_t start = pfn << d->page_shift, end = start + d->page_size;
	enum vh_page_state st = VH_PAGE_ABSENT;

	for (size_t i = first_after(m, start); i < m->n && m->segs[i].start < end; i++)
		st = better(st, kind_state(m->segs[i].kind));
	return st;
}

bool vh_segmap_next_present(const struct vh_dump *d, const struct vh_segmap *m, uint64_t pfn,
			    uint64_t *next)
{
	/*
	 * Pieces are sorted and disjoint: the first stored piece ending after
	 * the page's start holds the answer, and no earlier one reaches it.
	 */
	for (size_t i = first_after(m, pfn << d->page_shift); i < m->n; i++) {
		uint64_t first = m->segs[i].start >> d->page_shift;

		if (m->segs[i].kind != VH_SEG_FILE)
			continue;
		*next = first > pfn ? first : pfn;
		return true;
	}
	return false;
}

int vh_segmap_read_page(struct vh_dump *d, const struct vh_segmap *m, uint64_t pfn, void *buf,
			const char *what)
{
	uint64_t start = pfn << d->page_shift, end = start + d->page_size;

	for (size_t i = first_after(m, start); i < m->n && m->segs[i].start < end; i++) {
		const struct vh_seg *s = &m->segs[i];
		uint64_t lo = s->start > start ? s->start : start;
		uint64_t hi = s->end < end ? s->end : end;
		int err;

		if (s->kind != VH_SEG_FILE)
			continue;
		err = vh_file_read(&d->file, s->file_off + (lo - s->start),
				   (unsigned char *)buf + (lo - start), (size_t)(hi - lo), what);
		if (err)
			return err;
	}
	return VH_OK;
}

void vh_segmap_free(struct vh_segmap *m)
{
	free(m->segs);
	m->segs = NULL;
	m->n = m->cap = 0;
}
