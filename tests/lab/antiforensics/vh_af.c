// SPDX-License-Identifier: GPL-2.0
/*
 * vh_af: anti-forensics plants for the vmahunt test lab guests (5.10 to 7.x kernels).
 *
 * Loaded by the guest's /init after the ground truth was printed and before the host
 * dumps the guest. Each action is asked for by module parameters and done once, at load:
 *
 *   hidden_vma    hide_pid, hide_addr: take the VMA starting at hide_addr out of the
 *                 mm's VMA tree (6.1: the maple tree mm->mm_mt; 5.10: the mm->mmap list
 *                 and the mm->mm_rb rbtree), leaving its page table entries and
 *                 mm->map_count as they were.
 *   unlinked_task unlink_pid, tasklist_lock: take a single-threaded thread-group leader
 *                 off the task list (task->tasks); it stays in the pid table. The
 *                 address of tasklist_lock (not exported) comes from /proc/kallsyms.
 *   pte_widened   widen_pid, widen_addr: make the present PTE of widen_addr, in a VMA
 *                 without VM_WRITE and VM_EXEC, writable and executable (RW set, NX
 *                 clear) without touching the VMA.
 *
 *   pte_erased    erase_pid, erase_addr: the PTE of erase_addr (an anonymous page) is
 *                 cleared while a reference keeps the frame allocated, and the rmap is
 *                 not told: the frame's struct page still names the VMA's anon_vma and
 *                 the page's index, as in "PTE erasure" (Palutke et al., DFRWS 2020).
 *   pte_remapped  remap_pid, remap_addr, remap_src: the PTE of remap_addr is pointed at
 *                 the frame of remap_src (a decoy page of the same process) and the
 *                 original frame is kept allocated by a reference ("PTE remapping").
 *
 *   task_flagged  flag_pid, sct: what a Diamorphine-style rootkit leaves. The task's
 *                 flags get 0x10000000 (the rootkit's PF_INVISIBLE, which its hooks
 *                 filter out of /proc), the sys_call_table entries of kill, getdents
 *                 and getdents64 are pointed at functions of this module (written
 *                 through a writable alias of the read-only page, as rootkits that
 *                 cannot clear CR0.WP do), and the module takes itself off the
 *                 modules list. The hooks pass every call on; from 6.9 (and stable
 *                 kernels with the BHI fix) system calls no longer dispatch through
 *                 the table, and the hooks are never called. The table's address
 *                 (not exported) comes from /proc/kallsyms.
 *
 * The outcome of each is left in a read-only parameter (/sys/module/vh_af/parameters/
 * *_result: 0 or a negative errno; hide_end, hide_pages, widen_pte) for /init to print
 * into the truth. The module stays loaded; nothing is undone (the guest is crashed or
 * powered off next).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/vmalloc.h>
#include <linux/version.h>
#include <asm/set_memory.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#include <linux/vmacache.h>
#endif

static int hide_pid;
module_param(hide_pid, int, 0444);
static unsigned long hide_addr;
module_param(hide_addr, ulong, 0444);
static int unlink_pid;
module_param(unlink_pid, int, 0444);
static unsigned long tasklist_lock_addr;
module_param_named(tasklist_lock, tasklist_lock_addr, ulong, 0444);
static int widen_pid;
module_param(widen_pid, int, 0444);
static unsigned long widen_addr;
module_param(widen_addr, ulong, 0444);

static int erase_pid;
module_param(erase_pid, int, 0444);
static unsigned long erase_addr;
module_param(erase_addr, ulong, 0444);
static int remap_pid;
module_param(remap_pid, int, 0444);
static unsigned long remap_addr;
module_param(remap_addr, ulong, 0444);
static unsigned long remap_src;
module_param(remap_src, ulong, 0444);

/* results, read back by /init */
static int hide_result = -ENOENT;
module_param(hide_result, int, 0444);
static unsigned long hide_end;
module_param(hide_end, ulong, 0444);
static int hide_pages;
module_param(hide_pages, int, 0444);
static int unlink_result = -ENOENT;
module_param(unlink_result, int, 0444);
static int widen_result = -ENOENT;
module_param(widen_result, int, 0444);
static unsigned long widen_pte; /* the PTE value written */
module_param(widen_pte, ulong, 0444);
static int erase_result = -ENOENT;
module_param(erase_result, int, 0444);
static unsigned long erase_pfn; /* the frame left allocated and unmapped */
module_param(erase_pfn, ulong, 0444);
static int remap_result = -ENOENT;
module_param(remap_result, int, 0444);
static unsigned long remap_pfn; /* the original frame, left allocated and unmapped */
module_param(remap_pfn, ulong, 0444);
static unsigned long remap_decoy_pfn; /* the frame the PTE maps now */
module_param(remap_decoy_pfn, ulong, 0444);

