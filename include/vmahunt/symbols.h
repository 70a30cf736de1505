/* SPDX-License-Identifier: MIT */
/*
 * Kernel profile: where the kernel's symbols are and how its structures are laid out.
 *
 * The kernel walkers (tasks, mm_struct, VMA trees, d_path, page tables) never
 * look a member up by name and never hard-code an offset. Everything they need
 * is resolved ONCE, when the profile is loaded, into struct vh_profile: a plain
 * struct of symbol addresses, struct sizes, member offsets and constants. A hot
 * loop reads p->task_struct.tasks.offset, nothing more.
 *
 * Sources, recorded per entry (enum vh_prof_source):
 *   - a vmlinux with DWARF (vh_profile_load_vmlinux()): struct layouts and enum
 *     values through libdw, symbol addresses from the ELF symbol table;
 *   - the dump's VMCOREINFO (vh_profile_apply_vmcoreinfo()): SYMBOL(), OFFSET(),
 *     SIZE(), NUMBER() entries fill what the vmlinux did not give;
 *   - built-in constants: values the kernel defines with #define (VM_READ,
 *     PF_KTHREAD, the maple tree's node encoding...), which DWARF does not carry.
 *     They have been stable for many kernel releases; a VMCOREINFO NUMBER() of
 *     the same name overrides them.
 *
 * Absent entries: a member, struct, symbol or enumerator this kernel does not
 * have (mm_struct.mmap on 6.1+, mm_struct.mm_mt before 6.1, ...) is recorded
 * with source VH_SRC_NONE (and offset VH_ABSENT). Walkers test
 * vh_present(&p->mm_struct.mm_mt) and take the other path.
 *
 * Addresses are as the vmlinux has them (unrelocated, before KASLR); add
 * p->kaslr_offset for the running kernel's addresses. VMCOREINFO's SYMBOL()
 * values, which the kernel writes relocated, are unrelocated on the way in.
 */
#ifndef VMAHUNT_SYMBOLS_H
#define VMAHUNT_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/arch.h>
#include <vmahunt/dump.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where one profile entry came from. VH_SRC_NONE means absent. */
enum vh_prof_source {
	VH_SRC_NONE = 0,   /* absent: this kernel does not have it (or nobody said) */
	VH_SRC_DWARF,	   /* the vmlinux's DWARF */
	VH_SRC_SYMTAB,	   /* the vmlinux's ELF symbol table */
	VH_SRC_VMCOREINFO, /* the dump's VMCOREINFO */
	VH_SRC_BUILTIN,	   /* vmahunt's built-in value of a kernel #define */
	VH_SRC_BTF,	   /* the kernel's own BTF, read from the dump */
	VH_SRC_KALLSYMS,   /* the kernel's own kallsyms tables, read from the dump */
	VH_SRC_COUNT
};

/* Offset of an absent member. */
#define VH_ABSENT UINT32_MAX

/*
 * One struct member. For a member inside nested anonymous structs/unions (or
 * named by a dotted path such as thread_info.cpu) the offset is the full one
 * from the start of the outer struct.
 */
struct vh_member {
	uint32_t offset;     /* bytes from the start of the struct; VH_ABSENT when absent.
				For a bitfield: the byte holding its first bit. */
	uint32_t size;	     /* bytes of the member's type; 0 for a flexible array, and
				for an offset from VMCOREINFO (which gives no sizes) */
	uint32_t nelem;	     /* elements, when the member is an array (comm: 16); else 0 */
	uint16_t bit_offset; /* bitfield only: first bit within the byte at offset (LSB = 0) */
	uint16_t bit_size;   /* bitfield only: width in bits; 0 for an ordinary member */
	uint8_t source;	     /* enum vh_prof_source */
	uint8_t alt;	     /* which of the entry's alternative names matched (0 = first) */
};

/* The size of a struct type. */
struct vh_struct_size {
	uint32_t size; /* sizeof(struct ...); 0 when absent */
	uint8_t source;
	uint8_t alt;
};

/* A symbol's address, unrelocated (as in the vmlinux). */
struct vh_symbol {
	uint64_t addr;
	uint8_t source;
	uint8_t alt;
};

/* An enumerator's or constant's value. */
struct vh_const {
	int64_t value;
	uint8_t source;
	uint8_t alt;
};

/**
 * vh_present() - does a profile entry exist in this kernel?
 * @entry: pointer to a vh_member, vh_struct_size, vh_symbol or vh_const
 *         (every one of them has a ->source).
 */
#define vh_present(entry) ((entry)->source != VH_SRC_NONE)

/* The kernel profile: opaque unless VMAHUNT_UNSTABLE_PROFILE (below). */
struct vh_profile;

#ifdef VMAHUNT_UNSTABLE_PROFILE
/*
 * The profile's layout, from here to the end of struct vh_profile, is not
 * part of the stable API: it grows with every kernel feature vmahunt learns,
 * and members move. The library's own code, its tests and tools define
 * VMAHUNT_UNSTABLE_PROFILE to read it; a program outside the tree looks
 * entries up by name (vh_profile_lookup(), vh_profile_entry()), which stays.
 */

/*
 * Symbols the walkers and the address translation need. Names are the
 * kernel's; a leading "__" is dropped in the C name (start_BTF is __start_BTF).
 * Where a symbol changed name, the entry lists the names tried and ->alt tells
 * which one matched.
 */
