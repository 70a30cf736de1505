/* SPDX-License-Identifier: MIT */
/*
 * The kernel walkers over fuzzed kernel memory: a maple tree (the VMA tree of
 * 6.1+) and an xarray (the pid table), with the layouts of the lab's
 * kernels. The input's first 8 bytes are the root (ma_root, xa_head); the
 * rest is the memory at FUZZ_BASE, where the unit tests put their nodes.
 */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "kernel/maple.h"
#include "kernel/xarray.h"

static const struct vh_maple_layout maple = {
    .node_size = 256,
    .parent = 0,
    .r64_pivot = 8,
    .r64_slot = 128,
    .r64_meta = 248,
    .r64_nslots = 16,
    .a64_pivot = 8,
    .a64_slot = 80,
    .a64_meta = 240,
    .a64_nslots = 10,
    .dense_slot = 8,
    .dense_nslots = 31,
    .meta_end = 0,
    .have_meta = true,
    .t_dense = 0,
    .t_leaf64 = 1,
    .t_range64 = 2,
    .t_arange64 = 3,
    .node_mask = 255,
    .type_shift = 3,
    .type_mask = 15,
};

static const struct vh_xa_layout xa = {
    .node_size = 40 + 8 * 64,
    .shift = 0,
    .offset = 1,
    .parent = 8,
    .slots = 40,
    .nslots = 64,
    .chunk_shift = 6,
};

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
	(void)vh_maple_walk(&maple, fuzz_le64(data), FUZZ_BASE - 0x100, &mops, &ms);
	(void)vh_xa_walk(&xa, fuzz_le64(data), &xops, &xs);
	return 0;
}
