/* SPDX-License-Identifier: MIT */
/*
 * makedumpfile's flattened format (makedumpfile -F, QEMU's kdump-* output):
 * the kdump image cut into records, for writing to a pipe.
 *
 *   0      struct makedumpfile_header: "makedumpfile" NUL-padded to 16 bytes,
 *          int64 type (1), int64 version (1); the block is 4096 bytes
 *   4096   records: int64 offset, int64 buf_size, then buf_size bytes that
 *          belong at that offset of the kdump image
 *   ...    end marker: offset = buf_size = -1
 *
 * The int64s are big-endian, whatever the machine. makedumpfile -R replays the
 * records in order, seeking and writing: a later record overwrites an earlier
 * one, and what no record covers stays a hole (zeros).
 *
 * Reading: one pass over the records builds an index of extents (kdump
 * offset, length, file offset), sorted and disjoint, later records winning;
 * the kdump reader (kdump.c) then reads the image through it. Converting:
 * vh_dump_convert_flattened() replays the records like makedumpfile -R.
 */
#include "dump/kdump.h"
#include "util/error.h"
#include "util/grow.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MDF_SIGNATURE	"makedumpfile"
#define MDF_SIG_LEN	16
#define MDF_HEADER_SIZE 4096
#define MDF_TYPE_FLAT	1
#define MDF_REC_HDR	16
#define MDF_END		(-1)
#define MDF_MAX_IMAGE	(1ull << 52) /* 4 PiB: past any kdump image, still no overflow */
#define MDF_MAX_RECORDS (1u << 26)   /* index of 1.5 GiB; convert has no such limit */
#define WINDOW_SIZE	(256u << 10) /* read-ahead for record headers */
#define COPY_SIZE	(1u << 20)

/* One extent of the kdump image and where its bytes are in the file. */
struct extent {
	uint64_t voff;
	uint64_t len;
	uint64_t foff;
	uint64_t seq; /* record number: the later record wins an overlap */
};

struct flat_index {
	const struct vh_file *file;
	struct extent *ext; /* sorted by voff, disjoint */
	size_t n;
	uint64_t size; /* end of the furthest extent */
};

/* A record as read from the stream. */
struct record {
	int64_t offset;
	int64_t size;
	uint64_t pos;  /* file offset of its header */
	uint64_t data; /* file offset of its data */
};

enum rec_kind { REC_DATA, REC_END, REC_NO_END, REC_SHORT };

/* Read-ahead window over the file, so record headers do not cost a pread each. */
struct window {
	const struct vh_file *file;
	uint64_t off;
	size_t len;
	uint8_t *buf;
};

static int window_read(struct window *w, uint64_t off, void *dst, size_t len)
{
	if (off < w->off || off + len > w->off + w->len) {
		uint64_t left = w->file->size - off;
		size_t n = left < WINDOW_SIZE ? (size_t)left : WINDOW_SIZE;
		int err = vh_file_read(w->file, off, w->buf, n, "flattened record header");

		if (err)
			return err;
		w->off = off;
		w->len = n;
	}
	memcpy(dst, w->buf + (off - w->off), len);
	return VH_OK;
}

static int64_t get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (int64_t)be64toh(v);
}

/* Checks the 4096-byte makedumpfile_header. */
static int check_header(const struct vh_file *f, int64_t *version)
{
	uint8_t b[32];
	int64_t type;
	int err;

	if (f->size < MDF_HEADER_SIZE)
		return vh_set_error(
		    VH_ERR_TRUNCATED,
		    "%s: offset 0x0: flattened header block of %d bytes runs past the "
		    "end of the file (size 0x%" PRIx64 ")",
		    f->path, MDF_HEADER_SIZE, f->size);
	err = vh_file_read(f, 0, b, sizeof(b), "flattened header");
	if (err)
		return err;
	if (memcmp(b, MDF_SIGNATURE, sizeof(MDF_SIGNATURE)) != 0)
		return vh_set_error(
		    VH_ERR_FORMAT,
		    "%s: offset 0x0: expected the flattened signature \"makedumpfile\"", f->path);
	type = get_be64(b + MDF_SIG_LEN);
	if (type != MDF_TYPE_FLAT)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: flattened header type %" PRId64
				    ", expected %d (big-endian)",
				    f->path, MDF_SIG_LEN, type, MDF_TYPE_FLAT);
	*version = get_be64(b + MDF_SIG_LEN + 8);
	return VH_OK;
}

