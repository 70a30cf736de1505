/* SPDX-License-Identifier: MIT */
/*
 * Every entry of struct vh_profile and the kernel names that fill it.
 * Alternatives are listed newest name first; ->alt in the profile says which matched.
 */
#include "symbols/profile_internal.h"

#include <stddef.h>

#define P(field) offsetof(struct vh_profile, field)

#define SYM(f, ...)                                                                                \
	{                                                                                          \
		VH_PROF_SYMBOL, #f, {__VA_ARGS__}, NULL, P(sym.f), false, 0                        \
	}
#define SYM1(f) SYM(f, #f)
#define STRUCT(s, ...)                                                                             \
	{                                                                                          \
		VH_PROF_STRUCT, #s, {__VA_ARGS__}, NULL, P(s.type), false, 0                       \
	}
#define STRUCT1(s) STRUCT(s, #s)
#define MEM(s, f, ...)                                                                             \
	{                                                                                          \
		VH_PROF_MEMBER, #s "." #f, {__VA_ARGS__}, NULL, P(s.f), false, 0                   \
	}
#define MEM1(s, f) MEM(s, f, #f)
#define ENUM(t, e)                                                                                 \
	{                                                                                          \
		VH_PROF_ENUM, #t "." #e, {#e}, #t, P(enums.e), false, 0                            \
	}
#define NUMBER(k)                                                                                  \
	{                                                                                          \
		VH_PROF_CONST, #k, {#k}, NULL, P(c.k), false, 0                                    \
	}
#define BUILTIN(k, v)                                                                              \
	{                                                                                          \
		VH_PROF_CONST, #k, {#k}, NULL, P(c.k), true, (v)                                   \
	}

