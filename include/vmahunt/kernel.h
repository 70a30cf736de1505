/* SPDX-License-Identifier: MIT */
/*
 * Kernel walkers: the processes and threads a dump's kernel knew about.
 *
 * Inputs are a dump, where its kernel is (struct vh_kernel_map, from
 * vh_kernel_map_find()) and its profile (struct vh_profile, from
 * vh_profile_open()). Every structure is read through the kernel's own page
 * tables with offsets from the profile; nothing is hard-coded per release.
 *
 * A dump is hostile input: every list walked here is bounded (a visited set and
 * a step cap), every pointer is checked before it is followed, and damage (a
 * cycle, a pointer into nowhere, a page the dump does not hold) ends only the
 * walk it is on. What can still be reached another way is recovered and a
 * warning names the bad address. The library never prints: warnings are
 * returned with the result.
 */
#ifndef VMAHUNT_KERNEL_H
#define VMAHUNT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/arch.h>
#include <vmahunt/dump.h>
#include <vmahunt/symbols.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a task was reached (the first way that found it). */
enum vh_task_via {
	VH_VIA_TASKS = 0,  /* init_task's task list, forwards (the normal way) */
	VH_VIA_TASKS_PREV, /* the task list walked backwards, after a break */
	VH_VIA_CHILDREN,   /* a parent's children list: the task list broke, or lost it */
	VH_VIA_THREADS,	   /* a thread group's thread list */
	VH_VIA_PID_TABLE,  /* only the pid table (init_pid_ns's IDR): on no task or thread list */
};

/* Whether the pid table was walked (struct vh_task_list.pid_table). */
enum vh_pid_table_state {
	VH_PID_TABLE_NOT_READ = 0, /* the profile lacks its layout, or it could not be read */
	VH_PID_TABLE_COMPLETE,	   /* walked whole: in_pid_table is exact */
	VH_PID_TABLE_PARTIAL,	   /* damage or missing pages: some entries may be missing */
};

/* What is known of a task's command line. */
enum vh_cmdline_state {
	VH_CMDLINE_NOT_READ = 0, /* not asked for (no VH_TASKS_CMDLINE) */
	VH_CMDLINE_OK,		 /* read from the process's memory */
	VH_CMDLINE_NONE,	 /* no user memory: kernel thread, exited, or empty args */
	VH_CMDLINE_UNREADABLE,	 /* a page of it is not in the dump (filtered, swapped...) */
};

/* Longest command line kept; longer ones are cut (cmdline_truncated). */
#define VH_CMDLINE_MAX 32768

/* One task (thread). Strings are NUL-terminated and belong to the task list. */
struct vh_task {
	uint64_t addr;		 /* kernel virtual address of the task_struct */
	int32_t pid;		 /* thread id */
	int32_t tgid;		 /* thread group id (the process id) */
	int32_t ppid;		 /* real_parent's tgid; 0 for pid 0 and kthreadd / init */
	bool leader;		 /* pid == tgid: the group leader (one ps line per process) */
	bool kthread;		 /* PF_KTHREAD, or no mm, not exiting, not a zombie */
	char comm[65];		 /* task_struct.comm (TASK_COMM_LEN bytes, 16 today) */
	char state;		 /* as ps shows it: R S D T t X Z P I, or '?' */
	uint32_t state_raw;	 /* task_struct.__state (or .state) */
	uint32_t exit_state;	 /* EXIT_ZOMBIE / EXIT_DEAD, or 0 */
	uint32_t flags;		 /* PF_* */
	bool have_cred;		 /* uid and gid were read */
	uint32_t uid, gid;	 /* real_cred's uid and gid */
	uint64_t start_time;	 /* ns since boot, CLOCK_MONOTONIC (task_struct.start_time) */
	uint64_t start_boottime; /* ns since boot, CLOCK_BOOTTIME; 0 when unknown */
	uint64_t mm;		 /* struct mm_struct *, 0 for kernel threads */
	uint64_t active_mm;	 /* the mm in use (borrowed by kernel threads) */
	uint64_t real_parent;	 /* struct task_struct * */
	uint32_t nr_threads;	 /* tasks of its group that were found (leaders only, else 0) */
	enum vh_task_via via;
	bool in_pid_table; /* a struct pid of the pid table has it attached as PIDTYPE_PID */
	enum vh_cmdline_state cmdline_state;
	char *cmdline; /* the arguments, NUL-separated, cmdline_len bytes; NULL unless OK */
	size_t cmdline_len;
	bool cmdline_truncated; /* longer than VH_CMDLINE_MAX */
};

/* The result of vh_tasks_read(). */
struct vh_task_list {
	struct vh_task *tasks;	 /* sorted by tgid; in a group the leader first, then by pid */
	size_t ntasks;		 /* threads included */
	size_t ngroups;		 /* thread groups (tasks with leader set) */
	bool task_list_complete; /* init_task's task list came back to its head intact */
	enum vh_pid_table_state pid_table;
	char **warnings; /* one-line messages: damage walked around */
	size_t nwarnings;
};

/* Flags of vh_tasks_read(). */
#define VH_TASKS_CMDLINE 0x1u /* read each process's command line from its memory */

/* Upper bound on the tasks of one walk (the kernel's PID_MAX_LIMIT is 4M). */
#define VH_TASKS_MAX (1u << 22)