/*
 * Reads the record at @pos. REC_NO_END: the file ends before a complete
 * record header; REC_SHORT: before the end of the record's data. Malformed
 * headers fail with VH_ERR_FORMAT.
 */
static int read_record(struct window *w, uint64_t pos, struct record *r, enum rec_kind *kind)
{
	const char *path = w->file->path;
	uint8_t b[MDF_REC_HDR];
	int err;

	r->pos = pos;
	if (w->file->size - pos < MDF_REC_HDR) {
		*kind = REC_NO_END;
		return VH_OK;
	}
	err = window_read(w, pos, b, sizeof(b));
	if (err)
		return err;
	r->offset = get_be64(b);
	r->size = get_be64(b + 8);
	r->data = pos + MDF_REC_HDR;
	if (r->offset == MDF_END && r->size == MDF_END) {
		*kind = REC_END;
		return VH_OK;
	}
	if (r->offset < 0 || r->size < 0 || (uint64_t)r->offset > MDF_MAX_IMAGE ||
	    (uint64_t)r->size > MDF_MAX_IMAGE - (uint64_t)r->offset)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%" PRIx64 ": flattened record with kdump offset "
				    "%" PRId64 " and size %" PRId64 ", expected both non-negative "
				    "and below 4 PiB, or the end marker (-1, -1)",
				    path, pos, r->offset, r->size);
	*kind = (uint64_t)r->size > w->file->size - r->data ? REC_SHORT : REC_DATA;
	return VH_OK;
}

/* ---- the index ---- */

