/* SPDX-License-Identifier: MIT */
/* A task's saved user registers, fs/gs bases, process group and session; an mm's auxv. */
#include "kernel/uregs.h"

#include "kernel/kmem.h"
#include "util/error.h"

#include <inttypes.h>
#include <string.h>

/*
 * x86-64: THREAD_SIZE = PAGE_SIZE << (2 + KASAN_STACK_ORDER), 16 KiB without
 * KASAN (arch/x86/include/asm/page_64_types.h). Debian builds no KASAN kernel.
 */
#define VH_THREAD_SIZE_DEFAULT 16384u
/* The padding kernels with CONFIG_X86_FRED keep above pt_regs (asm/thread_info.h). */
#define VH_FRED_PADDING 16u

void vh_kstack_layout(const struct vh_profile *p, struct vh_kstack_layout *l)
{
	const struct vh_symbol *s = &p->sym.start_init_stack, *e = &p->sym.end_init_stack;
	uint64_t size = vh_present(s) && vh_present(e) && e->addr > s->addr ? e->addr - s->addr : 0;

	/* a power of two between 8 KiB and 256 KiB, else a symbol is not what it should be */
	if (size >= 8192 && size <= (256u << 10) && (size & (size - 1)) == 0) {
		l->thread_size = size;
		l->how = s->alt == 0 ? "__end_init_stack - __start_init_stack"
				     : "__end_init_task - __start_init_task";
	} else {
		l->thread_size = VH_THREAD_SIZE_DEFAULT;
		l->how = "x86-64 default without KASAN (init stack symbols not in the profile)";
	}
	l->padding = vh_present(&p->sym.asm_fred_entrypoint_user) ? VH_FRED_PADDING : 0;
}

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* Reads pt_regs below @top; true when they hold the user selectors. */
static int read_regs(struct vh_vread *kr, uint64_t top, uint64_t *regs, bool *user_like)
{
	unsigned char b[VH_PT_REGS_N * 8];
	int err = vh_vread(kr, top - sizeof(b), b, sizeof(b));

	if (err)
		return err;
	for (int i = 0; i < VH_PT_REGS_N; i++)
		regs[i] = le64(b + 8 * i);
	/* FRED keeps event data in cs's and ss's upper bits: the selector is the low 16 */
	*user_like =
	    (regs[VH_REG_CS] & 0xffff) == VH_USER_CS && (regs[VH_REG_SS] & 0xffff) == VH_USER_SS;
	return VH_OK;
}

static void read_bases(struct vh_vread *kr, const struct vh_profile *p, uint64_t task,
		       struct vh_uregs *out)
{
	const struct vh_member *th = &p->task_struct.thread;
	uint64_t thread;

	if (!vh_present(th) || th->offset == VH_ABSENT)
		return;
	thread = task + th->offset;
	out->have_fs_base =
	    vh_member_read(kr, thread, &p->thread_struct.fsbase, &out->fs_base) == 0;
	out->have_gs_base =
	    vh_member_read(kr, thread, &p->thread_struct.gsbase, &out->gs_base) == 0;
}

/*
 * sizeof(struct pt_regs) on arm64 when the profile lacks it: 336 in 6.x
 * (user_pt_regs, orig_x0, syscallno, pmr, sdei_ttbr1, the stack frame,
 * lockdep and RCU words), 320 in 7.x (a frame record with its type, no RCU
 * word); the others are what a config adding or dropping a word gives.
 */
static const unsigned a64_pt_regs_sizes[] = {336, 320, 344, 352, 328, 360, 368};

/* EL0t in AArch64 state (M[4:0] 0), pc and sp in the user half. */
static bool a64_user(const uint64_t *r, uint64_t user_end)
{
	return (r[VH_A64_PSTATE] & 0x1f) == 0 && r[VH_A64_PC] < user_end && r[VH_A64_SP] < user_end;
}

