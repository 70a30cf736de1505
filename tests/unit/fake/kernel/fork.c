/* SPDX-License-Identifier: MIT */
/* Unit of the fake vmlinux named like the kernel's: the tasks and the banner (see fake_vmlinux.c).
 */
#include "../fake_kernel.h"

const char linux_banner[] = "Linux version 9.9.9-fake (test@vmahunt) (gcc) #1 SMP\n";

struct uts_namespace init_uts_ns = {
    .name = {.sysname = "Linux", .release = "9.9.9-fake", .machine = "x86_64"},
};

struct task_struct init_task = {.comm = "swapper/0"};
struct mm_struct init_mm;
