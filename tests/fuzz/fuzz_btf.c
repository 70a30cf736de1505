/* SPDX-License-Identifier: MIT */
/* BTF (the kernel's type information): the parser and filling a profile from it. */
#include <stdlib.h>

#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "symbols/loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct vh_profile *p;
	struct vh_btf *b;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (vh_btf_parse(copy, size, "fuzz BTF", &b) == VH_OK) {
		(void)vh_btf_count(b);
		if (vh_profile_new(&p) == VH_OK) {
			(void)vh_btf_fill(b, p);
			vh_profile_free(p);
		}
		vh_btf_free(b);
	}
	free(copy);
	return 0;
}
