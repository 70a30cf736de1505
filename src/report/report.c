/* SPDX-License-Identifier: MIT */
/* The report: one dispatcher in front of the renderers (text, JSON Lines, HTML). */
#include "report/report_ops.h"

#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vh_report_open(enum vh_report_format fmt, enum vh_report_kind kind, struct vh_session *s,
		   FILE *out, FILE *err, struct vh_report **rp)
{
	struct vh_report *r;

	*rp = NULL;
	static const struct vh_report_ops *const ops[] = {
	    [VH_REPORT_TEXT] = &vh_report_text_ops,
	    [VH_REPORT_JSON] = &vh_report_json_ops,
	    [VH_REPORT_HTML] = &vh_report_html_ops,
	};

	if (fmt < VH_REPORT_TEXT || fmt > VH_REPORT_HTML || kind < VH_REPORT_INFO ||
	    kind > VH_REPORT_FULL)
		return vh_set_error(VH_ERR_INVAL, "report: unknown format %d or kind %d", (int)fmt,
				    (int)kind);
	r = calloc(1, sizeof(*r));
	if (!r)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	r->ops = ops[fmt];
	r->kind = kind;
	r->s = s;
	r->out = out;
	r->err = err;
	vh_json_init(&r->j, out);
	if (r->ops->begin)
		r->ops->begin(r);
	*rp = r;
	return VH_OK;
}

void vh_report_dump(struct vh_report *r)
{
	struct vh_dump_facts x;

	vh_session_facts(r->s, &x);
	if (r->ops->dump_info)
		r->ops->dump_info(r, &x);
}

void vh_report_task(struct vh_report *r, const struct vh_task *t)
{
	if (r->ops->task)
		r->ops->task(r, t);
}

void vh_report_process(struct vh_report *r, const struct vh_task *t, const struct vh_vma_list *l)
{
	if (r->ops->process)
		r->ops->process(r, t, l);
	if (!l)
		return;
	for (size_t i = 0; r->ops->vma && i < l->nvmas; i++)
		r->ops->vma(r, t, &l->vmas[i]);
	for (size_t i = 0; i < l->nwarnings; i++) {
		char *msg;

		if (asprintf(&msg, "pid %d: %s", (int)t->pid, l->warnings[i]) < 0) {
			vh_report_warning(r, l->warnings[i]);
			continue;
		}
		vh_report_warning(r, msg);
		free(msg);
	}
}

void vh_report_finding(struct vh_report *r, const struct vh_finding *f)
{
	bool first = !r->nfindings || r->last_pid != f->pid;

	if (r->ops->finding)
		r->ops->finding(r, f, first);
	r->nfindings++;
	r->last_pid = f->pid;
}

void vh_report_results(struct vh_report *r, const struct vh_results *res)
{
	for (size_t i = 0; i < vh_results_nwarnings(res); i++)
		vh_report_warning(r, vh_results_warning(res, i));
	for (size_t i = 0; i < vh_results_nfindings(res); i++)
		vh_report_finding(r, vh_results_finding(res, i));
	r->results_done = true;
}

void vh_report_warning(struct vh_report *r, const char *msg)
{
	if (r->ops->warning)
		r->ops->warning(r, msg);
}

static void warning_cb(const char *msg, void *arg)
{
	vh_report_warning(arg, msg);
}

void vh_report_session_warnings(struct vh_report *r)
{
	vh_session_warnings(r->s, warning_cb, r);
}

int vh_report_close(struct vh_report *r)
{
	int err = VH_OK;

	if (!r)
		return VH_OK;
	if (r->ops->end)
		r->ops->end(r);
	if (fflush(r->out) != 0 || ferror(r->out))
		err = vh_set_error(VH_ERR_IO, "writing output: %s", strerror(errno));
	free(r);
	return err;
}

void vh_report_put_clean(FILE *out, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		putc(*c < 0x20 || *c == 0x7f ? '?' : *c, out);
}

void vh_report_hex_bytes(const struct vh_finding *f, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < f->nbytes && used + 3 <= len; i++)
		used += (size_t)snprintf(out + used, len - used, "%02x", f->bytes[i]);
}
