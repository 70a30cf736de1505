/* SPDX-License-Identifier: MIT */
/*
 * The address-space picture: one inline SVG per process. An address space is
 * 128 TiB with a few MiB in use, so the axis is segmented and logarithmic:
 * each VMA is as wide as the log of its size, a gap as the log of its size
 * (capped), and a gap of a TiB or more is a break mark. A map with thousands
 * of VMAs is drawn with runs of unremarkable ones merged into one block, so
 * the picture stays a few hundred shapes whatever the VMA count; the table
 * below it lists every VMA.
 */
#include "report/html.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHAPES 400		 /* blocks drawn per map, at most about */
#define BREAK_GAP  (1ull << 40)	 /* a gap this large is drawn as a break */
#define MERGE_GAP  (64ull << 20) /* runs are merged only across gaps below this */
#define VIEW_W	   1000.0

struct item {
	uint64_t start, end;
	const char *kind; /* "file", ..., "hid" (outside every VMA), "mix" (merged kinds) */
	bool rwx, x;
	long vma;     /* the first VMA of the block, -1 for a hidden range */
	long finding; /* a hidden range's finding; a VMA's first finding; -1 */
	size_t count; /* VMAs in the block */
	double x0, w;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* The VMAs and the ranges of findings outside every VMA, by address. */
static struct item *collect(const struct html_state *st, const struct html_proc *p, size_t *n)
{
	size_t cap = p->nv + 1, k = 0;
	struct item *it;

	for (long f = p->first; f >= 0; f = st->f[f].next)
		cap++;
	it = calloc(cap, sizeof(*it));
	if (!it)
		return NULL;
	for (size_t i = 0; i < p->nv; i++) {
		const struct html_vma *v = &p->v[i];

		it[k++] = (struct item){.start = v->start,
					.end = v->end,
					.kind = vh_html_vma_kind(v),
					.rwx = !strncmp(v->perms, "rwx", 3),
					.x = v->perms[2] == 'x',
					.vma = (long)i,
					.finding = v->first,
					.count = 1};
	}
	for (long f = p->first; f >= 0; f = st->f[f].next) {
		const struct html_finding *h = &st->f[f];

		if (h->vma < 0 && h->end > h->start)
			it[k++] = (struct item){.start = h->start,
						.end = h->end,
						.kind = "hid",
						.vma = -1,
						.finding = f};
	}
	qsort(it, k, sizeof(*it), cmp_item);
	*n = k;
	return it;
}

static bool plain(const struct item *i)
{
	return i->vma >= 0 && i->finding < 0 && !i->rwx;
}

/*
 * Merges runs of plain VMAs (no finding, not rwx) closer than MERGE_GAP into
 * blocks of at most @per; @same_kind: only VMAs of one kind.
 */
static size_t merge_runs(struct item *it, size_t n, size_t per, bool same_kind)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct item *last = k ? &it[k - 1] : NULL;

		if (last && plain(last) && plain(&it[i]) && last->count + it[i].count <= per &&
		    (!same_kind || !strcmp(last->kind, it[i].kind)) && it[i].start >= last->end &&
		    it[i].start - last->end < MERGE_GAP) {
			if (strcmp(last->kind, it[i].kind))
				last->kind = "mix";
			last->x = last->x || it[i].x;
			last->end = it[i].end;
			last->count += it[i].count;
			continue;
		}
		it[k++] = it[i];
	}
	return k;
}

/*
 * Past MAX_SHAPES blocks: first whole runs of one kind become one block each
 * (a run of 20 000 anonymous VMAs is one region to the eye), then, if that is
 * not enough, runs of any kind in groups.
 */
static size_t merge(struct item *it, size_t n)
{
	if (n <= MAX_SHAPES)
		return n;
	n = merge_runs(it, n, SIZE_MAX, true);
	if (n <= MAX_SHAPES)
		return n;
	return merge_runs(it, n, n / MAX_SHAPES + 1, false);
}

/* log2(@v), linear between powers of two: enough for widths, and no libm for users to link. */
static double lg(uint64_t v)
{
	int e;

	if (v <= 1)
		return 0;
	e = 63 - __builtin_clzll(v);
	return e + (double)(v - (1ull << e)) / (double)(1ull << e);
}

static double log_pages(uint64_t bytes)
{
	return lg((bytes >> 12) + 1);
}

