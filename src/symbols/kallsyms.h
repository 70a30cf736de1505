/* SPDX-License-Identifier: MIT */
/*
 * The kallsyms decoder's inner interface: the tables read through a plain
 * memory callback, so unit tests can hand it synthetic tables in a buffer.
 */
#ifndef VH_SYMBOLS_KALLSYMS_H
#define VH_SYMBOLS_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* Kernel-virtual memory as the decoder sees it. */
struct vh_ks_mem {
	/* Reads @len bytes at @addr; VH_OK or an error code (no message needed). */
	int (*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
};

/* Where the tables are (running addresses); 0 = not known. */
struct vh_ks_layout {
	uint64_t num_syms;
	uint64_t names;
	uint64_t markers;
	uint64_t token_table;
	uint64_t token_index;
	uint64_t offsets;	/* int32 per symbol (CONFIG_KALLSYMS_BASE_RELATIVE, all 6.x) */
	uint64_t relative_base; /* u64 base of the offsets (gone in the newest kernels) */
	uint64_t addresses;	/* u64 per symbol (kernels without base-relative tables) */
	uint64_t seqs_of_names; /* 3-byte symbol numbers in name order (6.2+, some 6.1) */
};

/*
 * vh_ks_decode() - decode the tables at @l. @text is the running address of
 * _text (from the kernel map): it and linux_banner's "Linux version " pick
 * the encoding of the addresses. @method is recorded ("vmcoreinfo", "search").
 */
int vh_ks_decode(const struct vh_ks_mem *m, const struct vh_ks_layout *l, uint64_t text,
		 const char *method, struct vh_kallsyms **out);

/*
 * vh_ks_search() - find the tables by their shape in the memory ranges
 * @ranges (pairs of [start, end) running addresses, the kernel image), then
 * decode them as vh_ks_decode() does.
 */
int vh_ks_search(const struct vh_ks_mem *m, const uint64_t (*ranges)[2], size_t nranges,
		 uint64_t text, struct vh_kallsyms **out);

#endif
