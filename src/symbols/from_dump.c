/* SPDX-License-Identifier: MIT */
/*
 * A profile from the dump itself (kallsyms + BTF), and the choice between
 * that and a vmlinux's DWARF.
 */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BTF (64u << 20) /* Debian kernels have 3-6 MB */

int vh_symbols_mode_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "auto"))
		return VH_SYMBOLS_AUTO;
	if (!strcmp(s, "dwarf"))
		return VH_SYMBOLS_DWARF;
	if (!strcmp(s, "btf"))
		return VH_SYMBOLS_BTF;
	return -1;
}

/* Running address to the vmlinux's: the image moves with KASLR, per-CPU offsets do not. */
static uint64_t unrelocate(const struct vh_kernel_map *km, uint64_t addr)
{
	return vh_kernel_in_image(km, addr) ? addr - km->kaslr_offset : addr;
}

static void fill_symbols(struct vh_profile *p, const struct vh_kallsyms *ks,
			 const struct vh_kernel_map *km)
{
	for (size_t r = 0; r < vh_prof_table_len; r++) {
		const struct vh_prof_desc *d = &vh_prof_table[r];
		struct vh_symbol *s = vh_prof_field(p, d);

		if (d->kind != VH_PROF_SYMBOL)
			continue;
		for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++) {
			struct vh_ksym k;
			uint64_t addr;

			if (vh_kallsyms_lookup(ks, d->alts[a], &k) == VH_OK)
				addr = k.addr;
			else if (vh_kallsyms_table(ks, d->alts[a], &addr) != VH_OK)
				continue;
			*s = (struct vh_symbol){unrelocate(km, addr), VH_SRC_KALLSYMS, a};
			break;
		}
	}
}

/* "Linux version 6.1.0-26-cloud-amd64 (...)" in the dump's memory. */
static void read_release(struct vh_profile *p, struct vh_dump *d, const struct vh_kernel_map *km)
{
	static const char prefix[] = "Linux version ";
	char buf[128];
	size_t n = 0;

	if (!vh_present(&p->sym.linux_banner) ||
	    vh_kernel_read(d, km, p->sym.linux_banner.addr + km->kaslr_offset, buf, sizeof(buf)) !=
		VH_OK ||
	    memcmp(buf, prefix, sizeof(prefix) - 1) != 0) {
		vh_prof_warn(p, "%s: linux_banner does not read \"Linux version REL\"",
			     vh_dump_path(d));
		return;
	}
	for (const char *r = buf + sizeof(prefix) - 1;
	     r < buf + sizeof(buf) && isgraph((unsigned char)*r) && n + 1 < sizeof(p->osrelease);
	     r++)
		p->osrelease[n++] = *r;
	p->osrelease[n] = '\0';
}

static int load_types(struct vh_profile *p, struct vh_dump *d, const struct vh_kernel_map *km)
{
	uint64_t start, stop;
	struct vh_btf *b = NULL;
	uint8_t *buf;
	char what[64];
	int err;

	if (!vh_present(&p->sym.init_task) && !vh_present(&p->sym.linux_banner))
		return vh_set_error(
		    VH_ERR_NOT_PRESENT,
		    "%s: the kernel's kallsyms lists code only, no data symbol "
		    "(init_task, linux_banner, __start_BTF: built without "
		    "CONFIG_KALLSYMS_ALL, as Debian's arm64 cloud 6.1 is): the dump "
		    "alone cannot say where the kernel's structures are; give its vmlinux",
		    vh_dump_path(d));
	if (!vh_present(&p->sym.start_BTF) || !vh_present(&p->sym.stop_BTF))
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "%s: the kernel has no BTF (no __start_BTF/__stop_BTF in its "
				    "kallsyms: built without CONFIG_DEBUG_INFO_BTF)",
				    vh_dump_path(d));
	start = p->sym.start_BTF.addr + km->kaslr_offset;
	stop = p->sym.stop_BTF.addr + km->kaslr_offset;
	if (stop <= start || stop - start > MAX_BTF)
		return vh_set_error(VH_ERR_CORRUPT,
				    "%s: __start_BTF 0x%llx and __stop_BTF 0x%llx: expected a "
				    "section of 1 byte to %u MiB",
				    vh_dump_path(d), (unsigned long long)start,
				    (unsigned long long)stop, MAX_BTF >> 20);
	buf = malloc(stop - start);
	if (!buf)
		return vh_set_error(VH_ERR_NOMEM, "BTF: out of memory");
	err = vh_kernel_read(d, km, start, buf, stop - start);
	if (err) {
		free(buf);
		return vh_set_error(err == VH_ERR_NOMEM ? err : VH_ERR_NOT_PRESENT,
				    "%s: the kernel's BTF at 0x%llx (%llu bytes) is not all in the "
				    "dump (%s)",
				    vh_dump_path(d), (unsigned long long)start,
				    (unsigned long long)(stop - start), vh_strerror(err));
	}
	snprintf(what, sizeof(what), "BTF at 0x%llx", (unsigned long long)start);
	err = vh_btf_parse(buf, stop - start, what, &b);
	if (!err)
		err = vh_btf_fill(b, p);
	if (!err) {
		p->stats.btf_types = vh_btf_count(b);
		p->stats.btf_bytes = (uint32_t)(stop - start);
	}
	if (err && err != VH_ERR_NOMEM) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", vh_errmsg());
		err = vh_set_error(err, "%s: %s", vh_dump_path(d), msg);
	}
	vh_btf_free(b);
	free(buf);
	return err;
}

