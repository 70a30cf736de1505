/* SPDX-License-Identifier: MIT */
/*
 * Struct layouts and enum values from a vmlinux's DWARF, through libdw.
 *
 * A distribution vmlinux has 2000+ compilation units and 100+ MB of DWARF, and
 * every unit repeats the definitions of the headers it includes. Reading all
 * of it costs seconds; the profile needs about 40 types. So: only top-level
 * DIEs are looked at (children are skipped through DW_AT_sibling), the units
 * most likely to define the wanted types are read first (kernel/fork.c has
 * task_struct and mm_struct, lib/maple_tree.c the maple nodes...), and the
 * scan stops as soon as every wanted type is found. Only a type still missing
 * after those units makes it read the rest, in order; a type missing after
 * that does not exist in this kernel and stays absent.
 */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bounds against hostile DWARF: nesting of anonymous members, typedef chains,
 * and member DIEs looked at per load (anonymous members that all lead to the
 * same struct would otherwise cost fan-out^depth; a kernel needs ~100000).
 */
#define MAX_NEST	 8
#define MAX_TYPE_CHAIN	 32
#define MAX_MEMBER_STEPS 20000000u

/*
 * Units to read first, most useful first. Each defines several wanted types in
 * every kernel that has them; the scan does not depend on them for
 * correctness, only for speed.
 */
/*
 * Each likely unit comes with anchor functions it defines: the address of an
 * anchor leads to its unit through .debug_aranges without reading the 2000+
 * unit DIEs to find the unit by name (that listing is most of a load's cost).
 * kernel/fork.c comes first: every kernel has it (settle_absent() relies on it).
 */
static const struct {
	const char *unit;
	const char *anchors[2]; /* global functions of the unit, newest name first */
} hints[] = {
    {"kernel/fork.c", {"kernel_clone", "_do_fork"}},
    {"fs/proc/task_mmu.c", {"task_mem", NULL}},
    {"lib/maple_tree.c", {"mtree_load", NULL}},
    {"kernel/pid.c", {"alloc_pid", NULL}},
    {"fs/d_path.c", {"d_path", NULL}},
    {"fs/namespace.c", {"may_umount", NULL}},
    {"init/version.c", {NULL, NULL}},
    {"mm/filemap.c", {"filemap_fault", NULL}},
    {"kernel/exit.c", {"do_exit", NULL}},
    {"mm/mmap.c", {"do_mmap", NULL}},
    {"mm/madvise.c", {"do_madvise", NULL}},
    {"fs/file.c", {"fget", NULL}},
    {"ipc/shm.c", {"ksys_shmget", "sys_shmget"}},
    /* the module loader: one file before 5.19, a folder since */
    {"kernel/module/main.c", {"__module_address", NULL}},
    {"kernel/module.c", {"__module_address", NULL}},
    {"mm/slub.c", {"kmem_cache_free", NULL}},
};
#define NHINTS (sizeof(hints) / sizeof(hints[0]))

/*
 * Types that exist only in some kernels, and the unit that defines each of
 * them in every kernel that has it (it is the code using them). When that unit
 * is missing from the vmlinux, or was read and lacks the type, the type is
 * absent: no need to read every other unit to prove it (which costs a second
 * and the whole .debug_info read from disk on 5.x kernels, where the maple
 * tree does not exist). A home unit must be one of the hint units.
 */
static const struct {
	const char *type;
	const char *unit;
} home_units[] = {
    {"maple_tree", "lib/maple_tree.c"},
    {"maple_node", "lib/maple_tree.c"},
    {"maple_range_64", "lib/maple_tree.c"},
    {"maple_arange_64", "lib/maple_tree.c"},
    {"maple_metadata", "lib/maple_tree.c"},
    {"maple_type", "lib/maple_tree.c"},
    {"anon_vma_name", "mm/madvise.c"},
    {"shmid_kernel", "ipc/shm.c"}, /* defined there only; absent without CONFIG_SYSVIPC */
    /* 6.4 replaced module_layout with module_memory (found in kernel/module.c before 5.19) */
    {"module_memory", "kernel/module/main.c"},
    {"module_layout", "kernel/module/main.c"},
    /* 6.2 made the RSS counters percpu_counters: mm_struct and task_struct are fork.c's */
    {"mm_rss_stat", "kernel/fork.c"},
    {"task_rss_stat", "kernel/fork.c"},
    /* SLUB's own types: struct slab since 5.17; kmem_cache_cpu gone on 7.x */
    {"slab", "mm/slub.c"},
    {"kmem_cache_cpu", "mm/slub.c"},
};

