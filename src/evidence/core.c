/* SPDX-License-Identifier: MIT */
/*
 * vmahunt core: an ELF core of one process of a kernel dump, for gdb and
 * eu-stack.
 *
 * Layout, as the kernel's own x86-64 cores: ELF header, program headers
 * (PT_NOTE, then the PT_LOADs in address order), the notes, then the bytes of
 * every PT_LOAD from the next page boundary on, in order.
 *
 * Pages the dump lacks or the page tables do not map: each VMA is split into
 * several PT_LOADs around its absent runs (same flags, consecutive
 * addresses). Each run of pages the dump holds starts a PT_LOAD, whose bytes
 * are in the file (p_filesz) and whose p_memsz also covers the absent run
 * after it, the ELF way of saying "not in the file" (as the kernel's cores
 * keep only the first page of a file mapping); an absent run at the start
 * of a VMA is a PT_LOAD of its own with p_filesz 0. gdb reads the absent
 * parts as zeros, or from the executable for its file mappings. The other
 * way, one PT_LOAD per VMA with p_filesz covering only the readable prefix,
 * would lose everything after a VMA's first absent page: a stack's pages are
 * all near its top, a heap or an anonymous region often starts with pages
 * never touched, and the planted bytes after them would be gone for gdb.
 * The cost: tools counting PT_LOADs may see more of them than VMAs (vmahunt
 * maps of such a core prints one line per PT_LOAD).
 *
 * Notes: NT_PRSTATUS of the main thread, NT_PRPSINFO, NT_AUXV, NT_FILE, then
 * NT_PRSTATUS of each other thread (the kernel's order; the first NT_PRSTATUS
 * is the thread gdb selects). No NT_PRFPREG/NT_X86_XSTATE (the FPU state's
 * layout is not in the profile) and no NT_SIGINFO: a dump is not taken by a
 * signal the process received, and pending signals are not read.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vmahunt/evidence.h>

#include "arch/vread.h"
#include "evidence/core_elf.h"
#include "evidence/evidence_internal.h"
#include "kernel/kmem.h"
#include "kernel/uregs.h"
#include "util/error.h"
#include "util/warnings.h"

/* Bytes read and written at a time. */
#define CHUNK (64u * 1024)
/* Runs of one VMA kept before the rest is one absent run (a hostile map). */
#define MAX_RUNS (1u << 22)
/* PT_LOADs of a core, at most (the ELF format's limit is 2^32 - 1). */
#define MAX_SEGS (1u << 24)
/* Words of saved_auxv kept (AT_VECTOR_SIZE is about 50). */
#define AUXV_MAX 512

/* A run of pages of one VMA: present (err VH_OK) or absent and why. */
struct run {
	uint64_t start, end;
	int err;
};

struct core {
	struct vh_session *s;
	struct vh_dump *d;
	const struct vh_profile *p;
	const struct vh_kernel_map *km;
	struct vh_vread kr, ur;
	bool have_root;
	uint64_t root;
	int root_err;

	struct vh_core_seg *segs;
	size_t nsegs, cap;
	struct vh_ev_absent absent;
	uint64_t present_bytes;

	/* the VMA being classified */
	struct run *runs;
	size_t nruns, runs_cap;
	uint64_t vstart, vend, cursor;
	bool runs_oom;

	char **warnings;
	size_t nwarnings;

	/* threads whose registers came from the CPU they ran on in user mode */
	int32_t on_cpu[64];
	size_t non_cpu;
};

static void warn(struct core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct core *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vh_warnings_vadd(&c->warnings, &c->nwarnings, fmt, ap);
	va_end(ap);
}

