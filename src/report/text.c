/* SPDX-License-Identifier: MIT */
/* The text renderer: what people read, /proc/PID/maps lines for VMAs. */
#include "report/report_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A maps line: the fixed columns, then a path of up to PATH_MAX bytes (escaped). */
#define MAX_LINE (128 + 4 * 4096)

static void text_begin(struct vh_report *r)
{
	if (r->kind == VH_REPORT_PS)
		fprintf(r->out, "%7s %7s %7s ST %5s K %-18s %-16s CMDLINE\n", "PID", "TGID", "PPID",
			"UID", "TASK", "COMM");
}

/* ---- info ---- */

static void text_symbols(FILE *o, const struct vh_dump_facts *x)
{
	const struct vh_profile *p = x->prof;

	if (!p)
		fprintf(o, "symbols:        none (%s)\n", x->prof_error);
	else if (!strcmp(p->types_from, "dwarf"))
		fprintf(o, "symbols:        dwarf (vmlinux %s)\n", p->vmlinux_path);
	else
		fprintf(o,
			"symbols:        btf (from the dump: kallsyms %" PRIu32
			" symbols, tables found by %s; BTF %" PRIu32 " types, %" PRIu32 " bytes)\n",
			p->stats.ksyms, p->stats.kallsyms_method, p->stats.btf_types,
			p->stats.btf_bytes);
}

/* One line per CPU: where it was (pc/rip), its stack and frame; --json has every register. */
static void text_cpu(FILE *o, const struct vh_cpu_regs *c, bool aarch64)
{
	fprintf(o, "  cpu %" PRIu32 " (%s", c->cpu, c->source ? c->source : "?");
	if (c->pid)
		fprintf(o, ", pid %" PRIu32, c->pid);
	fprintf(o, "):");
	if (c->have_gp && aarch64)
		fprintf(o,
			" pc=0x%" PRIx64 " sp=0x%" PRIx64 " fp=0x%" PRIx64 " lr=0x%" PRIx64
			" pstate=0x%" PRIx64,
			c->pc, c->sp, c->x[29], c->x[30], c->pstate);
	else if (c->have_gp)
		fprintf(o, " rip=0x%" PRIx64 " rsp=0x%" PRIx64 " rbp=0x%" PRIx64, c->rip, c->rsp,
			c->rbp);
	if (c->have_cr)
		fprintf(o, " cr0=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64, c->cr[0],
			c->cr[3], c->cr[4]);
	putc('\n', o);
}

/* What a process core says about its process. */
static void text_core(FILE *o, struct vh_dump *d)
{
	const struct vh_core_info *c = vh_core_info(d);

	if (!c)
		return;
	fprintf(o,
		"process:        pid %" PRId32 " ppid %" PRId32 " uid %" PRIu32 " gid %" PRIu32
		" comm ",
		c->pid, c->ppid, c->uid, c->gid);
	vh_report_put_clean(o, c->comm);
	fprintf(o, "%s\n", c->have_prpsinfo ? "" : " (no NT_PRPSINFO)");
	fprintf(o, "args:           ");
	vh_report_put_clean(o, c->psargs);
	putc('\n', o);
	if (c->have_siginfo)
		fprintf(o, "signal:         %" PRId32 " code %" PRId32 " addr 0x%" PRIx64 "\n",
			c->si_signo, c->si_code, c->si_addr);
	fprintf(o, "threads:        %zu\n", vh_dump_ncpus(d));
	fprintf(o, "segments:       %zu PT_LOAD, %zu NT_FILE mappings, %zu auxv entries\n",
		c->nloads, c->nfiles, c->nauxv);
}

