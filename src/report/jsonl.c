/* SPDX-License-Identifier: MIT */
/* The JSON Lines renderer: schema 1 (docs/json.md), one object per line. */
#include "report/report_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- info ---- */

/* aarch64's user_pt_regs, in their order: x0..x30, sp, pc, pstate. */
static void json_aarch64_regs(struct vh_json *j, const struct vh_cpu_regs *c)
{
	char name[8];

	for (int i = 0; i < 31; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		vh_json_hex(j, name, c->x[i]);
	}
	vh_json_hex(j, "sp", c->sp);
	vh_json_hex(j, "pc", c->pc);
	vh_json_hex(j, "pstate", c->pstate);
}

static void json_cpu(struct vh_json *j, const struct vh_cpu_regs *c, bool aarch64)
{
	static const char *const cr_names[5] = {"cr0", NULL, "cr2", "cr3", "cr4"};

	vh_json_begin_object(j, NULL);
	vh_json_u64(j, "cpu", c->cpu);
	vh_json_str(j, "source", c->source);
	if (c->pid)
		vh_json_u64(j, "pid", c->pid);
	if (c->have_gp && aarch64) {
		json_aarch64_regs(j, c);
	} else if (c->have_gp) {
		const uint64_t v[] = {c->rip, c->rsp, c->rbp,	  c->rax,    c->rbx, c->rcx,
				      c->rdx, c->rsi, c->rdi,	  c->r8,     c->r9,  c->r10,
				      c->r11, c->r12, c->r13,	  c->r14,    c->r15, c->rflags,
				      c->cs,  c->ss,  c->fs_base, c->gs_base};
		static const char *const names[] = {
		    "rip", "rsp",    "rbp", "rax", "rbx",     "rcx",	"rdx", "rsi",
		    "rdi", "r8",     "r9",  "r10", "r11",     "r12",	"r13", "r14",
		    "r15", "rflags", "cs",  "ss",  "fs_base", "gs_base"};

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			vh_json_hex(j, names[i], v[i]);
	}
	if (c->have_cr) {
		for (int i = 0; i < 5; i++) {
			if (cr_names[i])
				vh_json_hex(j, cr_names[i], c->cr[i]);
		}
	}
	vh_json_end_object(j);
}

static void json_vmcoreinfo(struct vh_json *j, struct vh_dump *d)
{
	const char *p = vh_dump_vmcoreinfo(d, NULL);

	if (!p) {
		vh_json_null(j, "vmcoreinfo");
		return;
	}
	vh_json_begin_object(j, "vmcoreinfo");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *eq = memchr(p, '=', len);

		if (eq) {
			char *k = strndup(p, (size_t)(eq - p));
			char *v = strndup(eq + 1, len - (size_t)(eq - p) - 1);

			if (k && v)
				vh_json_str(j, k, v);
			free(k);
			free(v);
		}
		p += len + (nl ? 1 : 0);
	}
	vh_json_end_object(j);
}

static void json_symbols(struct vh_json *j, const struct vh_dump_facts *x)
{
	const struct vh_profile *p = x->prof;

	if (!p) {
		vh_json_null(j, "symbols");
		vh_json_str(j, "symbols_error", x->prof_error);
		return;
	}
	vh_json_begin_object(j, "symbols");
	vh_json_str(j, "source", p->types_from);
	if (p->vmlinux_path)
		vh_json_str(j, "vmlinux", p->vmlinux_path);
	else
		vh_json_null(j, "vmlinux");
	if (p->stats.kallsyms_method) {
		vh_json_u64(j, "ksyms", p->stats.ksyms);
		vh_json_str(j, "kallsyms_found_by", p->stats.kallsyms_method);
		vh_json_u64(j, "btf_types", p->stats.btf_types);
		vh_json_u64(j, "btf_bytes", p->stats.btf_bytes);
	}
	vh_json_end_object(j);
}

