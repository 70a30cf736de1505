/* SPDX-License-Identifier: MIT */
/*
 * What the three evidence writers (regions.c, core.c, files.c) share, from
 * out.c: output files created safely and hashed as they are written, and the
 * records that describe them (a JSON line on the records stream and an entry
 * of manifest.json).
 */
#ifndef VH_EVIDENCE_INTERNAL_H
#define VH_EVIDENCE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vmahunt/vmahunt.h>

#include "report/json.h"

#define VH_EV_PAGE 4096u

/* An output file being written: hashed (SHA-256) as bytes go out. */
struct vh_ev_file;

/*
 * vh_ev_file_create() - create @rel inside the folder @d: its parent folders
 * are made as needed (mode 0700), every component checked (no "", ".", "..",
 * no absolute path) and opened without following symbolic links, so a name
 * can never land outside the folder. The file gets mode 0600; an existing one
 * is VH_ERR_EXISTS unless the folder was opened with force.
 */
int vh_ev_file_create(struct vh_evidence_dir *d, const char *rel, struct vh_ev_file **out);

/* The same for a path given by the user (vmahunt core -o FILE): any path, no checks. */
int vh_ev_file_create_path(const char *path, bool force, struct vh_ev_file **out);

/* Appends @len bytes. */
int vh_ev_file_write(struct vh_ev_file *f, const void *buf, size_t len);

/* Appends @len zero bytes as a hole (a sparse file); the hash counts them as zeros. */
int vh_ev_file_zeros(struct vh_ev_file *f, uint64_t len);

/* Bytes written so far (holes included). */
uint64_t vh_ev_file_size(const struct vh_ev_file *f);

/* The name the file was created with (relative to its folder, or the user's path). */
const char *vh_ev_file_name(const struct vh_ev_file *f);

/*
 * vh_ev_file_finish() - close the file; @sha256 receives the hash as 64 hex
 * digits and a NUL. On failure the file is removed. Frees @f either way.
 */
int vh_ev_file_finish(struct vh_ev_file *f, char sha256[65]);

/* Closes and removes a file that will not be finished. */
void vh_ev_file_discard(struct vh_ev_file *f);

/*
 * vh_ev_record_begin() - start the JSON record of one file written: the
 * returned writer is inside the record's object; end with vh_ev_record_end(),
 * which prints it as one line on the records stream and keeps it for the
 * manifest. One record at a time.
 */
struct vh_json *vh_ev_record_begin(struct vh_evidence_dir *d);
int vh_ev_record_end(struct vh_evidence_dir *d);

/* The summary object of the manifest: the writer is inside it (fill before closing). */
struct vh_json *vh_ev_summary(struct vh_evidence_dir *d);

/* A progress line on the progress stream, if any ("vmahunt: " is prefixed). */
void vh_ev_progress(struct vh_evidence_dir *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Runs of absent pages, for a record's "absent" array: what was written as
 * zeros and why. Adjacent pages with the same reason merge.
 */
struct vh_ev_absent {
	struct vh_ev_absent_run {
		uint64_t start, end; /* addresses (or file offsets) */
		int err;	     /* VH_ERR_*: why the bytes are not there */
	} * runs;
	size_t n, cap;
	uint64_t pages; /* pages in all runs */
};

int vh_ev_absent_add(struct vh_ev_absent *a, uint64_t start, uint64_t end, int err);
/* Writes "absent_pages": N and "absent": [{"start","end","reason"}...] into @j. */
void vh_ev_absent_json(const struct vh_ev_absent *a, struct vh_json *j);
void vh_ev_absent_free(struct vh_ev_absent *a);

/* A short reason for an absent page: "excluded", "not in dump", "not mapped"... */
const char *vh_ev_absent_reason(int err);

#endif