static void text_kernel(FILE *o, const struct vh_dump_facts *x)
{
	if (x->osrelease)
		fprintf(o, "osrelease:      %s\n", x->osrelease);
	else
		fprintf(o, "osrelease:      (unknown: no VMCOREINFO)\n");
	if (x->have_kaslr)
		fprintf(o, "kaslr offset:   0x%" PRIx64 "\n", x->kaslr_offset);
	if (x->have_phys_base)
		fprintf(o, "phys_base:      0x%" PRIx64 "\n", x->phys_base);
	if (x->paging_levels)
		fprintf(o, "paging levels:  %d (from %s)\n", x->paging_levels, x->paging_source);
	if (x->kmap)
		fprintf(o, "kernel:         found by %s, page tables at 0x%" PRIx64 " (%s)\n",
			x->kmap->method, x->kmap->pgd, x->kmap->pgd_source);
	else if (x->is_core)
		fprintf(o, "kernel:         none (a process core)\n");
	else
		fprintf(o, "kernel:         not located (%s)\n", x->kmap_error);
	text_symbols(o, x);
}

static void text_memory(FILE *o, struct vh_dump *d, const struct vh_dump_facts *x)
{
	struct vh_page_stats st;
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);

	vh_dump_page_stats(d, &st);
	fprintf(o, "memory:         %zu ranges, %" PRIu64 " bytes (%.1f MiB)\n", n, x->ram_bytes,
		x->ram_bytes / 1048576.0);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "  0x%016" PRIx64 "-0x%016" PRIx64 "\n", r[i].start, r[i].end);
	fprintf(o, "pages:          %" PRIu64 " present, %" PRIu64 " zero, %" PRIu64 " excluded\n",
		st.present, st.zero, st.excluded);
	fprintf(o, "compression:   ");
	for (int c = 0; c < VH_CODEC_COUNT; c++) {
		if (st.by_codec[c])
			fprintf(o, " %s %" PRIu64, vh_codec_name(c), st.by_codec[c]);
	}
	putc('\n', o);
}