/* What a process core says about its process ("process": null for a kernel dump). */
static void json_core(struct vh_json *j, struct vh_dump *d)
{
	const struct vh_core_info *c = vh_core_info(d);

	if (!c) {
		vh_json_null(j, "process");
		return;
	}
	vh_json_begin_object(j, "process");
	vh_json_bool(j, "compressed", c->compressed);
	vh_json_bool(j, "prpsinfo", c->have_prpsinfo);
	vh_json_u64(j, "pid", (uint64_t)c->pid);
	vh_json_u64(j, "ppid", (uint64_t)c->ppid);
	vh_json_u64(j, "uid", c->uid);
	vh_json_u64(j, "gid", c->gid);
	vh_json_str(j, "comm", c->comm);
	vh_json_str(j, "psargs", c->psargs);
	if (c->have_siginfo) {
		vh_json_begin_object(j, "signal");
		vh_json_u64(j, "signo", (uint64_t)c->si_signo);
		vh_json_u64(j, "code", (uint64_t)(int64_t)c->si_code);
		vh_json_hex(j, "addr", c->si_addr);
		vh_json_end_object(j);
	} else {
		vh_json_null(j, "signal");
	}
	vh_json_u64(j, "threads", vh_dump_ncpus(d));
	vh_json_u64(j, "segments", c->nloads);
	vh_json_begin_array(j, "files");
	for (size_t i = 0; i < c->nfiles; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_hex(j, "start", c->files[i].start);
		vh_json_hex(j, "end", c->files[i].end);
		vh_json_hex(j, "offset", c->files[i].offset);
		vh_json_str(j, "path", c->files[i].path);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_json_begin_array(j, "auxv");
	for (size_t i = 0; i < c->nauxv; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_u64(j, "type", c->auxv[i].type);
		vh_json_hex(j, "value", c->auxv[i].val);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_json_end_object(j);
}

static void hex_or_null(struct vh_json *j, const char *key, bool have, uint64_t v)
{
	if (have)
		vh_json_hex(j, key, v);
	else
		vh_json_null(j, key);
}

static void json_kernel(struct vh_json *j, const struct vh_dump_facts *x)
{
	vh_json_str(j, "osrelease", x->osrelease);
	hex_or_null(j, "kaslr_offset", x->have_kaslr, x->kaslr_offset);
	hex_or_null(j, "phys_base", x->have_phys_base, x->phys_base);
	if (x->paging_levels)
		vh_json_u64(j, "paging_levels", (uint64_t)x->paging_levels);
	else
		vh_json_null(j, "paging_levels");
	if (x->kmap) {
		vh_json_begin_object(j, "kernel");
		vh_json_str(j, "method", x->kmap->method);
		vh_json_hex(j, "pgd", x->kmap->pgd);
		vh_json_str(j, "pgd_source", x->kmap->pgd_source);
		vh_json_u64(j, "paging_levels", (uint64_t)x->kmap->mmu.levels);
		vh_json_hex(j, "kaslr_offset", x->kmap->kaslr_offset);
		vh_json_hex(j, "phys_base", x->kmap->phys_base);
		vh_json_end_object(j);
	} else {
		vh_json_null(j, "kernel");
	}
	json_symbols(j, x);
}

static void json_memory(struct vh_json *j, struct vh_dump *d, const struct vh_dump_facts *x)
{
	struct vh_page_stats st;
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);

	vh_dump_page_stats(d, &st);
	vh_json_u64(j, "memory_bytes", x->ram_bytes);
	vh_json_begin_array(j, "ranges");
	for (size_t i = 0; i < n; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_hex(j, "start", r[i].start);
		vh_json_hex(j, "end", r[i].end);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_json_begin_object(j, "pages");
	vh_json_u64(j, "present", st.present);
	vh_json_u64(j, "zero", st.zero);
	vh_json_u64(j, "excluded", st.excluded);
	vh_json_end_object(j);
	vh_json_begin_object(j, "codecs");
	for (int c = 0; c < VH_CODEC_COUNT; c++)
		vh_json_u64(j, vh_codec_name(c), st.by_codec[c]);
	vh_json_end_object(j);
}

static void json_dump_info(struct vh_report *r, const struct vh_dump_facts *x)
{
	struct vh_dump *d = vh_session_dump(r->s);
	struct vh_json *j = &r->j;
	size_t n;
	const struct vh_dump_attr *a;
	const char *const *w;

	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "dump");
	vh_json_u64(j, "schema", 1);
	vh_json_str(j, "file", vh_dump_path(d));
	vh_json_str(j, "format", vh_dump_format_name(vh_dump_format(d)));
	vh_json_str(j, "arch", vh_dump_arch(d));
	vh_json_u64(j, "page_size", vh_dump_page_size(d));
	json_kernel(j, x);
	json_memory(j, d, x);
	vh_json_begin_object(j, "attrs");
	a = vh_dump_attrs(d, &n);
	for (size_t i = 0; i < n; i++)
		vh_json_str(j, a[i].name, a[i].value);
	vh_json_end_object(j);
	vh_json_begin_array(j, "cpus");
	for (size_t i = 0; i < vh_dump_ncpus(d); i++)
		json_cpu(j, vh_dump_cpu(d, i), strcmp(vh_dump_arch(d), "aarch64") == 0);
	vh_json_end_array(j);
	json_vmcoreinfo(j, d);
	json_core(j, d);
	vh_json_begin_array(j, "warnings");
	w = vh_dump_warnings(d, &n);
	for (size_t i = 0; i < n; i++)
		vh_json_str(j, NULL, w[i]);
	vh_json_end_array(j);
	vh_json_end_object(j);
	vh_json_newline(j);
}

/* ---- ps ---- */

static const char *cmdline_state_name(enum vh_cmdline_state s)
{
	switch (s) {
	case VH_CMDLINE_OK:
		return "ok";
	case VH_CMDLINE_NONE:
		return "none";
	case VH_CMDLINE_UNREADABLE:
		return "unreadable";
	case VH_CMDLINE_NOT_READ:
		break;
	}
	return "not-read";
}

/* NUL-separated arguments; a last one without its NUL still counts. */
static void json_cmdline(struct vh_json *j, const struct vh_task *t)
{
	size_t off = 0;

	vh_json_begin_array(j, "cmdline");
	while (off < t->cmdline_len) {
		size_t n = strnlen(t->cmdline + off, t->cmdline_len - off);
		char *arg = strndup(t->cmdline + off, n);

		vh_json_str(j, NULL, arg ? arg : "");
		free(arg);
		off += n + 1;
	}
	vh_json_end_array(j);
	vh_json_bool(j, "cmdline_truncated", t->cmdline_truncated);
}

static void json_ids(struct vh_json *j, const struct vh_task *t)
{
	char st[2] = {t->state, '\0'};

	vh_json_u64(j, "pid", (uint64_t)t->pid);
	vh_json_u64(j, "tgid", (uint64_t)t->tgid);
	vh_json_u64(j, "ppid", (uint64_t)t->ppid);
	vh_json_str(j, "comm", t->comm);
	vh_json_bool(j, "kthread", t->kthread);
	vh_json_bool(j, "leader", t->leader);
	if (t->leader)
		vh_json_u64(j, "threads", t->nr_threads);
	vh_json_str(j, "state", st);
	vh_json_hex(j, "state_raw", t->state_raw);
	vh_json_hex(j, "exit_state", t->exit_state);
	vh_json_hex(j, "flags", t->flags);
	if (t->have_cred) {
		vh_json_u64(j, "uid", t->uid);
		vh_json_u64(j, "gid", t->gid);
	} else {
		vh_json_null(j, "uid");
		vh_json_null(j, "gid");
	}
}

static void json_task(struct vh_report *r, const struct vh_task *t)
{
	const struct vh_task_list *tl = vh_session_tasks(r->s);
	struct vh_json *j = &r->j;

	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "task");
	json_ids(j, t);
	vh_json_u64(j, "start_time", t->start_time);
	vh_json_u64(j, "start_boottime", t->start_boottime);
	vh_json_hex(j, "task_struct", t->addr);
	hex_or_null(j, "mm", t->mm != 0, t->mm);
	hex_or_null(j, "active_mm", t->active_mm != 0, t->active_mm);
	vh_json_str(j, "via", vh_task_via_name(t->via));
	/* false only when the whole table was read: else not found may mean not read */
	if (t->in_pid_table || (tl && tl->pid_table == VH_PID_TABLE_COMPLETE))
		vh_json_bool(j, "in_pid_table", t->in_pid_table);
	else
		vh_json_null(j, "in_pid_table");
	vh_json_str(j, "cmdline_state", cmdline_state_name(t->cmdline_state));
	if (t->cmdline_state == VH_CMDLINE_OK)
		json_cmdline(j, t);
	else
		vh_json_null(j, "cmdline");
	vh_json_end_object(j);
	vh_json_newline(j);
}