/* A wanted type name: a struct row's alternative, or an enum tag. */
struct type_want {
	const char *name;
	size_t row;
	uint8_t alt;
	bool is_enum;
};

struct scan {
	struct vh_profile *p;
	const char *path;
	Dwarf *dw;
	struct type_want *w;
	size_t nw;
	bool *done;	  /* per table row (struct rows, first enum row of each tag) */
	size_t remaining; /* wanted types not found yet */
	uint32_t steps;	  /* member DIEs looked at, against MAX_MEMBER_STEPS */
};

static int cmp_want(const void *a, const void *b)
{
	return strcmp(((const struct type_want *)a)->name, ((const struct type_want *)b)->name);
}

static int cmp_key(const void *key, const void *b)
{
	return strcmp(key, ((const struct type_want *)b)->name);
}

static bool first_enum_row(size_t row)
{
	for (size_t i = 0; i < row; i++) {
		if (vh_prof_table[i].kind == VH_PROF_ENUM &&
		    strcmp(vh_prof_table[i].enum_type, vh_prof_table[row].enum_type) == 0)
			return false;
	}
	return true;
}

static int build_wants(struct scan *s)
{
	s->w = calloc(vh_prof_table_len * VH_PROF_MAX_ALTS, sizeof(*s->w));
	s->done = calloc(vh_prof_table_len, sizeof(*s->done));
	if (!s->w || !s->done)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", s->path);
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		const struct vh_prof_desc *d = &vh_prof_table[i];

		if (d->kind == VH_PROF_STRUCT) {
			for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++)
				s->w[s->nw++] = (struct type_want){d->alts[a], i, a, false};
			s->remaining++;
		} else if (d->kind == VH_PROF_ENUM && first_enum_row(i)) {
			s->w[s->nw++] = (struct type_want){d->enum_type, i, 0, true};
			s->remaining++;
		}
	}
	qsort(s->w, s->nw, sizeof(*s->w), cmp_want);
	return VH_OK;
}

static int corrupt(struct scan *s, Dwarf_Die *die, const char *what)
{
	return vh_set_error(VH_ERR_CORRUPT, "%s: .debug_info offset 0x%llx: %s (%s)", s->path,
			    (unsigned long long)dwarf_dieoffset(die), what, dwarf_errmsg(-1));
}

/* The DIE a DW_AT_type points to. Returns false when there is none. */
static bool type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

/* Follows typedefs and qualifiers to the type that has the layout. */
static bool strip_type(Dwarf_Die *type)
{
	for (int i = 0; i < MAX_TYPE_CHAIN; i++) {
		switch (dwarf_tag(type)) {
		case DW_TAG_typedef:
		case DW_TAG_const_type:
		case DW_TAG_volatile_type:
		case DW_TAG_restrict_type:
		case DW_TAG_atomic_type:
			if (!type_of(type, type))
				return false;
			continue;
		default:
			return true;
		}
	}
	return false;
}

