/* SPDX-License-Identifier: MIT */
/* Unit of the fake vmlinux named like the kernel's: the maple tree nodes (see fake_vmlinux.c). */
#include "../fake_kernel.h"

struct maple_range_64 a_range_node;
enum maple_type a_maple_type = maple_arange_64;