static void add_run(struct core *c, uint64_t start, uint64_t end, int err)
{
	struct run *r;

	if (end <= start)
		return;
	if (c->nruns && c->runs[c->nruns - 1].end == start &&
	    (c->runs[c->nruns - 1].err == err || c->runs_oom)) {
		c->runs[c->nruns - 1].end = end;
		return;
	}
	if (c->nruns == c->runs_cap) {
		size_t cap = c->runs_cap ? c->runs_cap * 2 : 64;

		if (cap > MAX_RUNS || !(r = realloc(c->runs, cap * sizeof(*r)))) {
			/*
			 * Too many runs (a hostile map) or no memory: the last run
			 * and the rest of the VMA become one absent run.
			 */
			c->runs_oom = true;
			if (c->nruns) {
				c->runs[c->nruns - 1].err = VH_ERR_UNSUPPORTED;
				c->runs[c->nruns - 1].end = end;
			}
			return;
		}
		c->runs = r;
		c->runs_cap = cap;
	}
	c->runs[c->nruns++] = (struct run){start, end, err};
}

static int page_err(enum vh_page_state st)
{
	switch (st) {
	case VH_PAGE_PRESENT:
	case VH_PAGE_ZERO:
		return VH_OK;
	case VH_PAGE_EXCLUDED:
		return VH_ERR_EXCLUDED;
	default:
		return VH_ERR_NOT_PRESENT;
	}
}

/* One present leaf mapping of the VMA's range: its pages, as the dump holds them. */
static int classify(const struct vh_mapping *m, int present, void *arg)
{
	struct core *c = arg;
	uint64_t a = m->vaddr > c->vstart ? m->vaddr : c->vstart;
	uint64_t b = m->vaddr + m->page_size < c->vend ? m->vaddr + m->page_size : c->vend;

	if (!present || a >= b || a < c->cursor)
		return 0; /* a swap entry stays "not mapped" */
	add_run(c, c->cursor, a, VH_ERR_NOT_MAPPED);
	for (uint64_t pg = a; pg < b; pg += VH_EV_PAGE) {
		int err = m->user ? page_err(vh_dump_page_state(c->d, (m->paddr + (pg - m->vaddr)) /
									  VH_EV_PAGE))
				  : VH_ERR_NOT_MAPPED;

		add_run(c, pg, pg + VH_EV_PAGE, err);
	}
	c->cursor = b;
	return 0;
}

static uint32_t vma_pflags(const struct vh_vma *v)
{
	return (v->perms[0] == 'r' ? PF_R : 0) | (v->perms[1] == 'w' ? PF_W : 0) |
	       (v->perms[2] == 'x' ? PF_X : 0);
}

static int add_seg(struct core *c, const struct vh_core_seg *sg)
{
	if (c->nsegs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct vh_core_seg *n;

		if (cap > MAX_SEGS)
			return vh_set_error(VH_ERR_INVAL, "more than %u program headers", MAX_SEGS);
		n = realloc(c->segs, cap * sizeof(*n));
		if (!n)
			return VH_ERR_NOMEM;
		c->segs = n;
		c->cap = cap;
	}
	c->segs[c->nsegs++] = *sg;
	return VH_OK;
}