static bool is_aggregate(Dwarf_Die *type)
{
	int tag = dwarf_tag(type);

	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

/* DW_AT_data_member_location as a constant, or as the DW_OP_plus_uconst of old producers. */
static int member_location(Dwarf_Attribute *a, Dwarf_Word *loc)
{
	Dwarf_Op *ops;
	size_t nops;

	if (dwarf_whatform(a) != DW_FORM_exprloc && dwarf_whatform(a) != DW_FORM_block1 &&
	    dwarf_whatform(a) != DW_FORM_block2 && dwarf_whatform(a) != DW_FORM_block4 &&
	    dwarf_whatform(a) != DW_FORM_block)
		return dwarf_formudata(a, loc);
	if (dwarf_getlocation(a, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_plus_uconst)
		return -1;
	*loc = ops[0].number;
	return 0;
}

/*
 * Bit offset of a member from the start of its struct. DWARF 4+ gives
 * DW_AT_data_bit_offset for bitfields; older producers DW_AT_bit_offset,
 * counted from the most significant bit of a storage unit of DW_AT_byte_size
 * bytes at DW_AT_data_member_location (little-endian targets only).
 */
static int member_bits(struct scan *s, Dwarf_Die *m, uint64_t *bits)
{
	Dwarf_Attribute a;
	Dwarf_Word loc = 0, bo, bs, storage;
	Dwarf_Die t;

	if (dwarf_attr(m, DW_AT_data_bit_offset, &a)) {
		if (dwarf_formudata(&a, &bo) != 0 || bo > (uint64_t)UINT32_MAX * 8)
			return corrupt(s, m, "bad DW_AT_data_bit_offset");
		*bits = bo;
		return VH_OK;
	}
	if (dwarf_attr(m, DW_AT_data_member_location, &a) &&
	    (member_location(&a, &loc) != 0 || loc > UINT32_MAX))
		return corrupt(s, m, "bad DW_AT_data_member_location");
	*bits = loc * 8;
	if (!dwarf_attr(m, DW_AT_bit_offset, &a))
		return VH_OK;
	if (dwarf_formudata(&a, &bo) != 0 || dwarf_attr(m, DW_AT_bit_size, &a) == NULL ||
	    dwarf_formudata(&a, &bs) != 0)
		return corrupt(s, m, "bad DW_AT_bit_offset/DW_AT_bit_size");
	if (dwarf_attr(m, DW_AT_byte_size, &a)) {
		if (dwarf_formudata(&a, &storage) != 0)
			return corrupt(s, m, "bad DW_AT_byte_size");
	} else if (!type_of(m, &t) || dwarf_aggregate_size(&t, &storage) != 0) {
		return corrupt(s, m, "bitfield without a storage size");
	}
	if (storage > 64 || bo + bs > storage * 8)
		return corrupt(s, m, "bitfield outside its storage unit");
	*bits += storage * 8 - bo - bs;
	return VH_OK;
}

/* Elements of an array type (product of its dimensions); 0 when unbounded. */
static uint32_t array_nelem(Dwarf_Die *array)
{
	Dwarf_Die sub;
	uint64_t n = 1;

	if (dwarf_child(array, &sub) != 0)
		return 0;
	do {
		Dwarf_Attribute a;
		Dwarf_Word v;

		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) && dwarf_formudata(&a, &v) == 0)
			n *= v;
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &v) == 0 &&
			 v < UINT32_MAX)
			n *= v + 1;
		else
			return 0;
		if (n > UINT32_MAX)
			return 0;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return (uint32_t)n;
}

/*
 * Finds member @name (@len bytes) of struct/union @agg, looking into anonymous
 * struct/union members too. On success *m is the member's DIE and *bits its
 * offset from the start of @agg. Returns 1 found, 0 not found, or an error.
 */
