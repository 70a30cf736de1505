/* SPDX-License-Identifier: MIT */
/*
 * The HTML renderer: one self-contained page (inline CSS and JS, a CSP that
 * forbids every fetch) with the dump's facts, the process tree, each
 * process's map drawn and tabled, and the findings linked to both. The ops
 * copy what they get; html_end() writes the document. Every string from the
 * dump goes through vh_html_text(), which escapes for text and attributes
 * alike; the page embeds no data as script, so no JSON-in-script escaping.
 */
#include "report/html.h"
#include "report/report_ops.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_assets.h"

/* Tables longer than this start collapsed: a 20 000-VMA table stays one click away. */
#define OPEN_ROWS 300

static struct html_state *st_of(struct vh_report *r)
{
	return r->priv;
}

/* Grows *@a (of element @size) to hold @n + 1; false when out of memory. */
static bool grow(void **a, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return true;
	p = realloc(*a, c * size);
	if (!p)
		return false;
	*a = p;
	*cap = c;
	return true;
}

static char *dup(struct html_state *st, const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		st->oom = true;
	return d;
}

void vh_html_text(FILE *o, const char *s, bool nl)
{
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		switch (*c) {
		case '<':
			fputs("&lt;", o);
			break;
		case '>':
			fputs("&gt;", o);
			break;
		case '&':
			fputs("&amp;", o);
			break;
		case '"':
			fputs("&quot;", o);
			break;
		case '\'':
			fputs("&#39;", o);
			break;
		default:
			if ((*c < 0x20 && !(nl && *c == '\n')) || *c == 0x7f)
				putc('?', o);
			else
				putc(*c, o);
		}
	}
}