/* The PT_LOADs of one VMA: its runs of present and absent pages. */
static int vma_segments(struct core *c, const struct vh_vma *v)
{
	uint32_t flags = vma_pflags(v);
	struct vh_walk_stats st = {0};
	int err;

	c->nruns = 0;
	c->runs_oom = false;
	c->vstart = v->start & ~(uint64_t)(VH_EV_PAGE - 1);
	c->vend = (v->end + VH_EV_PAGE - 1) & ~(uint64_t)(VH_EV_PAGE - 1);
	c->cursor = c->vstart;
	if (c->vend <= c->vstart)
		return VH_OK;
	if (!c->have_root) {
		add_run(c, c->vstart, c->vend, c->root_err);
	} else {
		err = vh_walk(c->d, &c->km->mmu, c->root, c->vstart, c->vend, classify, c, &st);
		if (err == VH_ERR_NOMEM)
			return err;
		add_run(c, c->cursor, c->vend, VH_ERR_NOT_MAPPED);
		if (err)
			warn(c, "VMA 0x%" PRIx64 "-0x%" PRIx64 ": page tables not walked (%s)",
			     v->start, v->end, vh_strerror(err));
		if (st.unreadable)
			warn(c,
			     "VMA 0x%" PRIx64 "-0x%" PRIx64 ": %" PRIu64
			     " page-table pages not in the dump (first at 0x%" PRIx64
			     ", %s): their pages are left out as not mapped",
			     v->start, v->end, st.unreadable, st.first_unreadable,
			     vh_strerror(st.first_unreadable_err));
	}
	if (c->runs_oom && !c->nruns)
		return VH_ERR_NOMEM;
	if (c->runs_oom)
		warn(c,
		     "VMA 0x%" PRIx64 "-0x%" PRIx64
		     ": too many runs of absent pages: from 0x%" PRIx64
		     " on it is left out as one absent run",
		     v->start, v->end, c->runs[c->nruns - 1].start);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct run *r = &c->runs[i];
		uint64_t len = r->end - r->start;
		struct vh_core_seg sg = {r->start, len, r->err ? 0 : len, flags};

		if (r->err && vh_ev_absent_add(&c->absent, r->start, r->end, r->err))
			return VH_ERR_NOMEM;
		c->present_bytes += sg.filesz;
		/* an absent run after present bytes is their PT_LOAD's tail (p_memsz > p_filesz) */
		if (r->err && i > 0 && !c->runs[i - 1].err) {
			c->segs[c->nsegs - 1].memsz += len;
			continue;
		}
		err = add_seg(c, &sg);
		if (err)
			return err;
	}
	return VH_OK;
}

/*
 * The registers of a CPU that was running @t in user mode when the dump was
 * taken, as the dump's NT_PRSTATUS notes give them (kdump: the crash notes
 * each CPU saved, naming its task), or NULL. Such a thread's kernel stack
 * holds only the registers of its last entry into the kernel. QEMU's CPU
 * state names no task: its CPUs are not matched.
 */
static const struct vh_cpu_regs *user_cpu(struct vh_dump *d, int arch, const struct vh_task *t)
{
	size_t n = vh_dump_ncpus(d);

	for (size_t i = 0; i < n && t->pid > 0; i++) {
		const struct vh_cpu_regs *r = vh_dump_cpu(d, i);

		if (r && r->have_gp && r->pid == (uint32_t)t->pid &&
		    (arch == VH_ARCH_ARM64 ? (r->pstate & 0x1f) == 0 : (r->cs & 3) == 3))
			return r;
	}
	return NULL;
}

static void cpu_regs(const struct vh_cpu_regs *r, struct vh_core_thread *th)
{
	if (th->arch == VH_ARCH_ARM64) {
		memcpy(th->regs, r->x, sizeof(r->x));
		th->regs[VH_A64_SP] = r->sp;
		th->regs[VH_A64_PC] = r->pc;
		th->regs[VH_A64_PSTATE] = r->pstate;
		return;
	}
	const uint64_t v[VH_PT_REGS_N] = {
	    [VH_REG_R15] = r->r15,	 [VH_REG_R14] = r->r14,
	    [VH_REG_R13] = r->r13,	 [VH_REG_R12] = r->r12,
	    [VH_REG_RBP] = r->rbp,	 [VH_REG_RBX] = r->rbx,
	    [VH_REG_R11] = r->r11,	 [VH_REG_R10] = r->r10,
	    [VH_REG_R9] = r->r9,	 [VH_REG_R8] = r->r8,
	    [VH_REG_RAX] = r->rax,	 [VH_REG_RCX] = r->rcx,
	    [VH_REG_RDX] = r->rdx,	 [VH_REG_RSI] = r->rsi,
	    [VH_REG_RDI] = r->rdi,	 [VH_REG_ORIG_RAX] = r->orig_rax,
	    [VH_REG_RIP] = r->rip,	 [VH_REG_CS] = r->cs,
	    [VH_REG_EFLAGS] = r->rflags, [VH_REG_RSP] = r->rsp,
	    [VH_REG_SS] = r->ss,
	};

	memcpy(th->regs, v, sizeof(v));
	th->fs_base = r->fs_base;
	th->gs_base = r->gs_base;
}

