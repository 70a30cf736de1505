/* SPDX-License-Identifier: MIT */
/*
 * The maple tree and xarray node layouts of the lab's kernels (64-bit:
 * 256-byte maple nodes, 64-slot xa_nodes; maple trees since 6.1, xarrays
 * since 4.20), as vh_maple_layout_from_profile() and
 * vh_xa_layout_from_profile() derive them from their profiles
 * (kernel_profiles.h). Shared by the walkers' unit tests and the fuzz
 * harness, which feed the walkers node images through a read callback.
 */
#ifndef VH_TEST_MAPLE_XA_H
#define VH_TEST_MAPLE_XA_H

#include "kernel/maple.h"
#include "kernel/xarray.h"

static const struct vh_maple_layout vh_test_maple_layout = {
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

static const struct vh_xa_layout vh_test_xa_layout = {
    .node_size = 40 + 8 * 64,
    .shift = 0,
    .offset = 1,
    .parent = 8,
    .slots = 40,
    .nslots = 64,
    .chunk_shift = 6,
};

#endif
