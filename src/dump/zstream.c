/* SPDX-License-Identifier: MIT */
/* Random reads from a zstd-compressed file by forward streaming (see zstream.h). */
#include "dump/zstream.h"
#include "util/error.h"

#include <vmahunt/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* Decompressed bytes kept: reads this far behind the stream's head cost nothing. */
#define WINDOW (1u << 20)

struct vh_zstream {
	const struct vh_file *f;
	ZSTD_DCtx *dctx;
	unsigned char *in; /* compressed input buffer */
	size_t in_cap;
	ZSTD_inBuffer ib;
	uint64_t in_off;    /* file offset of the byte after the input buffer's data */
	unsigned char *win; /* the window: decompressed [win_start, win_start + win_len) */
	uint64_t win_start;
	size_t win_len;
	uint64_t size;	 /* decompressed bytes before a fault, or in all */
	bool ended;	 /* the head reached the end (or the fault) */
	bool in_frame;	 /* a frame is started and not yet complete */
	char fault[256]; /* why the stream ended early; "" when it ended cleanly */
	struct vh_zstream_stats st;
};

bool vh_zstream_probe(const uint8_t *head, size_t len)
{
	static const uint8_t magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

	return len >= 4 && !memcmp(head, magic, 4);
}

static void rewind_stream(struct vh_zstream *z)
{
	ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
	z->ib.src = z->in;
	z->ib.size = z->ib.pos = 0;
	z->in_off = 0;
	z->win_start = 0;
	z->win_len = 0;
	z->ended = false;
	z->in_frame = false;
}

/* Refills the input buffer; false at the end of the file. */
static int refill(struct vh_zstream *z, bool *eof)
{
	uint64_t left = z->f->size - z->in_off;
	size_t n = left < z->in_cap ? (size_t)left : z->in_cap;
	int err;

	*eof = n == 0;
	if (!n)
		return VH_OK;
	err = vh_file_read(z->f, z->in_off, z->in, n, "zstd stream");
	if (err)
		return err;
	z->ib.size = n;
	z->ib.pos = 0;
	z->in_off += n;
	return VH_OK;
}

/*
 * Decompresses the next window's worth: the window then holds the bytes after
 * the previous ones. Sets z->ended at the end of the stream or at a fault (the
 * fault text records where, the first time).
 */
static int advance(struct vh_zstream *z)
{
	ZSTD_outBuffer ob = {z->win, WINDOW, 0};

	z->win_start += z->win_len;
	while (ob.pos < ob.size) {
		bool eof = false;

		if (z->ib.pos == z->ib.size) {
			int err = refill(z, &eof);

			if (err)
				return err;
			if (eof) {
				if (z->in_frame && !z->fault[0])
					snprintf(z->fault, sizeof(z->fault),
						 "zstd stream cut at file offset 0x%llx, inside a "
						 "frame",
						 (unsigned long long)z->in_off);
				z->ended = true;
				break;
			}
		}
		size_t last = ZSTD_decompressStream(z->dctx, &ob, &z->ib);

		z->in_frame = last != 0; /* 0: a frame ended, decoded and flushed */
		if (ZSTD_isError(last)) {
			if (!z->fault[0])
				snprintf(z->fault, sizeof(z->fault),
					 "zstd stream undecodable near file offset 0x%llx: %s",
					 (unsigned long long)(z->in_off - z->ib.size + z->ib.pos),
					 ZSTD_getErrorName(last));
			z->ended = true;
			break;
		}
	}
	z->win_len = ob.pos;
	z->st.decompressed += ob.pos;
	z->st.compressed_end = z->in_off - z->ib.size + z->ib.pos;
	return VH_OK;
}

int vh_zstream_open(const struct vh_file *f, struct vh_zstream **out)
{
	struct vh_zstream *z = calloc(1, sizeof(*z));
	int err = VH_OK;

	*out = NULL;
	if (!z)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", f->path);
	z->f = f;
	z->in_cap = ZSTD_DStreamInSize();
	z->in = malloc(z->in_cap);
	z->win = malloc(WINDOW);
	z->dctx = ZSTD_createDCtx();
	if (!z->in || !z->win || !z->dctx) {
		vh_zstream_free(z);
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", f->path);
	}
	/* the opening pass: the size, and where a cut or damaged stream ends */
	rewind_stream(z);
	while (!err && !z->ended)
		err = advance(z);
	if (err) {
		vh_zstream_free(z);
		return err;
	}
	z->size = z->win_start + z->win_len;
	if (z->size == 0) {
		err = vh_set_error(VH_ERR_CORRUPT, "%s: offset 0x0: %s", f->path,
				   z->fault[0] ? z->fault : "empty zstd stream");
		vh_zstream_free(z);
		return err;
	}
	rewind_stream(z);
	*out = z;
	return VH_OK;
}

void vh_zstream_free(struct vh_zstream *z)
{
	if (!z)
		return;
	ZSTD_freeDCtx(z->dctx);
	free(z->in);
	free(z->win);
	free(z);
}

uint64_t vh_zstream_size(const struct vh_zstream *z)
{
	return z->size;
}

const char *vh_zstream_fault(const struct vh_zstream *z)
{
	return z->fault[0] ? z->fault : NULL;
}

int vh_zstream_read(struct vh_zstream *z, uint64_t off, void *buf, size_t len, const char *what)
{
	unsigned char *dst = buf;

	if (off > z->size || len > z->size - off)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: decompressed offset 0x%llx: %s (%zu bytes) lies past the "
				    "end of the decompressed data (0x%llx bytes)",
				    z->f->path, (unsigned long long)off, what, len,
				    (unsigned long long)z->size);
	if (len && off < z->win_start) {
		rewind_stream(z);
		z->st.restarts++;
	}
	while (len) {
		uint64_t win_end = z->win_start + z->win_len;

		if (off >= z->win_start && off < win_end) {
			size_t n = (size_t)(win_end - off);

			if (n > len)
				n = len;
			memcpy(dst, z->win + (off - z->win_start), n);
			dst += n;
			off += n;
			len -= n;
			continue;
		}
		if (z->ended)
			return vh_set_error(VH_ERR_CORRUPT,
					    "%s: decompressed offset 0x%llx: %s: the zstd stream "
					    "decoded differently than on open",
					    z->f->path, (unsigned long long)off, what);
		int err = advance(z);

		if (err)
			return err;
	}
	return VH_OK;
}

void vh_zstream_stats(const struct vh_zstream *z, struct vh_zstream_stats *st)
{
	*st = z->st;
}
