/* SPDX-License-Identifier: MIT */
/*
 * What a core of a process needs from the kernel besides its memory: each
 * thread's user registers as the kernel saved them on entry (struct pt_regs
 * at the top of the task's kernel stack), its fs/gs bases, its process group
 * and session, and the mm's saved auxiliary vector.
 */
#ifndef VH_KERNEL_UREGS_H
#define VH_KERNEL_UREGS_H

#include "arch/vread.h"

#include <vmahunt/symbols.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* x86-64 struct pt_regs, in the kernel's order (also user_regs_struct's first 21 words). */
enum vh_pt_reg {
	VH_REG_R15,
	VH_REG_R14,
	VH_REG_R13,
	VH_REG_R12,
	VH_REG_RBP,
	VH_REG_RBX,
	VH_REG_R11,
	VH_REG_R10,
	VH_REG_R9,
	VH_REG_R8,
	VH_REG_RAX,
	VH_REG_RCX,
	VH_REG_RDX,
	VH_REG_RSI,
	VH_REG_RDI,
	VH_REG_ORIG_RAX,
	VH_REG_RIP,
	VH_REG_CS,
	VH_REG_EFLAGS,
	VH_REG_RSP,
	VH_REG_SS,
	VH_PT_REGS_N
};

/*
 * arm64 struct user_pt_regs, the start of its struct pt_regs: x0..x30, then
 * these (also NT_PRSTATUS's pr_reg on arm64).
 */
#define VH_A64_SP     31
#define VH_A64_PC     32
#define VH_A64_PSTATE 33
#define VH_A64_REGS_N 34

/* Room for either register set. */
#define VH_UREGS_MAX VH_A64_REGS_N

/* The selectors of 64-bit user mode (__USER_CS, __USER_DS) on x86-64. */
#define VH_USER_CS 0x33u
#define VH_USER_SS 0x2bu

/* How the kernel stacks of this kernel are laid out. */
struct vh_kstack_layout {
	uint64_t thread_size; /* THREAD_SIZE */
	uint64_t padding;     /* TOP_OF_KERNEL_STACK_PADDING: 16 with CONFIG_X86_FRED, else 0 */
	const char *how;      /* where thread_size came from (for records) */
};

/*
 * vh_kstack_layout() - THREAD_SIZE and the padding above pt_regs.
 *
 * THREAD_SIZE is the size of init_task's stack, which the linker script
 * places between __start_init_stack and __end_init_stack (__start_init_task /
 * __end_init_task before 6.8): the kernel's own figure, KASAN's doubling
 * included. Without those symbols: 16 KiB, x86-64's PAGE_SIZE << 2 for every
 * kernel without KASAN (Debian's), and @l->how says so. The padding is 16
 * bytes when the kernel has FRED entry code (asm_fred_entrypoint_user), else 0.
 */
void vh_kstack_layout(const struct vh_profile *p, struct vh_kstack_layout *l);

/* What vh_task_uregs() found of one task. */
struct vh_uregs {
	int arch;		     /* enum vh_arch_id: which set regs holds */
	uint64_t regs[VH_UREGS_MAX]; /* 0 when not read; x86-64: pt_regs order, arm64: VH_A64_* */
	bool have_regs;		     /* read from the kernel stack */
	bool user_like;		     /* cs and ss are the user selectors */
	uint64_t regs_addr;	     /* where they were read (0 when the stack is unknown) */
	uint64_t fs_base, gs_base;   /* task->thread.fsbase / gsbase (0 when unknown) */
	bool have_fs_base, have_gs_base;
};

/*
 * vh_task_uregs() - the user registers the kernel saved for @task.
 * @kr: a kernel-space reader.
 * @p: the profile (task_struct.stack, .thread, thread_struct.fsbase/gsbase).
 * @l: the stack layout (vh_kstack_layout()).
 * @task: the task_struct's address.
 * @out: receives what could be read; fields not read stay 0.
 *
 * pt_regs sit at task->stack + THREAD_SIZE - padding - sizeof(struct pt_regs):
 * every entry from user mode saves them there. x86-64: when they do not hold
 * the user selectors at the expected padding but do at the other one (0 or
 * 16), the other is taken. arm64 (the architecture of @kr's tables): pt_regs
 * has had a few sizes; the first whose pstate says EL0 with pc and sp in the
 * user half is taken. A task running in user mode on a CPU when the dump was
 * taken has only its last entry's registers there.
 *
 * Return: VH_OK when the registers were read and look like user registers;
 * VH_ERR_CORRUPT when they were read but cs/ss are not the user selectors;
 * VH_ERR_INVAL or the read's error when they could not be read (the fs/gs
 * bases may still be in @out). vh_errmsg() names the task and address.
 */
int vh_task_uregs(struct vh_vread *kr, const struct vh_profile *p, const struct vh_kstack_layout *l,
		  uint64_t task, struct vh_uregs *out);

/*
 * vh_task_pgrp_sid() - the process group and session ids of @task's
 * process (task->signal->pids[PIDTYPE_PGID / PIDTYPE_SID], as numbered in
 * init_pid_ns). Each is -1 when it cannot be read.
 */
void vh_task_pgrp_sid(struct vh_vread *kr, const struct vh_profile *p, uint64_t task, int32_t *pgrp,
		      int32_t *sid);

/*
 * vh_mm_saved_auxv() - mm->saved_auxv, up to and including its AT_NULL pair.
 * @auxv: receives up to @max words (pairs of type and value).
 * @n: receives the words kept (even; 0 on error).
 *
 * Return: VH_OK; VH_ERR_NOT_PRESENT when the profile lacks mm_struct.saved_auxv;
 * VH_ERR_CORRUPT when no AT_NULL ends it; or the read's error.
 */
int vh_mm_saved_auxv(struct vh_vread *kr, const struct vh_profile *p, uint64_t mm, uint64_t *auxv,
		     size_t max, size_t *n);

#endif
