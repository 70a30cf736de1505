/* SPDX-License-Identifier: MIT */
/*
 * The kernel walkers over fuzzed kernel memory: a maple tree (the VMA tree of
 * 6.1+) and an xarray (the pid table), with the layouts of the lab's kernels
 * (layouts/maple_xa.h). The input's first 8 bytes are the root (ma_root,
 * xa_head); the rest is the memory at FUZZ_BASE, where the unit tests put
 * their nodes. fuzz_kernel runs the same walkers inside the whole task and
 * VMA walk.
 */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "layouts/maple_xa.h"

static int maple_entry(void *arg, uint64_t min, uint64_t max, uint64_t entry)
{
	(void)arg;
	(void)min;
	(void)max;
	(void)entry;
	return 0;
}

static int xa_entry(void *arg, uint64_t index, uint64_t entry)
{
	(void)arg;
	(void)index;
	(void)entry;
	return 0;
}

static void warn(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem mem = {data, 0, 0};
	struct vh_maple_ops mops = {fuzz_mem_read, maple_entry, warn, &mem, 4096};
	struct vh_xa_ops xops = {
	    .read = fuzz_mem_read, .entry = xa_entry, .warn = warn, .arg = &mem, .max_nodes = 4096};
	struct vh_maple_stats ms;
	struct vh_xa_stats xs;

	if (size < 8)
		return 0;
	mem.data = data + 8;
	mem.size = size - 8;
	(void)vh_maple_walk(&vh_test_maple_layout, fuzz_le64(data), FUZZ_BASE - 0x100, &mops, &ms);
	(void)vh_xa_walk(&vh_test_xa_layout, fuzz_le64(data), &xops, &xs);
	return 0;
}
