/* SPDX-License-Identifier: MIT */
/*
 * The kernel walkers over fuzzed kernel memory with a real kernel's layout
 * (the lab's 5.10 or 6.1, the input chooses): the task list, thread groups,
 * children lists and the pid table (vh_tasks_read()), every process's VMAs
 * (vh_maps_open(), vh_vmas_read(): the vm_next list and the rbtree, or the
 * maple tree) with their names (d_path(), d_dname(), special mappings), and
 * the detectors (vh_scan_run(): the page-table walks over the processes'
 * fuzzed page tables, struct pages, contents). The input's format is in
 * fuzz_kernel.h; tests/unit/test_fuzz_kernel.c builds the seeds.
 */
#include "fuzz_kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_result r;

	fk_run(data, size, &r);
	return 0;
}
