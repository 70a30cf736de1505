/* SPDX-License-Identifier: MIT */
/*
 * A fake vmlinux for the profile tests: the variables give the ELF symbols
 * (linux_banner, init_uts_ns, init_task...) and make the compiler emit DWARF
 * for every type of fake_kernel.h. Built as a static executable without libc;
 * it is never run.
 */
#include "fake_kernel.h"

const char linux_banner[] = "Linux version 9.9.9-fake (test@vmahunt) (gcc) #1 SMP\n";

struct uts_namespace init_uts_ns = {
    .name = {.sysname = "Linux", .release = "9.9.9-fake", .machine = "x86_64"},
};

struct task_struct init_task = {.comm = "swapper/0"};
struct mm_struct init_mm;
struct maple_range_64 a_range_node;
struct qstr a_qstr;
struct pid init_struct_pid;
enum maple_type a_maple_type = maple_arange_64;
enum pid_type a_pid_type = PIDTYPE_MAX;
unsigned long page_offset_base = 0xffff888000000000ul;

void _start(void)
{
}