/* ---- maps ---- */

/* The kernel objects behind a VMA; a core has none, and may not know its permissions. */
static void json_vma_objects(struct vh_report *r, const struct vh_task *t, const struct vh_vma *v)
{
	struct vh_json *j = &r->j;

	if (vh_session_is_core(r->s)) {
		vh_json_null(j, "vm_area_struct");
		vh_json_null(j, "file");
		vh_json_null(j, "mm");
		vh_json_str(j, "perms_from",
			    (v->found & VH_VMA_NO_PERMS)    ? "unknown"
			    : (v->found & VH_VMA_PERMS_ELF) ? "elf-header"
							    : "core");
		return;
	}
	vh_json_hex(j, "vm_area_struct", v->addr);
	hex_or_null(j, "file", v->file != 0, v->file);
	vh_json_hex(j, "mm", t->mm);
}

static void json_vma(struct vh_report *r, const struct vh_task *t, const struct vh_vma *v)
{
	static const char *const found_names[] = {"maple", "list", "rb", "gate", "load", "nt_file"};
	struct vh_json *j = &r->j;
	char dev[24];

	snprintf(dev, sizeof(dev), "%02" PRIx32 ":%02" PRIx32, v->major, v->minor);
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "vma");
	vh_json_u64(j, "pid", (uint64_t)t->pid);
	vh_json_str(j, "comm", t->comm);
	vh_json_hex(j, "start", v->start);
	vh_json_hex(j, "end", v->end);
	vh_json_str(j, "perms", v->perms);
	vh_json_hex(j, "offset", v->offset);
	vh_json_str(j, "dev", dev);
	vh_json_u64(j, "inode", v->inode);
	vh_json_str(j, "path", v->path ? v->path : "");
	vh_json_hex(j, "vm_flags", v->flags);
	vh_json_hex(j, "vm_pgoff", v->pgoff);
	json_vma_objects(r, t, v);
	vh_json_begin_array(j, "found_in");
	for (unsigned b = 0; b < sizeof(found_names) / sizeof(found_names[0]); b++)
		if (v->found & (1u << b))
			vh_json_str(j, NULL, found_names[b]);
	vh_json_end_array(j);
	vh_json_bool(j, "path_partial", v->path_partial);
	vh_json_end_object(j);
	vh_json_newline(j);
}