void vh_html_size(FILE *o, uint64_t b)
{
	static const char units[] = "KMGTPE";
	double v = (double)b / 1024;
	int u = 0;

	if (b < 1024) {
		fprintf(o, "%" PRIu64 "B", b);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	fprintf(o, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

const char *vh_html_vma_kind(const struct html_vma *v)
{
	const char *p = v->path;

	if (!p[0] || !strncmp(p, "[anon:", 6) || !strncmp(p, "[anon_shmem:", 12))
		return "anon";
	if (!strcmp(p, "[heap]"))
		return "heap";
	if (!strncmp(p, "[stack", 6))
		return "stack";
	return p[0] == '[' ? "spec" : "file";
}

/* ---- the ops: copy ---- */

static void html_begin(struct vh_report *r)
{
	r->priv = calloc(1, sizeof(struct html_state));
}

/* One row of the facts table; @v escaped. */
static void fact(FILE *o, const char *k, const char *v)
{
	fprintf(o, "<tr><th>%s</th><td>", k);
	vh_html_text(o, v, false);
	fputs("</td></tr>\n", o);
}

static void fact_hex(FILE *o, const char *k, bool have, uint64_t v)
{
	if (have)
		fprintf(o, "<tr><th>%s</th><td>0x%" PRIx64 "</td></tr>\n", k, v);
	else
		fprintf(o, "<tr><th>%s</th><td class=\"dim\">unknown</td></tr>\n", k);
}

static void facts_symbols(FILE *o, const struct vh_dump_facts *x)
{
	const struct vh_profile *p = x->prof;
	char buf[256];

	if (!p) {
		fact(o, "symbols",
		     x->is_core ? "none: a process core has no kernel" : x->prof_error);
		return;
	}
	if (!strcmp(p->types_from, "dwarf")) {
		fact(o, "symbols", "dwarf (vmlinux)");
		fact(o, "vmlinux", p->vmlinux_path);
		return;
	}
	snprintf(buf, sizeof(buf),
		 "btf from the dump: kallsyms %" PRIu32 " symbols (found by %s), BTF %" PRIu32
		 " types",
		 p->stats.ksyms, p->stats.kallsyms_method ? p->stats.kallsyms_method : "?",
		 p->stats.btf_types);
	fact(o, "symbols", buf);
}

static void facts_core(FILE *o, struct vh_dump *d)
{
	const struct vh_core_info *c = vh_core_info(d);
	char buf[128];

	if (!c)
		return;
	snprintf(buf, sizeof(buf), "pid %" PRId32 " ppid %" PRId32 " uid %" PRIu32, c->pid, c->ppid,
		 c->uid);
	fact(o, "process", buf);
	fact(o, "comm", c->comm);
	fact(o, "args", c->psargs);
	if (c->have_siginfo) {
		snprintf(buf, sizeof(buf), "%" PRId32 " code %" PRId32 " addr 0x%" PRIx64,
			 c->si_signo, c->si_code, c->si_addr);
		fact(o, "signal", buf);
	}
}

static void facts_kernel(FILE *o, const struct vh_dump_facts *x)
{
	char buf[160];

	fact(o, "kernel release", x->osrelease ? x->osrelease : "unknown (no VMCOREINFO)");
	fact_hex(o, "KASLR offset", x->have_kaslr, x->kaslr_offset);
	fact_hex(o, "phys_base", x->have_phys_base, x->phys_base);
	if (x->paging_levels)
		snprintf(buf, sizeof(buf), "%d (%s)", x->paging_levels,
			 x->paging_source ? x->paging_source : "?");
	else
		snprintf(buf, sizeof(buf), "unknown");
	fact(o, "paging levels", buf);
	if (x->kmap)
		fact(o, "kernel located by", x->kmap->method);
	else
		fact(o, "kernel located by", x->kmap_error);
}

static void html_dump_info(struct vh_report *r, const struct vh_dump_facts *x)
{
	struct html_state *st = st_of(r);
	struct vh_dump *d = vh_session_dump(r->s);
	FILE *o;
	char buf[64];

	if (!st || st->facts || !(o = open_memstream(&st->facts, &st->facts_len)))
		return;
	fact(o, "file", vh_dump_path(d));
	fact(o, "format", vh_dump_format_name(vh_dump_format(d)));
	fact(o, "arch", vh_dump_arch(d));
	snprintf(buf, sizeof(buf), "%" PRIu32, vh_dump_page_size(d));
	fact(o, "page size", buf);
	fputs("<tr><th>memory</th><td>", o);
	vh_html_size(o, x->ram_bytes);
	fputs("</td></tr>\n", o);
	if (!x->is_core)
		facts_kernel(o, x);
	facts_symbols(o, x);
	facts_core(o, d);
	snprintf(buf, sizeof(buf), "%zu", vh_dump_ncpus(d));
	fact(o, x->is_core ? "threads" : "CPUs with registers", buf);
	if (fclose(o))
		st->oom = true;
}

static void html_task(struct vh_report *r, const struct vh_task *t)
{
	struct html_state *st = st_of(r);

	if (!st || !grow((void **)&st->tasks, &st->ctasks, st->ntasks, sizeof(*st->tasks))) {
		if (st)
			st->oom = true;
		return;
	}
	st->tasks[st->ntasks++] = t;
}

static void html_process(struct vh_report *r, const struct vh_task *t, const struct vh_vma_list *l)
{
	struct html_state *st = st_of(r);
	struct html_proc *p;

	if (!st || !grow((void **)&st->p, &st->cp, st->np, sizeof(*st->p))) {
		if (st)
			st->oom = true;
		return;
	}
	p = &st->p[st->np++];
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->first = -1;
	p->unreadable = !l;
	if (!l || !l->nvmas)
		return;
	p->v = calloc(l->nvmas, sizeof(*p->v));
	if (!p->v) {
		st->oom = true;
		return;
	}
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *s = &l->vmas[i];
		struct html_vma *v = &p->v[p->nv++];

		*v = (struct html_vma){.start = s->start,
				       .end = s->end,
				       .offset = s->offset,
				       .inode = s->inode,
				       .major = s->major,
				       .minor = s->minor,
				       .path = dup(st, s->path),
				       .first = -1};
		memcpy(v->perms, s->perms, sizeof(v->perms));
		v->perms[4] = '\0';
	}
}

/* "key: value" lines of a finding's notes. */
static char *notes_text(const struct vh_finding *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return NULL;
	for (size_t i = 0; i < f->nnotes; i++)
		fprintf(o, "%s: %s\n", f->notes[i].key, f->notes[i].value);
	if (fclose(o)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void html_finding(struct vh_report *r, const struct vh_finding *f, bool first)
{
	struct html_state *st = st_of(r);
	struct html_finding *h;

	(void)first;
	if (!st || !grow((void **)&st->f, &st->cf, st->nf, sizeof(*st->f))) {
		if (st)
			st->oom = true;
		return;
	}
	h = &st->f[st->nf++];
	*h = (struct html_finding){.detector = dup(st, f->detector),
				   .kind = f->kind ? dup(st, f->kind) : NULL,
				   .comm = dup(st, f->comm),
				   .reason = dup(st, f->reason),
				   .path = dup(st, f->path),
				   .disasm = dup(st, f->disasm),
				   .notes = notes_text(f),
				   .sev = (int)f->severity,
				   .pid = f->pid,
				   .start = f->start,
				   .end = f->end,
				   .at = f->at,
				   .vm_flags = f->vm_flags,
				   .proc = -1,
				   .vma = -1,
				   .next = -1,
				   .next_vma = -1};
	if (f->nbytes)
		vh_report_hex_bytes(f, h->hex, sizeof(h->hex));
}

static void html_warning(struct vh_report *r, const char *msg)
{
	struct html_state *st = st_of(r);

	if (!st || !grow((void **)&st->warn, &st->cwarn, st->nwarn, sizeof(*st->warn))) {
		if (st)
			st->oom = true;
		return;
	}
	st->warn[st->nwarn++] = dup(st, msg);
}

/* ---- linking findings to processes and VMAs ---- */

static int cmp_proc(const void *a, const void *b, void *arg)
{
	const struct html_proc *p = arg;
	int32_t x = p[*(const long *)a].t->pid, y = p[*(const long *)b].t->pid;

	return (x > y) - (x < y);
}

/* Sorts the processes' indices by pid once, for vh_html_find_proc(). */
static void index_procs(struct html_state *st)
{
	st->pidx = malloc((st->np ? st->np : 1) * sizeof(*st->pidx));
	if (!st->pidx) {
		st->oom = true;
		return;
	}
	for (size_t i = 0; i < st->np; i++)
		st->pidx[i] = (long)i;
	qsort_r(st->pidx, st->np, sizeof(*st->pidx), cmp_proc, st->p);
}

long vh_html_find_proc(const struct html_state *st, int32_t pid)
{
	size_t lo = 0, hi = st->pidx ? st->np : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int32_t m = st->p[st->pidx[mid]].t->pid;

		if (m == pid)
			return st->pidx[mid];
		if (m < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The VMA holding @addr (the list is sorted by start, the gate VMA last and highest). */
static long find_vma(const struct html_proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nv && p->v[lo].start <= addr ? (long)lo : -1;
}

/* Chains each process's and each VMA's findings, in the findings' order. */
static void link_findings(struct html_state *st)
{
	long last_pid_proc = -1;
	int32_t last_pid = 0;

	for (size_t i = st->nf; i-- > 0;) {
		struct html_finding *f = &st->f[i];
		struct html_proc *p;

		if (last_pid_proc < 0 || f->pid != last_pid)
			last_pid_proc = vh_html_find_proc(st, f->pid);
		last_pid = f->pid;
		f->proc = last_pid_proc;
		if (f->proc < 0)
			continue;
		p = &st->p[f->proc];
		f->next = p->first;
		p->first = (long)i;
		f->vma = find_vma(p, f->start);
		if (f->vma >= 0) {
			f->next_vma = p->v[f->vma].first;
			p->v[f->vma].first = (long)i;
		}
	}
}

void vh_html_cmdline(FILE *o, const struct vh_task *t)
{
	if (t->cmdline_state != VH_CMDLINE_OK)
		return;
	fputs(" <span class=\"cmd\">", o);
	for (size_t i = 0; i < t->cmdline_len;
	     i += strnlen(t->cmdline + i, t->cmdline_len - i) + 1) {
		char *arg = strndup(t->cmdline + i, t->cmdline_len - i);

		if (i)
			putc(' ', o);
		vh_html_text(o, arg ? arg : "?", false);
		free(arg);
	}
	fputs(t->cmdline_truncated ? "&hellip;</span>" : "</span>", o);
}

/* ---- the document ---- */

static const char *sev_name(int sev)
{
	return vh_severity_name((enum vh_severity)sev);
}

static void head(FILE *o, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>vmahunt report: ",
	      o);
	vh_html_text(o, title, false);
	fprintf(o, "</title>\n<style>%s</style></head>\n<body>\n", vh_html_css);
	fputs("<div id=\"jserr\" hidden></div>\n", o);
}

static void nav(FILE *o, const struct html_state *st)
{
	size_t by[4] = {0};

	for (size_t i = 0; i < st->nf; i++)
		if (st->f[i].sev >= 0 && st->f[i].sev < 4)
			by[st->f[i].sev]++;
	fputs("<header><h1>vmahunt report</h1><nav><a href=\"#dump\">dump</a> "
	      "<a href=\"#findings\">findings</a> <a href=\"#tree\">process tree</a> "
	      "<a href=\"#procs\">address spaces</a></nav>\n<p class=\"sum\">",
	      o);
	fprintf(o, "%zu findings: ", st->nf);
	for (int s = 3; s >= 0; s--)
		fprintf(o, "<span class=\"sev s%d\">%zu %s</span> ", s, by[s], sev_name(s));
	fprintf(o, "&middot; %zu processes mapped &middot; %zu warnings</p>", st->np, st->nwarn);
	if (st->oom)
		fputs("<p class=\"bad\">out of memory while collecting: this report is "
		      "incomplete</p>",
		      o);
	fputs("</header>\n", o);
}

static void dump_section(FILE *o, const struct html_state *st)
{
	fputs("<section id=\"dump\"><h2>Dump</h2>\n<table class=\"facts\">\n", o);
	if (st->facts)
		fwrite(st->facts, 1, st->facts_len, o);
	fputs("</table>\n", o);
	fprintf(o, "<h3 id=\"warnings\">Warnings (%zu)</h3>\n", st->nwarn);
	if (st->nwarn) {
		fprintf(o, "<details%s><summary>%zu warnings</summary><ul class=\"warn\">\n",
			st->nwarn <= 20 ? " open" : "", st->nwarn);
		for (size_t i = 0; i < st->nwarn; i++) {
			fputs("<li>", o);
			vh_html_text(o, st->warn[i], false);
			fputs("</li>\n", o);
		}
		fputs("</ul></details>\n", o);
	}
	fputs("</section>\n", o);
}

/* Whether the tree has a leader with pid @pid (an anchor t-PID). */
static bool has_task(const struct html_state *st, int32_t pid)
{
	for (size_t i = 0; i < st->ntasks; i++)
		if (st->tasks[i]->pid == pid && (st->tasks[i]->leader || st->ntasks == 1))
			return true;
	return false;
}

/* A finding's process: its map when it has one, else its place in the tree, else no link. */
static void proc_link(FILE *o, const struct html_state *st, const struct html_finding *f)
{
	char kind = vh_html_find_proc(st, f->pid) >= 0 ? 'p' : has_task(st, f->pid) ? 't' : 0;

	if (kind)
		fprintf(o, "<a class=\"proc\" href=\"#%c-%" PRId32 "\">", kind, f->pid);
	fprintf(o, "%" PRId32 " ", f->pid);
	vh_html_text(o, f->comm, false);
	fputs(kind ? "</a>" : "", o);
}

static void finding_evidence(FILE *o, const struct html_finding *f)
{
	fprintf(o, "<td><details><summary>vm_flags 0x%" PRIx64 "%s</summary>", f->vm_flags,
		f->hex[0] ? ", bytes" : "");
	if (f->hex[0]) {
		fprintf(o, "<div>at 0x%" PRIx64 "</div><pre class=\"hex\">%s</pre>", f->at, f->hex);
		if (f->disasm[0]) {
			fputs("<pre class=\"asm\">", o);
			vh_html_text(o, f->disasm, true);
			fputs("</pre>", o);
		}
	} else {
		fputs("<div class=\"dim\">memory not in the dump</div>", o);
	}
	if (f->notes && f->notes[0]) {
		fputs("<pre class=\"notes\">", o);
		vh_html_text(o, f->notes, true);
		fputs("</pre>", o);
	}
	fputs("</details></td>", o);
}

static void finding_row(FILE *o, const struct html_state *st, size_t i)
{
	const struct html_finding *f = &st->f[i];

	fprintf(o,
		"<tr id=\"f-%zu\" class=\"s%d\" data-sev=\"%d\"><td><span class=\"sev "
		"s%d\">%s</span></td><td>",
		i, f->sev, f->sev, f->sev, sev_name(f->sev));
	vh_html_text(o, f->detector, false);
	if (f->kind) {
		fputs(" (", o);
		vh_html_text(o, f->kind, false);
		fputs(")", o);
	}
	fputs("</td><td>", o);
	proc_link(o, st, f);
	fputs("</td><td class=\"mono\">", o);
	if (f->vma >= 0)
		fprintf(o, "<a class=\"vma\" href=\"#p-%" PRId32 "-v-%ld\">", f->pid, f->vma);
	fprintf(o, "0x%" PRIx64 "-0x%" PRIx64 "%s</td><td>", f->start, f->end,
		f->vma >= 0 ? "</a>" : "");
	vh_html_text(o, f->path, false);
	fputs("</td><td>", o);
	vh_html_text(o, f->reason, false);
	fputs("</td>", o);
	finding_evidence(o, f);
	fputs("</tr>\n", o);
}

static void findings_section(FILE *o, const struct html_state *st)
{
	fprintf(o, "<section id=\"findings\"><h2>Findings (%zu)</h2>\n", st->nf);
	fputs("<p class=\"filter\"><input id=\"fq\" type=\"search\" placeholder=\"filter findings "
	      "(text)\"> <select id=\"fsev\"><option value=\"0\">every severity</option>"
	      "<option value=\"1\">low and above</option><option value=\"2\">medium and "
	      "above</option><option value=\"3\">high only</option></select> <span "
	      "id=\"fcount\"></span></p>\n",
	      o);
	fputs("<table id=\"ftab\" class=\"list\"><thead><tr><th>severity</th><th>detector</th>"
	      "<th>process</th><th>range</th><th>mapping</th><th>reason</th><th>evidence</th>"
	      "</tr></thead><tbody>\n",
	      o);
	for (size_t i = 0; i < st->nf; i++)
		finding_row(o, st, i);
	fputs("</tbody></table>\n", o);
	if (!st->nf)
		fputs("<p class=\"dim\">no findings</p>\n", o);
	fputs("</section>\n", o);
}

/* ---- each process's address space ---- */

/*
 * One row of a VMA table. The cells' and row's end tags are left out (HTML
 * closes them): the 20 000-VMA table is most of a report's bytes.
 */
static void vma_row(FILE *o, const struct html_state *st, const struct html_proc *p, size_t i)
{
	const struct html_vma *v = &p->v[i];

	fprintf(o,
		"<tr id=\"p-%" PRId32 "-v-%zu\" class=\"k-%s%s\"><td>%" PRIx64 "-%" PRIx64
		"<td>%s<td>",
		p->t->pid, i, vh_html_vma_kind(v), strstr(v->perms, "rwx") ? " rwx" : "", v->start,
		v->end, v->perms);
	vh_html_size(o, v->end - v->start);
	fprintf(o, "<td>%" PRIx64 "<td>%02" PRIx32 ":%02" PRIx32 "<td>%" PRIu64 "<td>", v->offset,
		v->major, v->minor, v->inode);
	vh_html_text(o, v->path, false);
	fputs("<td>", o);
	for (long f = v->first; f >= 0; f = st->f[f].next_vma)
		fprintf(o, "<a class=\"sev s%d\" href=\"#f-%ld\">%s</a> ", st->f[f].sev, f,
			sev_name(st->f[f].sev));
	putc('\n', o);
}

static void proc_head(FILE *o, const struct html_state *st, const struct html_proc *p)
{
	const struct vh_task *t = p->t;

	fprintf(o,
		"<section class=\"proc\" id=\"p-%" PRId32 "\"><h3><a href=\"#t-%" PRId32
		"\">%" PRId32 "</a> ",
		t->pid, t->pid, t->pid);
	vh_html_text(o, t->comm, false);
	if (has_task(st, t->ppid))
		fprintf(o,
			"</h3>\n<p class=\"meta\">ppid <a href=\"#t-%" PRId32 "\">%" PRId32 "</a>",
			t->ppid, t->ppid);
	else /* a core's parent, or one the dump lacks: nothing to link to */
		fprintf(o, "</h3>\n<p class=\"meta\">ppid %" PRId32, t->ppid);
	if (t->have_cred)
		fprintf(o, " &middot; uid %" PRIu32, t->uid);
	fprintf(o, " &middot; %" PRIu32 " threads &middot; %zu VMAs", t->nr_threads, p->nv);
	vh_html_cmdline(o, t);
	fputs("</p>\n", o);
	if (p->first >= 0) {
		fputs("<p class=\"pf\">findings: ", o);
		for (long f = p->first; f >= 0; f = st->f[f].next) {
			fprintf(o, "<a class=\"sev s%d\" href=\"#f-%ld\">", st->f[f].sev, f);
			vh_html_text(o, st->f[f].detector, false);
			fputs("</a> ", o);
		}
		fputs("</p>\n", o);
	}
}

static void proc_section(FILE *o, const struct html_state *st, size_t pi)
{
	const struct html_proc *p = &st->p[pi];

	proc_head(o, st, p);
	if (p->unreadable) {
		fputs("<p class=\"bad\">its VMAs could not be read (see the "
		      "warnings)</p></section>\n",
		      o);
		return;
	}
	vh_html_map(o, st, pi);
	fprintf(o, "<details class=\"vmas\"%s><summary>%zu VMAs</summary>\n",
		p->nv <= OPEN_ROWS ? " open" : "", p->nv);
	fputs("<table class=\"list mono\"><thead><tr><th>range</th><th>perms</th><th>size</th>"
	      "<th>offset</th><th>dev</th><th>inode</th><th>path</th><th>findings</th></tr>"
	      "</thead><tbody>\n",
	      o);
	for (size_t i = 0; i < p->nv; i++)
		vma_row(o, st, p, i);
	fputs("</tbody></table></details></section>\n", o);
}

static void procs_section(FILE *o, const struct html_state *st)
{
	fprintf(o, "<section id=\"procs\"><h2>Address spaces (%zu processes)</h2>\n", st->np);
	fputs("<p class=\"filter\"><input id=\"pq\" type=\"search\" placeholder=\"filter "
	      "processes (pid, comm)\"></p>\n",
	      o);
	fputs(vh_html_legend, o);
	for (size_t i = 0; i < st->np; i++)
		proc_section(o, st, i);
	fputs("</section>\n", o);
}

static void html_free(struct html_state *st)
{
	for (size_t i = 0; i < st->np; i++) {
		for (size_t k = 0; k < st->p[i].nv; k++)
			free(st->p[i].v[k].path);
		free(st->p[i].v);
	}
	for (size_t i = 0; i < st->nf; i++) {
		struct html_finding *f = &st->f[i];

		free(f->detector);
		free(f->kind);
		free(f->comm);
		free(f->reason);
		free(f->path);
		free(f->disasm);
		free(f->notes);
	}
	for (size_t i = 0; i < st->nwarn; i++)
		free(st->warn[i]);
	free(st->facts);
	free(st->tasks);
	free(st->p);
	free(st->pidx);
	free(st->f);
	free(st->warn);
	free(st);
}

static void html_end(struct vh_report *r)
{
	struct html_state *st = st_of(r);
	FILE *o = r->out;

	if (!st) {
		fputs("<!DOCTYPE html>\n<p>vmahunt: out of memory</p>\n", o);
		return;
	}
	index_procs(st);
	link_findings(st);
	head(o, vh_dump_path(vh_session_dump(r->s)));
	nav(o, st);
	dump_section(o, st);
	findings_section(o, st);
	vh_html_tree(o, st);
	procs_section(o, st);
	fprintf(o, "<footer>vmahunt %s</footer>\n<script>%s</script>\n</body></html>\n",
		vh_version(), vh_html_js);
	html_free(st);
	r->priv = NULL;
}

const struct vh_report_ops vh_report_html_ops = {
    .begin = html_begin,
    .dump_info = html_dump_info,
    .task = html_task,
    .process = html_process,
    .finding = html_finding,
    .warning = html_warning,
    .end = html_end,
};
