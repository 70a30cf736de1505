/* SPDX-License-Identifier: MIT */
/*
 * Putting the sources together for a dump: VMCOREINFO into the profile, the
 * vmlinux checked against the dump, a vmlinux found where distributions keep it.
 */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Does a row's kernel name (any alternative) equal @name? */
static int alt_index(const struct vh_prof_desc *d, const char *name)
{
	for (int a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++) {
		if (strcmp(d->alts[a], name) == 0)
			return a;
	}
	return -1;
}

/* OFFSET(struct.member): the member row whose struct and member names match. */
static int member_row(const char *name, size_t *row, int *alt)
{
	const char *dot = strchr(name, '.');

	if (!dot)
		return -1;
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		const struct vh_prof_desc *d = &vh_prof_table[i];
		const struct vh_prof_desc *parent;
		bool struct_ok = false;

		if (d->kind != VH_PROF_MEMBER || (*alt = alt_index(d, dot + 1)) < 0)
			continue;
		parent = &vh_prof_table[vh_prof_parent(i)];
		for (int a = 0; a < VH_PROF_MAX_ALTS && parent->alts[a]; a++) {
			size_t n = strlen(parent->alts[a]);

			struct_ok |=
			    n == (size_t)(dot - name) && strncmp(parent->alts[a], name, n) == 0;
		}
		if (struct_ok) {
			*row = i;
			return 0;
		}
	}
	return -1;
}

static int row_of(enum vh_prof_kind kind, const char *name, size_t *row, int *alt)
{
	if (kind == VH_PROF_MEMBER)
		return member_row(name, row, alt);
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		if (vh_prof_table[i].kind == kind &&
		    (*alt = alt_index(&vh_prof_table[i], name)) >= 0) {
			*row = i;
			return 0;
		}
	}
	return -1;
}

static int disagree(struct vh_profile *p, const char *key, uint64_t have, int src, uint64_t said)
{
	return vh_prof_warn(p,
			    "VMCOREINFO %s=0x%llx disagrees with the %s's 0x%llx: the vmlinux may "
			    "not be the dump's kernel",
			    key, (unsigned long long)said, vh_prof_source_name(src),
			    (unsigned long long)have);
}

/*
 * Is @addr (unrelocated) in the kernel image? The kernel writes some SYMBOL()
 * entries with VMCOREINFO_SYMBOL_ARRAY(), which prints the variable's value:
 * SYMBOL(mem_section) under SPARSEMEM_EXTREME is the address of the section
 * array in the direct map, not of the mem_section variable. Such values are
 * no symbol address and stay out of the profile. The image is [_text, _end)
 * when the vmlinux gave them, else the x86-64 kernel text mapping.
 */
static bool in_image(const struct vh_profile *p, uint64_t addr)
{
	if (vh_present(&p->sym._text) && vh_present(&p->sym._end))
		return addr >= p->sym._text.addr && addr < p->sym._end.addr;
	return addr >= 0xffffffff80000000ull && addr < 0xffffffffff000000ull;
}

static int apply_symbol(struct vh_profile *p, const struct vh_vmci_entry *e)
{
	size_t row;
	int alt;
	struct vh_symbol *s;
	uint64_t addr = e->u - p->kaslr_offset;

	if (row_of(VH_PROF_SYMBOL, e->name, &row, &alt) != 0 || !in_image(p, addr))
		return VH_OK;
	s = vh_prof_field(p, &vh_prof_table[row]);
	if (vh_present(s))
		return s->addr == addr ? VH_OK : disagree(p, e->key, s->addr, s->source, addr);
	*s = (struct vh_symbol){addr, VH_SRC_VMCOREINFO, (uint8_t)alt};
	return VH_OK;
}

static int apply_offset(struct vh_profile *p, const struct vh_vmci_entry *e)
{
	size_t row;
	int alt;
	struct vh_member *m;

	if (row_of(VH_PROF_MEMBER, e->name, &row, &alt) != 0)
		return VH_OK;
	m = vh_prof_field(p, &vh_prof_table[row]);
	if (vh_present(m))
		return m->offset == e->u ? VH_OK : disagree(p, e->key, m->offset, m->source, e->u);
	memset(m, 0, sizeof(*m));
	m->offset = (uint32_t)e->u; /* the parser checked it fits */
	m->source = VH_SRC_VMCOREINFO;
	m->alt = (uint8_t)alt;
	return VH_OK;
}