static int flag_pid;
module_param(flag_pid, int, 0444);
static unsigned long sct;
module_param(sct, ulong, 0444);
static int flag_result = -ENOENT;
module_param(flag_result, int, 0444);
static unsigned int flag_flags; /* the task's flags after */
module_param(flag_flags, uint, 0444);
/* "NR ENTRY ENTRY_END HOOK" per hooked entry, hex, ';'-separated (shell arithmetic is signed) */
static char hook_report[256];
module_param_string(hook_report, hook_report, sizeof(hook_report), 0444);

static struct task_struct *task_of(int nr)
{
	struct pid *pid = find_get_pid(nr);
	struct task_struct *task;

	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task;
}

/*
 * The present PTE of @addr, or NULL (a table missing, a huge page, not present). A walk
 * of its own with the inline page-table helpers, the same on every kernel the lab builds
 * for (follow_pte() changed its arguments in 6.10 and is gone in 6.12; the PTE-lock
 * helpers are not all exported). The caller holds mmap_write_lock and the target process
 * sleeps, so no fault races it; the PTE lock is not taken. x86-64 has no highmem: the
 * PTE table is in the direct map.
 */
static pte_t *present_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_bad(*pmd) || pmd_trans_huge(*pmd))
		return NULL;
	pte = pte_offset_kernel(pmd, addr);
	return pte_present(*pte) ? pte : NULL;
}

/* Present PTEs in [start, end); the caller holds the mmap lock. */
static int count_present(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long addr;
	int n = 0;

	for (addr = start; addr < end; addr += PAGE_SIZE)
		n += present_pte(mm, addr) != NULL;
	return n;
}

/* Take vma out of the mm's VMA index; map_count and the page tables stay. */
static int unlink_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
	return mtree_erase(&mm->mm_mt, vma->vm_start) == vma ? 0 : -EIO;
#else
	struct vm_area_struct *prev = vma->vm_prev, *next = vma->vm_next;

	if (prev)
		prev->vm_next = next;
	else
		mm->mmap = next;
	if (next)
		next->vm_prev = prev;
	else
		mm->highest_vm_end = prev ? prev->vm_end : 0;
	/* plain rb_erase: the gap augmentation goes stale, as a rootkit would leave it */
	rb_erase(&vma->vm_rb, &mm->mm_rb);
	vmacache_invalidate(mm);
	return 0;
#endif
}

static int do_hide_vma(void)
{
	struct task_struct *task = task_of(hide_pid);
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	int ret;

	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	vma = find_vma(mm, hide_addr);
	if (!vma || vma->vm_start != hide_addr) {
		ret = -ENOENT;
	} else {
		hide_end = vma->vm_end;
		hide_pages = count_present(mm, vma->vm_start, vma->vm_end);
		ret = unlink_vma(mm, vma);
	}
	mmap_write_unlock(mm);
	mmput(mm);
	return ret;
}

static int do_unlink_task(void)
{
	rwlock_t *lock = (rwlock_t *)tasklist_lock_addr;
	struct task_struct *task;

	if (!lock)
		return -EINVAL;
	task = task_of(unlink_pid);
	if (!task)
		return -ESRCH;
	if (!thread_group_leader(task) || get_nr_threads(task) != 1 || (task->flags & PF_KTHREAD)) {
		put_task_struct(task);
		return -EINVAL;
	}
	write_lock_irq(lock);
	list_del_rcu(&task->tasks);
	write_unlock_irq(lock);
	/* once no RCU walker can stand on it, point it at itself: a later
	 * list_del_rcu at exit stays harmless */
	synchronize_rcu();
	INIT_LIST_HEAD(&task->tasks);
	put_task_struct(task);
	return 0;
}

static int do_widen_pte(void)
{
	struct task_struct *task = task_of(widen_pid);
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	pte_t *ptep;
	int ret;

	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	vma = find_vma(mm, widen_addr);
	if (!vma || vma->vm_start > widen_addr || (vma->vm_flags & (VM_WRITE | VM_EXEC))) {
		ret = -ENOENT;
	} else if (!(ptep = present_pte(mm, widen_addr))) {
		ret = -EFAULT;
	} else {
		pte_t pte = pte_clear_flags(pte_set_flags(*ptep, _PAGE_RW), _PAGE_NX);

		set_pte_at(mm, widen_addr, ptep, pte);
		widen_pte = pte_val(pte);
		ret = 0;
	}
	mmap_write_unlock(mm);
	mmput(mm);
	return ret;
}

/* The mm of @nr with its mmap lock held for writing, or NULL. */
static struct mm_struct *locked_mm(int nr)
{
	struct task_struct *task = task_of(nr);
	struct mm_struct *mm;

	if (!task)
		return NULL;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (mm)
		mmap_write_lock(mm);
	return mm;
}

static void unlock_mm(struct mm_struct *mm)
{
	mmap_write_unlock(mm);
	mmput(mm);
}