static int a64_regs(struct vh_vread *kr, const struct vh_profile *p, uint64_t task, uint64_t top,
		    struct vh_uregs *out)
{
	unsigned char b[VH_A64_REGS_N * 8];
	/* the profile's size when it has one (7.x's is 320, 6.x's 336), else each in turn */
	const unsigned *sizes = a64_pt_regs_sizes, own = (unsigned)p->pt_regs.type.size;
	size_t nsizes = sizeof(a64_pt_regs_sizes) / sizeof(a64_pt_regs_sizes[0]);
	int err = VH_OK;

	if (own >= VH_A64_REGS_N * 8 && own <= 1024) {
		sizes = &own;
		nsizes = 1;
	}
	for (size_t k = 0; k < nsizes; k++) {
		uint64_t r[VH_A64_REGS_N], at = top - sizes[k];

		err = vh_vread(kr, at, b, sizeof(b));
		if (err)
			continue;
		for (int i = 0; i < VH_A64_REGS_N; i++)
			r[i] = le64(b + 8 * i);
		if (!out->have_regs || a64_user(r, vh_mmu_user_end(&kr->mmu))) {
			memcpy(out->regs, r, sizeof(r));
			out->regs_addr = at;
			out->have_regs = true;
		}
		if (a64_user(r, vh_mmu_user_end(&kr->mmu))) {
			out->user_like = true;
			return VH_OK;
		}
	}
	if (!out->have_regs)
		return vh_set_error(err,
				    "task 0x%" PRIx64 ": saved user registers below 0x%" PRIx64
				    " not readable: %s",
				    task, top, vh_strerror(err));
	return vh_set_error(VH_ERR_CORRUPT,
			    "task 0x%" PRIx64 ": saved registers at 0x%" PRIx64
			    " are not user registers (pstate 0x%" PRIx64 ", pc 0x%" PRIx64
			    "; expected EL0 and a user address)",
			    task, out->regs_addr, out->regs[VH_A64_PSTATE], out->regs[VH_A64_PC]);
}

int vh_task_uregs(struct vh_vread *kr, const struct vh_profile *p, const struct vh_kstack_layout *l,
		  uint64_t task, struct vh_uregs *out)
{
	uint64_t stack, top, other[VH_PT_REGS_N];
	bool other_user = false;
	int err;

	memset(out, 0, sizeof(*out));
	out->arch = kr->mmu.arch;
	read_bases(kr, p, task, out);
	if (!vh_present(&p->task_struct.stack))
		return vh_set_error(
		    VH_ERR_INVAL, "task 0x%" PRIx64 ": the profile has no task_struct.stack", task);
	err = vh_member_read(kr, task, &p->task_struct.stack, &stack);
	if (err)
		return vh_set_error(err, "task 0x%" PRIx64 ": task_struct.stack not readable: %s",
				    task, vh_strerror(err));
	if (!vh_kptr_ok(kr, stack) || (stack & 0xfff))
		return vh_set_error(
		    VH_ERR_CORRUPT,
		    "task 0x%" PRIx64 ": stack 0x%" PRIx64
		    " is not a kernel stack (expected a page-aligned kernel address)",
		    task, stack);
	top = stack + l->thread_size - l->padding;
	if (out->arch == VH_ARCH_ARM64)
		return a64_regs(kr, p, task, top, out);
	out->regs_addr = top - VH_PT_REGS_N * 8;
	err = read_regs(kr, top, out->regs, &out->user_like);
	if (err)
		return vh_set_error(err,
				    "task 0x%" PRIx64 ": saved user registers at 0x%" PRIx64
				    " not readable: %s",
				    task, out->regs_addr, vh_strerror(err));
	out->have_regs = true;
	if (out->user_like)
		return VH_OK;
	/* the other padding: a kernel whose FRED marker the profile missed, or the reverse */
	top = stack + l->thread_size - (l->padding ? 0 : VH_FRED_PADDING);
	if (read_regs(kr, top, other, &other_user) == VH_OK && other_user) {
		memcpy(out->regs, other, sizeof(other));
		out->regs_addr = top - VH_PT_REGS_N * 8;
		out->user_like = true;
		return VH_OK;
	}
	return vh_set_error(VH_ERR_CORRUPT,
			    "task 0x%" PRIx64 ": saved registers at 0x%" PRIx64
			    " are not user registers (cs 0x%" PRIx64 ", ss 0x%" PRIx64
			    "; expected 0x%x and 0x%x)",
			    task, out->regs_addr, out->regs[VH_REG_CS], out->regs[VH_REG_SS],
			    VH_USER_CS, VH_USER_SS);
}