struct vh_prof_symbols {
	struct vh_symbol init_task; /* the task list's head (swapper/0) */
	struct vh_symbol init_mm;
	struct vh_symbol init_cred;
	struct vh_symbol init_uts_ns;	   /* struct uts_namespace: release string */
	struct vh_symbol init_pid_ns;	   /* struct pid_namespace: the pid IDR */
	struct vh_symbol linux_banner;	   /* "Linux version REL ..." */
	struct vh_symbol init_top_pgt;	   /* x86-64 kernel page table (swapper_pg_dir) */
	struct vh_symbol swapper_pg_dir;   /* other architectures; on x86-64 a #define */
	struct vh_symbol page_offset_base; /* variable holding the direct map's base (KASLR) */
	struct vh_symbol vmemmap_base;	   /* variable holding the struct page array's base */
	struct vh_symbol vmalloc_base;
	struct vh_symbol phys_base;	     /* variable: physical load offset of the image */
	struct vh_symbol pgtable_l5_enabled; /* __pgtable_l5_enabled: 5-level paging on */
	struct vh_symbol _text;
	struct vh_symbol _stext;
	struct vh_symbol _etext;
	struct vh_symbol _end;
	struct vh_symbol start_BTF; /* __start_BTF: the kernel's own BTF */
	struct vh_symbol stop_BTF;  /* __stop_BTF */
	struct vh_symbol kallsyms_addresses;
	struct vh_symbol kallsyms_offsets;
	struct vh_symbol kallsyms_relative_base;
	struct vh_symbol kallsyms_num_syms;
	struct vh_symbol kallsyms_names;
	struct vh_symbol kallsyms_markers;
	struct vh_symbol kallsyms_token_table;
	struct vh_symbol kallsyms_token_index;
	struct vh_symbol kallsyms_seqs_of_names;
	struct vh_symbol vmcoreinfo_data; /* pointer to the VMCOREINFO text */
	struct vh_symbol vmcoreinfo_note;
	struct vh_symbol mem_section;
	struct vh_symbol node_data;
	struct vh_symbol per_cpu_offset; /* __per_cpu_offset[] */
	struct vh_symbol current_task;	 /* per-CPU; 6.2+ inside pcpu_hot (alt 1) */
	struct vh_symbol runqueues;	 /* per-CPU struct rq */
	struct vh_symbol max_pfn;
	struct vh_symbol super_blocks;
	struct vh_symbol modules;
	struct vh_symbol
	    special_mapping_vmops;	/* vm_ops of [vdso], [vvar]...: name in vm_private_data */
	struct vh_symbol gate_vma;	/* x86-64 [vsyscall] VMA, not in any mm */
	struct vh_symbol vsyscall_mode; /* 0 emulate, 1 xonly, 2 none (5.x+) */
	struct vh_symbol simple_dname;	/* d_dname of pseudo files: "/NAME (deleted)" */
	struct vh_symbol anon_inodefs_dname; /* d_dname of anon inodes: "anon_inode:NAME" */
	struct vh_symbol init_ipc_ns;	     /* struct ipc_namespace: SysV shm segments */
	/* vmahunt core: the kernel stack's layout (src/kernel/uregs.c) */
	struct vh_symbol start_init_stack; /* __start_init_stack (__start_init_task before 6.8) */
	struct vh_symbol end_init_stack;   /* __end_init_stack: minus the start, THREAD_SIZE */
	struct vh_symbol asm_fred_entrypoint_user; /* CONFIG_X86_FRED: 16 bytes above pt_regs */
	/* syscall-hook: the tables system calls were dispatched through (x86-64) */
	struct vh_symbol sys_call_table;
	struct vh_symbol nr_cpu_ids; /* CPUs whose per-CPU areas exist (__per_cpu_offset[]) */
	struct vh_symbol ia32_sys_call_table;
	/* slab-xview: the SLUB caches of the structures it counts (struct kmem_cache *) */
	struct vh_symbol task_struct_cachep;
	struct vh_symbol vm_area_cachep;
	struct vh_symbol mm_cachep;
};

/*
 * Struct layouts, one group per kernel struct, named as the kernel names it.
 * Each group starts with the struct's size; then its members.
 */
struct vh_prof_list_head {
	struct vh_struct_size type;
	struct vh_member next, prev;
};

struct vh_prof_hlist_node {
	struct vh_struct_size type;
	struct vh_member next, pprev;
};

struct vh_prof_rb_node {
	struct vh_struct_size type;
	struct vh_member rb_parent_color; /* __rb_parent_color */
	struct vh_member rb_right, rb_left;
};

struct vh_prof_rb_root {
	struct vh_struct_size type;
	struct vh_member rb_node;
};

struct vh_prof_rb_root_cached {
	struct vh_struct_size type;
	struct vh_member rb_root, rb_leftmost;
};

struct vh_prof_task_struct {
	struct vh_struct_size type;
	struct vh_member state; /* __state (5.14+, unsigned int) or state (long): see ->size */
	struct vh_member flags; /* PF_* */
	struct vh_member stack;
	struct vh_member cpu;	/* cpu (5.16+) or thread_info.cpu (alt 1) */
	struct vh_member tasks; /* list_head in init_task's task list */
	struct vh_member mm, active_mm;
	struct vh_member exit_state, exit_code;
	struct vh_member pid, tgid;
	struct vh_member real_parent, parent, children, sibling, group_leader;
	struct vh_member thread_group; /* old thread list (gone in 6.7) */
	struct vh_member thread_node;  /* new thread list, head in signal->thread_head */
	struct vh_member pid_links;    /* 4.19+ */
	struct vh_member thread_pid;   /* 4.19+ */
	struct vh_member pids;	       /* before 4.19 */
	struct vh_member start_time;
	struct vh_member start_boottime; /* or real_start_time (alt 1, before 5.5) */
	struct vh_member real_cred, cred;
	struct vh_member comm; /* nelem = TASK_COMM_LEN */
	struct vh_member fs, files, nsproxy, signal;
	struct vh_member rss_stat; /* before 6.2: struct task_rss_stat, this thread's deltas */
	struct vh_member thread;   /* struct thread_struct */
	struct vh_member sched_reset_on_fork; /* a bitfield, kept as an example and a test */
};

struct vh_prof_signal_struct {
	struct vh_struct_size type;
	struct vh_member nr_threads;
	struct vh_member thread_head; /* 5.x+: head of task_struct.thread_node */
	struct vh_member pids;	      /* 4.19+: struct pid *pids[PIDTYPE_MAX] */
};

struct vh_prof_cred {
	struct vh_struct_size type;
	struct vh_member uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
};

struct vh_prof_nsproxy {
	struct vh_struct_size type;
	struct vh_member uts_ns, mnt_ns, pid_ns_for_children;
	struct vh_member ipc_ns; /* unmapped-payload: a container's SysV segments */
};