/* One thread's NT_PRSTATUS, from what the kernel saved; damage is a warning. */
static void thread_note(struct core *c, const struct vh_kstack_layout *l, const struct vh_task *t,
			struct vh_core_buf *notes, size_t *regs_ok)
{
	struct vh_core_thread th = {.arch = c->km->mmu.arch, .pid = t->pid, .ppid = t->ppid};
	unsigned char desc[VH_CORE_PRSTATUS_MAX];
	const struct vh_cpu_regs *cpu = user_cpu(c->d, th.arch, t);
	size_t size;
	struct vh_uregs u;
	int err;

	if (cpu) {
		cpu_regs(cpu, &th);
		(*regs_ok)++;
		if (c->non_cpu < sizeof(c->on_cpu) / sizeof(c->on_cpu[0]))
			c->on_cpu[c->non_cpu++] = t->pid;
		goto ids;
	}
	err = vh_task_uregs(&c->kr, c->p, l, t->addr, &u);
	if (err)
		warn(c, "pid %d (tid %d): %s%s%s", (int)t->tgid, (int)t->pid, vh_errmsg(),
		     u.have_regs ? ": written as read" : ": registers written as 0",
		     t->exit_state ? " (the thread has exited: its stack is gone)" : "");
	else
		(*regs_ok)++;
	if (u.have_regs)
		memcpy(th.regs, u.regs, sizeof(th.regs));
	th.fs_base = u.fs_base;
	th.gs_base = u.gs_base;
	/* x86-64's TLS bases (arm64 keeps tpidr_el0 elsewhere: not written) */
	if (th.arch != VH_ARCH_ARM64 && (!u.have_fs_base || !u.have_gs_base))
		warn(c, "pid %d (tid %d): task 0x%" PRIx64 ": %s not readable: written as 0",
		     (int)t->tgid, (int)t->pid, t->addr,
		     !u.have_fs_base && !u.have_gs_base ? "thread.fsbase and gsbase"
		     : !u.have_fs_base			? "thread.fsbase"
							: "thread.gsbase");
ids:
	vh_task_pgrp_sid(&c->kr, c->p, t->addr, &th.pgrp, &th.sid);
	if (th.pgrp < 0)
		th.pgrp = 0;
	if (th.sid < 0)
		th.sid = 0;
	size = vh_core_prstatus(&th, desc);
	vh_core_note(notes, NT_PRSTATUS, desc, size);
}

/* The arguments: the task list's copy, else read from the process (arg_start..arg_end). */
static char *read_args(struct core *c, const struct vh_task *leader, uint64_t mm, size_t *len)
{
	uint64_t start, end;
	char *buf;

	*len = 0;
	if (leader->cmdline_state == VH_CMDLINE_OK && leader->cmdline) {
		buf = malloc(leader->cmdline_len + 1);
		if (buf) {
			memcpy(buf, leader->cmdline, leader->cmdline_len);
			*len = leader->cmdline_len;
		}
		return buf;
	}
	if (!c->have_root || vh_member_read(&c->kr, mm, &c->p->mm_struct.arg_start, &start) ||
	    vh_member_read(&c->kr, mm, &c->p->mm_struct.arg_end, &end) || end <= start)
		return NULL;
	if (end - start > VH_CORE_PSARGS)
		end = start + VH_CORE_PSARGS;
	buf = malloc(VH_CORE_PSARGS + 1);
	if (buf && vh_vread(&c->ur, start, buf, end - start) == VH_OK) {
		*len = end - start;
		return buf;
	}
	free(buf);
	return NULL;
}