int vh_profile_load_btf(struct vh_profile *p, struct vh_dump *d, const struct vh_kernel_map *km)
{
	struct vh_kallsyms *ks;
	double t0 = vh_prof_now();
	int err = vh_kallsyms_load(d, km, 0, &ks);

	if (err)
		return err;
	memset(&p->stats, 0, sizeof(p->stats));
	p->stats.ksyms = (uint32_t)vh_kallsyms_count(ks);
	p->stats.kallsyms_method = vh_kallsyms_method(ks);
	if (vh_kallsyms_lost(ks))
		vh_prof_warn(p,
			     "%s: kallsyms: %zu of %zu symbol names are in damaged blocks and were "
			     "skipped",
			     vh_dump_path(d), vh_kallsyms_lost(ks), vh_kallsyms_count(ks));
	fill_symbols(p, ks, km);
	vh_kallsyms_free(ks);
	p->kaslr_offset = km->kaslr_offset;
	p->have_kaslr_offset = true;
	read_release(p, d, km);
	err = load_types(p, d, km);
	if (err)
		return err;
	vh_prof_derive_constants(p);
	p->types_from = "btf";
	p->stats.seconds = vh_prof_now() - t0;
	return VH_OK;
}

static int apply_vmcoreinfo(struct vh_profile *p, const struct vh_dump *d)
{
	size_t len;
	const char *text = vh_dump_vmcoreinfo(d, &len);
	struct vh_vmcoreinfo *vi;
	int err;

	if (!text)
		return VH_OK;
	err = vh_vmcoreinfo_parse(text, len, &vi);
	if (!err)
		err = vh_profile_apply_vmcoreinfo(p, vi);
	vh_vmcoreinfo_free(vi);
	return err;
}

static int open_btf(struct vh_dump *d, const struct vh_kernel_map *km, struct vh_profile **out)
{
	struct vh_profile *p;
	int err = vh_profile_new(&p);

	if (!err)
		err = vh_profile_load_btf(p, d, km);
	if (!err)
		err = apply_vmcoreinfo(p, d);
	if (err) {
		vh_profile_free(p);
		return err;
	}
	*out = p;
	return VH_OK;
}

int vh_profile_open_kernel(struct vh_dump *d, const struct vh_kernel_map *km, const char *vmlinux,
			   enum vh_symbols_mode mode, struct vh_profile **out)
{
	const char *rel = vh_dump_vmcoreinfo_get(d, "OSRELEASE");
	char *found = NULL, why[512];
	int err;

	*out = NULL;
	if (mode == VH_SYMBOLS_BTF)
		return open_btf(d, km, out);
	if (mode == VH_SYMBOLS_DWARF || vmlinux)
		return vh_profile_open(d, vmlinux, VH_PROFILE_NEED_VMLINUX, out);
	if (!rel)
		snprintf(why, sizeof(why), "the dump names no release to find a vmlinux by");
	else if ((err = vh_vmlinux_find(rel, NULL, &found)) == VH_OK) {
		err = vh_profile_open(d, found, VH_PROFILE_NEED_VMLINUX, out);
		free(found);
		return err;
	} else if (err != VH_ERR_NOT_PRESENT) {
		return err;
	} else {
		snprintf(why, sizeof(why), "%s", vh_errmsg());
	}
	err = open_btf(d, km, out);
	if (err && err != VH_ERR_NOMEM) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", vh_errmsg());
		return vh_set_error(err, "%s; and without a vmlinux: %s", why, msg);
	}
	return err;
}