static int cmp_extent(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	if (x->voff != y->voff)
		return x->voff < y->voff ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Max-heap of extent indices by seq. */
struct heap {
	size_t *v;
	size_t n;
};

static void heap_push(struct heap *h, const struct extent *e, size_t x)
{
	size_t i = h->n++;

	while (i && e[h->v[(i - 1) / 2]].seq < e[x].seq) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static void heap_pop(struct heap *h, const struct extent *e)
{
	size_t x = h->v[--h->n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && e[h->v[c + 1]].seq > e[h->v[c]].seq)
			c++;
		if (e[h->v[c]].seq <= e[x].seq)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
}

static void emit(struct extent *out, size_t *n, uint64_t voff, uint64_t len, uint64_t foff)
{
	struct extent *p = *n ? &out[*n - 1] : NULL;

	if (p && p->voff + p->len == voff && p->foff + p->len == foff) {
		p->len += len;
		return;
	}
	out[(*n)++] = (struct extent){.voff = voff, .len = len, .foff = foff};
}

/*
 * Overlapping records: cut the image at every record boundary; each piece
 * belongs to the latest record covering it (a sweep with a heap by seq).
 */
static int resolve_overlaps(struct flat_index *x)
{
	size_t n = x->n, np = 0, j = 0, nout = 0;
	uint64_t *pts = malloc(2 * n * sizeof(*pts));
	struct extent *out = malloc(2 * n * sizeof(*out));
	struct heap h = {malloc(n * sizeof(size_t)), 0};

	if (!pts || !out || !h.v) {
		free(pts);
		free(out);
		free(h.v);
		return VH_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		pts[np++] = x->ext[i].voff;
		pts[np++] = x->ext[i].voff + x->ext[i].len;
	}
	qsort(pts, np, sizeof(*pts), cmp_u64);
	for (size_t k = 0; k + 1 < np; k++) {
		uint64_t p = pts[k], q = pts[k + 1];
		const struct extent *t;

		while (j < n && x->ext[j].voff <= p)
			heap_push(&h, x->ext, j++);
		while (h.n && x->ext[h.v[0]].voff + x->ext[h.v[0]].len <= p)
			heap_pop(&h, x->ext);
		if (!h.n || p == q)
			continue;
		t = &x->ext[h.v[0]];
		emit(out, &nout, p, q - p, t->foff + (p - t->voff));
	}
	free(pts);
	free(h.v);
	free(x->ext);
	x->ext = out;
	x->n = nout;
	return VH_OK;
}

static int sort_index(struct flat_index *x)
{
	uint64_t end = 0;
	bool overlap = false;

	if (x->n == 0)
		return VH_OK;
	qsort(x->ext, x->n, sizeof(*x->ext), cmp_extent);
	for (size_t i = 0; i < x->n; i++) {
		if (x->ext[i].voff < end)
			overlap = true;
		if (x->ext[i].voff + x->ext[i].len > end)
			end = x->ext[i].voff + x->ext[i].len;
	}
	x->size = end;
	return overlap ? resolve_overlaps(x) : VH_OK;
}

static int add_extent(struct flat_index *x, size_t *cap, const struct record *r, uint64_t len)
{
	if (len == 0)
		return VH_OK; /* nothing to place; makedumpfile never writes these */
	if (x->n == *cap) {
		struct extent *p = vh_grow(x->ext, x->n, cap, sizeof(*p), 1024);

		if (!p)
			return VH_ERR_NOMEM;
		x->ext = p;
	}
	x->ext[x->n] = (struct extent){(uint64_t)r->offset, len, r->data, x->n};
	x->n++;
	return VH_OK;
}

/* Warns about a stream that stops early; the records before it stay usable. */
static int warn_short(struct vh_dump *d, const struct record *r, enum rec_kind kind)
{
	if (kind == REC_NO_END)
		return vh_dump_add_warning(
		    d,
		    "%s: offset 0x%" PRIx64 ": the flattened stream ends "
		    "without its end marker (cut short?); reading the records "
		    "before it",
		    d->file.path, r->pos);
	return vh_dump_add_warning(d,
				   "%s: offset 0x%" PRIx64 ": the flattened record of %" PRId64
				   " bytes for kdump offset 0x%" PRIx64 " runs past the end of the "
				   "file; its first %" PRIu64 " bytes are used",
				   d->file.path, r->pos, r->size, (uint64_t)r->offset,
				   d->file.size - r->data);
}

static int scan_records(struct vh_dump *d, struct flat_index *x, uint64_t *nrec)
{
	struct window w = {.file = &d->file, .buf = malloc(WINDOW_SIZE)};
	uint64_t pos = MDF_HEADER_SIZE;
	size_t cap = 0;
	int err = w.buf ? VH_OK : VH_ERR_NOMEM;

	*nrec = 0;
	while (!err) {
		struct record r;
		enum rec_kind kind;

		err = read_record(&w, pos, &r, &kind);
		if (err)
			break;
		if (kind == REC_END) {
			if (d->file.size - r.data > 0)
				err = vh_dump_add_warning(
				    d,
				    "%s: offset 0x%" PRIx64 ": %" PRIu64 " bytes "
				    "follow the flattened end marker; ignored (if many, a "
				    "damaged record header may look like the end marker)",
				    d->file.path, r.data, d->file.size - r.data);
			break;
		}
		if (kind == REC_NO_END) {
			err = warn_short(d, &r, kind);
			break;
		}
		if (++*nrec > MDF_MAX_RECORDS) {
			err = vh_set_error(
			    VH_ERR_UNSUPPORTED,
			    "%s: offset 0x%" PRIx64 ": more than %u flattened records "
			    "to index; convert the stream with \"vmahunt convert\" first",
			    d->file.path, pos, MDF_MAX_RECORDS);
			break;
		}
		err = add_extent(x, &cap, &r,
				 kind == REC_SHORT ? d->file.size - r.data : (uint64_t)r.size);
		if (!err && kind == REC_SHORT) {
			err = warn_short(d, &r, kind);
			break;
		}
		pos = r.data + (uint64_t)r.size; /* advances by at least the 16-byte header */
	}
	free(w.buf);
	if (err == VH_ERR_NOMEM)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory for the flattened index",
				    d->file.path);
	return err;
}

/* Index of the first extent ending after @off. */
static size_t find_extent(const struct flat_index *x, uint64_t off)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->ext[mid].voff + x->ext[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int flat_read(void *ctx, uint64_t off, void *buf, size_t len, const char *what,
		     unsigned flags)
{
	const struct flat_index *x = ctx;
	uint8_t *dst = buf;
	uint64_t end = off + len;
	size_t i = find_extent(x, off);

	if (off > x->size || len > x->size - off)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: kdump offset 0x%" PRIx64 ": %s of %zu bytes runs past the "
				    "end of the kdump image the flattened stream holds (0x%" PRIx64
				    " bytes)",
				    x->file->path, off, what, len, x->size);
	while (off < end) {
		const struct extent *e = i < x->n ? &x->ext[i] : NULL;
		uint64_t n;
		int err;

		if (e && e->voff <= off) {
			n = (e->voff + e->len < end ? e->voff + e->len : end) - off;
			err =
			    vh_file_read(x->file, e->foff + (off - e->voff), dst, (size_t)n, what);
			if (err)
				return err;
			i++;
		} else {
			n = (e && e->voff < end ? e->voff : end) - off;
			if (flags & VH_KDUMP_SRC_NO_HOLES)
				return vh_set_error(
				    VH_ERR_TRUNCATED,
				    "%s: kdump offset 0x%" PRIx64 ": %s: no flattened "
				    "record holds these 0x%" PRIx64 " bytes (a record "
				    "is missing)",
				    x->file->path, off, what, n);
			memset(dst, 0, (size_t)n);
		}
		dst += n;
		off += n;
	}
	return VH_OK;
}

static uint64_t flat_file_offset(void *ctx, uint64_t off)
{
	const struct flat_index *x = ctx;
	size_t i = find_extent(x, off);

	if (i < x->n && x->ext[i].voff <= off)
		return x->ext[i].foff + (off - x->ext[i].voff);
	return UINT64_MAX;
}

static void flat_free(void *ctx)
{
	struct flat_index *x = ctx;

	if (x)
		free(x->ext);
	free(x);
}

static bool flattened_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)file_size;
	return len >= MDF_SIG_LEN && memcmp(head, MDF_SIGNATURE, sizeof(MDF_SIGNATURE)) == 0;
}