static void psinfo_note(struct core *c, const struct vh_task *leader, uint64_t mm,
			struct vh_core_buf *notes)
{
	unsigned char desc[VH_CORE_PRPSINFO_SIZE];
	struct vh_core_psinfo ps = {
	    .state_raw = leader->state_raw,
	    .sname = leader->state,
	    .zombie = leader->state == 'Z',
	    .flags = leader->flags,
	    .uid = leader->uid,
	    .gid = leader->gid,
	    .pid = leader->tgid,
	    .ppid = leader->ppid,
	    .comm = leader->comm,
	};
	char *args = read_args(c, leader, mm, &ps.args_len);

	ps.args = args;
	vh_task_pgrp_sid(&c->kr, c->p, leader->addr, &ps.pgrp, &ps.sid);
	if (ps.pgrp < 0)
		ps.pgrp = 0;
	if (ps.sid < 0)
		ps.sid = 0;
	if (!args)
		warn(c, "pid %d: command line not readable: pr_psargs is empty", (int)leader->tgid);
	if (!leader->have_cred)
		warn(c, "pid %d: credentials not readable: uid and gid written as 0",
		     (int)leader->tgid);
	vh_core_prpsinfo(&ps, desc);
	vh_core_note(notes, NT_PRPSINFO, desc, sizeof(desc));
	free(args);
}

static void auxv_note(struct core *c, uint64_t mm, struct vh_core_buf *notes)
{
	uint64_t auxv[AUXV_MAX];
	unsigned char desc[AUXV_MAX * 8];
	size_t n;
	int err = vh_mm_saved_auxv(&c->kr, c->p, mm, auxv, AUXV_MAX, &n);

	if (err) {
		warn(c, "no NT_AUXV: %s", vh_errmsg());
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 8; k++)
			desc[8 * i + (size_t)k] = (unsigned char)(auxv[i] >> (8 * k));
	vh_core_note(notes, NT_AUXV, desc, n * 8);
}

static int file_note(const struct vh_vma_list *l, struct vh_core_buf *notes)
{
	struct vh_core_file_map *m = calloc(l->nvmas ? l->nvmas : 1, sizeof(*m));
	size_t n = 0;

	if (!m)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (v->file && !(v->found & VH_VMA_GATE))
			m[n++] = (struct vh_core_file_map){v->start, v->end, v->pgoff, v->path};
	}
	vh_core_nt_file(notes, m, n, VH_EV_PAGE);
	free(m);
	return VH_OK;
}

/* The bytes of every PT_LOAD with some; a page that cannot be read after all is zeros. */
static int write_loads(struct core *c, struct vh_ev_file *f, uint64_t *unreadable)
{
	unsigned char *buf = malloc(CHUNK);
	int err = VH_OK;

	if (!buf)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < c->nsegs && !err; i++) {
		const struct vh_core_seg *sg = &c->segs[i];

		for (uint64_t off = 0; off < sg->filesz && !err;) {
			size_t n = sg->filesz - off < CHUNK ? (size_t)(sg->filesz - off) : CHUNK;

			for (size_t k = 0; k < n; k += VH_EV_PAGE) {
				uint64_t a = sg->vaddr + off + k;
				int rerr = vh_vread(&c->ur, a, buf + k, VH_EV_PAGE);

				if (rerr) {
					memset(buf + k, 0, VH_EV_PAGE);
					(*unreadable)++;
					if (*unreadable <= 8)
						warn(c, "page 0x%" PRIx64 ": %s: written as zeros",
						     a, vh_strerror(rerr));
				}
			}
			err = vh_ev_file_write(f, buf, n);
			off += n;
		}
	}
	free(buf);
	return err;
}