static int find_member(struct scan *s, Dwarf_Die *agg, const char *name, size_t len, int depth,
		       Dwarf_Die *m, uint64_t *bits)
{
	Dwarf_Die child;
	int r;

	if (dwarf_child(agg, &child) != 0)
		return 0;
	do {
		const char *n;
		Dwarf_Die t;
		uint64_t here = 0;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		if (++s->steps > MAX_MEMBER_STEPS)
			return corrupt(s, agg, "members nest too deep to be a kernel's");
		n = dwarf_diename(&child);
		if (n && (strncmp(n, name, len) != 0 || n[len] != '\0'))
			continue;
		if (!n && (depth >= MAX_NEST || !type_of(&child, &t) || !strip_type(&t) ||
			   !is_aggregate(&t)))
			continue;
		r = member_bits(s, &child, &here);
		if (r)
			return r;
		if (n) {
			*m = child;
			*bits = here;
			return 1;
		}
		r = find_member(s, &t, name, len, depth + 1, m, bits);
		if (r < 0)
			return r;
		if (r == 1) {
			*bits += here;
			return 1;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static int fill_member(struct scan *s, Dwarf_Die *m, uint64_t bits, struct vh_member *out)
{
	Dwarf_Attribute a;
	Dwarf_Word size = 0, bs = 0;
	Dwarf_Die t, st;

	if (bits / 8 > UINT32_MAX - 1)
		return corrupt(s, m, "member offset over 4 GiB");
	if (type_of(m, &t)) {
		if (dwarf_aggregate_size(&t, &size) != 0)
			size = 0; /* a flexible array member */
		st = t;
		if (strip_type(&st) && dwarf_tag(&st) == DW_TAG_array_type)
			out->nelem = array_nelem(&st);
	}
	if (size > UINT32_MAX)
		return corrupt(s, m, "member size over 4 GiB");
	if (dwarf_attr(m, DW_AT_bit_size, &a)) {
		if (dwarf_formudata(&a, &bs) != 0 || bs == 0 || bs > 64)
			return corrupt(s, m, "bad DW_AT_bit_size");
		out->bit_size = (uint16_t)bs;
		out->bit_offset = (uint16_t)(bits % 8);
	} else if (bits % 8) {
		return corrupt(s, m, "member not byte-aligned and not a bitfield");
	}
	out->offset = (uint32_t)(bits / 8);
	out->size = (uint32_t)size;
	out->source = VH_SRC_DWARF;
	return VH_OK;
}

/* Resolves a dotted member path ("thread_info.cpu") in struct @agg. Returns 1, 0 or an error. */
static int resolve_path(struct scan *s, Dwarf_Die *agg, const char *path, struct vh_member *out)
{
	uint64_t total = 0;
	Dwarf_Die cur = *agg, m;

	for (int depth = 0; depth < MAX_NEST; depth++) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		uint64_t bits;
		int r = find_member(s, &cur, path, len, 0, &m, &bits);

		if (r <= 0)
			return r;
		total += bits;
		if (!dot) {
			r = fill_member(s, &m, total, out);
			return r ? r : 1;
		}
		if (!type_of(&m, &cur) || !strip_type(&cur) || !is_aggregate(&cur))
			return 0;
		path = dot + 1;
	}
	return 0;
}

static int resolve_struct(struct scan *s, Dwarf_Die *die, const struct type_want *w)
{
	struct vh_struct_size *ss = vh_prof_field(s->p, &vh_prof_table[w->row]);
	Dwarf_Word size;

	if (dwarf_aggregate_size(die, &size) != 0 || size > UINT32_MAX)
		return corrupt(s, die, "struct without a valid DW_AT_byte_size");
	ss->size = (uint32_t)size;
	ss->source = VH_SRC_DWARF;
	ss->alt = w->alt;
	for (size_t row = w->row + 1;
	     row < vh_prof_table_len && vh_prof_table[row].kind == VH_PROF_MEMBER; row++) {
		const struct vh_prof_desc *d = &vh_prof_table[row];
		struct vh_member *m = vh_prof_field(s->p, d);

		for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++) {
			struct vh_member found = {0};
			int r = resolve_path(s, die, d->alts[a], &found);

			if (r < 0)
				return r;
			if (r == 1) {
				found.alt = a;
				*m = found;
				break;
			}
		}
	}
	return VH_OK;
}

static int resolve_enum(struct scan *s, Dwarf_Die *die, const struct type_want *w)
{
	const char *tag = vh_prof_table[w->row].enum_type;
	Dwarf_Die e;

	if (dwarf_child(die, &e) != 0)
		return VH_OK;
	do {
		const char *name = dwarf_diename(&e);
		Dwarf_Attribute a;
		Dwarf_Sword v;

		if (dwarf_tag(&e) != DW_TAG_enumerator || !name)
			continue;
		for (size_t row = w->row; row < vh_prof_table_len; row++) {
			const struct vh_prof_desc *d = &vh_prof_table[row];
			struct vh_const *c = vh_prof_field(s->p, d);

			if (d->kind != VH_PROF_ENUM || strcmp(d->enum_type, tag) != 0 ||
			    strcmp(d->alts[0], name) != 0)
				continue;
			if (!dwarf_attr(&e, DW_AT_const_value, &a) || dwarf_formsdata(&a, &v) != 0)
				return corrupt(s, &e, "enumerator without a DW_AT_const_value");
			c->value = v;
			c->source = VH_SRC_DWARF;
			c->alt = 0;
		}
	} while (dwarf_siblingof(&e, &e) == 0);
	return VH_OK;
}

static int consider(struct scan *s, Dwarf_Die *die, int tag)
{
	const char *name;
	const struct type_want *w;
	bool want_enum = tag == DW_TAG_enumeration_type;
	int err;

	name = dwarf_diename(die);
	if (!name)
		return VH_OK;
	w = bsearch(name, s->w, s->nw, sizeof(*s->w), cmp_key);
	/* bsearch may land on any of equal names; an enum and a struct never share one here. */
	if (!w || s->done[w->row] || w->is_enum != want_enum ||
	    dwarf_hasattr(die, DW_AT_declaration))
		return VH_OK;
	err = want_enum ? resolve_enum(s, die, w) : resolve_struct(s, die, w);
	if (err)
		return err;
	s->done[w->row] = true;
	s->remaining--;
	return VH_OK;
}

/* Looks at the top-level DIEs of one unit until every wanted type is found. */
static int scan_unit(struct scan *s, Dwarf_Die *cu)
{
	Dwarf_Die die;
	int r;

	s->p->stats.cus_scanned++;
	if (dwarf_child(cu, &die) != 0)
		return VH_OK;
	do {
		int tag = dwarf_tag(&die);

		s->p->stats.dies_visited++;
		if (tag == DW_TAG_structure_type || tag == DW_TAG_enumeration_type) {
			int err = consider(s, &die, tag);

			if (err)
				return err;
			if (s->remaining == 0)
				return VH_OK;
		}
	} while ((r = dwarf_siblingof(&die, &die)) == 0);
	if (r < 0)
		return corrupt(s, &die, "cannot step to the next DIE");
	return VH_OK;
}

/*
 * Is unit @cu_name the file @hint? Kernel builds name units relative to the
 * source tree ("mm/mmap.c", which arch/x86/mm/mmap.c must not match); a build
 * with absolute names gets a suffix match.
 */
static bool unit_is(const char *cu_name, const char *hint)
{
	size_t n = strlen(cu_name), h = strlen(hint);

	if (strcmp(cu_name, hint) == 0)
		return true;
	return cu_name[0] == '/' && n > h && cu_name[n - h - 1] == '/' &&
	       strcmp(cu_name + n - h, hint) == 0;
}

/* Unit DIE offsets, with the hint index of each (or -1). */
struct unit {
	Dwarf_Off off;
	int hint;
	bool read; /* its top-level DIEs were all looked at */
};

static int list_units(struct scan *s, struct unit **out, size_t *n)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	size_t cap = 0;
	uint8_t unit_type;
	Dwarf_Half version;
	int r;

	*out = NULL;
	*n = 0;
	while ((r = dwarf_get_units(s->dw, cu, &cu, &version, &unit_type, &cudie, NULL)) == 0) {
		const char *name = dwarf_diename(&cudie);
		struct unit u = {dwarf_dieoffset(&cudie), -1, false};

		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		for (size_t i = 0; name && i < NHINTS; i++) {
			if (unit_is(name, hints[i].unit)) {
				u.hint = (int)i;
				break;
			}
		}
		if (*n == cap) {
			struct unit *grown;

			cap = cap ? cap * 2 : 1024;
			grown = realloc(*out, cap * sizeof(**out));
			if (!grown)
				return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", s->path);
			*out = grown;
		}
		(*out)[(*n)++] = u;
	}
	if (r < 0)
		return vh_set_error(VH_ERR_CORRUPT, "%s: .debug_info: cannot read unit %zu (%s)",
				    s->path, *n, dwarf_errmsg(-1));
	s->p->stats.cus_total = (uint32_t)*n;
	return VH_OK;
}