/* The present PTE of @addr in an anonymous VMA. */
static int anon_pte(struct mm_struct *mm, unsigned long addr, pte_t **ptep)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma || vma->vm_start > addr || !vma_is_anonymous(vma))
		return -ENOENT;
	*ptep = present_pte(mm, addr);
	return *ptep ? 0 : -EFAULT;
}

static int do_erase_pte(void)
{
	struct mm_struct *mm = locked_mm(erase_pid);
	pte_t *ptep;
	int ret;

	if (!mm)
		return -ESRCH;
	ret = anon_pte(mm, erase_addr, &ptep);
	if (!ret) {
		/* the "copy kept elsewhere": a reference, so the frame is never freed */
		get_page(pte_page(*ptep));
		erase_pfn = pte_pfn(*ptep);
		pte_clear(mm, erase_addr, ptep);
	}
	unlock_mm(mm);
	return ret;
}

static int do_remap_pte(void)
{
	struct mm_struct *mm = locked_mm(remap_pid);
	pte_t *ptep;
	int ret;

	if (!mm)
		return -ESRCH;
	ret = anon_pte(mm, remap_src, &ptep);
	if (!ret) {
		remap_decoy_pfn = pte_pfn(*ptep);
		get_page(pte_page(*ptep)); /* mapped twice now; the rmap is not told */
		ret = anon_pte(mm, remap_addr, &ptep);
	}
	if (!ret) {
		struct vm_area_struct *vma = find_vma(mm, remap_addr);

		get_page(pte_page(*ptep)); /* the original frame stays allocated */
		remap_pfn = pte_pfn(*ptep);
		set_pte_at(mm, remap_addr, ptep, pfn_pte(remap_decoy_pfn, vma->vm_page_prot));
	}
	unlock_mm(mm);
	return ret;
}

/* --- task_flagged: the rootkit's mark, its hooks, its module hidden --- */

#define ROOTKIT_PF_INVISIBLE 0x10000000
static const int hooked_nr[3] = {62, 78, 217}; /* kill, getdents, getdents64 (x86-64) */
typedef long (*syscall_fn)(const struct pt_regs *);
static syscall_fn orig_fn[3];

static long hook_kill(const struct pt_regs *regs)
{
	return orig_fn[0](regs);
}

static long hook_getdents(const struct pt_regs *regs)
{
	return orig_fn[1](regs);
}

static long hook_getdents64(const struct pt_regs *regs)
{
	return orig_fn[2](regs);
}

/* Writes a read-only kernel word through a writable alias of its page. */
static int write_ro(unsigned long addr, unsigned long val)
{
	struct page *pg = pfn_to_page(slow_virt_to_phys((void *)addr) >> PAGE_SHIFT);
	void *alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);

	if (!alias)
		return -ENOMEM;
	WRITE_ONCE(*(unsigned long *)(alias + offset_in_page(addr)), val);
	vunmap(alias);
	return 0;
}

static int do_flag_task(void)
{
	static const syscall_fn hooks[3] = {hook_kill, hook_getdents, hook_getdents64};
	struct task_struct *task = task_of(flag_pid);
	unsigned long *table = (unsigned long *)sct;
	int i, ret = 0;

	if (!task)
		return -ESRCH;
	if (!sct) {
		put_task_struct(task);
		return -EINVAL;
	}
	task->flags |= ROOTKIT_PF_INVISIBLE;
	flag_flags = task->flags;
	put_task_struct(task);
	for (i = 0; i < 3 && !ret; i++) {
		unsigned long entry = (unsigned long)&table[hooked_nr[i]];
		size_t len = strlen(hook_report);

		orig_fn[i] = (syscall_fn)READ_ONCE(table[hooked_nr[i]]);
		ret = write_ro(entry, (unsigned long)hooks[i]);
		if (!ret)
			snprintf(hook_report + len, sizeof(hook_report) - len,
				 "%d 0x%lx 0x%lx 0x%lx;", hooked_nr[i], entry, entry + 8,
				 (unsigned long)hooks[i]);
	}
	if (!ret)
		list_del_init(&THIS_MODULE->list); /* gone from lsmod and /proc/modules */
	return ret;
}

static int __init vh_af_init(void)
{
	if (hide_pid)
		hide_result = do_hide_vma();
	if (widen_pid)
		widen_result = do_widen_pte();
	if (unlink_pid)
		unlink_result = do_unlink_task();
	if (erase_pid)
		erase_result = do_erase_pte();
	if (remap_pid)
		remap_result = do_remap_pte();
	if (flag_pid)
		flag_result = do_flag_task();
	pr_info("vh_af: hide %d (%d pages) widen %d unlink %d erase %d remap %d flag %d\n",
		hide_result, hide_pages, widen_result, unlink_result, erase_result, remap_result,
		flag_result);
	return 0;
}

static void __exit vh_af_exit(void)
{
}

module_init(vh_af_init);
module_exit(vh_af_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmahunt test lab: hide a VMA, unlink a task, widen, erase and remap PTEs, "
		   "mark a task and hook system calls");