static void write_record(FILE *out, const char *path, const struct vh_task *leader, size_t nthreads,
			 size_t regs_ok, const struct vh_kstack_layout *l, const struct core *c,
			 uint64_t bytes, const char *sha)
{
	struct vh_json j;

	vh_json_init(&j, out);
	vh_json_begin_object(&j, NULL);
	/* the fields every evidence record has (docs/evidence.md), then the core's own */
	vh_json_str(&j, "kind", "core");
	vh_json_str(&j, "file", path);
	vh_json_u64(&j, "pid", (uint64_t)leader->tgid);
	vh_json_str(&j, "comm", leader->comm);
	vh_json_u64(&j, "size", bytes);
	vh_json_str(&j, "sha256", sha);
	vh_json_u64(&j, "threads", nthreads);
	vh_json_u64(&j, "threads_with_user_regs", regs_ok);
	vh_json_u64(&j, "loads", c->nsegs);
	vh_json_u64(&j, "memory_bytes", c->present_bytes);
	vh_json_u64(&j, "thread_size", l->thread_size);
	vh_json_str(&j, "thread_size_from", l->how);
	vh_json_begin_array(&j, "regs_from_cpu");
	for (size_t i = 0; i < c->non_cpu; i++)
		vh_json_u64(&j, NULL, (uint64_t)c->on_cpu[i]);
	vh_json_end_array(&j);
	vh_ev_absent_json(&c->absent, &j);
	vh_json_begin_array(&j, "warnings");
	for (size_t i = 0; i < c->nwarnings; i++)
		vh_json_str(&j, NULL, c->warnings[i]);
	vh_json_end_array(&j);
	vh_json_end_object(&j);
	vh_json_newline(&j);
	fflush(out);
}

static void core_free(struct core *c)
{
	free(c->segs);
	free(c->runs);
	vh_ev_absent_free(&c->absent);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
}

/* The process's task with an mm (the leader, unless it exited before its threads). */
static const struct vh_task *mm_task(const struct vh_task_list *tl, int32_t tgid)
{
	for (size_t i = 0; i < tl->ntasks; i++)
		if (tl->tasks[i].tgid == tgid && tl->tasks[i].mm)
			return &tl->tasks[i];
	return NULL;
}

static int find_process(struct vh_session *s, int32_t pid, const struct vh_task **leader,
			const struct vh_task **with_mm)
{
	const char *dump = vh_dump_path(vh_session_dump(s));
	const struct vh_task_list *tl = vh_session_tasks(s);
	const struct vh_task *t;

	if (!tl)
		return vh_set_error(VH_ERR_INVAL, "%s: the session is not loaded", dump);
	t = vh_session_find_task(s, pid);
	if (!t)
		return vh_set_error(VH_ERR_INVAL,
				    "%s: no task with pid %d (expected a pid or thread id that "
				    "vmahunt ps lists)",
				    dump, (int)pid);
	*leader = vh_session_find_task(s, t->tgid);
	if (!*leader)
		*leader = t;
	*with_mm = mm_task(tl, t->tgid);
	if (t->kthread || !*with_mm)
		return vh_set_error(VH_ERR_INVAL,
				    "%s: pid %d (%s) is a kernel thread or has no mm: no user "
				    "memory to write a core of",
				    dump, (int)pid, t->comm);
	return VH_OK;
}