/**
 * vh_tasks_read() - every process and thread of the dump's kernel.
 * @d: the dump.
 * @km: where the kernel is (vh_kernel_map_find()).
 * @p: the kernel's profile; needs init_task and the task_struct layout.
 * @flags: VH_TASKS_* flags.
 * @out: receives the list; free it with vh_task_list_free().
 *
 * Walks init_task's task list (its thread-group leaders, pid 0 included), and
 * each group's threads (signal->thread_head with thread_node, or thread_group on
 * kernels that only have that). When the task list breaks (a pointer that is not
 * a kernel address, does not translate, points at a page the dump lacks, does
 * not link back, or closes a cycle) the list is walked backwards from init_task
 * too, and every found task's children list is walked, so one damaged task
 * hides no other; each break gives a warning naming the bad address. Each walk
 * stops after VH_TASKS_MAX steps.
 *
 * Then the pid table (vh_pid_table_read()) is walked: every task found sets
 * in_pid_table, and a task attached to a struct pid but met on no list is
 * added with via VH_VIA_PID_TABLE (and a warning): a process unlinked from the
 * task list is still listed. tl->pid_table says whether that walk was whole.
 *
 * Return: VH_OK (also with warnings); VH_ERR_INVAL when the profile lacks what
 * the walk needs (init_task, task_struct.tasks, .pid, .tgid, .comm); the read
 * error when init_task itself cannot be read; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_tasks_read(struct vh_dump *d, const struct vh_kernel_map *km,
			    const struct vh_profile *p, unsigned flags, struct vh_task_list **out);

/**
 * vh_task_list_free() - free a task list.
 * @tl: the list, or NULL.
 */
VH_EXPORT void vh_task_list_free(struct vh_task_list *tl);

/* One task attached to a struct pid of the pid table (or a pid with none). */
struct vh_pid_entry {
	int32_t nr;    /* the pid number in init_pid_ns (IDR index + idr_base) */
	uint64_t pid;  /* struct pid * */
	uint64_t task; /* task_struct * attached as PIDTYPE_PID; 0 when none is */
};

/* The result of vh_pid_table_read(). */
struct vh_pid_table {
	struct vh_pid_entry *entries; /* in pid order */
	size_t nentries;
	size_t npids;	 /* struct pids in the table */
	bool complete;	 /* walked whole, without damage */
	char **warnings; /* one-line messages naming the bad address */
	size_t nwarnings;
};

/* Upper bound on the entries of one pid table walk. */
#define VH_PID_TABLE_MAX (1u << 22)

/**
 * vh_pid_table_read() - every struct pid of init_pid_ns and the tasks attached.
 * @d: the dump.
 * @km: where the kernel is.
 * @p: the profile; needs init_pid_ns, pid_namespace.idr, idr.idr_rt, the
 *     xarray/xa_node layout (4.20+; the radix tree's before), pid.tasks and
 *     task_struct.pid_links (4.19+) or .pids.
 * @out: receives the table; free it with vh_pid_table_free().
 *
 * Every task of every pid namespace has a pid in init_pid_ns, so this one
 * IDR lists them all (nested namespaces' IDRs hold the same struct pids).
 * The pid hash of kernels before 4.15 is not supported (VH_ERR_NOT_PRESENT).
 * The IDR's radix tree / xarray is walked bounded (kernel/xarray.h); each
 * pid's task hlist is checked link by link (pprev must point back) and capped.
 * Damage ends only the branch it is on: the table is then partial
 * (complete false) and a warning names the address.
 *
 * Return: VH_OK (also partial); VH_ERR_NOT_PRESENT when the profile lacks
 * the layout; the read error when init_pid_ns cannot be read; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_pid_table_read(struct vh_dump *d, const struct vh_kernel_map *km,
				const struct vh_profile *p, struct vh_pid_table **out);

/**
 * vh_pid_table_free() - free a pid table.
 * @pt: the table, or NULL.
 */
VH_EXPORT void vh_pid_table_free(struct vh_pid_table *pt);

/**
 * vh_kernel_check_banner() - does the dump's kernel say it is the profile's?
 * @d: the dump.
 * @km: where the kernel is.
 * @p: a profile loaded from a vmlinux (osrelease and linux_banner known).
 *
 * Reads linux_banner ("Linux version REL ...") from the dump's memory and
 * compares its release with the vmlinux's. This is the check for dumps without
 * VMCOREINFO, where vh_profile_check_match() has nothing to compare with.
 *
 * Return: VH_OK when they agree; VH_ERR_INVAL with a message naming both
 * releases when they do not; VH_ERR_NOT_PRESENT when the profile lacks the
 * banner or the release; the read error when the banner is not in the dump.
 */
VH_EXPORT int vh_kernel_check_banner(struct vh_dump *d, const struct vh_kernel_map *km,
				     const struct vh_profile *p);

/**
 * vh_task_via_name() - "tasks", "tasks-prev", "children", "threads" or "pid-table".
 * @via: one of enum vh_task_via.
 *
 * Return: a static string.
 */
VH_EXPORT const char *vh_task_via_name(enum vh_task_via via);

/**
 * vh_task_state_char() - the letter ps shows for a task state.
 * @state: task_struct.__state (or .state).
 * @exit_state: task_struct.exit_state.
 *
 * Uses the report bits every kernel since 4.14 shares (running 0,
 * interruptible 0x1, uninterruptible 0x2, stopped 0x4, traced 0x8, dead 0x10,
 * zombie 0x20, parked 0x40; uninterruptible with no-load 0x400 is idle).
 *
 * Return: one of R S D T t X Z P I.
 */
VH_EXPORT char vh_task_state_char(uint32_t state, uint32_t exit_state);

#ifdef __cplusplus
}
#endif
#endif