struct vh_prof_mm_struct {
	struct vh_struct_size type;
	struct vh_member mm_mt; /* 6.1+: struct maple_tree of the VMAs */
	struct vh_member mmap;	/* before 6.1: first VMA of the list */
	struct vh_member mm_rb; /* before 6.1: rb_root of the VMAs */
	struct vh_member mmap_base, task_size, pgd;
	struct vh_member mm_users, mm_count, map_count, total_vm;
	struct vh_member start_code, end_code, start_data, end_data;
	struct vh_member start_brk, brk, start_stack;
	struct vh_member arg_start, arg_end, env_start, env_end;
	struct vh_member owner; /* CONFIG_MEMCG */
	struct vh_member exe_file;
	struct vh_member saved_auxv; /* vmahunt core: NT_AUXV */
	/* 6.2+: struct percpu_counter[NR_MM_COUNTERS]; before: struct mm_rss_stat */
	struct vh_member rss_stat;
};

struct vh_prof_vm_area_struct {
	struct vh_struct_size type;
	struct vh_member vm_start, vm_end;
	struct vh_member vm_next, vm_prev; /* before 6.1 */
	struct vh_member vm_rb;		   /* before 6.1 */
	struct vh_member vm_mm, vm_page_prot, vm_flags;
	struct vh_member anon_name; /* 5.17+ struct anon_vma_name * */
	struct vh_member anon_vma, vm_ops, vm_pgoff, vm_file, vm_private_data;
	struct vh_member shared;    /* i_mmap tree node; anon_name shared its union before 6.2 */
	struct vh_member detached;  /* 6.4 to 6.14 (CONFIG_PER_VMA_LOCK): out of its tree */
	struct vh_member vm_refcnt; /* 6.15+: 0 when out of its tree */
};

struct vh_prof_maple_tree {
	struct vh_struct_size type;
	struct vh_member ma_root, ma_flags;
};

struct vh_prof_maple_node {
	struct vh_struct_size type;
	struct vh_member parent, slot, mr64, ma64;
};

struct vh_prof_maple_range_64 {
	struct vh_struct_size type;
	struct vh_member parent, pivot, slot, meta; /* nelem: MAPLE_RANGE64_SLOTS - 1, _SLOTS */
};

struct vh_prof_maple_arange_64 {
	struct vh_struct_size type;
	struct vh_member parent, pivot, slot, gap, meta;
};

struct vh_prof_maple_metadata {
	struct vh_struct_size type;
	struct vh_member end, gap;
};

struct vh_prof_file {
	struct vh_struct_size type;
	struct vh_member f_path, f_inode, f_mapping, f_flags, f_mode;
};

struct vh_prof_path {
	struct vh_struct_size type;
	struct vh_member mnt, dentry;
};

struct vh_prof_dentry {
	struct vh_struct_size type;
	struct vh_member d_flags, d_parent, d_name, d_inode, d_sb;
	struct vh_member d_hash;  /* hlist_bl_node: pprev NULL when unhashed (d_unlinked) */
	struct vh_member d_op;	  /* dentry_operations: d_dname names pipes, sockets... */
	struct vh_member d_iname; /* or d_shortname (alt 1) */
};

struct vh_prof_dentry_operations {
	struct vh_struct_size type;
	struct vh_member d_dname;
};

struct vh_prof_qstr {
	struct vh_struct_size type;
	struct vh_member hash, len, name;
};

struct vh_prof_inode {
	struct vh_struct_size type;
	struct vh_member i_mode, i_sb, i_mapping, i_ino, i_rdev, i_nlink, i_size;
};

struct vh_prof_super_block {
	struct vh_struct_size type;
	struct vh_member s_dev, s_id;
	struct vh_member s_magic; /* TMPFS_MAGIC: shmem's value entries are swap entries */
};

struct vh_prof_vfsmount {
	struct vh_struct_size type;
	struct vh_member mnt_root, mnt_sb, mnt_flags;
};

struct vh_prof_mount {
	struct vh_struct_size type;
	struct vh_member mnt_parent, mnt_mountpoint, mnt;
};

struct vh_prof_anon_vma_name {
	struct vh_struct_size type;
	struct vh_member kref, name;
};

struct vh_prof_pid {
	struct vh_struct_size type;
	struct vh_member count, level, tasks, numbers;
};

struct vh_prof_upid {
	struct vh_struct_size type;
	struct vh_member nr, ns;
};

struct vh_prof_pid_namespace {
	struct vh_struct_size type;
	struct vh_member idr, level, parent;
};

struct vh_prof_idr {
	struct vh_struct_size type;
	struct vh_member idr_rt, idr_base, idr_next;
};

/* struct xarray (4.20+), or struct radix_tree_root (alt 1) before. */
struct vh_prof_xarray {
	struct vh_struct_size type;
	struct vh_member xa_flags; /* or gfp_mask */
	struct vh_member xa_head;  /* or rnode */
};

/* struct xa_node (4.20+), or struct radix_tree_node (alt 1) before. */
struct vh_prof_xa_node {
	struct vh_struct_size type;
	struct vh_member shift, offset, count, nr_values, parent, slots;
};

struct vh_prof_uts_namespace {
	struct vh_struct_size type;
	struct vh_member name;
};

struct vh_prof_new_utsname {
	struct vh_struct_size type;
	struct vh_member sysname, nodename, release, version, machine, domainname;
};

struct vh_prof_anon_vma {
	struct vh_struct_size type;
	struct vh_member root; /* the anon_vma of the process that first faulted the pages */
};

struct vh_prof_page {
	struct vh_struct_size type;
	struct vh_member flags, mapping;
	struct vh_member index;	   /* or __folio_index (alt 1, 6.16+) */
	struct vh_member private_; /* "private", a C++ keyword */
	struct vh_member _refcount, _mapcount;
	struct vh_member compound_head; /* absent on 7.x (compound_info: other encoding) */
	/* before 5.17 a slab is its head page: these are struct slab's (below) */
	struct vh_member slab_cache, freelist;
	struct vh_member objects; /* a bitfield */
};

