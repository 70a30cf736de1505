/* SPDX-License-Identifier: MIT */
/* VMCOREINFO text: the typed parser and filling a profile from it. */
#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_vmcoreinfo *vi;
	struct vh_profile *p;

	if (vh_vmcoreinfo_parse((const char *)data, size, &vi) != VH_OK)
		return 0;
	if (vh_profile_new(&p) == VH_OK) {
		(void)vh_profile_apply_vmcoreinfo(p, vi);
		vh_profile_free(p);
	}
	vh_vmcoreinfo_free(vi);
	return 0;
}
