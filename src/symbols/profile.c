/* SPDX-License-Identifier: MIT */
/* The profile's life cycle and generic listing; the loaders fill it (load_vmlinux.c, from_dump.c).
 */
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const source_names[VH_SRC_COUNT] = {
    [VH_SRC_NONE] = "absent",		[VH_SRC_DWARF] = "dwarf",     [VH_SRC_SYMTAB] = "symtab",
    [VH_SRC_VMCOREINFO] = "vmcoreinfo", [VH_SRC_BUILTIN] = "builtin", [VH_SRC_BTF] = "btf",
    [VH_SRC_KALLSYMS] = "kallsyms",
};

const char *vh_prof_source_name(int src)
{
	return src >= 0 && src < VH_SRC_COUNT ? source_names[src] : "unknown";
}

size_t vh_prof_parent(size_t row)
{
	while (row > 0 && vh_prof_table[row].kind != VH_PROF_STRUCT)
		row--;
	return row;
}

static void set_absent(struct vh_profile *p, const struct vh_prof_desc *d)
{
	void *f = vh_prof_field(p, d);

	switch (d->kind) {
	case VH_PROF_SYMBOL:
		memset(f, 0, sizeof(struct vh_symbol));
		break;
	case VH_PROF_STRUCT:
		memset(f, 0, sizeof(struct vh_struct_size));
		break;
	case VH_PROF_MEMBER: {
		struct vh_member *m = f;

		memset(m, 0, sizeof(*m));
		m->offset = VH_ABSENT;
		break;
	}
	case VH_PROF_ENUM:
	case VH_PROF_CONST: {
		struct vh_const *c = f;

		memset(c, 0, sizeof(*c));
		if (d->has_builtin) {
			c->value = d->builtin;
			c->source = VH_SRC_BUILTIN;
		}
		break;
	}
	}
}

void vh_prof_reset(struct vh_profile *p)
{
	for (size_t i = 0; i < vh_prof_table_len; i++)
		set_absent(p, &vh_prof_table[i]);
}

int vh_profile_new(struct vh_profile **out)
{
	struct vh_profile *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p || !(p->priv = calloc(1, sizeof(*p->priv)))) {
		free(p);
		return vh_set_error(VH_ERR_NOMEM, "profile: out of memory");
	}
	vh_prof_reset(p);
	*out = p;
	return VH_OK;
}

void vh_profile_free(struct vh_profile *p)
{
	if (!p)
		return;
	if (p->priv) {
		free(p->priv->vmlinux_path);
		for (size_t i = 0; i < p->priv->nwarnings; i++)
			free(p->priv->warnings[i]);
		free(p->priv->warnings);
		free(p->priv);
	}
	free(p);
}

int vh_prof_warn(struct vh_profile *p, const char *fmt, ...)
{
	char buf[512], *copy, **w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w = realloc(p->priv->warnings, (p->priv->nwarnings + 1) * sizeof(*w));
	if (!w)
		return vh_set_error(VH_ERR_NOMEM, "profile: out of memory");
	p->priv->warnings = w;
	copy = strdup(buf);
	if (!copy)
		return vh_set_error(VH_ERR_NOMEM, "profile: out of memory");
	w[p->priv->nwarnings++] = copy;
	return VH_OK;
}

const char *const *vh_profile_warnings(const struct vh_profile *p, size_t *n)
{
	*n = p->priv->nwarnings;
	return (const char *const *)p->priv->warnings;
}

size_t vh_profile_entry_count(void)
{
	return vh_prof_table_len;
}

/* The source and alternative index sit in a different place in each entry type. */
static void source_alt(const struct vh_prof_desc *d, const void *f, uint8_t *src, uint8_t *alt)
{
	switch (d->kind) {
	case VH_PROF_SYMBOL:
		*src = ((const struct vh_symbol *)f)->source;
		*alt = ((const struct vh_symbol *)f)->alt;
		return;
	case VH_PROF_STRUCT:
		*src = ((const struct vh_struct_size *)f)->source;
		*alt = ((const struct vh_struct_size *)f)->alt;
		return;
	case VH_PROF_MEMBER:
		*src = ((const struct vh_member *)f)->source;
		*alt = ((const struct vh_member *)f)->alt;
		return;
	case VH_PROF_ENUM:
	case VH_PROF_CONST:
		*src = ((const struct vh_const *)f)->source;
		*alt = ((const struct vh_const *)f)->alt;
		return;
	}
	*src = VH_SRC_NONE;
	*alt = 0;
}

int vh_profile_entry(const struct vh_profile *p, size_t i, struct vh_prof_entry *e)
{
	const struct vh_prof_desc *d;
	uint8_t src, alt;

	if (i >= vh_prof_table_len)
		return vh_set_error(VH_ERR_INVAL, "profile: entry %zu out of range", i);
	d = &vh_prof_table[i];
	e->kind = d->kind;
	e->name = d->name;
	e->value = (const char *)p + d->off;
	source_alt(d, e->value, &src, &alt);
	e->matched = NULL;
	for (size_t a = 0; a < VH_PROF_MAX_ALTS; a++)
		e->alts[a] = d->alts[a];
	if (src != VH_SRC_NONE)
		e->matched = alt < VH_PROF_MAX_ALTS && d->alts[alt] ? d->alts[alt] : d->alts[0];
	return VH_OK;
}

int vh_profile_lookup(const struct vh_profile *p, const char *name, struct vh_prof_entry *e)
{
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		if (strcmp(vh_prof_table[i].name, name) == 0)
			return vh_profile_entry(p, i, e);
	}
	return vh_set_error(VH_ERR_NOT_PRESENT, "profile: no entry named %s", name);
}

double vh_prof_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Where the types (DWARF or BTF) know a #define's effect better than the
 * built-in value, they win.
 */
void vh_prof_derive_constants(struct vh_profile *p)
{
	const struct vh_member *comm = &p->task_struct.comm;
	const struct vh_member *slots = &p->xa_node.slots;
	bool comm_typed = comm->source == VH_SRC_DWARF || comm->source == VH_SRC_BTF;
	bool slots_typed = slots->source == VH_SRC_DWARF || slots->source == VH_SRC_BTF;

	if (comm_typed && comm->nelem)
		p->c.TASK_COMM_LEN = (struct vh_const){comm->nelem, comm->source, 0};
	if (slots_typed && slots->nelem && (slots->nelem & (slots->nelem - 1)) == 0)
		p->c.XA_CHUNK_SHIFT =
		    (struct vh_const){__builtin_ctz(slots->nelem), slots->source, 0};
}

/*
 * The release again, from init_uts_ns.name.release in the image's data: the
 * banner can be missing, and the two disagreeing means a doctored file.
 */