/* SLUB (slab-xview): a cache, its per-CPU slabs and one slab (5.17+; struct page before) */
struct vh_prof_kmem_cache {
	struct vh_struct_size type;
	struct vh_member cpu_slab;    /* struct kmem_cache_cpu __percpu * (absent on 7.x) */
	struct vh_member cpu_sheaves; /* 6.18+: per-CPU arrays of freed objects */
	struct vh_member flags, size, object_size;
	struct vh_member offset;       /* where a free object holds the next free one's address */
	struct vh_member red_left_pad; /* SLAB_RED_ZONE: bytes before each object */
	struct vh_member random;       /* CONFIG_SLAB_FREELIST_HARDENED: the pointers' mask */
	struct vh_member refcount;     /* above 1: other caches were merged into this one */
	struct vh_member name;
};

struct vh_prof_kmem_cache_cpu {
	struct vh_struct_size type;
	struct vh_member freelist; /* the free objects of the CPU's slab */
	struct vh_member slab;	   /* or page (alt 1, before 5.17) */
};

struct vh_prof_slab {
	struct vh_struct_size type;
	struct vh_member slab_cache, freelist;
	struct vh_member objects; /* a bitfield */
};

struct vh_prof_address_space {
	struct vh_struct_size type;
	struct vh_member host, i_pages, nrpages;
};

struct vh_prof_thread_struct {
	struct vh_struct_size type;
	struct vh_member sp, fsbase;
	struct vh_member gsbase; /* vmahunt core: the user gs base */
};

/* The registers an entry into the kernel saves (vmahunt core: arm64's size varies). */
struct vh_prof_pt_regs {
	struct vh_struct_size type;
};

/* Open files (vmahunt files): task->files->fdt->fd[0 .. max_fds). */
struct vh_prof_files_struct {
	struct vh_struct_size type;
	struct vh_member fdt; /* struct fdtable __rcu * */
};

struct vh_prof_fdtable {
	struct vh_struct_size type;
	struct vh_member max_fds; /* unsigned int */
	struct vh_member fd;	  /* struct file __rcu ** */
};

/* RSS counters (pte-rmap's kind "rss"): before 6.2 an atomic per mm plus per-thread deltas */
struct vh_prof_mm_rss_stat {
	struct vh_struct_size type;
	struct vh_member count; /* atomic_long_t[NR_MM_COUNTERS] */
};

struct vh_prof_task_rss_stat {
	struct vh_struct_size type;
	struct vh_member count; /* int[NR_MM_COUNTERS]: not yet folded into the mm's */
};

/* 6.2+: a count and per-CPU deltas */
struct vh_prof_percpu_counter {
	struct vh_struct_size type;
	struct vh_member count;	   /* s64 */
	struct vh_member counters; /* s32 __percpu * */
};

/* A loaded module: its name and where its memory is (naming a hook's target). */
struct vh_prof_module {
	struct vh_struct_size type;
	struct vh_member list;	      /* on the "modules" list */
	struct vh_member name;	      /* char[MODULE_NAME_LEN] */
	struct vh_member mem;	      /* 6.4+: struct module_memory[MOD_MEM_NUM_TYPES] */
	struct vh_member core_layout; /* before 6.4: struct module_layout */
};

struct vh_prof_module_memory {
	struct vh_struct_size type;
	struct vh_member base, size;
};

struct vh_prof_module_layout {
	struct vh_struct_size type;
	struct vh_member base, size;
};

/*
 * SysV shared memory (unmapped-payload): init_ipc_ns.ids[IPC_SHM_IDS].ipcs_idr maps
 * each shmid's index to the struct kern_ipc_perm at the start of its struct shmid_kernel.
 */
struct vh_prof_ipc_namespace {
	struct vh_struct_size type;
	struct vh_member ids; /* struct ipc_ids ids[3]: sem, msg, shm */
};

struct vh_prof_ipc_ids {
	struct vh_struct_size type;
	struct vh_member in_use, ipcs_idr;
};

struct vh_prof_kern_ipc_perm {
	struct vh_struct_size type;
	struct vh_member key, id, deleted;
};

struct vh_prof_shmid_kernel {
	struct vh_struct_size type;
	struct vh_member shm_perm, shm_file, shm_nattch, shm_segsz;
	struct vh_member shm_cprid, shm_lprid; /* struct pid * (4.17+), pid_t before */
};

/* Only as a release marker: deadline came with the EEVDF scheduler (6.6). */
struct vh_prof_sched_entity {
	struct vh_struct_size type;
	struct vh_member deadline;
};

/* Enumerators from DWARF (enum maple_type, enum pid_type). */
struct vh_prof_enums {
	struct vh_const maple_dense, maple_leaf_64, maple_range_64, maple_arange_64;
	struct vh_const PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX;
};

/*
 * Constants. The first group comes only from VMCOREINFO NUMBER() entries; the
 * rest are #defines DWARF does not carry (built in, VMCOREINFO overrides).
 */
struct vh_prof_consts {
	/* VMCOREINFO NUMBER() only */
	struct vh_const phys_base;	    /* the value of phys_base at crash time, printed by the
					       kernel as a signed long: cast to uint64_t */
	struct vh_const pgtable_l5_enabled; /* 1 when the kernel ran 5-level paging */
	struct vh_const KERNEL_IMAGE_SIZE;
	struct vh_const sme_mask;
	struct vh_const SECTION_SIZE_BITS;
	struct vh_const MAX_PHYSMEM_BITS;
	/* built in: include/linux/mm.h */
	struct vh_const VM_READ, VM_WRITE, VM_EXEC, VM_SHARED;
	struct vh_const VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE;
	struct vh_const VM_GROWSDOWN, VM_PFNMAP, VM_LOCKED, VM_IO;
	/* include/linux/sched.h */
	struct vh_const PF_EXITING, PF_KTHREAD;
	struct vh_const TASK_COMM_LEN; /* DWARF's task_struct.comm length wins */
	/* include/linux/kdev_t.h: dev_t = major << MINORBITS | minor */
	struct vh_const MINORBITS;
	/* include/linux/maple_tree.h, lib/maple_tree.c: encoded node pointers */
	struct vh_const MAPLE_NODE_MASK;       /* low bits of a node pointer that are flags */
	struct vh_const MAPLE_NODE_TYPE_SHIFT; /* type = (enode >> SHIFT) & MASK */
	struct vh_const MAPLE_NODE_TYPE_MASK;
	/* include/linux/xarray.h */
	struct vh_const XA_CHUNK_SHIFT;
	/* VMCOREINFO NUMBER() only: how a slab page is told from others (slab-xview) */
	struct vh_const PG_slab;		  /* a bit of page->flags (before 6.10) */
	struct vh_const PAGE_SLAB_MAPCOUNT_VALUE; /* 6.10+: page_type's top byte says slab */
};

