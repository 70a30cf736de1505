/* SPDX-License-Identifier: MIT */
/*
 * Random reads from a zstd-compressed file, by forward streaming.
 *
 * zstd frames have no index, so a byte at decompressed offset X can only be
 * had by decompressing everything before it. The stream is decompressed
 * forwards through a fixed window (the last WINDOW bytes produced); a read
 * inside or after the window costs only the bytes in between, a read before
 * it restarts the stream from the file's first byte. Memory is bounded: the
 * window, zstd's input buffer and its decoder (whose history is at most
 * 2^27 bytes, zstd's default limit). Callers that read in ascending order
 * (the core reader does: program headers, notes, then segments in file
 * order) decompress the file about once.
 *
 * Opening makes one full pass to learn the decompressed size and whether
 * the stream ends cleanly: a cut or damaged stream keeps the bytes decoded
 * before the fault, and vh_zstream_fault() says where it was.
 */
#ifndef VH_DUMP_ZSTREAM_H
#define VH_DUMP_ZSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/file.h"

struct vh_zstream;

/* Statistics of a stream, for "vmahunt info" and bench/. */
struct vh_zstream_stats {
	uint64_t restarts;	 /* backward seeks that restarted the stream */
	uint64_t decompressed;	 /* bytes produced in total, the opening pass included */
	uint64_t compressed_end; /* file offset where decoding stopped (the file size when clean) */
};

/* True when the file starts with the zstd frame magic (28 b5 2f fd). */
bool vh_zstream_probe(const uint8_t *head, size_t len);

/*
 * vh_zstream_open() - prepare to read @f (which must outlive the stream) and
 * make the opening pass. Returns VH_OK, VH_ERR_NOMEM, VH_ERR_IO, or
 * VH_ERR_CORRUPT when not even the first byte decodes (message set).
 */
int vh_zstream_open(const struct vh_file *f, struct vh_zstream **out);
void vh_zstream_free(struct vh_zstream *z);

/* Decompressed bytes available (up to a fault, when there was one). */
uint64_t vh_zstream_size(const struct vh_zstream *z);

/*
 * vh_zstream_fault() - why the stream ended early, or NULL when it ended
 * cleanly. The text names the compressed offset ("zstd stream cut at file
 * offset 0x...") and stays valid until vh_zstream_free().
 */
const char *vh_zstream_fault(const struct vh_zstream *z);

/*
 * vh_zstream_read() - read @len decompressed bytes at @off; @what names them
 * for the error message. Returns VH_OK, VH_ERR_TRUNCATED when the bytes lie
 * past vh_zstream_size(), VH_ERR_IO or VH_ERR_CORRUPT.
 */
int vh_zstream_read(struct vh_zstream *z, uint64_t off, void *buf, size_t len, const char *what);

void vh_zstream_stats(const struct vh_zstream *z, struct vh_zstream_stats *st);

#endif
