/* SPDX-License-Identifier: MIT */
/* The session's insides, shared by the files of src/session. */
#ifndef VH_SESSION_INTERNAL_H
#define VH_SESSION_INTERNAL_H

#include <vmahunt/vmahunt.h>

#include "arch/vread.h"

struct vh_session {
	struct vh_dump *d;
	struct vh_session_options opts; /* opts.vmlinux unused: see vmlinux */
	char *vmlinux;			/* the caller's --vmlinux, copied */
	bool core;			/* a process core: no kernel */
	unsigned loaded;		/* VH_LOAD_* bits of a successful vh_session_load() */

	/* The kernel, located once (vh_session_locate()); failures kept to be said again. */
	bool located;
	int kmap_err;
	char *kmap_msg;
	struct vh_kernel_map km;
	int prof_err;
	char *prof_msg;
	struct vh_profile *prof;

	struct vh_task_list *tl;
	struct vh_maps *maps;	       /* a kernel dump's VMA reader */
	struct vh_vma_list *core_vmas; /* a process core's one map */
	struct vh_vread kr;	       /* kernel-virtual reads, with their translations */
	struct vh_vread ur;	       /* user reads of the process whose mm is ur_mm */
	uint64_t ur_mm;		       /* 0: ur is not set */
};

/* Locates the kernel and loads its profile, once; failures are kept in the session. */
void vh_session_locate(struct vh_session *s);

#endif