/* How the last vh_profile_load_vmlinux() went. */
struct vh_profile_stats {
	double seconds;		     /* wall time of the whole load (ELF + DWARF) */
	uint32_t cus_total;	     /* compilation units in the vmlinux; 0 when the load did not
					need to list them (anchors led to every likely unit) */
	uint32_t cus_scanned;	     /* of which top-level DIEs were read */
	uint64_t dies_visited;	     /* top-level DIEs looked at */
	bool full_scan;		     /* a type was missing after the likely units: all were read */
	uint32_t ksyms;		     /* BTF load: symbols decoded from kallsyms */
	uint32_t btf_types;	     /* BTF load: types in the kernel's BTF */
	uint32_t btf_bytes;	     /* BTF load: size of the BTF read from the dump */
	const char *kallsyms_method; /* BTF load: "vmcoreinfo" or "search" (found by shape) */
};

/*
 * The kernel profile. Allocated by vh_profile_new() (or vh_profile_open()),
 * freed by vh_profile_free(). Strings belong to the profile.
 */
struct vh_profile {
	const char *vmlinux_path; /* the vmlinux loaded, or NULL */
	const char *types_from;	  /* where the types came from: "dwarf" (a vmlinux), "btf"
				     (BTF + kallsyms in the dump) or "vmcoreinfo" (nothing else) */
	char osrelease[65];	  /* "6.1.0-26-cloud-amd64": vmlinux banner or VMCOREINFO */
	char build_id[129];	  /* hex GNU build id of the vmlinux / VMCOREINFO; "" if none */
	uint64_t kaslr_offset;	  /* VMCOREINFO KERNELOFFSET; 0 when unknown */
	bool have_kaslr_offset;
	uint32_t page_size; /* VMCOREINFO PAGESIZE; 0 when unknown */
	int64_t crashtime;  /* VMCOREINFO CRASHTIME (seconds since the epoch); 0 if none */
	struct vh_profile_stats stats;

	struct vh_prof_symbols sym;
	struct vh_prof_list_head list_head;
	struct vh_prof_hlist_node hlist_node;
	struct vh_prof_rb_node rb_node;
	struct vh_prof_rb_root rb_root;
	struct vh_prof_rb_root_cached rb_root_cached;
	struct vh_prof_task_struct task_struct;
	struct vh_prof_signal_struct signal_struct;
	struct vh_prof_cred cred;
	struct vh_prof_nsproxy nsproxy;
	struct vh_prof_mm_struct mm_struct;
	struct vh_prof_vm_area_struct vm_area_struct;
	struct vh_prof_maple_tree maple_tree;
	struct vh_prof_maple_node maple_node;
	struct vh_prof_maple_range_64 maple_range_64;
	struct vh_prof_maple_arange_64 maple_arange_64;
	struct vh_prof_maple_metadata maple_metadata;
	struct vh_prof_file file;
	struct vh_prof_path path;
	struct vh_prof_dentry dentry;
	struct vh_prof_dentry_operations dentry_operations;
	struct vh_prof_qstr qstr;
	struct vh_prof_inode inode;
	struct vh_prof_super_block super_block;
	struct vh_prof_vfsmount vfsmount;
	struct vh_prof_mount mount;
	struct vh_prof_anon_vma_name anon_vma_name;
	struct vh_prof_pid pid;
	struct vh_prof_upid upid;
	struct vh_prof_pid_namespace pid_namespace;
	struct vh_prof_idr idr;
	struct vh_prof_xarray xarray;
	struct vh_prof_xa_node xa_node;
	struct vh_prof_uts_namespace uts_namespace;
	struct vh_prof_new_utsname new_utsname;
	struct vh_prof_page page;
	struct vh_prof_kmem_cache kmem_cache;
	struct vh_prof_kmem_cache_cpu kmem_cache_cpu;
	struct vh_prof_slab slab;
	struct vh_prof_anon_vma anon_vma;
	struct vh_prof_address_space address_space;
	struct vh_prof_thread_struct thread_struct;
	struct vh_prof_pt_regs pt_regs;
	struct vh_prof_files_struct files_struct;
	struct vh_prof_fdtable fdtable;
	struct vh_prof_mm_rss_stat mm_rss_stat;
	struct vh_prof_task_rss_stat task_rss_stat;
	struct vh_prof_percpu_counter percpu_counter;
	struct vh_prof_module module;
	struct vh_prof_module_memory module_memory;
	struct vh_prof_module_layout module_layout;
	struct vh_prof_ipc_namespace ipc_namespace;
	struct vh_prof_ipc_ids ipc_ids;
	struct vh_prof_kern_ipc_perm kern_ipc_perm;
	struct vh_prof_shmid_kernel shmid_kernel;
	struct vh_prof_sched_entity sched_entity;
	struct vh_prof_enums enums;
	struct vh_prof_consts c;

	struct vh_profile_priv *priv; /* the library's own state: do not touch */
};
#endif /* VMAHUNT_UNSTABLE_PROFILE */

/* Kinds of profile entries, for generic listing (vh_profile_entry()). */
enum vh_prof_kind {
	VH_PROF_SYMBOL,
	VH_PROF_STRUCT, /* a struct's size */
	VH_PROF_MEMBER,
	VH_PROF_ENUM,  /* an enumerator */
	VH_PROF_CONST, /* a constant (VMCOREINFO NUMBER or built in) */
};

/* One entry of the profile, described for tools and tests (not for hot paths). */
struct vh_prof_entry {
	enum vh_prof_kind kind;
	const char *name;    /* "task_struct.tasks", "init_task", "maple_type.maple_leaf_64" */
	const char *matched; /* the kernel name that matched ("__state"), or NULL if absent */
	const char *alts[3]; /* the kernel names looked for, in order of preference (NULL-padded) */
	const void *value;   /* points into the profile: a vh_member, vh_struct_size,
				vh_symbol or vh_const according to kind */
};

