/* SPDX-License-Identifier: MIT */
/*
 * Reports: what a session found, rendered as text, JSON Lines or HTML.
 *
 * A report renders one kind of output (what `vmahunt info`, `ps`, `maps` or
 * `scan` prints) in one format, through renderers behind one table of
 * operations, so every front end prints the same bytes: the text layout
 * (/proc/PID/maps lines for VMAs) or JSON Lines whose schema is documented in
 * docs/json.md (version 1: fields may be added, none renamed without a bump).
 *
 * Results go to @out; warnings go to @out as "warning" objects in JSON, and
 * to @err as "vmahunt: warning: MSG" lines in text (after @out is flushed, so
 * a terminal shows them in place). Strings from the dump are escaped (JSON)
 * or have their control bytes replaced by '?' (text), or are escaped for HTML
 * text and attributes (HTML: warnings are part of the page).
 */
#ifndef VMAHUNT_REPORT_H
#define VMAHUNT_REPORT_H

#include <stdio.h>

#include <vmahunt/session.h>

#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output formats. */
enum vh_report_format {
	VH_REPORT_TEXT, /* for people */
	VH_REPORT_JSON, /* JSON Lines, one object per line */
	/*
	 * One self-contained HTML page (inline CSS and JS, no external resource):
	 * the dump's facts, the process tree, each process's map drawn and
	 * tabled, the findings linked to their process and VMA. It is written
	 * whole by vh_report_close(); the operations before only collect.
	 */
	VH_REPORT_HTML,
};

/* What a report shows (the command it is the output of). */
enum vh_report_kind {
	VH_REPORT_INFO, /* the dump's facts */
	VH_REPORT_PS,	/* tasks */
	VH_REPORT_MAPS, /* processes' VMAs */
	VH_REPORT_SCAN, /* findings */
	VH_REPORT_FULL, /* all of them: facts, every task, every map, findings (`vmahunt report`) */
};

struct vh_report;

/**
 * vh_report_open() - start a report (text ps prints its column header here).
 * @fmt: the format.
 * @kind: what the report shows.
 * @s: the session it reports on; must outlive the report.
 * @out: where results go.
 * @err: where text warnings go.
 * @r: receives the report; end it with vh_report_close().
 *
 * Return: VH_OK, VH_ERR_INVAL (unknown format or kind), VH_ERR_NOMEM.
 */
VH_EXPORT int vh_report_open(enum vh_report_format fmt, enum vh_report_kind kind,
			     struct vh_session *s, FILE *out, FILE *err, struct vh_report **r);

/**
 * vh_report_dump() - the dump's facts (vh_session_facts()): format, memory,
 * kernel, symbols, CPUs, VMCOREINFO, and a core's process.
 * @r: the report.
 */
VH_EXPORT void vh_report_dump(struct vh_report *r);

/**
 * vh_report_task() - one task (a line of ps).
 * @r: the report.
 * @t: a task of the session's task list.
 */
VH_EXPORT void vh_report_task(struct vh_report *r, const struct vh_task *t);

/**
 * vh_report_process() - one process's map: its header (text), each VMA, then
 * the warnings of @l, each prefixed "pid N: ".
 * @r: the report.
 * @t: the process.
 * @l: its VMAs (vh_session_vmas()), or NULL when they could not be read: text
 *     then prints the header with "vmas unreadable" (a warning should say why).
 */
VH_EXPORT void vh_report_process(struct vh_report *r, const struct vh_task *t,
				 const struct vh_vma_list *l);

/**
 * vh_report_finding() - one finding; text groups consecutive findings of one
 * process under a "# pid N comm" header.
 * @r: the report.
 * @f: the finding.
 */
VH_EXPORT void vh_report_finding(struct vh_report *r, const struct vh_finding *f);

/**
 * vh_report_results() - a run's warnings, then its findings in their order.
 * @r: the report.
 * @res: the results of vh_session_scan().
 */
VH_EXPORT void vh_report_results(struct vh_report *r, const struct vh_results *res);

/**
 * vh_report_warning() - one warning about damage worked around.
 * @r: the report.
 * @msg: one line, no newline.
 */
VH_EXPORT void vh_report_warning(struct vh_report *r, const char *msg);

/**
 * vh_report_session_warnings() - every warning of vh_session_warnings().
 * @r: the report.
 */
VH_EXPORT void vh_report_session_warnings(struct vh_report *r);

/**
 * vh_report_close() - end the report (text says "no findings" when a run of
 * vh_report_results() had none), flush its output and free it.
 * @r: the report, or NULL.
 *
 * Return: VH_OK, or VH_ERR_IO when writing the output failed (errno says why).
 */
VH_EXPORT int vh_report_close(struct vh_report *r);

#ifdef __cplusplus
}
#endif
#endif