static int flattened_open(struct vh_dump *d)
{
	struct flat_index *x = calloc(1, sizeof(*x));
	struct vh_kdump_src src = {
	    .read = flat_read,
	    .file_offset = flat_file_offset,
	    .free = flat_free,
	    .ctx = x,
	};
	uint64_t nrec;
	int64_t version;
	int err;

	if (!x)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	x->file = &d->file;
	err = check_header(&d->file, &version);
	if (!err)
		err = scan_records(d, x, &nrec);
	if (!err && sort_index(x))
		err = vh_set_error(VH_ERR_NOMEM, "%s: out of memory for the flattened index",
				   d->file.path);
	if (!err && x->n == 0)
		err = vh_set_error(VH_ERR_FORMAT,
				   "%s: offset 0x%x: the flattened stream holds no data records",
				   d->file.path, MDF_HEADER_SIZE);
	if (!err)
		err = vh_dump_add_attr(d, "flattened",
				       "version %" PRId64 ", %" PRIu64
				       " records, %zu extents, kdump image of 0x%" PRIx64 " bytes",
				       version, nrec, x->n, x->size);
	if (err) {
		flat_free(x);
		return err;
	}
	src.size = x->size;
	return vh_kdump_open_src(d, &src);
}

const struct vh_dump_ops vh_flattened_ops = {
    .format = VH_FMT_FLATTENED,
    .probe = flattened_probe,
    .open = flattened_open,
    .read_page = vh_kdump_read_page,
    .page_state = vh_kdump_page_state,
    .next_present = vh_kdump_next_present,
    .close = vh_kdump_close,
};

