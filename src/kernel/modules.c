/* SPDX-License-Identifier: MIT */
/* The loaded modules: see kernel/modules.h. */
#include "kernel/modules.h"

#include "kernel/kmem.h"
#include "util/warnings.h"
#include "util/grow.h"

#include <vmahunt/error.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 8

static void warn(struct vh_module_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(struct vh_module_list *l, const char *fmt, ...)
{
	va_list ap;

	l->partial = true;
	if (l->nwarnings >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vh_warnings_vadd(&l->warnings, &l->nwarnings, fmt, ap);
	va_end(ap);
}

static bool layout_known(const struct vh_profile *p)
{
	bool mem = vh_present(&p->module.mem) && vh_present(&p->module_memory.base) &&
		   vh_present(&p->module_memory.size) && p->module_memory.type.size;
	bool core = vh_present(&p->module.core_layout) && vh_present(&p->module_layout.base) &&
		    vh_present(&p->module_layout.size);

	return vh_present(&p->sym.modules) && vh_present(&p->module.list) &&
	       vh_present(&p->module.name) && (mem || core);
}

/* One base/size pair at @at (a module_memory or module_layout). */
static void read_range(struct vh_vread *kr, struct vh_module *m, uint64_t at,
		       const struct vh_member *base, const struct vh_member *size)
{
	uint64_t b = 0, s = 0;

	if (vh_member_read(kr, at, base, &b) || vh_member_read(kr, at, size, &s) || !b || !s)
		return;
	m->ranges[m->nranges].base = b;
	m->ranges[m->nranges].size = s;
	m->nranges++;
}

static void read_module(struct vh_vread *kr, const struct vh_profile *p, uint64_t mod,
			struct vh_module *m)
{
	size_t len = p->module.name.size && p->module.name.size < sizeof(m->name)
			 ? p->module.name.size
			 : sizeof(m->name) - 1;

	memset(m, 0, sizeof(*m));
	m->addr = mod;
	if (vh_vread(kr, mod + p->module.name.offset, m->name, len))
		strcpy(m->name, "?");
	m->name[len] = '\0';
	if (vh_present(&p->module.mem) && p->module_memory.type.size) {
		uint32_t n = p->module.mem.nelem ? p->module.mem.nelem : 1;

		for (uint32_t i = 0; i < n && m->nranges < VH_MODULE_RANGES; i++)
			read_range(kr, m,
				   mod + p->module.mem.offset +
				       (uint64_t)i * p->module_memory.type.size,
				   &p->module_memory.base, &p->module_memory.size);
	} else {
		read_range(kr, m, mod + p->module.core_layout.offset, &p->module_layout.base,
			   &p->module_layout.size);
	}
}

static int push(struct vh_module_list *l, size_t *cap, const struct vh_module *m)
{
	if (l->n == *cap) {
		struct vh_module *n = vh_grow(l->mods, l->n, cap, sizeof(*n), 32);

		if (!n)
			return VH_ERR_NOMEM;
		l->mods = n;
	}
	l->mods[l->n++] = *m;
	return VH_OK;
}

int vh_modules_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t kaslr,
		    struct vh_module_list *out)
{
	uint64_t head, link = 0;
	size_t cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!layout_known(p))
		return VH_ERR_NOT_PRESENT;
	head = p->sym.modules.addr + kaslr;
	err = vh_vread(kr, head, &link, sizeof(link));
	for (size_t i = 0; !err && link != head; i++) {
		struct vh_module m;

		if (i == VH_MODULES_MAX) {
			warn(out, "modules list %#" PRIx64 ": over %d entries, read no further",
			     head, VH_MODULES_MAX);
			return VH_OK;
		}
		if (!vh_kptr_ok(kr, link)) {
			warn(out, "modules list: link %#" PRIx64 " is no kernel address", link);
			return VH_OK;
		}
		read_module(kr, p, link - p->module.list.offset, &m);
		if (push(out, &cap, &m))
			return VH_ERR_NOMEM;
		err = vh_vread(kr, link, &link, sizeof(link));
	}
	if (err)
		warn(out, "modules list: a link cannot be read (%s)", vh_strerror(err));
	return VH_OK;
}

const struct vh_module *vh_module_at(const struct vh_module_list *l, uint64_t addr)
{
	for (size_t i = 0; i < l->n; i++)
		for (size_t k = 0; k < l->mods[i].nranges; k++)
			if (addr - l->mods[i].ranges[k].base < l->mods[i].ranges[k].size)
				return &l->mods[i];
	return NULL;
}

void vh_module_list_free(struct vh_module_list *l)
{
	if (!l)
		return;
	vh_warnings_free(l->warnings, l->nwarnings);
	free(l->mods);
	memset(l, 0, sizeof(*l));
}