/**
 * vh_profile_new() - an empty profile: everything absent but the built-in constants.
 * @out: receives the profile.
 *
 * Return: VH_OK or VH_ERR_NOMEM.
 */
VH_EXPORT int vh_profile_new(struct vh_profile **out);

/**
 * vh_profile_free() - free a profile.
 * @p: the profile, or NULL.
 */
VH_EXPORT void vh_profile_free(struct vh_profile *p);

/**
 * vh_profile_load_vmlinux() - fill a profile from a vmlinux with DWARF.
 * @p: the profile (entries the vmlinux has are overwritten).
 * @path: the vmlinux (an ELF executable with .debug_info and .symtab).
 *
 * Reads symbol addresses from the ELF symbol table, the release string from
 * linux_banner (checked against init_uts_ns), the GNU build id from the notes,
 * and struct layouts and enum values from DWARF. Only the compilation units
 * that define the wanted types are read: the likely ones first, reached
 * through the address of a function they define (.debug_aranges), all of them
 * only when a type is still missing. A Debian vmlinux loads in about 0.05 s
 * with a warm page cache, 0.3 s cold; p->stats says what it cost.
 *
 * Return: VH_OK; VH_ERR_IO when the file cannot be opened; VH_ERR_FORMAT when it
 * is not an ELF file or has no DWARF; VH_ERR_CORRUPT when the DWARF is damaged
 * (vh_errmsg() names the file and the DIE offset); VH_ERR_NOMEM.
 */
VH_EXPORT int vh_profile_load_vmlinux(struct vh_profile *p, const char *path);

/**
 * vh_profile_load_vmlinux_full() - as vh_profile_load_vmlinux(), but without
 * the likely-units shortcut: units are read in their order until every type is
 * found (all of them when one is absent). Slower; for tests that check the fast
 * path finds the same layouts.
 * @p: the profile.
 * @path: the vmlinux.
 *
 * Return: as vh_profile_load_vmlinux().
 */
VH_EXPORT int vh_profile_load_vmlinux_full(struct vh_profile *p, const char *path);

/* VMCOREINFO, parsed with types. */
struct vh_vmcoreinfo;

/* Kinds of VMCOREINFO lines. */
enum vh_vmci_kind {
	VH_VMCI_OTHER,	      /* a KEY=value the parser has no type for: value kept as text */
	VH_VMCI_OSRELEASE,    /* OSRELEASE=6.1.0-26-amd64 */
	VH_VMCI_BUILD_ID,     /* BUILD-ID=hex */
	VH_VMCI_PAGESIZE,     /* PAGESIZE=4096 (decimal) */
	VH_VMCI_KERNELOFFSET, /* KERNELOFFSET=hex (no 0x) */
	VH_VMCI_CRASHTIME,    /* CRASHTIME=decimal seconds */
	VH_VMCI_SYMBOL,	      /* SYMBOL(name)=hex address, relocated */
	VH_VMCI_OFFSET,	      /* OFFSET(struct.member)=decimal */
	VH_VMCI_SIZE,	      /* SIZE(name)=decimal */
	VH_VMCI_LENGTH,	      /* LENGTH(name)=decimal */
	VH_VMCI_NUMBER,	      /* NUMBER(name)=decimal, may be negative */
};

/* One VMCOREINFO line. */
struct vh_vmci_entry {
	enum vh_vmci_kind kind;
	const char *key;   /* the whole text before '=' ("SYMBOL(init_uts_ns)") */
	const char *name;  /* inside the parentheses ("init_uts_ns"), else the key */
	const char *value; /* the text after '=' */
	bool valid;	   /* the value parsed as the kind requires (false: see warnings) */
	uint64_t u;	   /* the value for SYMBOL, OFFSET, SIZE, LENGTH, PAGESIZE, KERNELOFFSET */
	int64_t s;	   /* the value for NUMBER and CRASHTIME */
};

/**
 * vh_vmcoreinfo_parse() - parse VMCOREINFO text into typed entries.
 * @text: the text (need not be NUL-terminated; a NUL ends it early).
 * @len: its length in bytes (at most 64 KiB; the kernel writes at most a page).
 * @out: receives the parsed form.
 *
 * Never fails on bad content: a line without '=', a malformed key or a value
 * that does not parse as its kind requires (garbage, overflow, a negative
 * offset) is kept with valid=false and a warning naming the line.
 *
 * Return: VH_OK, VH_ERR_INVAL (text NULL with len > 0, or len over 64 KiB) or VH_ERR_NOMEM.
 */
VH_EXPORT int vh_vmcoreinfo_parse(const char *text, size_t len, struct vh_vmcoreinfo **out);

/**
 * vh_vmcoreinfo_free() - free a parsed VMCOREINFO.
 * @vi: the parsed form, or NULL.
 */
VH_EXPORT void vh_vmcoreinfo_free(struct vh_vmcoreinfo *vi);

/**
 * vh_vmcoreinfo_count() - number of entries.
 * @vi: the parsed form.
 *
 * Return: the count.
 */
VH_EXPORT size_t vh_vmcoreinfo_count(const struct vh_vmcoreinfo *vi);

/**
 * vh_vmcoreinfo_entry() - one entry, in the order of the text.
 * @vi: the parsed form.
 * @i: index below vh_vmcoreinfo_count().
 *
 * Return: the entry, or NULL when @i is out of range.
 */
VH_EXPORT const struct vh_vmci_entry *vh_vmcoreinfo_entry(const struct vh_vmcoreinfo *vi, size_t i);

/**
 * vh_vmcoreinfo_find() - the first valid entry of a kind and name.
 * @vi: the parsed form.
 * @kind: the kind.
 * @name: the name inside the parentheses ("init_uts_ns", "list_head.next"),
 *        or NULL for the kinds without one (OSRELEASE, PAGESIZE...).
 *
 * Return: the entry, or NULL.
 */
VH_EXPORT const struct vh_vmci_entry *vh_vmcoreinfo_find(const struct vh_vmcoreinfo *vi,
							 enum vh_vmci_kind kind, const char *name);

/**
 * vh_vmcoreinfo_warnings() - lines the parser could not make sense of.
 * @vi: the parsed form.
 * @n: receives the count.
 *
 * Return: array of one-line messages ("VMCOREINFO line 12: OFFSET(a.b)=zz: not a decimal number").
 */
