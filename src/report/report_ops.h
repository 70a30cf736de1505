/* SPDX-License-Identifier: MIT */
/* The renderers' table of operations, and the report they share. */
#ifndef VH_REPORT_OPS_H
#define VH_REPORT_OPS_H

#include <vmahunt/vmahunt.h>

#include "report/json.h"

struct vh_report_ops;

struct vh_report {
	const struct vh_report_ops *ops;
	enum vh_report_kind kind;
	struct vh_session *s;
	FILE *out;
	FILE *err;
	struct vh_json j;  /* the JSON renderer's writer, on @out */
	size_t nfindings;  /* findings rendered so far */
	bool results_done; /* vh_report_results() rendered a whole run */
	int32_t last_pid;  /* the process of the last finding */
	void *priv;	   /* the renderer's own state (HTML: what it collects) */
};

/*
 * One renderer. The dispatcher (report.c) calls them in the order a report
 * is made: begin once, then any of the others, end once. A renderer that has
 * nothing to say for an operation leaves it NULL.
 */
struct vh_report_ops {
	void (*begin)(struct vh_report *r);
	void (*dump_info)(struct vh_report *r, const struct vh_dump_facts *x);
	void (*task)(struct vh_report *r, const struct vh_task *t);
	/* a process's map starts; @l NULL: its VMAs could not be read */
	void (*process)(struct vh_report *r, const struct vh_task *t, const struct vh_vma_list *l);
	void (*vma)(struct vh_report *r, const struct vh_task *t, const struct vh_vma *v);
	/* @first: the first finding of its process */
	void (*finding)(struct vh_report *r, const struct vh_finding *f, bool first);
	void (*warning)(struct vh_report *r, const char *msg);
	void (*end)(struct vh_report *r);
};

extern const struct vh_report_ops vh_report_text_ops;
extern const struct vh_report_ops vh_report_json_ops;
extern const struct vh_report_ops vh_report_html_ops;

/* Writes @s to @out with control bytes (< 0x20, 0x7f) as '?': dump strings on a terminal. */
void vh_report_put_clean(FILE *out, const char *s);

/* Up to VH_EVIDENCE_BYTES bytes of a finding's evidence as hex, into @out (@len bytes). */
void vh_report_hex_bytes(const struct vh_finding *f, char *out, size_t len);

#endif