int vh_evidence_core(struct vh_session *s, const struct vh_core_request *req)
{
	struct core c = {0};
	struct vh_core_buf notes = {0}, head = {0};
	struct vh_kstack_layout l;
	const struct vh_task *leader, *mmt;
	const struct vh_task_list *tl;
	const struct vh_vma_list *vl = NULL;
	struct vh_ev_file *f = NULL;
	uint64_t data_off, xnum_off, unreadable = 0;
	size_t nthreads = 0, regs_ok = 0;
	char sha[65];
	int err;

	if (!s || !req || !req->path || !*req->path)
		return vh_set_error(VH_ERR_INVAL, "vmahunt core: no session or no output path");
	if (vh_session_is_core(s))
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: a process core already: copy it (core files are written "
				    "from kernel dumps)",
				    vh_dump_path(vh_session_dump(s)));
	err = find_process(s, req->pid, &leader, &mmt);
	if (err)
		return err;
	c.s = s;
	c.d = vh_session_dump(s);
	c.p = vh_session_profile(s);
	c.km = vh_session_kernel_map(s);
	if (!c.p || !c.km)
		return vh_set_error(VH_ERR_INVAL, "%s: no kernel located or no profile",
				    vh_dump_path(c.d));
	err = vh_session_vmas(s, mmt, &vl);
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", vh_errmsg());
		vh_session_vmas_put(s, vl);
		return vh_set_error(err, "%s: pid %d: VMAs of mm 0x%" PRIx64 " not readable: %s",
				    vh_dump_path(c.d), (int)leader->tgid, mmt->mm, why);
	}
	for (size_t i = 0; i < vl->nwarnings; i++)
		warn(&c, "maps: %s", vl->warnings[i]);
	vh_vread_kernel(&c.kr, c.d, c.km);
	c.root_err = vh_mm_pgd_root(&c.kr, c.p, mmt->mm, &c.root);
	if (c.root_err)
		warn(&c, "pid %d: mm 0x%" PRIx64 ": page tables not found (%s): no memory written",
		     (int)leader->tgid, mmt->mm, vh_strerror(c.root_err));
	else {
		c.have_root = true;
		vh_vread_user(&c.ur, c.d, c.km, c.root);
	}

	for (size_t i = 0; i < vl->nvmas && !err; i++)
		err = vma_segments(&c, &vl->vmas[i]);
	if (err)
		goto out;

	/* notes: the main thread first, then what describes the process, then the others */
	vh_kstack_layout(c.p, &l);
	tl = vh_session_tasks(s);
	thread_note(&c, &l, leader, &notes, &regs_ok);
	nthreads++;
	psinfo_note(&c, leader, mmt->mm, &notes);
	auxv_note(&c, mmt->mm, &notes);
	err = file_note(vl, &notes);
	for (size_t i = 0; !err && i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];

		if (t->tgid == leader->tgid && t != leader) {
			thread_note(&c, &l, t, &notes, &regs_ok);
			nthreads++;
		}
	}
	if (!err && notes.oom)
		err = VH_ERR_NOMEM;
	if (err)
		goto out;

	vh_core_headers(&head, c.km->mmu.arch, c.segs, c.nsegs, notes.len, &data_off, &xnum_off);
	if (head.oom) {
		err = VH_ERR_NOMEM;
		goto out;
	}
	err = vh_ev_file_create_path(req->path, req->force, &f);
	if (err)
		goto out;
	err = vh_ev_file_write(f, head.p, head.len);
	if (!err)
		err = vh_ev_file_write(f, notes.p, notes.len);
	if (!err)
		err = vh_ev_file_zeros(f, data_off - vh_ev_file_size(f));
	if (!err)
		err = write_loads(&c, f, &unreadable);
	if (!err && xnum_off) {
		struct vh_core_buf sh = {0};

		vh_core_xnum_shdr(&sh, c.nsegs);
		err = sh.oom ? VH_ERR_NOMEM : vh_ev_file_write(f, sh.p, sh.len);
		vh_core_buf_free(&sh);
	}
	if (unreadable > 8)
		warn(&c, "%" PRIu64 " pages in all could not be read: written as zeros",
		     unreadable);
	if (err) {
		vh_ev_file_discard(f);
		goto out;
	}
	{
		uint64_t bytes = vh_ev_file_size(f);

		err = vh_ev_file_finish(f, sha);
		if (!err && req->records)
			write_record(req->records, req->path, leader, nthreads, regs_ok, &l, &c,
				     bytes, sha);
	}
out:
	vh_session_vmas_put(s, vl);
	vh_core_buf_free(&notes);
	vh_core_buf_free(&head);
	core_free(&c);
	return err;
}