/* The init_pid_ns number of the struct pid at @pid (numbers[0].nr), or -1. */
static int32_t pid_nr(struct vh_vread *kr, const struct vh_profile *p, uint64_t pid)
{
	const struct vh_member *numbers = &p->pid.numbers, *nr = &p->upid.nr;
	uint64_t v;

	if (!vh_kptr_ok(kr, pid) || !vh_present(numbers) || !vh_present(nr) ||
	    numbers->offset == VH_ABSENT)
		return -1;
	if (vh_member_read(kr, pid + numbers->offset, nr, &v) != 0 || v > INT32_MAX)
		return -1;
	return (int32_t)v;
}

void vh_task_pgrp_sid(struct vh_vread *kr, const struct vh_profile *p, uint64_t task, int32_t *pgrp,
		      int32_t *sid)
{
	const struct vh_member *pids = &p->signal_struct.pids;
	/* enum pid_type since 4.19: PID, TGID, PGID, SID */
	int64_t ipgrp = vh_present(&p->enums.PIDTYPE_PGID) ? p->enums.PIDTYPE_PGID.value : 2;
	int64_t isid = vh_present(&p->enums.PIDTYPE_SID) ? p->enums.PIDTYPE_SID.value : 3;
	uint64_t signal, pg = 0, ss = 0;
	unsigned char b[8];

	*pgrp = *sid = -1;
	if (!vh_present(pids) || pids->offset == VH_ABSENT || ipgrp < 0 || ipgrp > 8 || isid < 0 ||
	    isid > 8 || vh_member_read(kr, task, &p->task_struct.signal, &signal) != 0 ||
	    !vh_kptr_ok(kr, signal))
		return;
	if (vh_vread(kr, signal + pids->offset + 8 * (uint64_t)ipgrp, b, 8) == 0)
		pg = le64(b);
	if (vh_vread(kr, signal + pids->offset + 8 * (uint64_t)isid, b, 8) == 0)
		ss = le64(b);
	*pgrp = pid_nr(kr, p, pg);
	*sid = pid_nr(kr, p, ss);
}

int vh_mm_saved_auxv(struct vh_vread *kr, const struct vh_profile *p, uint64_t mm, uint64_t *auxv,
		     size_t max, size_t *n)
{
	const struct vh_member *m = &p->mm_struct.saved_auxv;
	/* AT_VECTOR_SIZE is 2 * (20 + 2 + 1) words or so; never more than a page */
	unsigned char b[4096];
	size_t words;
	int err;

	*n = 0;
	if (!vh_present(m) || m->offset == VH_ABSENT)
		return vh_set_error(VH_ERR_NOT_PRESENT, "the profile has no mm_struct.saved_auxv");
	words = m->size ? m->size / 8 : (m->nelem ? m->nelem : 64);
	if (words > sizeof(b) / 8)
		words = sizeof(b) / 8;
	if (words > max)
		words = max;
	words &= ~(size_t)1;
	err = vh_vread(kr, mm + m->offset, b, words * 8);
	if (err)
		return vh_set_error(
		    err, "mm 0x%" PRIx64 ": saved_auxv at 0x%" PRIx64 " not readable: %s", mm,
		    mm + m->offset, vh_strerror(err));
	for (size_t i = 0; i + 1 < words; i += 2) {
		auxv[i] = le64(b + 8 * i);
		auxv[i + 1] = le64(b + 8 * i + 8);
		if (auxv[i] == 0) { /* AT_NULL */
			*n = i + 2;
			return VH_OK;
		}
	}
	return vh_set_error(VH_ERR_CORRUPT,
			    "mm 0x%" PRIx64 ": saved_auxv has no AT_NULL in its %zu words", mm,
			    words);
}