static int apply_size(struct vh_profile *p, const struct vh_vmci_entry *e)
{
	size_t row;
	int alt;
	struct vh_struct_size *ss;

	if (row_of(VH_PROF_STRUCT, e->name, &row, &alt) != 0)
		return VH_OK;
	ss = vh_prof_field(p, &vh_prof_table[row]);
	if (vh_present(ss))
		return ss->size == e->u ? VH_OK : disagree(p, e->key, ss->size, ss->source, e->u);
	*ss = (struct vh_struct_size){(uint32_t)e->u, VH_SRC_VMCOREINFO, (uint8_t)alt};
	return VH_OK;
}

/* NUMBER() overrides a built-in constant: the kernel knows its own #defines best. */
static int apply_number(struct vh_profile *p, const struct vh_vmci_entry *e)
{
	size_t row;
	int alt;
	struct vh_const *c;

	if (row_of(VH_PROF_CONST, e->name, &row, &alt) != 0)
		return VH_OK;
	c = vh_prof_field(p, &vh_prof_table[row]);
	*c = (struct vh_const){e->s, VH_SRC_VMCOREINFO, (uint8_t)alt};
	return VH_OK;
}

static void apply_plain(struct vh_profile *p, const struct vh_vmci_entry *e)
{
	switch (e->kind) {
	case VH_VMCI_OSRELEASE:
		if (!p->osrelease[0])
			snprintf(p->osrelease, sizeof(p->osrelease), "%s", e->value);
		break;
	case VH_VMCI_BUILD_ID:
		if (!p->build_id[0]) {
			for (size_t i = 0; e->value[i] && i + 1 < sizeof(p->build_id); i++)
				p->build_id[i] = (char)tolower((unsigned char)e->value[i]);
		}
		break;
	case VH_VMCI_PAGESIZE:
		p->page_size = (uint32_t)e->u;
		break;
	case VH_VMCI_CRASHTIME:
		p->crashtime = e->s;
		break;
	default:
		break;
	}
}

int vh_profile_apply_vmcoreinfo(struct vh_profile *p, const struct vh_vmcoreinfo *vi)
{
	const struct vh_vmci_entry *ko = vh_vmcoreinfo_find(vi, VH_VMCI_KERNELOFFSET, NULL);
	int err = VH_OK;

	/* KERNELOFFSET comes late in the text but unrelocates every SYMBOL() before it. */
	if (ko) {
		p->kaslr_offset = ko->u;
		p->have_kaslr_offset = true;
	}
	for (size_t i = 0; !err && i < vh_vmcoreinfo_count(vi); i++) {
		const struct vh_vmci_entry *e = vh_vmcoreinfo_entry(vi, i);

		if (!e->valid)
			continue;
		switch (e->kind) {
		case VH_VMCI_SYMBOL:
			err = apply_symbol(p, e);
			break;
		case VH_VMCI_OFFSET:
			err = apply_offset(p, e);
			break;
		case VH_VMCI_SIZE:
			err = apply_size(p, e);
			break;
		case VH_VMCI_NUMBER:
			err = apply_number(p, e);
			break;
		default:
			apply_plain(p, e);
			break;
		}
	}
	return err;
}

int vh_profile_check_match(const struct vh_profile *p, const char *osrelease, const char *build_id)
{
	const char *path = p->vmlinux_path ? p->vmlinux_path : "vmlinux";

	if (osrelease && osrelease[0] && p->osrelease[0] && strcmp(osrelease, p->osrelease) != 0)
		return vh_set_error(VH_ERR_INVAL,
				    "%s is kernel %s but the dump is kernel %s (VMCOREINFO "
				    "OSRELEASE): give the matching vmlinux",
				    path, p->osrelease, osrelease);
	if (build_id && build_id[0] && p->build_id[0] && strcasecmp(build_id, p->build_id) != 0)
		return vh_set_error(VH_ERR_INVAL,
				    "%s has build id %s but the dump's kernel has %s (VMCOREINFO "
				    "BUILD-ID): give the matching vmlinux",
				    path, p->build_id, build_id);
	return VH_OK;
}

