/* SPDX-License-Identifier: MIT */
/* The dump's linux_banner against the vmlinux's release. */
#include "util/error.h"

#include <vmahunt/kernel.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define BANNER_PREFIX "Linux version "

int vh_kernel_check_banner(struct vh_dump *d, const struct vh_kernel_map *km,
			   const struct vh_profile *p)
{
	char banner[128];
	size_t plen = strlen(BANNER_PREFIX), rlen = strlen(p->osrelease);
	uint64_t addr;
	int err;

	if (!vh_present(&p->sym.linux_banner) || !rlen)
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "the profile has no linux_banner or release");
	addr = p->sym.linux_banner.addr + km->kaslr_offset;
	err = vh_kernel_read(d, km, addr, banner, sizeof(banner) - 1);
	if (err)
		return vh_set_error(err, "%s: cannot read linux_banner at 0x%" PRIx64 ": %s",
				    vh_dump_path(d), addr, vh_strerror(err));
	banner[sizeof(banner) - 1] = '\0';
	if (strncmp(banner, BANNER_PREFIX, plen) == 0 && plen + rlen < sizeof(banner) &&
	    strncmp(banner + plen, p->osrelease, rlen) == 0 && banner[plen + rlen] == ' ')
		return VH_OK;
	/* the text found, cut at the end of its first word after the prefix, for the message */
	for (size_t i = 0; i < sizeof(banner); i++) {
		if ((unsigned char)banner[i] < 0x20 || (unsigned char)banner[i] > 0x7e ||
		    (i > plen && banner[i] == ' ')) {
			banner[i] = '\0';
			break;
		}
	}
	return vh_set_error(
	    VH_ERR_INVAL,
	    "%s is kernel %s but the dump holds %s%s%s at its linux_banner (0x%" PRIx64
	    "): give the matching vmlinux",
	    p->vmlinux_path ? p->vmlinux_path : "the vmlinux", p->osrelease,
	    banner[0] ? "\"" : "no banner text", banner, banner[0] ? "\"" : "", addr);
}
