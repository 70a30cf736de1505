/* SPDX-License-Identifier: MIT */
/*
 * The loaded modules: the "modules" list of struct module, each with its name
 * and the ranges its memory occupies (6.4+: mem[], one struct module_memory
 * per kind; before: core_layout). Detectors use it to name the module an
 * address belongs to.
 */
#ifndef VH_KERNEL_MODULES_H
#define VH_KERNEL_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/vread.h"

#include <vmahunt/symbols.h>

/* Modules read at most: a kernel with more is damaged or hostile. */
#define VH_MODULES_MAX 4096
/* Memory ranges kept per module (MOD_MEM_NUM_TYPES is 7 in 6.4-6.x). */
#define VH_MODULE_RANGES 8

struct vh_module {
	uint64_t addr; /* struct module * */
	char name[57]; /* MODULE_NAME_LEN is 56 on 64-bit kernels */
	struct {
		uint64_t base, size;
	} ranges[VH_MODULE_RANGES];
	size_t nranges;
};

/* The result of vh_modules_read(). */
struct vh_module_list {
	struct vh_module *mods;
	size_t n;
	bool partial;	 /* the list could not be read to its end (see warnings) */
	char **warnings; /* one-line messages naming the bad address */
	size_t nwarnings;
};

/**
 * vh_modules_read() - the modules on the kernel's "modules" list.
 * @kr: a kernel-space reader.
 * @p: the profile (the modules symbol, struct module and module_memory or
 *     module_layout).
 * @kaslr: the kernel image's KASLR offset (symbols are unrelocated).
 * @out: receives the list (zeroed first); free it with vh_module_list_free().
 *
 * The walk stops at the list head, at a link that cannot be read or is no
 * kernel address (a warning names it), or after VH_MODULES_MAX entries (a
 * cycle that misses the head).
 * Return: VH_OK (also for a partial list); VH_ERR_NOT_PRESENT when the profile
 * lacks what the walk needs; VH_ERR_NOMEM.
 */
int vh_modules_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t kaslr,
		    struct vh_module_list *out);

/* The module whose memory holds @addr, or NULL. */
const struct vh_module *vh_module_at(const struct vh_module_list *l, uint64_t addr);

void vh_module_list_free(struct vh_module_list *l);

#endif
