/* SPDX-License-Identifier: MIT */
/* A profile from a vmlinux: its ELF symbols, then its DWARF types. */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_uts_release(struct vh_vmlinux *v, const char *path, struct vh_profile *p)
{
	char rel[65];
	uint64_t addr;

	if (!vh_present(&p->sym.init_uts_ns) || !vh_present(&p->uts_namespace.name) ||
	    !vh_present(&p->new_utsname.release) || p->new_utsname.release.size < sizeof(rel))
		return VH_OK;
	addr =
	    p->sym.init_uts_ns.addr + p->uts_namespace.name.offset + p->new_utsname.release.offset;
	if (vh_vmlinux_read(v, addr, rel, sizeof(rel)) != VH_OK)
		return vh_prof_warn(p, "%s: init_uts_ns release at 0x%llx is unreadable", path,
				    (unsigned long long)addr);
	rel[sizeof(rel) - 1] = '\0';
	if (!p->osrelease[0]) {
		snprintf(p->osrelease, sizeof(p->osrelease), "%s", rel);
		return VH_OK;
	}
	if (strcmp(rel, p->osrelease) != 0)
		return vh_prof_warn(p, "%s: linux_banner says release %s but init_uts_ns says %s",
				    path, p->osrelease, rel);
	return VH_OK;
}

static int load(struct vh_profile *p, const char *path, bool full)
{
	struct vh_vmlinux *v;
	double t0 = vh_prof_now();
	char *copy;
	int err;

	copy = strdup(path);
	if (!copy)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", path);
	err = vh_vmlinux_open(path, &v);
	if (err) {
		free(copy);
		return err;
	}
	memset(&p->stats, 0, sizeof(p->stats));
	err = vh_vmlinux_symbols(v, p);
	if (!err)
		err = vh_dwarf_load(v, path, p, full);
	if (!err) {
		vh_prof_derive_constants(p);
		err = check_uts_release(v, path, p);
	}
	vh_vmlinux_close(v);
	if (err) {
		free(copy);
		return err;
	}
	free(p->priv->vmlinux_path);
	p->priv->vmlinux_path = copy;
	p->vmlinux_path = copy;
	p->types_from = "dwarf";
	p->stats.seconds = vh_prof_now() - t0;
	return VH_OK;
}

int vh_profile_load_vmlinux(struct vh_profile *p, const char *path)
{
	return load(p, path, false);
}

int vh_profile_load_vmlinux_full(struct vh_profile *p, const char *path)
{
	return load(p, path, true);
}