const struct vh_prof_desc vh_prof_table[] = {
    /* symbols */
    SYM1(init_task),
    SYM1(init_mm),
    SYM1(init_cred),
    SYM1(init_uts_ns),
    SYM1(init_pid_ns),
    SYM1(linux_banner),
    SYM1(init_top_pgt),
    SYM1(swapper_pg_dir),
    SYM1(page_offset_base),
    SYM1(vmemmap_base),
    SYM1(vmalloc_base),
    SYM1(phys_base),
    SYM(pgtable_l5_enabled, "__pgtable_l5_enabled", "pgtable_l5_enabled"),
    SYM1(_text),
    SYM1(_stext),
    SYM1(_etext),
    SYM1(_end),
    SYM(start_BTF, "__start_BTF"),
    SYM(stop_BTF, "__stop_BTF"),
    SYM1(kallsyms_addresses),
    SYM1(kallsyms_offsets),
    SYM1(kallsyms_relative_base),
    SYM1(kallsyms_num_syms),
    SYM1(kallsyms_names),
    SYM1(kallsyms_markers),
    SYM1(kallsyms_token_table),
    SYM1(kallsyms_token_index),
    SYM1(kallsyms_seqs_of_names),
    SYM1(vmcoreinfo_data),
    SYM1(vmcoreinfo_note),
    SYM1(mem_section),
    SYM1(node_data),
    SYM(per_cpu_offset, "__per_cpu_offset"),
    SYM(current_task, "current_task", "pcpu_hot"),
    SYM1(runqueues),
    SYM1(max_pfn),
    SYM1(super_blocks),
    SYM1(modules),
    SYM1(special_mapping_vmops),
    SYM1(gate_vma),
    SYM1(vsyscall_mode),
    SYM1(simple_dname),
    SYM1(anon_inodefs_dname),
    SYM1(init_ipc_ns),
    /* vmahunt core */
    SYM(start_init_stack, "__start_init_stack", "__start_init_task"),
    SYM(end_init_stack, "__end_init_stack", "__end_init_task"),
    SYM1(asm_fred_entrypoint_user),
    SYM1(sys_call_table),
    SYM1(nr_cpu_ids),
    SYM1(ia32_sys_call_table),
    SYM1(task_struct_cachep),
    SYM1(vm_area_cachep),
    SYM1(mm_cachep),

    STRUCT1(list_head),
    MEM1(list_head, next),
    MEM1(list_head, prev),

    STRUCT1(hlist_node),
    MEM1(hlist_node, next),
    MEM1(hlist_node, pprev),

    STRUCT1(rb_node),
    MEM(rb_node, rb_parent_color, "__rb_parent_color"),
    MEM1(rb_node, rb_right),
    MEM1(rb_node, rb_left),

    STRUCT1(rb_root),
    MEM1(rb_root, rb_node),

    STRUCT1(rb_root_cached),
    MEM1(rb_root_cached, rb_root),
    MEM1(rb_root_cached, rb_leftmost),

    STRUCT1(task_struct),
    MEM(task_struct, state, "__state", "state"),
    MEM1(task_struct, flags),
    MEM1(task_struct, stack),
    MEM(task_struct, cpu, "cpu", "thread_info.cpu"),
    MEM1(task_struct, tasks),
    MEM1(task_struct, mm),
    MEM1(task_struct, active_mm),
    MEM1(task_struct, exit_state),
    MEM1(task_struct, exit_code),
    MEM1(task_struct, pid),
    MEM1(task_struct, tgid),
    MEM1(task_struct, real_parent),
    MEM1(task_struct, parent),
    MEM1(task_struct, children),
    MEM1(task_struct, sibling),
    MEM1(task_struct, group_leader),
    MEM1(task_struct, thread_group),
    MEM1(task_struct, thread_node),
    MEM1(task_struct, pid_links),
    MEM1(task_struct, thread_pid),
    MEM1(task_struct, pids),
    MEM1(task_struct, start_time),
    MEM(task_struct, start_boottime, "start_boottime", "real_start_time"),
    MEM1(task_struct, real_cred),
    MEM1(task_struct, cred),
    MEM1(task_struct, comm),
    MEM1(task_struct, fs),
    MEM1(task_struct, files),
    MEM1(task_struct, nsproxy),
    MEM1(task_struct, signal),
    MEM1(task_struct, rss_stat),
    MEM1(task_struct, thread),
    MEM1(task_struct, sched_reset_on_fork),

    STRUCT1(signal_struct),
    MEM1(signal_struct, nr_threads),
    MEM1(signal_struct, thread_head),
    MEM1(signal_struct, pids),

    STRUCT1(cred),
    MEM1(cred, uid),
    MEM1(cred, gid),
    MEM1(cred, suid),
    MEM1(cred, sgid),
    MEM1(cred, euid),
    MEM1(cred, egid),
    MEM1(cred, fsuid),
    MEM1(cred, fsgid),

    STRUCT1(nsproxy),
    MEM1(nsproxy, uts_ns),
    MEM1(nsproxy, mnt_ns),
    MEM1(nsproxy, pid_ns_for_children),
    MEM1(nsproxy, ipc_ns),

    STRUCT1(mm_struct),
    MEM1(mm_struct, mm_mt),
    MEM1(mm_struct, mmap),
    MEM1(mm_struct, mm_rb),
    MEM1(mm_struct, mmap_base),
    MEM1(mm_struct, task_size),
    MEM1(mm_struct, pgd),
    MEM1(mm_struct, mm_users),
    MEM1(mm_struct, mm_count),
    MEM1(mm_struct, map_count),
    MEM1(mm_struct, total_vm),
    MEM1(mm_struct, start_code),
    MEM1(mm_struct, end_code),
    MEM1(mm_struct, start_data),
    MEM1(mm_struct, end_data),
    MEM1(mm_struct, start_brk),
    MEM1(mm_struct, brk),
    MEM1(mm_struct, start_stack),
    MEM1(mm_struct, arg_start),
    MEM1(mm_struct, arg_end),
    MEM1(mm_struct, env_start),
    MEM1(mm_struct, env_end),
    MEM1(mm_struct, owner),
    MEM1(mm_struct, exe_file),
    MEM1(mm_struct, saved_auxv), /* vmahunt core */
    MEM1(mm_struct, rss_stat),

    STRUCT1(vm_area_struct),
    MEM1(vm_area_struct, vm_start),
    MEM1(vm_area_struct, vm_end),
    MEM1(vm_area_struct, vm_next),
    MEM1(vm_area_struct, vm_prev),
    MEM1(vm_area_struct, vm_rb),
    MEM1(vm_area_struct, vm_mm),
    MEM1(vm_area_struct, vm_page_prot),
    MEM1(vm_area_struct, vm_flags),
    MEM1(vm_area_struct, anon_name),
    MEM1(vm_area_struct, anon_vma),
    MEM1(vm_area_struct, vm_ops),
    MEM1(vm_area_struct, vm_pgoff),
    MEM1(vm_area_struct, vm_file),
    MEM1(vm_area_struct, vm_private_data),
    MEM1(vm_area_struct, shared),
    MEM1(vm_area_struct, detached),
    MEM1(vm_area_struct, vm_refcnt),

    STRUCT1(maple_tree),
    MEM1(maple_tree, ma_root),
    MEM1(maple_tree, ma_flags),

    STRUCT1(maple_node),
    MEM1(maple_node, parent),
    MEM1(maple_node, slot),
    MEM1(maple_node, mr64),
    MEM1(maple_node, ma64),

    STRUCT1(maple_range_64),
    MEM1(maple_range_64, parent),
    MEM1(maple_range_64, pivot),
    MEM1(maple_range_64, slot),
    MEM1(maple_range_64, meta),

    STRUCT1(maple_arange_64),
    MEM1(maple_arange_64, parent),
    MEM1(maple_arange_64, pivot),
    MEM1(maple_arange_64, slot),
    MEM1(maple_arange_64, gap),
    MEM1(maple_arange_64, meta),

    STRUCT1(maple_metadata),
    MEM1(maple_metadata, end),
    MEM1(maple_metadata, gap),

    STRUCT1(file),
    MEM1(file, f_path),
    MEM1(file, f_inode),
    MEM1(file, f_mapping),
    MEM1(file, f_flags),
    MEM1(file, f_mode),

    STRUCT1(path),
    MEM1(path, mnt),
    MEM1(path, dentry),

    STRUCT1(dentry),
    MEM1(dentry, d_flags),
    MEM1(dentry, d_parent),
    MEM1(dentry, d_name),
    MEM1(dentry, d_inode),
    MEM1(dentry, d_sb),
    MEM1(dentry, d_hash),
    MEM1(dentry, d_op),
    MEM(dentry, d_iname, "d_iname", "d_shortname"),

    STRUCT1(dentry_operations),
    MEM1(dentry_operations, d_dname),

    STRUCT1(qstr),
    MEM1(qstr, hash),
    MEM1(qstr, len),
    MEM1(qstr, name),

    STRUCT1(inode),
    MEM1(inode, i_mode),
    MEM1(inode, i_sb),
    MEM1(inode, i_mapping),
    MEM1(inode, i_ino),
    MEM1(inode, i_rdev),
    MEM1(inode, i_nlink),
    MEM1(inode, i_size),

    STRUCT1(super_block),
    MEM1(super_block, s_dev),
    MEM1(super_block, s_id),
    MEM1(super_block, s_magic),

    STRUCT1(vfsmount),
    MEM1(vfsmount, mnt_root),
    MEM1(vfsmount, mnt_sb),
    MEM1(vfsmount, mnt_flags),

    STRUCT1(mount),
    MEM1(mount, mnt_parent),
    MEM1(mount, mnt_mountpoint),
    MEM1(mount, mnt),

    STRUCT1(anon_vma_name),
    MEM1(anon_vma_name, kref),
    MEM1(anon_vma_name, name),

    STRUCT1(pid),
    MEM1(pid, count),
    MEM1(pid, level),
    MEM1(pid, tasks),
    MEM1(pid, numbers),

    STRUCT1(upid),
    MEM1(upid, nr),
    MEM1(upid, ns),

    STRUCT1(pid_namespace),
    MEM1(pid_namespace, idr),
    MEM1(pid_namespace, level),
    MEM1(pid_namespace, parent),

    STRUCT1(idr),
    MEM1(idr, idr_rt),
    MEM1(idr, idr_base),
    MEM1(idr, idr_next),

    STRUCT(xarray, "xarray", "radix_tree_root"),
    MEM(xarray, xa_flags, "xa_flags", "gfp_mask"),
    MEM(xarray, xa_head, "xa_head", "rnode"),

    STRUCT(xa_node, "xa_node", "radix_tree_node"),
    MEM1(xa_node, shift),
    MEM1(xa_node, offset),
    MEM1(xa_node, count),
    MEM(xa_node, nr_values, "nr_values", "exceptional"),
    MEM1(xa_node, parent),
    MEM1(xa_node, slots),

    STRUCT1(uts_namespace),
    MEM1(uts_namespace, name),

    STRUCT1(new_utsname),
    MEM1(new_utsname, sysname),
    MEM1(new_utsname, nodename),
    MEM1(new_utsname, release),
    MEM1(new_utsname, version),
    MEM1(new_utsname, machine),
    MEM1(new_utsname, domainname),

    STRUCT1(page),
    MEM1(page, flags),
    MEM1(page, mapping),
    MEM(page, index, "index", "__folio_index"),
    MEM(page, private_, "private"),
    MEM1(page, _refcount),
    MEM1(page, _mapcount),
    MEM1(page, compound_head),
    MEM1(page, slab_cache),
    MEM1(page, freelist),
    MEM1(page, objects),

    /* slab-xview: SLUB */
    STRUCT1(kmem_cache),
    MEM1(kmem_cache, cpu_slab),
    MEM1(kmem_cache, cpu_sheaves),
    MEM1(kmem_cache, flags),
    MEM1(kmem_cache, size),
    MEM1(kmem_cache, object_size),
    MEM1(kmem_cache, offset),
    MEM1(kmem_cache, red_left_pad),
    MEM1(kmem_cache, random),
    MEM1(kmem_cache, refcount),
    MEM1(kmem_cache, name),
    STRUCT1(kmem_cache_cpu),
    MEM1(kmem_cache_cpu, freelist),
    MEM(kmem_cache_cpu, slab, "slab", "page"),
    STRUCT1(slab),
    MEM1(slab, slab_cache),
    MEM1(slab, freelist),
    MEM1(slab, objects),

    STRUCT1(anon_vma),
    MEM1(anon_vma, root),

    STRUCT1(address_space),
    MEM1(address_space, host),
    MEM1(address_space, i_pages),
    MEM1(address_space, nrpages),

    STRUCT1(pt_regs),
    STRUCT1(thread_struct),
    MEM1(thread_struct, sp),
    MEM1(thread_struct, fsbase),
    MEM1(thread_struct, gsbase), /* vmahunt core */

    /* vmahunt files: open files */
    STRUCT1(files_struct),
    MEM1(files_struct, fdt),
    STRUCT1(fdtable),
    MEM1(fdtable, max_fds),
    MEM1(fdtable, fd),

    STRUCT1(mm_rss_stat),
    MEM1(mm_rss_stat, count),

    STRUCT1(task_rss_stat),
    MEM1(task_rss_stat, count),

    STRUCT1(percpu_counter),
    MEM1(percpu_counter, count),
    MEM1(percpu_counter, counters),

    STRUCT1(module),
    MEM1(module, list),
    MEM1(module, name),
    MEM1(module, mem),
    MEM1(module, core_layout),

    STRUCT1(module_memory),
    MEM1(module_memory, base),
    MEM1(module_memory, size),

    STRUCT1(module_layout),
    MEM1(module_layout, base),
    MEM1(module_layout, size),

    /* unmapped-payload: SysV shared memory */
    STRUCT1(ipc_namespace),
    MEM1(ipc_namespace, ids),
    STRUCT1(ipc_ids),
    MEM1(ipc_ids, in_use),
    MEM1(ipc_ids, ipcs_idr),
    STRUCT1(kern_ipc_perm),
    MEM1(kern_ipc_perm, key),
    MEM1(kern_ipc_perm, id),
    MEM1(kern_ipc_perm, deleted),
    STRUCT1(shmid_kernel),
    MEM1(shmid_kernel, shm_perm),
    MEM1(shmid_kernel, shm_file),
    MEM1(shmid_kernel, shm_nattch),
    MEM1(shmid_kernel, shm_segsz),
    MEM1(shmid_kernel, shm_cprid),
    MEM1(shmid_kernel, shm_lprid),

    STRUCT1(sched_entity),
    MEM1(sched_entity, deadline),

    ENUM(maple_type, maple_dense),
    ENUM(maple_type, maple_leaf_64),
    ENUM(maple_type, maple_range_64),
    ENUM(maple_type, maple_arange_64),
    ENUM(pid_type, PIDTYPE_PID),
    ENUM(pid_type, PIDTYPE_TGID),
    ENUM(pid_type, PIDTYPE_PGID),
    ENUM(pid_type, PIDTYPE_SID),
    ENUM(pid_type, PIDTYPE_MAX),

    NUMBER(phys_base),
    NUMBER(pgtable_l5_enabled),
    NUMBER(KERNEL_IMAGE_SIZE),
    NUMBER(sme_mask),
    NUMBER(SECTION_SIZE_BITS),
    NUMBER(MAX_PHYSMEM_BITS),
    NUMBER(PG_slab),
    NUMBER(PAGE_SLAB_MAPCOUNT_VALUE),
    BUILTIN(VM_READ, 0x1),
    BUILTIN(VM_WRITE, 0x2),
    BUILTIN(VM_EXEC, 0x4),
    BUILTIN(VM_SHARED, 0x8),
    BUILTIN(VM_MAYREAD, 0x10),
    BUILTIN(VM_MAYWRITE, 0x20),
    BUILTIN(VM_MAYEXEC, 0x40),
    BUILTIN(VM_MAYSHARE, 0x80),
    BUILTIN(VM_GROWSDOWN, 0x100),
    BUILTIN(VM_PFNMAP, 0x400),
    BUILTIN(VM_LOCKED, 0x2000),
    BUILTIN(VM_IO, 0x4000),
    BUILTIN(PF_EXITING, 0x4),
    BUILTIN(PF_KTHREAD, 0x00200000),
    BUILTIN(TASK_COMM_LEN, 16),
    BUILTIN(MINORBITS, 20),
    BUILTIN(MAPLE_NODE_MASK, 255),
    BUILTIN(MAPLE_NODE_TYPE_SHIFT, 3),
    BUILTIN(MAPLE_NODE_TYPE_MASK, 0xf),
    BUILTIN(XA_CHUNK_SHIFT, 6),
};

const size_t vh_prof_table_len = sizeof(vh_prof_table) / sizeof(vh_prof_table[0]);
