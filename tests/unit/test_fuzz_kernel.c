/* SPDX-License-Identifier: MIT */
/*
 * The input of the walker harness (tests/fuzz/fuzz_kernel.c) built well
 * formed, once per kernel layout of layouts/kernel_profiles.h (the lab's 5.10
 * and 6.1): four tasks (swapper, init with a second thread, kthreadd) on the
 * task, children and thread lists, the pid table's xarray, init's mm with
 * seven VMAs (a file reached through dentries and a mount, the heap, the
 * stack, a memfd named by simple_dname(), [anon:NAME] on 6.1, [vdso]) in a
 * maple tree (6.1) or a vm_next list and an rbtree (5.10), its page tables
 * with the code, the arguments, and a page mapped outside every VMA, and the
 * [vsyscall] gate VMA. Each walk must find all of it, through the same code
 * the harness runs; with VH_SEED_DIR set these inputs are the harness's
 * seeds. Then the same inputs damaged (a cycle in the task list, a VMA list
 * and a path that loop) end with warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz/fuzz_kernel.h"
#include "helpers/tmpfile.h"

#define P   VH_X86_PTE_PRESENT
#define RW  VH_X86_PTE_RW
#define US  VH_X86_PTE_USER
#define PSE VH_X86_PTE_PSE

/* The memory's layout: offsets from FUZZ_BASE. */
#define TASK(i)	      (0x1000ull * (i)) /* swapper, init, kthreadd, init's thread */
#define MISC	      0x4000ull
#define SIG(i)	      (MISC + 0x40ull * (i)) /* signal_structs of the three leaders */
#define CRED	      (MISC + 0x100)
#define PIDNS	      (MISC + 0x200)
#define PID(i)	      (MISC + 0x200 + 0x80ull * (i)) /* struct pid of task i (1..3) */
#define PAGES	      (MISC + 0x400)		     /* struct pages of the memory's frames */
#define XANODE	      (MISC + 0x800)
#define VMEMMAP_VAR   (MISC + 0xa80)
#define VSYSCALL_MODE (MISC + 0xa88)
#define SPECIAL_VMOPS (MISC + 0xac0)
#define SIMPLE_DNAME  (MISC + 0xac8)
#define ANON_DNAME    (MISC + 0xad0)
#define SPECIAL_MAP   (MISC + 0xb00) /* struct vm_special_mapping: name first */
#define GATE	      (MISC + 0xb40)
#define STRINGS	      (MISC + 0xc40)
#define MM	      0x5000ull
#define VMA(i)	      (MM + 0x500 + 0x100ull * (i))
#define MAPLE	      (MM + 0xc00)
#define FILE_BIN      0x6000ull
#define FILE_MEMFD    0x6100ull
#define INODE	      0x6200ull
#define SB	      0x6300ull
#define MOUNT	      0x6400ull
#define D_ROOT	      0x6600ull
#define D_SBIN	      0x6700ull
#define D_INIT	      0x6800ull
#define D_MEMFD	      0x6900ull
#define DOPS	      0x6a00ull
#define ANON_NAME     0x6b00ull
#define MAPPING	      0x6c00ull /* the file's address_space (only its address) */
#define UPGD	      0x7000ull
#define UPUD	      0x8000ull
#define UPMD	      0x9000ull
#define UPT	      0xa000ull
#define CODE	      0xb000ull
#define STACK	      0xc000ull
#define HIDDEN	      0xd000ull
#define SCT	      0xe000ull /* sys_call_table: NSYSCALLS entries into TEXT, then 0 */
#define TEXT	      0xe100ull /* [_stext, _etext) */
#define TEXT_END      0xe200ull
#define MODULES	      0xe200ull /* the modules list's head */
#define MODULE	      0xe300ull /* a struct module, for the damaged cases */
#define IPCNS	      0xe800ull /* init_ipc_ns: no SysV segment (its IDRs empty) */
#define MEM_SIZE      0xf000ull
#define NSYSCALLS     8
#define NVMAS	      7

static uint8_t input[FK_HEADER + MEM_SIZE];
static uint8_t *const mem = input + FK_HEADER;
static const struct vh_profile *prof;
static uint64_t string_at = STRINGS;

static uint64_t va(uint64_t off)
{
	return FUZZ_BASE + off;
}