VH_EXPORT const char *const *vh_vmcoreinfo_warnings(const struct vh_vmcoreinfo *vi, size_t *n);

/**
 * vh_profile_apply_vmcoreinfo() - fill a profile from VMCOREINFO.
 * @p: the profile.
 * @vi: the parsed VMCOREINFO.
 *
 * Sets kaslr_offset, page_size, crashtime, and osrelease/build_id when the
 * profile has none. SYMBOL(), OFFSET(), SIZE() and NUMBER() entries the
 * profile knows fill the entries still absent (SYMBOL values unrelocated with
 * KERNELOFFSET); NUMBER() also overrides built-in constants. An entry the
 * vmlinux gave and VMCOREINFO contradicts is kept, with a warning (it means the
 * vmlinux is not the dump's kernel).
 *
 * Return: VH_OK or VH_ERR_NOMEM.
 */
VH_EXPORT int vh_profile_apply_vmcoreinfo(struct vh_profile *p, const struct vh_vmcoreinfo *vi);

/**
 * vh_profile_check_match() - refuse a vmlinux that is not the dump's kernel.
 * @p: a profile loaded from a vmlinux.
 * @osrelease: the dump's release (VMCOREINFO OSRELEASE), or NULL if unknown.
 * @build_id: the dump's build id in hex (VMCOREINFO BUILD-ID), or NULL.
 *
 * Return: VH_OK when what is known agrees, VH_ERR_INVAL with a one-line message
 * naming both releases (or both build ids) when it does not.
 */
VH_EXPORT int vh_profile_check_match(const struct vh_profile *p, const char *osrelease,
				     const char *build_id);

/**
 * vh_vmlinux_find() - look for the vmlinux of a release where distributions keep it.
 * @osrelease: the kernel release ("6.1.0-26-cloud-amd64").
 * @root: directory prefix of the search ("" or NULL for "/"; tests use a temp dir).
 * @out: receives a malloc'ed path the caller frees.
 *
 * Tries, in order: /usr/lib/debug/boot/vmlinux-REL,
 * /usr/lib/debug/lib/modules/REL/vmlinux, /boot/vmlinux-REL.
 *
 * Return: VH_OK, VH_ERR_NOT_PRESENT with a message listing the places tried,
 * VH_ERR_INVAL (a release with '/' or empty), VH_ERR_NOMEM.
 */
VH_EXPORT int vh_vmlinux_find(const char *osrelease, const char *root, char **out);

/* Flags of vh_profile_open(). */
#define VH_PROFILE_NEED_VMLINUX 0x1u /* fail when no vmlinux is given or found */

/**
 * vh_profile_open() - the profile of a dump's kernel, in one call.
 * @d: the dump (its VMCOREINFO is used when present).
 * @vmlinux: the vmlinux the user gave, or NULL to look for one (vh_vmlinux_find()
 *           with the dump's OSRELEASE).
 * @flags: VH_PROFILE_* flags.
 * @out: receives the profile.
 *
 * Loads the vmlinux, refuses it when it does not match the dump
 * (vh_profile_check_match()), then applies the dump's VMCOREINFO. With no
 * vmlinux given or found, and without VH_PROFILE_NEED_VMLINUX, the profile
 * holds what VMCOREINFO says and a warning says where a vmlinux was looked for.
 *
 * Return: VH_OK, or the errors of the steps above.
 */
VH_EXPORT int vh_profile_open(const struct vh_dump *d, const char *vmlinux, unsigned flags,
			      struct vh_profile **out);

/* Which source vh_profile_open_kernel() fills the profile from. */
enum vh_symbols_mode {
	VH_SYMBOLS_AUTO,  /* DWARF when a vmlinux is given or found, else BTF + kallsyms */
	VH_SYMBOLS_DWARF, /* a vmlinux with DWARF, given or found; fail without one */
	VH_SYMBOLS_BTF,	  /* the dump's own BTF and kallsyms; no vmlinux needed */
};

/**
 * vh_symbols_mode_parse() - "auto", "dwarf" or "btf" to enum vh_symbols_mode.
 * @s: the text.
 *
 * Return: the mode, or -1 when @s is none of them.
 */
VH_EXPORT int vh_symbols_mode_parse(const char *s);

/**
 * vh_profile_load_btf() - fill a profile from the dump itself: symbols from
 * its kallsyms tables, types from its BTF.
 * @p: the profile (a new one, or one holding only VMCOREINFO data).
 * @d: the dump.
 * @km: where the kernel is (vh_kernel_map_find()).
 *
 * Symbol addresses are stored unrelocated, as a vmlinux has them (the
 * running address minus km->kaslr_offset; per-CPU offsets are left as they
 * are). Struct, member and enum rows are filled from the BTF between
 * __start_BTF and __stop_BTF, by the same rules as the DWARF loader; the
 * release comes from linux_banner in the dump's memory. What BTF does not
 * carry (#define constants) stays built in or comes from VMCOREINFO.
 *
 * Return: VH_OK; VH_ERR_NOT_PRESENT when the dump has no kallsyms tables or no
 * BTF (a kernel without CONFIG_KALLSYMS or CONFIG_DEBUG_INFO_BTF, or their
 * pages left out of the dump); VH_ERR_CORRUPT when they do not decode (the
 * message names the address); VH_ERR_NOMEM.
 */
VH_EXPORT int vh_profile_load_btf(struct vh_profile *p, struct vh_dump *d,
				  const struct vh_kernel_map *km);

/**
 * vh_profile_open_kernel() - the profile of a dump's kernel, from the source @mode says.
 * @d: the dump.
 * @km: where the kernel is (needed by the BTF source).
 * @vmlinux: the vmlinux the user gave, or NULL to look for one by release.
 * @mode: enum vh_symbols_mode.
 * @out: receives the profile; p->types_from says which source filled it.
 *
 * VH_SYMBOLS_DWARF is vh_profile_open() with VH_PROFILE_NEED_VMLINUX.
 * VH_SYMBOLS_BTF loads vh_profile_load_btf() and ignores @vmlinux.
 * VH_SYMBOLS_AUTO uses the vmlinux when one is given or found, else BTF; the
 * error then names both what was looked for and why BTF failed. VMCOREINFO
 * is applied last in every mode.
 *
 * Return: VH_OK, or the errors of the steps above.
 */