/* ---- scan ---- */

/* "notes": {"key": ["value", ...], ...}, keys in the order they first came. */
static void json_notes(struct vh_json *j, const struct vh_finding *f)
{
	vh_json_begin_object(j, "notes");
	for (size_t i = 0; i < f->nnotes; i++) {
		const char *key = f->notes[i].key;
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(f->notes[k].key, key);
		if (seen)
			continue;
		vh_json_begin_array(j, key);
		for (size_t k = i; k < f->nnotes; k++)
			if (!strcmp(f->notes[k].key, key))
				vh_json_str(j, NULL, f->notes[k].value);
		vh_json_end_array(j);
	}
	vh_json_end_object(j);
}

static void json_evidence(struct vh_json *j, const struct vh_finding *f)
{
	char hex[2 * VH_EVIDENCE_BYTES + 1];

	vh_json_begin_object(j, "evidence");
	vh_json_hex(j, "vm_flags", f->vm_flags);
	vh_json_str(j, "path", f->path);
	if (f->nbytes) {
		vh_report_hex_bytes(f, hex, sizeof(hex));
		vh_json_hex(j, "at", f->at);
		vh_json_str(j, "bytes", hex);
		vh_json_str(j, "disasm", f->disasm);
	} else {
		vh_json_null(j, "at");
		vh_json_null(j, "bytes");
		vh_json_null(j, "disasm");
	}
	if (f->nnotes)
		json_notes(j, f);
	vh_json_end_object(j);
}

static void json_finding(struct vh_report *r, const struct vh_finding *f, bool first)
{
	struct vh_json *j = &r->j;

	(void)first;
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "finding");
	vh_json_str(j, "detector", f->detector);
	if (f->kind)
		vh_json_str(j, "kind", f->kind);
	vh_json_str(j, "severity", vh_severity_name(f->severity));
	vh_json_u64(j, "pid", (uint64_t)f->pid);
	vh_json_str(j, "comm", f->comm);
	vh_json_hex(j, "start", f->start);
	vh_json_hex(j, "end", f->end);
	vh_json_str(j, "reason", f->reason);
	json_evidence(j, f);
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void json_warning(struct vh_report *r, const char *msg)
{
	vh_json_begin_object(&r->j, NULL);
	vh_json_str(&r->j, "type", "warning");
	vh_json_str(&r->j, "message", msg);
	vh_json_end_object(&r->j);
	vh_json_newline(&r->j);
}

const struct vh_report_ops vh_report_json_ops = {
    .dump_info = json_dump_info,
    .task = json_task,
    .vma = json_vma,
    .finding = json_finding,
    .warning = json_warning,
};
