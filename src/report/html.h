/* SPDX-License-Identifier: MIT */
/*
 * The HTML renderer's state: it needs the whole picture (the process tree,
 * every map with its findings marked) before it writes, so the ops only copy
 * what they are given and html.c writes the document at the end.
 */
#ifndef VH_REPORT_HTML_H
#define VH_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vmahunt/vmahunt.h>

/* A copy of one VMA (the session takes its list back after the op). */
struct html_vma {
	uint64_t start, end, offset, inode;
	uint32_t major, minor;
	char perms[5];
	char *path;
	long first; /* its first finding (index into html_state.f), -1 when none */
};

struct html_proc {
	const struct vh_task *t; /* owned by the session, which outlives the report */
	struct html_vma *v;
	size_t nv;
	bool unreadable; /* its VMAs could not be read */
	long first;	 /* its first finding, -1 when none */
};

/* A copy of one finding: the results are freed before the report ends. */
struct html_finding {
	char *detector, *kind, *comm, *reason, *path, *disasm, *notes;
	int sev;
	int32_t pid;
	uint64_t start, end, at, vm_flags;
	char hex[2 * VH_EVIDENCE_BYTES + 1];
	long proc;     /* index into html_state.p, -1: no map of its process */
	long vma;      /* index of the VMA holding start, -1: outside every VMA */
	long next;     /* the next finding of the same process */
	long next_vma; /* the next finding of the same VMA */
};

struct html_state {
	char *facts; /* the dump facts section, rendered when given */
	size_t facts_len;
	const struct vh_task **tasks;
	size_t ntasks, ctasks;
	struct html_proc *p;
	size_t np, cp;
	long *pidx; /* indices of p sorted by pid */
	struct html_finding *f;
	size_t nf, cf;
	char **warn;
	size_t nwarn, cwarn;
	bool oom; /* a copy failed: the document says it is incomplete */
};

/* @s escaped for HTML text and attribute values; control bytes as '?' (@nl: keep '\n'). */
void vh_html_text(FILE *o, const char *s, bool nl);

/* The process whose map was given for @pid (an index into st->p), -1 when none. */
long vh_html_find_proc(const struct html_state *st, int32_t pid);

/* A task's command line (arguments joined by spaces, escaped), when it was read. */
void vh_html_cmdline(FILE *o, const struct vh_task *t);

/* The process tree section. */
void vh_html_tree(FILE *o, const struct html_state *st);

/* The address-space picture of process @pi (an inline SVG). */
void vh_html_map(FILE *o, const struct html_state *st, size_t pi);

/* "4.0K", "12M", ... : a size for a person. */
void vh_html_size(FILE *o, uint64_t bytes);

/* The VMA's kind for colours: "file", "anon", "heap", "stack" or "spec". */
const char *vh_html_vma_kind(const struct html_vma *v);

#endif