/* Places the blocks left to right, scaled to the view's width. */
static void layout(struct item *it, size_t n)
{
	double x = 0, scale;

	for (size_t i = 0; i < n; i++) {
		uint64_t gap = i && it[i].start > it[i - 1].end ? it[i].start - it[i - 1].end : 0;

		if (gap >= BREAK_GAP)
			x += 4;
		else if (gap)
			x += 0.25 * log_pages(gap) + 0.3 < 3 ? 0.25 * log_pages(gap) + 0.3 : 3;
		it[i].x0 = x;
		it[i].w = 1 + log_pages(it[i].end - it[i].start) + lg(it[i].count);
		x += it[i].w;
	}
	scale = x > 0 ? VIEW_W / x : 1;
	for (size_t i = 0; i < n; i++) {
		it[i].x0 *= scale;
		it[i].w *= scale;
	}
}

static void block_title(FILE *o, const struct html_proc *p, const struct item *i)
{
	fprintf(o, "<title>%" PRIx64 "-%" PRIx64 " ", i->start, i->end);
	vh_html_size(o, i->end - i->start);
	if (i->vma < 0) {
		fputs(" outside every VMA (a finding)", o);
	} else if (i->count > 1) {
		fprintf(o, " %zu VMAs (merged in the picture; each is in the table)", i->count);
	} else {
		fprintf(o, " %s ", p->v[i->vma].perms);
		vh_html_text(o, p->v[i->vma].path, false);
	}
	fputs("</title>", o);
}

static void block(FILE *o, const struct html_state *st, const struct html_proc *p,
		  const struct item *i)
{
	if (i->vma < 0)
		fprintf(o, "<a href=\"#f-%ld\">", i->finding);
	else
		fprintf(o, "<a href=\"#p-%" PRId32 "-v-%ld\">", p->t->pid, i->vma);
	fprintf(o, "<rect x=\"%.1f\" y=\"14\" width=\"%.1f\" height=\"26\" class=\"k-%s%s%s\">",
		i->x0, i->w > 0.6 ? i->w - 0.3 : i->w, i->kind, i->x ? " px" : "",
		i->rwx	       ? " rwx"
		: i->count > 1 ? " agg"
			       : "");
	block_title(o, p, i);
	fputs("</rect>", o);
	if (i->count > 1 && i->w > 60) /* say it is a merged run, where there is room */
		fprintf(o, "<text class=\"in\" x=\"%.1f\" y=\"31\">%zu VMAs</text>", i->x0 + 3,
			i->count);
	fputs("</a>", o);
	if (i->finding >= 0)
		fprintf(o,
			"<a href=\"#f-%ld\"><path class=\"mk s%d\" d=\"M%.1f 12l-4-9h8z\"><title>"
			"finding</title></path></a>",
			i->finding, st->f[i->finding].sev, i->x0 + i->w / 2);
}

/* Address labels where a segment starts, when there is room. */
static void labels(FILE *o, const struct item *it, size_t n)
{
	double last = -1000;

	for (size_t i = 0; i < n; i++) {
		bool seg = !i || it[i].start - it[i - 1].end >= MERGE_GAP;

		if (i && it[i].start - it[i - 1].end >= BREAK_GAP)
			fprintf(o, "<path class=\"brk\" d=\"M%.1f 10l2 8-4 8 4 8-2 8\"/>",
				it[i].x0 - 2);
		if (!seg || it[i].x0 - last < 120 || it[i].x0 > VIEW_W - 60)
			continue;
		fprintf(o, "<text x=\"%.1f\" y=\"55\">%" PRIx64 "</text>", it[i].x0, it[i].start);
		last = it[i].x0;
	}
}

void vh_html_map(FILE *o, const struct html_state *st, size_t pi)
{
	const struct html_proc *p = &st->p[pi];
	size_t n = 0;
	struct item *it = collect(st, p, &n);

	if (!it || !n) {
		free(it);
		return;
	}
	n = merge(it, n);
	layout(it, n);
	fputs("<svg class=\"map\" viewBox=\"0 0 1000 60\" role=\"img\">", o);
	for (size_t i = 0; i < n; i++)
		block(o, st, p, &it[i]);
	labels(o, it, n);
	fputs("</svg>\n", o);
	free(it);
}