VH_EXPORT int vh_profile_open_kernel(struct vh_dump *d, const struct vh_kernel_map *km,
				     const char *vmlinux, enum vh_symbols_mode mode,
				     struct vh_profile **out);

/* The kernel's kallsyms tables, decoded from a dump. */
struct vh_kallsyms;

/* One kallsyms symbol. */
struct vh_ksym {
	const char *name; /* owned by the vh_kallsyms */
	uint64_t addr;	  /* running address (relocated; per-CPU symbols: their offset) */
	char type;	  /* nm-style type letter: T text, D data, R rodata, B bss... */
};

/* Flags of vh_kallsyms_load(). */
#define VH_KALLSYMS_SEARCH 0x1u /* ignore VMCOREINFO: find the tables by their shape */

/**
 * vh_kallsyms_load() - find and decode the kernel's kallsyms tables in a dump.
 * @d: the dump.
 * @km: where the kernel is.
 * @flags: VH_KALLSYMS_* flags (0 for the usual).
 * @out: receives the symbols.
 *
 * Takes the tables' addresses from VMCOREINFO (kernels 6.0+), else finds
 * them by their shape in the kernel image. Every count, length and index
 * read from the dump is bounded; the address encoding (absolute, base-
 * relative with absolute per-CPU values, base-relative, _text- or
 * place-relative) is the one under which _text is where the page tables put
 * it and linux_banner reads "Linux version ".
 *
 * Return: VH_OK; VH_ERR_NOT_PRESENT when no tables are found (message says
 * what was searched); VH_ERR_CORRUPT; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_kallsyms_load(struct vh_dump *d, const struct vh_kernel_map *km, unsigned flags,
			       struct vh_kallsyms **out);

/**
 * vh_kallsyms_free() - free decoded symbols.
 * @ks: the symbols, or NULL.
 */
VH_EXPORT void vh_kallsyms_free(struct vh_kallsyms *ks);

/**
 * vh_kallsyms_count() - number of symbols.
 * @ks: the symbols.
 *
 * Return: the count.
 */
VH_EXPORT size_t vh_kallsyms_count(const struct vh_kallsyms *ks);

/**
 * vh_kallsyms_get() - symbol @i, in the tables' order (by address).
 * @ks: the symbols.
 * @i: index below vh_kallsyms_count().
 * @out: receives the symbol.
 *
 * Return: VH_OK or VH_ERR_INVAL.
 */
VH_EXPORT int vh_kallsyms_get(const struct vh_kallsyms *ks, size_t i, struct vh_ksym *out);

/**
 * vh_kallsyms_lookup() - a symbol by name (a global one over a local one).
 * @ks: the symbols.
 * @name: the name.
 * @out: receives the symbol.
 *
 * Return: VH_OK or VH_ERR_NOT_PRESENT.
 */
VH_EXPORT int vh_kallsyms_lookup(const struct vh_kallsyms *ks, const char *name,
				 struct vh_ksym *out);

/**
 * vh_kallsyms_table() - running address of one of the tables themselves
 * ("kallsyms_names", "kallsyms_offsets", ...), which kallsyms does not list.
 * @ks: the symbols.
 * @table: the table's symbol name.
 * @addr: receives the address.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT when this kernel has no such table or
 * it was not located.
 */
VH_EXPORT int vh_kallsyms_table(const struct vh_kallsyms *ks, const char *table, uint64_t *addr);

/**
 * vh_kallsyms_lost() - symbols whose names could not be decoded.
 * @ks: the symbols.
 *
 * With tables named by VMCOREINFO, a damaged block of 256 names is skipped
 * (through kallsyms_markers) and the rest still decoded; the lost symbols
 * keep their addresses, with an empty name and type '?'.
 *
 * Return: the count (0 for undamaged tables).
 */
VH_EXPORT size_t vh_kallsyms_lost(const struct vh_kallsyms *ks);

/**
 * vh_kallsyms_method() - how the tables were found: "vmcoreinfo" or "search".
 * @ks: the symbols.
 *
 * Return: a static string.
 */
VH_EXPORT const char *vh_kallsyms_method(const struct vh_kallsyms *ks);

/**
 * vh_kallsyms_encoding() - the address encoding the tables use.
 * @ks: the symbols.
 *
 * Return: a static string ("base-relative, absolute per-cpu", "place-relative"...).
 */
VH_EXPORT const char *vh_kallsyms_encoding(const struct vh_kallsyms *ks);

/**
 * vh_profile_warnings() - things the profile's sources disagreed on or lacked.
 * @p: the profile.
 * @n: receives the count.
 *
 * Return: array of one-line messages, owned by the profile.
 */
VH_EXPORT const char *const *vh_profile_warnings(const struct vh_profile *p, size_t *n);

/**
 * vh_profile_entry_count() - number of entries every profile has (present or absent).
 *
 * Return: the count.
 */
VH_EXPORT size_t vh_profile_entry_count(void);

/**
 * vh_profile_entry() - describe entry @i of a profile (for tools, tests, plugins).
 * @p: the profile.
 * @i: index below vh_profile_entry_count().
 * @e: receives the description.
 *
 * Return: VH_OK, or VH_ERR_INVAL when @i is out of range.
 */
VH_EXPORT int vh_profile_entry(const struct vh_profile *p, size_t i, struct vh_prof_entry *e);

/**
 * vh_profile_lookup() - find an entry by name ("task_struct.tasks", "init_task").
 * @p: the profile.
 * @name: the entry's name as vh_profile_entry() gives it.
 * @e: receives the description.
 *
 * A linear search: for tools and plugins, not for walkers' hot paths.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT when the profile has no such entry.
 */
VH_EXPORT int vh_profile_lookup(const struct vh_profile *p, const char *name,
				struct vh_prof_entry *e);

/**
 * vh_prof_source_name() - "dwarf", "symtab", "vmcoreinfo", "builtin" or "absent".
 * @src: one of enum vh_prof_source.
 *
 * Return: a static string.
 */
VH_EXPORT const char *vh_prof_source_name(int src);

#ifdef __cplusplus
}
#endif
#endif
