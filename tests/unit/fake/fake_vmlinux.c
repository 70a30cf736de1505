/* SPDX-License-Identifier: MIT */
/*
 * A fake vmlinux for the profile tests, in three units named like the
 * kernel's (kernel/fork.c, lib/maple_tree.c and this one), because the loader
 * reads the units likely to hold each type first and decides some types are
 * absent from which units exist. The variables give the ELF symbols and make
 * the compiler emit DWARF for the types of fake_kernel.h. Built as a static
 * executable without libc; it is never run.
 */
#include "fake_kernel.h"

struct qstr a_qstr;
struct pid init_struct_pid;
enum pid_type a_pid_type = PIDTYPE_MAX;
unsigned long page_offset_base = 0xffff888000000000ul;

void _start(void)
{
}
