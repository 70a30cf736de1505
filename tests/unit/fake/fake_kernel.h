/* SPDX-License-Identifier: MIT */
/*
 * A miniature kernel: struct shapes the profile loader meets in real vmlinux
 * files (members inside nested anonymous structs and unions, bitfields, arrays,
 * flexible arrays, typedefs, a member reached through a named struct member),
 * with the kernel's names. fake_vmlinux.c is built from it with -g into small
 * ELF executables (DWARF 2, 4 and 5), and test_profile_dwarf.c includes it to
 * get the true offsets from the compiler (offsetof), so the test compares the
 * loader against the compiler itself.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

typedef unsigned int u32;
typedef unsigned long long u64;

struct list_head {
	struct list_head *next, *prev;
};

struct thread_info {
	unsigned long flags;
	unsigned long syscall_work;
	u32 status;
	u32 cpu;
};

struct maple_tree {
	union {
		int ma_lock;
		void *ma_external_lock;
	};
	unsigned int ma_flags;
	void *ma_root;
};

struct maple_metadata {
	unsigned char end;
	unsigned char gap;
};

struct maple_range_64 {
	void *parent;
	unsigned long pivot[15];
	union {
		void *slot[16];
		struct {
			void *pad[15];
			struct maple_metadata meta;
		};
	};
};

enum maple_type {
	maple_dense,
	maple_leaf_64,
	maple_range_64,
	maple_arange_64,
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct upid {
	int nr;
	void *ns;
};

struct pid {
	int count;
	unsigned int level;
	struct upid numbers[]; /* flexible array: size 0 */
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	void *stack;
	unsigned int flags;
	struct {
		char pad0;
		union {
			struct list_head tasks;
			u64 tasks_alias[2];
		};
	};
	struct mm_struct *mm;
	unsigned int personality;
	unsigned int sched_reset_on_fork : 1;
	unsigned int sched_contributes_to_load : 1;
	unsigned int other_bits : 13;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct list_head thread_node;
	u64 start_time;
	u64 real_start_time; /* the old name: the profile falls back to it */
	char comm[16];
	struct signal_struct *signal;
};

struct mm_struct {
	struct {
		struct maple_tree mm_mt;
		unsigned long mmap_base;
		int map_count;
		void *pgd;
		unsigned long arg_start, arg_end;
	};
	unsigned long cpu_bitmap[];
};

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct new_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

struct uts_namespace {
	struct new_utsname name;
	void *user_ns;
};

#endif