static void put(uint64_t off, uint64_t v, uint32_t size)
{
	assert_true(off + size <= MEM_SIZE);
	for (uint32_t i = 0; i < size; i++)
		mem[off + i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint64_t off, uint64_t v)
{
	put(off, v, 8);
}

/* A member of the struct at @base, as wide as the profile says. */
static void set(uint64_t base, const struct vh_member *m, uint64_t v)
{
	assert_true(vh_present(m));
	put(base + m->offset, v, m->size && m->size < 8 ? m->size : 8);
}

/* A NUL-terminated string in the strings area; its address. */
static uint64_t str(const char *s)
{
	uint64_t at = string_at;

	assert_true(at + strlen(s) + 1 <= STRINGS + 0x3c0);
	memcpy(mem + at, s, strlen(s) + 1);
	string_at += (strlen(s) + 8) & ~7ull;
	return va(at);
}

static void sym(enum fk_sym s, uint64_t off)
{
	for (int i = 0; i < 4; i++)
		input[4 + 4 * s + (unsigned)i] = (uint8_t)(off >> (8 * i));
}

/* A circular list: @head, then @nodes (addresses of list_heads). */
static void link_list(uint64_t head, const uint64_t *nodes, size_t n)
{
	uint64_t prev = head;

	for (size_t i = 0; i < n; i++) {
		put64(prev - FUZZ_BASE, nodes[i]);
		put64(nodes[i] - FUZZ_BASE + 8, prev);
		prev = nodes[i];
	}
	put64(prev - FUZZ_BASE, head);
	put64(head - FUZZ_BASE + 8, prev);
}

struct tspec {
	int pid, tgid, parent, leader; /* parent, leader: indexes */
	const char *comm;
	bool kthread;
};

static const struct tspec tasks[] = {
    {0, 0, 0, 0, "swapper/0", true},
    {1, 1, 0, 1, "init", false},
    {2, 2, 0, 2, "kthreadd", true},
    {3, 1, 0, 1, "init-worker", false},
};

static void build_tasks(void)
{
	const struct vh_prof_task_struct *ts = &prof->task_struct;
	uint64_t nodes[4];

	for (size_t i = 0; i < 4; i++) {
		uint64_t t = TASK(i);

		set(t, &ts->state, 1);
		set(t, &ts->flags, tasks[i].kthread ? (uint64_t)prof->c.PF_KTHREAD.value : 0);
		set(t, &ts->pid, (uint64_t)tasks[i].pid);
		set(t, &ts->tgid, (uint64_t)tasks[i].tgid);
		memcpy(mem + t + ts->comm.offset, tasks[i].comm, strlen(tasks[i].comm));
		set(t, &ts->real_parent, va(TASK(tasks[i].parent)));
		set(t, &ts->parent, va(TASK(tasks[i].parent)));
		set(t, &ts->group_leader, va(TASK(tasks[i].leader)));
		set(t, &ts->real_cred, va(CRED));
		set(t, &ts->cred, va(CRED));
		set(t, &ts->signal, va(SIG(tasks[i].leader)));
		set(t, &ts->start_time, 1000000u * (uint64_t)i);
		if (!tasks[i].kthread) {
			set(t, &ts->mm, va(MM));
			set(t, &ts->active_mm, va(MM));
		}
		/* no children but swapper's; a thread has an empty thread_group ring */
		link_list(va(t + ts->children.offset), NULL, 0);
		link_list(va(t + ts->thread_group.offset), NULL, 0);
	}
	set(CRED, &prof->cred.uid, 1000);
	set(CRED, &prof->cred.gid, 100);
	/* the task list: the leaders after init_task */
	nodes[0] = va(TASK(1) + ts->tasks.offset);
	nodes[1] = va(TASK(2) + ts->tasks.offset);
	link_list(va(TASK(0) + ts->tasks.offset), nodes, 2);
	/* the task list of a thread is not walked; keep it empty */
	link_list(va(TASK(3) + ts->tasks.offset), NULL, 0);
	nodes[0] = va(TASK(1) + ts->sibling.offset);
	nodes[1] = va(TASK(2) + ts->sibling.offset);
	link_list(va(TASK(0) + ts->children.offset), nodes, 2);
	link_list(va(TASK(3) + ts->sibling.offset), NULL, 0);
	/* thread lists, headed in each leader's signal_struct */
	for (size_t l = 0; l < 3; l++) {
		size_t n = 0;

		for (size_t i = 0; i < 4; i++) {
			if ((size_t)tasks[i].leader == l)
				nodes[n++] = va(TASK(i) + ts->thread_node.offset);
		}
		set(SIG(l), &prof->signal_struct.nr_threads, n);
		link_list(va(SIG(l) + prof->signal_struct.thread_head.offset), nodes, n);
	}
}

/* init_pid_ns's IDR: one xa_node (pids 0..63), slot N holding pid N's struct pid. */
static void build_pids(void)
{
	const struct vh_prof_task_struct *ts = &prof->task_struct;
	uint64_t rt = PIDNS + prof->pid_namespace.idr.offset + prof->idr.idr_rt.offset;

	set(rt, &prof->xarray.xa_head, va(XANODE) | 2); /* an internal (node) entry */
	set(PIDNS + prof->pid_namespace.idr.offset, &prof->idr.idr_base, 0);
	set(PIDNS + prof->pid_namespace.idr.offset, &prof->idr.idr_next, 4);
	set(XANODE, &prof->xa_node.shift, 0);
	set(XANODE, &prof->xa_node.count, 3);
	for (size_t i = 1; i < 4; i++) {
		uint64_t pid = PID(i), link = TASK(i) + ts->pid_links.offset;
		uint64_t head = pid + prof->pid.tasks.offset; /* tasks[PIDTYPE_PID] */

		put64(XANODE + prof->xa_node.slots.offset + 8 * (uint64_t)tasks[i].pid, va(pid));
		set(pid, &prof->pid.count, 1);
		put64(head, va(link));
		put64(link, 0);		   /* next */
		put64(link + 8, va(head)); /* pprev */
		set(pid + prof->pid.numbers.offset, &prof->upid.nr, (uint64_t)tasks[i].pid);
		set(pid + prof->pid.numbers.offset, &prof->upid.ns, va(PIDNS));
		set(TASK(i), &ts->thread_pid, va(pid));
	}
}

struct vspec {
	uint64_t start, end, flags, pgoff, file;
	int kind; /* 0 plain, 1 special mapping, 2 anon name */
};

/* The VMAs, by start; the maple tree stores each at [start, end - 1]. */
static struct vspec vmas[NVMAS];

static void vma_specs(void)
{
	const struct vh_prof_consts *c = &prof->c;
	uint64_t r = (uint64_t)c->VM_READ.value, w = (uint64_t)c->VM_WRITE.value;
	uint64_t x = (uint64_t)c->VM_EXEC.value, s = (uint64_t)c->VM_SHARED.value;
	uint64_t ms = (uint64_t)c->VM_MAYSHARE.value;
	bool named = vh_present(&prof->vm_area_struct.anon_name);
	struct vspec v[NVMAS] = {
	    {0x400000, 0x401000, r | x, 0, va(FILE_BIN), 0},
	    {0x401000, 0x402000, r | w, 1, va(FILE_BIN), 0},
	    {0x410000, 0x420000, r | w, 0x410, 0, 0}, /* [heap] */
	    {0x5f0000, 0x600000, r | w, 0x5f0, 0, 0}, /* [stack] */
	    {0x7f0000000000, 0x7f0000001000, r | w, 0, 0, named ? 2 : 0},
	    {0x7f0000002000, 0x7f0000003000, r | w | s | ms, 0, va(FILE_MEMFD), 0},
	    {0x7ffff7ffd000, 0x7ffff7fff000, r | x, 0, 0, 1}, /* [vdso] */
	};

	memcpy(vmas, v, sizeof(v));
}

static void build_files(void)
{
	const struct vh_profile *p = prof;
	uint64_t vfsmnt = MOUNT + p->mount.mnt.offset;

	/* /sbin/init on the root mount, and a memfd's pseudo file */
	set(FILE_BIN + p->file.f_path.offset, &p->path.mnt, va(vfsmnt));
	set(FILE_BIN + p->file.f_path.offset, &p->path.dentry, va(D_INIT));
	set(FILE_BIN, &p->file.f_inode, va(INODE));
	set(FILE_BIN, &p->file.f_mapping, va(MAPPING));
	set(FILE_MEMFD + p->file.f_path.offset, &p->path.mnt, va(vfsmnt));
	set(FILE_MEMFD + p->file.f_path.offset, &p->path.dentry, va(D_MEMFD));
	set(FILE_MEMFD, &p->file.f_inode, va(INODE));
	set(INODE, &p->inode.i_sb, va(SB));
	set(INODE, &p->inode.i_ino, 131);
	set(INODE, &p->inode.i_mapping, va(MAPPING));
	set(SB, &p->super_block.s_dev, 8ull << p->c.MINORBITS.value | 1); /* 08:01 */
	set(MOUNT, &p->mount.mnt_parent, va(MOUNT));			  /* the top mount */
	set(MOUNT, &p->mount.mnt_mountpoint, va(D_ROOT));
	set(vfsmnt, &p->vfsmount.mnt_root, va(D_ROOT));
	set(vfsmnt, &p->vfsmount.mnt_sb, va(SB));
	struct {
		uint64_t d, parent;
		const char *name;
	} dents[] = {{D_ROOT, D_ROOT, "/"},
		     {D_SBIN, D_ROOT, "sbin"},
		     {D_INIT, D_SBIN, "init"},
		     {D_MEMFD, D_MEMFD, "memfd:x"}};
	for (size_t i = 0; i < 4; i++) {
		uint64_t q = dents[i].d + p->dentry.d_name.offset;

		set(dents[i].d, &p->dentry.d_parent, va(dents[i].parent));
		set(q, &p->qstr.len, strlen(dents[i].name));
		set(q, &p->qstr.name, str(dents[i].name));
		set(dents[i].d, &p->dentry.d_sb, va(SB));
		set(dents[i].d, &p->dentry.d_inode, va(INODE));
		/* hashed: d_hash.pprev not NULL (the memfd's dentry is not) */
		if (dents[i].d != D_MEMFD)
			set(dents[i].d + p->dentry.d_hash.offset, &p->hlist_node.pprev,
			    va(dents[i].d));
	}
	set(D_MEMFD, &p->dentry.d_op, va(DOPS));
	set(DOPS, &p->dentry_operations.d_dname, va(SIMPLE_DNAME));
	/* [anon:buf] */
	put(ANON_NAME + (vh_present(&p->anon_vma_name.name) ? p->anon_vma_name.name.offset : 4),
	    0x667562, 4);
	put64(SPECIAL_MAP, str("[vdso]"));
}

/* The rbtree of 5.10: D(3) at the top, B(1) and F(5) below, then A, C, E, G. */
static void build_rb(uint64_t mm)
{
	const struct vh_profile *p = prof;
	uint32_t rb = p->vm_area_struct.vm_rb.offset;
	static const int left[NVMAS] = {-1, 0, -1, 1, -1, 4, -1};
	static const int right[NVMAS] = {-1, 2, -1, 5, -1, 6, -1};
	static const int parent[NVMAS] = {1, 3, 1, -1, 5, 3, 5};

	set(mm + p->mm_struct.mm_rb.offset, &p->rb_root.rb_node, va(VMA(3) + rb));
	for (int i = 0; i < NVMAS; i++) {
		uint64_t n = VMA(i) + rb;

		set(n, &p->rb_node.rb_left, left[i] < 0 ? 0 : va(VMA(left[i]) + rb));
		set(n, &p->rb_node.rb_right, right[i] < 0 ? 0 : va(VMA(right[i]) + rb));
		set(n, &p->rb_node.rb_parent_color,
		    (parent[i] < 0 ? 0 : va(VMA(parent[i]) + rb)) | 1); /* black */
	}
}

/* The maple tree of 6.1: one leaf_64 root node, gaps as empty slots. */
static void build_maple(uint64_t mm)
{
	const struct vh_profile *p = prof;
	uint64_t tree = mm + p->mm_struct.mm_mt.offset, lo = 0;
	uint32_t pv = p->maple_range_64.pivot.offset, sl = p->maple_range_64.slot.offset;
	unsigned n = 0;

	put64(MAPLE + p->maple_range_64.parent.offset, va(tree) | 1); /* MA_ROOT_PARENT */
	for (int i = 0; i <= NVMAS; i++) {
		if (i == NVMAS || vmas[i].start > lo) {
			/* a gap: an empty slot up to the next VMA (or to the end) */
			if (i < NVMAS)
				put64(MAPLE + pv + 8 * n, vmas[i].start - 1);
			n++;
		}
		if (i == NVMAS)
			break;
		put64(MAPLE + pv + 8 * n, vmas[i].end - 1);
		put64(MAPLE + sl + 8 * n, va(VMA(i)));
		n++;
		lo = vmas[i].end;
	}
	assert_true(n <= 16);
	mem[MAPLE + p->maple_range_64.meta.offset + p->maple_metadata.end.offset] =
	    (uint8_t)(n - 1);
	set(tree, &p->maple_tree.ma_root,
	    va(MAPLE) | (uint64_t)p->enums.maple_leaf_64.value << 3 | 4 | 2);
}

static void build_mm(void)
{
	const struct vh_profile *p = prof;
	const struct vh_prof_vm_area_struct *s = &p->vm_area_struct;
	const struct vh_prof_mm_struct *m = &p->mm_struct;
	static const char args[] = "/sbin/init\0-v";

	vma_specs();
	set(MM, &m->pgd, va(UPGD));
	set(MM, &m->map_count, NVMAS);
	set(MM, &m->start_brk, 0x410000);
	set(MM, &m->brk, 0x420000);
	set(MM, &m->start_stack, 0x5ffe00);
	set(MM, &m->arg_start, 0x5ff800);
	set(MM, &m->arg_end, 0x5ff800 + sizeof(args));
	set(MM, &m->start_code, 0x400000);
	set(MM, &m->end_code, 0x401000);
	set(MM, &m->mm_users, 2);
	set(MM, &m->exe_file, va(FILE_BIN));
	for (int i = 0; i < NVMAS; i++) {
		uint64_t v = VMA(i);

		set(v, &s->vm_start, vmas[i].start);
		set(v, &s->vm_end, vmas[i].end);
		set(v, &s->vm_flags, vmas[i].flags);
		set(v, &s->vm_pgoff, vmas[i].pgoff);
		set(v, &s->vm_file, vmas[i].file);
		set(v, &s->vm_mm, va(MM));
		if (vmas[i].kind == 1) {
			set(v, &s->vm_ops, va(SPECIAL_VMOPS));
			set(v, &s->vm_private_data, va(SPECIAL_MAP));
		}
		if (vmas[i].kind == 2)
			set(v, &s->anon_name, va(ANON_NAME));
		if (vh_present(&s->vm_next)) {
			set(v, &s->vm_next, i + 1 < NVMAS ? va(VMA(i + 1)) : 0);
			set(v, &s->vm_prev, i ? va(VMA(i - 1)) : 0);
		}
	}
	if (vh_present(&m->mm_mt)) {
		build_maple(MM);
	} else {
		set(MM, &m->mmap, va(VMA(0)));
		build_rb(MM);
	}
	/* page tables: code at 0x400000, a page at 0x402000 outside every VMA, the
	 * arguments' page at 0x5ff000 */
	put64(UPGD, (FK_MEM_PHYS + UPUD) | P | RW | US);
	put64(UPUD, (FK_MEM_PHYS + UPMD) | P | RW | US);
	put64(UPMD + 2 * 8, (FK_MEM_PHYS + UPT) | P | RW | US);
	put64(UPT + 0 * 8, (FK_MEM_PHYS + CODE) | P | US);
	put64(UPT + 2 * 8, (FK_MEM_PHYS + HIDDEN) | P | US);
	put64(UPT + 511 * 8, (FK_MEM_PHYS + STACK) | P | RW | US | VH_X86_PTE_NX);
	memcpy(mem + STACK + 0x800, args, sizeof(args));
	/* push rbp; mov rbp, rsp; syscall; ret, in both code pages */
	static const uint8_t code[] = {0x55, 0x48, 0x89, 0xe5, 0x0f, 0x05, 0xc3};
	memcpy(mem + CODE, code, sizeof(code));
	memcpy(mem + HIDDEN, code, sizeof(code));
	/* the code page's struct page: the file's page cache */
	put64(VMEMMAP_VAR, va(PAGES) - (FK_MEM_PHYS >> 12) * p->page.type.size);
	set(PAGES + ((CODE) >> 12) * p->page.type.size, &p->page.mapping, va(MAPPING));
	set(PAGES + ((CODE) >> 12) * p->page.type.size, &p->page._refcount, 2);
}

static void build_gate(void)
{
	const struct vh_prof_vm_area_struct *s = &prof->vm_area_struct;
	const struct vh_prof_consts *c = &prof->c;

	put(VSYSCALL_MODE, 1, 4); /* XONLY */
	set(GATE, &s->vm_start, 0xffffffffff600000ull);
	set(GATE, &s->vm_end, 0xffffffffff601000ull);
	set(GATE, &s->vm_flags, (uint64_t)(c->VM_EXEC.value | c->VM_MAYREAD.value));
}

/* The well-formed input for kernel @k, with @flags. */
/* sys_call_table's entries into the text, and an empty modules list. */
static void build_syscalls(void)
{
	sym(FK_SYS_CALL_TABLE, SCT);
	sym(FK_STEXT, TEXT);
	sym(FK_ETEXT, TEXT_END);
	sym(FK_MODULES, MODULES);
	sym(FK_INIT_IPC_NS, IPCNS);
	for (unsigned i = 0; i < NSYSCALLS; i++)
		put64(SCT + 8 * i, va(TEXT + 16 * i));
	put64(MODULES, va(MODULES));
	put64(MODULES + 8, va(MODULES));
}

static void build(unsigned k, unsigned flags)
{
	memset(input, 0, sizeof(input));
	string_at = STRINGS;
	prof = fk_profile(k);
	input[0] = (uint8_t)k;
	input[1] = (uint8_t)flags;
	for (int s = 0; s < FK_NSYMS; s++)
		sym((enum fk_sym)s, FK_NOSYM);
	sym(FK_INIT_TASK, TASK(0));
	sym(FK_INIT_PID_NS, PIDNS);
	sym(FK_SPECIAL_MAPPING_VMOPS, SPECIAL_VMOPS);
	sym(FK_GATE_VMA, GATE);
	sym(FK_VSYSCALL_MODE, VSYSCALL_MODE);
	sym(FK_SIMPLE_DNAME, SIMPLE_DNAME);
	sym(FK_ANON_INODEFS_DNAME, ANON_DNAME);
	sym(FK_VMEMMAP_BASE, VMEMMAP_VAR);
	build_syscalls();
	build_tasks();
	build_pids();
	build_files();
	build_mm();
	build_gate();
}

static void check_whole(unsigned k)
{
	struct fk_result r;
	bool named = k == 1; /* 6.1 has vm_area_struct.anon_name */

	build(k, FK_CMDLINE | FK_SCAN);
	vh_test_seed("kernel", input, sizeof(input));
	fk_run(input, sizeof(input), &r);
	assert_int_equal(r.tasks_err, VH_OK);
	/* no linear map is built here: slab-xview says it skips, and only that */
	assert_int_equal(r.scan_warnings, 1);
	assert_non_null(strstr(r.first_warning, "slab-xview: skipped: no page_offset_base"));
	r.scan_warnings = 0;
	if (r.task_warnings + r.vma_warnings + r.scan_warnings)
		print_message("warning: %s\n", r.first_warning);
	assert_int_equal(r.task_warnings + r.vma_warnings + r.scan_warnings, 0);
	assert_int_equal(r.ntasks, 4);
	assert_int_equal(r.ngroups, 3);
	assert_true(r.task_list_complete);
	assert_int_equal(r.pid_table, VH_PID_TABLE_COMPLETE);
	assert_int_equal(r.ncmdlines, 2); /* init and its thread share the mm */
	assert_string_equal(r.cmdline, "/sbin/init");
	assert_int_equal(r.maps_err, VH_OK);
	assert_int_equal(r.nprocs, 1);
	assert_int_equal(r.nvmas, NVMAS + 1); /* and [vsyscall] */
	assert_string_equal(r.paths,
			    named ? "/sbin/init;/sbin/init;[heap];[stack];[anon:buf];/memfd:x "
				    "(deleted);[vdso];[vsyscall];"
				  : "/sbin/init;/sbin/init;[heap];[stack];/memfd:x "
				    "(deleted);[vdso];[vsyscall];");
	assert_int_equal(r.scan_err, VH_OK);
	assert_true(r.nfindings >= 1); /* at least the page mapped outside every VMA */
	print_message("kernel %s: %zu tasks, %zu VMAs, %zu findings\n", vh_test_kernels[k].release,
		      r.ntasks, r.nvmas, r.nfindings);
	/* without the detectors and the command lines: a seed of its own */
	build(k, 0);
	vh_test_seed("kernel", input, sizeof(input));
	fk_run(input, sizeof(input), &r);
	assert_int_equal(r.ntasks, 4);
	assert_int_equal(r.ncmdlines, 0);
	assert_int_equal(r.scan_err, VH_ERR_INVAL); /* not run */
}

static void test_whole_5_10(void **state)
{
	(void)state;
	check_whole(0);
}

static void test_whole_6_1(void **state)
{
	(void)state;
	check_whole(1);
}

/* Damage: each still ends, with what could be read. */
static void test_damaged(void **state)
{
	struct fk_result r;

	(void)state;
	for (unsigned k = 0; k < VH_TEST_NKERNELS; k++) {
		const struct vh_prof_task_struct *ts;

		/* kthreadd's task list link back to init: a cycle without init_task */
		build(k, FK_CMDLINE | FK_SCAN);
		ts = &prof->task_struct;
		put64(TASK(2) + ts->tasks.offset, va(TASK(1) + ts->tasks.offset));
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.tasks_err, VH_OK);
		assert_false(r.task_list_complete);
		assert_true(r.task_warnings > 0);
		assert_int_equal(r.ntasks, 4); /* the children list and the pid table */
		vh_test_seed("kernel", input, sizeof(input));

		/*
		 * a path whose dentries are each other's parents; a VMA stored
		 * twice in the maple tree, or a vm_next list that loops
		 */
		build(k, FK_SCAN);
		set(D_SBIN, &prof->dentry.d_parent, va(D_INIT));
		if (vh_present(&prof->mm_struct.mm_mt))
			put64(MAPLE + prof->maple_range_64.slot.offset + 3 * 8, va(VMA(0)));
		else
			set(VMA(2), &prof->vm_area_struct.vm_next, va(VMA(0)));
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.maps_err, VH_OK);
		assert_int_equal(r.nprocs, 1);
		assert_non_null(strstr(r.paths, "[heap]"));
		assert_true(r.vma_warnings > 0);
		assert_true(r.npartial >= 2); /* /sbin/init's VMAs */
		vh_test_seed("kernel", input, sizeof(input));

		/*
		 * a hooked sys_call_table entry, and a modules list whose one
		 * module links to itself: the walk stops, the hook is reported
		 */
		build(k, FK_SCAN);
		put64(SCT + 8 * 3, va(MODULE + 0x800));
		put64(MODULES, va(MODULE + prof->module.list.offset));
		put64(MODULE + prof->module.list.offset, va(MODULE + prof->module.list.offset));
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.scan_err, VH_OK);
		assert_true(r.nfindings >= 2); /* the hidden page and the hook */
		assert_true(r.scan_warnings > 0);
		assert_non_null(strstr(r.first_warning, "modules list"));
		vh_test_seed("kernel", input, sizeof(input));

		/* sys_call_table 3 bytes before a page's end (a fuzzer's find: the
		 * page-sized reads never advanced past it) */
		build(k, FK_SCAN);
		sym(FK_SYS_CALL_TABLE, SCT + 0xffd);
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.scan_err, VH_OK);
		assert_non_null(strstr(r.first_warning, "not 8-byte aligned"));
		vh_test_seed("kernel", input, sizeof(input));

		/* RSS counters near 2^63 (a fuzzer's find: their sum overflowed) */
		build(k, FK_SCAN);
		for (int i = 0; i < 4; i++)
			put64(MM + prof->mm_struct.rss_stat.offset + 8 * (uint64_t)i,
			      0xaba9aba9aba9aba9ull);
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.scan_err, VH_OK);
		assert_non_null(strstr(r.first_warning, "not a page count"));
		vh_test_seed("kernel", input, sizeof(input));

		/* the user page tables point back at themselves */
		build(k, FK_SCAN);
		put64(UPT + 8, (FK_MEM_PHYS + UPGD) | P | RW | US);
		put64(UPMD, (FK_MEM_PHYS + UPMD) | P | RW | US);
		fk_run(input, sizeof(input), &r);
		assert_int_equal(r.scan_err, VH_OK);
		vh_test_seed("kernel", input, sizeof(input));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_5_10),
	    cmocka_unit_test(test_whole_6_1),
	    cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