static int scan_offset(struct scan *s, Dwarf_Off off)
{
	Dwarf_Die cu;

	if (!dwarf_offdie(s->dw, off, &cu))
		return vh_set_error(VH_ERR_CORRUPT,
				    "%s: .debug_info offset 0x%llx: bad unit DIE (%s)", s->path,
				    (unsigned long long)off, dwarf_errmsg(-1));
	return scan_unit(s, &cu);
}

/* Is the home unit of a type missing, or read without finding the type? */
static bool home_says_absent(const char *unit, const struct unit *units, size_t n)
{
	int hint = -1;

	for (size_t h = 0; h < NHINTS; h++) {
		if (strcmp(hints[h].unit, unit) == 0)
			hint = (int)h;
	}
	if (hint < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (units[i].hint == hint)
			return units[i].read;
	}
	return true; /* not in this vmlinux */
}

/*
 * Marks as settled the missing types whose home unit says they are absent.
 * Only for a vmlinux laid out like a kernel tree (it has kernel/fork.c):
 * anything else proves nothing by missing a unit.
 */
static void settle_absent(struct scan *s, const struct unit *units, size_t n)
{
	bool kernel_tree = false;

	for (size_t i = 0; i < n; i++)
		kernel_tree |= units[i].hint == 0;
	if (!kernel_tree)
		return;
	for (size_t i = 0; i < s->nw; i++) {
		const struct type_want *w = &s->w[i];

		if (s->done[w->row])
			continue;
		for (size_t k = 0; k < sizeof(home_units) / sizeof(home_units[0]); k++) {
			if (strcmp(home_units[k].type, w->name) == 0 &&
			    home_says_absent(home_units[k].unit, units, n)) {
				s->done[w->row] = true;
				s->remaining--;
				break;
			}
		}
	}
}