static bool release_ok(const char *rel)
{
	size_t n = strlen(rel);

	if (n == 0 || n > 64 || strcmp(rel, ".") == 0 || strcmp(rel, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (rel[i] == '/' || !isgraph((unsigned char)rel[i]))
			return false;
	}
	return true;
}

int vh_vmlinux_find(const char *osrelease, const char *root, char **out)
{
	static const char *const fmts[] = {
	    "%s/usr/lib/debug/boot/vmlinux-%s",
	    "%s/usr/lib/debug/lib/modules/%s/vmlinux",
	    "%s/boot/vmlinux-%s",
	};
	char tried[3][4200];

	*out = NULL;
	if (!osrelease || !release_ok(osrelease))
		return vh_set_error(VH_ERR_INVAL, "cannot look for a vmlinux of release \"%s\"",
				    osrelease ? osrelease : "");
	if (!root)
		root = "";
	if (strlen(root) > 4000)
		return vh_set_error(VH_ERR_INVAL, "vmlinux search root too long");
	for (size_t i = 0; i < 3; i++) {
		struct stat st;

		snprintf(tried[i], sizeof(tried[i]), fmts[i], root, osrelease);
		if (stat(tried[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    access(tried[i], R_OK) == 0) {
			*out = strdup(tried[i]);
			return *out ? VH_OK : vh_set_error(VH_ERR_NOMEM, "out of memory");
		}
	}
	return vh_set_error(VH_ERR_NOT_PRESENT,
			    "no vmlinux for kernel %s: looked for %s, %s and %s (install the "
			    "kernel's debug symbols package, or give --vmlinux)",
			    osrelease, tried[0], tried[1], tried[2]);
}

static int open_vmlinux(struct vh_profile *p, const char *vmlinux, const char *rel, const char *bid,
			unsigned flags)
{
	char *found = NULL;
	int err;

	if (!vmlinux && !rel) {
		if (flags & VH_PROFILE_NEED_VMLINUX)
			return vh_set_error(VH_ERR_INVAL,
					    "the dump has no VMCOREINFO OSRELEASE to find its "
					    "vmlinux by: give one with --vmlinux");
		return vh_prof_warn(p, "no vmlinux: the dump names no release to look for one by");
	}
	if (!vmlinux) {
		err = vh_vmlinux_find(rel, NULL, &found);
		if (err == VH_ERR_NOT_PRESENT && !(flags & VH_PROFILE_NEED_VMLINUX))
			return vh_prof_warn(p, "%s", vh_errmsg());
		if (err)
			return err;
		vmlinux = found;
	}
	err = vh_profile_load_vmlinux(p, vmlinux);
	if (!err)
		err = vh_profile_check_match(p, rel, bid);
	free(found);
	return err;
}

int vh_profile_open(const struct vh_dump *d, const char *vmlinux, unsigned flags,
		    struct vh_profile **out)
{
	struct vh_vmcoreinfo *vi = NULL;
	const struct vh_vmci_entry *rel = NULL, *bid = NULL;
	struct vh_profile *p;
	size_t len;
	const char *text = vh_dump_vmcoreinfo(d, &len);
	int err;

	*out = NULL;
	if (text) {
		err = vh_vmcoreinfo_parse(text, len, &vi);
		if (err)
			return err;
		rel = vh_vmcoreinfo_find(vi, VH_VMCI_OSRELEASE, NULL);
		bid = vh_vmcoreinfo_find(vi, VH_VMCI_BUILD_ID, NULL);
	}
	err = vh_profile_new(&p);
	if (!err)
		err = open_vmlinux(p, vmlinux, rel ? rel->value : NULL, bid ? bid->value : NULL,
				   flags);
	if (!err && vi)
		err = vh_profile_apply_vmcoreinfo(p, vi);
	vh_vmcoreinfo_free(vi);
	if (err) {
		vh_profile_free(p);
		return err;
	}
	*out = p;
	return VH_OK;
}