/* ---- convert: replay the records like makedumpfile -R ---- */

static int write_all(int fd, const char *path, uint64_t off, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vh_set_error(VH_ERR_IO, "%s: offset 0x%" PRIx64 ": cannot write: %s",
					    path, off, n < 0 ? strerror(errno) : "no progress");
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return VH_OK;
}

static int copy_record(const struct vh_file *in, int fd, const char *out_path,
		       const struct record *r, uint8_t *buf)
{
	uint64_t done = 0, size = (uint64_t)r->size;

	while (done < size) {
		size_t n = size - done < COPY_SIZE ? (size_t)(size - done) : COPY_SIZE;
		int err = vh_file_read(in, r->data + done, buf, n, "flattened record data");

		if (!err)
			err = write_all(fd, out_path, (uint64_t)r->offset + done, buf, n);
		if (err)
			return err;
		done += n;
	}
	return VH_OK;
}

static int replay(const struct vh_file *in, int fd, const char *out_path)
{
	struct window w = {.file = in, .buf = malloc(WINDOW_SIZE)};
	uint8_t *buf = malloc(COPY_SIZE);
	uint64_t pos = MDF_HEADER_SIZE;
	int err = (w.buf && buf) ? VH_OK : vh_set_error(VH_ERR_NOMEM, "out of memory");

	while (!err) {
		struct record r;
		enum rec_kind kind;

		err = read_record(&w, pos, &r, &kind);
		if (err || kind == REC_END)
			break;
		if (kind == REC_NO_END) {
			err = vh_set_error(VH_ERR_TRUNCATED,
					   "%s: offset 0x%" PRIx64 ": the flattened stream ends "
					   "without its end marker",
					   in->path, pos);
			break;
		}
		if (kind == REC_SHORT) {
			err = vh_set_error(VH_ERR_TRUNCATED,
					   "%s: offset 0x%" PRIx64 ": flattened record of %" PRId64
					   " bytes runs past the end of the file",
					   in->path, pos, r.size);
			break;
		}
		err = copy_record(in, fd, out_path, &r, buf);
		pos = r.data + (uint64_t)r.size;
	}
	free(w.buf);
	free(buf);
	return err;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int vh_dump_convert_flattened(const char *in_path, const char *out_path)
{
	struct vh_file in = {.fd = -1};
	int64_t version;
	int fd, err;

	if (!in_path || !out_path)
		return vh_set_error(VH_ERR_INVAL, "convert: input and output files are needed");
	if (same_file(in_path, out_path))
		return vh_set_error(VH_ERR_INVAL, "%s: convert would overwrite its own input",
				    out_path);
	err = vh_file_open(&in, in_path);
	if (!err)
		err = check_header(&in, &version);
	if (err) {
		vh_file_close(&in);
		return err;
	}
	/* A dump holds every secret the machine had: owner only, as makedumpfile does. */
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = vh_set_error(VH_ERR_IO, "%s: cannot create: %s", out_path, strerror(errno));
		vh_file_close(&in);
		return err;
	}
	err = replay(&in, fd, out_path);
	if (close(fd) < 0 && !err)
		err = vh_set_error(VH_ERR_IO, "%s: cannot write: %s", out_path, strerror(errno));
	vh_file_close(&in);
	if (err)
		unlink(out_path); /* a half-converted dump would look whole */
	return err;
}