static void text_vmcoreinfo(FILE *o, struct vh_dump *d)
{
	const char *p = vh_dump_vmcoreinfo(d, NULL);

	if (!p) {
		fprintf(o, "vmcoreinfo:     none\n");
		return;
	}
	fprintf(o, "vmcoreinfo:\n");
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (len)
			fprintf(o, "  %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

static void text_dump_info(struct vh_report *r, const struct vh_dump_facts *x)
{
	struct vh_dump *d = vh_session_dump(r->s);
	FILE *o = r->out;
	size_t n;
	const struct vh_dump_attr *a;
	const char *const *w;

	fprintf(o, "file:           %s\n", vh_dump_path(d));
	fprintf(o, "format:         %s\n", vh_dump_format_name(vh_dump_format(d)));
	fprintf(o, "arch:           %s\n", vh_dump_arch(d));
	fprintf(o, "page size:      %" PRIu32 "\n", vh_dump_page_size(d));
	text_kernel(o, x);
	text_memory(o, d, x);
	a = vh_dump_attrs(d, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%-15s %s\n", a[i].name, a[i].value);
	text_core(o, d);
	fprintf(o, "%s %zu\n",
		x->is_core ? "threads' registers:" : "cpus:           ", vh_dump_ncpus(d));
	for (size_t i = 0; i < vh_dump_ncpus(d); i++)
		text_cpu(o, vh_dump_cpu(d, i), strcmp(vh_dump_arch(d), "aarch64") == 0);
	text_vmcoreinfo(o, d);
	w = vh_dump_warnings(d, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "warning:        %s\n", w[i]);
}

/* ---- ps ---- */

/* The arguments joined by spaces, as ps shows them; control bytes become '?'. */
static void text_cmdline(FILE *o, const struct vh_task *t)
{
	size_t len = t->cmdline_len;

	while (len && t->cmdline[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t->cmdline[i];

		putc(c == '\0' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, o);
	}
}

/* A task one of the kernel's two indexes lacks: what /proc and ps would hide. */
static const char *hidden_mark(const struct vh_task_list *tl, const struct vh_task *t)
{
	if (!tl) /* a task from another list than the session's: nothing to compare with */
		return "";
	if (t->via == VH_VIA_PID_TABLE)
		return "  [on no task list: found in the pid table]";
	if (t->leader && t->via == VH_VIA_CHILDREN)
		return tl->task_list_complete
			   ? "  [not on the task list: found on its parent's children list]"
			   : "  [past a break of the task list: found on its parent's "
			     "children list]";
	if (tl->pid_table == VH_PID_TABLE_COMPLETE && !t->in_pid_table && t->pid != 0)
		return "  [not in the pid table]";
	return "";
}

static void text_task(struct vh_report *r, const struct vh_task *t)
{
	FILE *o = r->out;

	fprintf(o, "%7" PRId32 " %7" PRId32 " %7" PRId32 " %c  ", t->pid, t->tgid, t->ppid,
		t->state);
	if (t->have_cred)
		fprintf(o, "%5" PRIu32, t->uid);
	else
		fprintf(o, "%5s", "?");
	fprintf(o, " %c 0x%016" PRIx64 " ", t->kthread ? 'K' : '-', t->addr);
	vh_report_put_clean(o, t->comm);
	if (t->cmdline_state == VH_CMDLINE_OK) {
		for (size_t n = strlen(t->comm); n < 16; n++)
			putc(' ', o);
		putc(' ', o);
		text_cmdline(o, t);
	}
	fputs(hidden_mark(vh_session_tasks(r->s), t), o);
	putc('\n', o);
}

/* ---- maps ---- */

static void text_process(struct vh_report *r, const struct vh_task *t, const struct vh_vma_list *l)
{
	FILE *o = r->out;

	fprintf(o, "# pid %" PRId32 " ", t->pid);
	vh_report_put_clean(o, t->comm);
	if (!l) {
		fprintf(o, " mm 0x%016" PRIx64 " vmas unreadable\n", t->mm);
		return;
	}
	if (t->mm) /* a process core has no mm address */
		fprintf(o, " mm 0x%016" PRIx64, t->mm);
	fprintf(o, " vmas %zu\n", l->nvmas);
}

static void text_vma(struct vh_report *r, const struct vh_task *t, const struct vh_vma *v)
{
	char line[MAX_LINE];

	(void)t;
	if (vh_vma_format(v, line, sizeof(line)) >= 0) {
		fputs(line, r->out);
		putc('\n', r->out);
	}
}

/* ---- scan ---- */

static void text_finding(struct vh_report *r, const struct vh_finding *f, bool first)
{
	FILE *o = r->out;
	char hex[2 * VH_EVIDENCE_BYTES + 1];

	if (first) {
		fprintf(o, "%s# pid %" PRId32 " ", r->nfindings ? "\n" : "", f->pid);
		vh_report_put_clean(o, f->comm);
		putc('\n', o);
	}
	fprintf(o, "  %-6s %-12s %016" PRIx64 "-%016" PRIx64 " %s\n", vh_severity_name(f->severity),
		f->detector, f->start, f->end, f->reason);
	fprintf(o, "         vm_flags 0x%" PRIx64 "%s", f->vm_flags, f->path[0] ? " path " : "");
	vh_report_put_clean(o, f->path); /* a path is bytes from the dump: printed as comm is */
	putc('\n', o);
	for (size_t i = 0; i < f->nnotes; i++) {
		fprintf(o, "         ");
		vh_report_put_clean(o, f->notes[i].key);
		fprintf(o, ": ");
		vh_report_put_clean(o, f->notes[i].value);
		putc('\n', o);
	}
	if (!f->nbytes)
		return;
	vh_report_hex_bytes(f, hex, sizeof(hex));
	fprintf(o, "         bytes at 0x%" PRIx64 ": %s\n", f->at, hex);
	for (const char *l = f->disasm; *l;) {
		const char *nl = strchr(l, '\n');
		int n = nl ? (int)(nl - l) : (int)strlen(l);

		fprintf(o, "           %.*s\n", n, l);
		l += n + (nl ? 1 : 0);
	}
}

static void text_warning(struct vh_report *r, const char *msg)
{
	fflush(r->out); /* a terminal shows the warning where it arose */
	fprintf(r->err, "vmahunt: warning: %s\n", msg);
}

static void text_end(struct vh_report *r)
{
	if (r->results_done && !r->nfindings)
		fputs("no findings\n", r->out);
}

const struct vh_report_ops vh_report_text_ops = {
    .begin = text_begin,
    .dump_info = text_dump_info,
    .task = text_task,
    .process = text_process,
    .vma = text_vma,
    .finding = text_finding,
    .warning = text_warning,
    .end = text_end,
};