/* Reads the hint units that anchors lead to; @read[h] gets the unit's DIE offset. */
static int scan_anchored(struct scan *s, struct vh_vmlinux *v, Dwarf_Off *read)
{
	const char *names[NHINTS * 2];
	uint64_t addrs[NHINTS * 2];
	int err;

	for (size_t h = 0; h < NHINTS; h++) {
		names[2 * h] = hints[h].anchors[0];
		names[2 * h + 1] = hints[h].anchors[1];
	}
	err = vh_vmlinux_functions(v, names, NHINTS * 2, addrs);
	for (size_t h = 0; !err && s->remaining && h < NHINTS; h++) {
		for (size_t a = 2 * h; a < 2 * h + 2; a++) {
			Dwarf_Die cu;
			const char *name;

			if (!addrs[a] || !dwarf_addrdie(s->dw, addrs[a], &cu))
				continue;
			name = dwarf_diename(&cu);
			if (!name || !unit_is(name, hints[h].unit))
				continue; /* an anchor moved to another file: listing finds the unit
					   */
			err = scan_unit(s, &cu);
			read[h] = dwarf_dieoffset(&cu);
			break;
		}
	}
	return err;
}

static bool was_read(const Dwarf_Off *read, Dwarf_Off off)
{
	for (size_t h = 0; h < NHINTS; h++) {
		if (read[h] == off)
			return true;
	}
	return false;
}

static int scan_all(struct scan *s, struct vh_vmlinux *v, bool full)
{
	Dwarf_Off read[NHINTS] = {0};
	struct unit *units = NULL;
	size_t n = 0;
	int err = VH_OK;

	/* The likely units first: found through their anchors... */
	if (!full)
		err = scan_anchored(s, v, read);
	if (err || (!full && s->remaining == 0))
		return err;
	/* ...or by name, for those the anchors missed... */
	err = list_units(s, &units, &n);
	for (size_t h = 0; !err && !full && s->remaining && h < NHINTS; h++) {
		for (size_t i = 0; !err && s->remaining && i < n; i++) {
			if (units[i].hint != (int)h)
				continue;
			if (!was_read(read, units[i].off))
				err = scan_offset(s, units[i].off);
			units[i].read = !err;
		}
	}
	if (!err && !full)
		settle_absent(s, units, n);
	/* ...then, only if a type is still missing, all the others. */
	if (!err && (full || s->remaining))
		s->p->stats.full_scan = true;
	for (size_t i = 0; !err && s->remaining && i < n; i++) {
		if (full || (units[i].hint < 0 && !was_read(read, units[i].off)))
			err = scan_offset(s, units[i].off);
	}
	free(units);
	return err;
}

int vh_dwarf_load(struct vh_vmlinux *v, const char *path, struct vh_profile *p, bool full)
{
	struct scan s = {.p = p, .path = path};
	int err;

	s.dw = dwarf_begin_elf(vh_vmlinux_elf(v), DWARF_C_READ, NULL);
	if (!s.dw)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: no usable DWARF (%s): expected a vmlinux with debug info, "
				    "as in the distribution's -dbg package",
				    path, dwarf_errmsg(-1));
	err = build_wants(&s);
	if (!err)
		err = scan_all(&s, v, full);
	free(s.w);
	free(s.done);
	dwarf_end(s.dw);
	return err;
}
