/* SPDX-License-Identifier: MIT */
/*
 * BTF: the kernel's own type information (CONFIG_DEBUG_INFO_BTF), read from
 * the dump between __start_BTF and __stop_BTF, fills the same struct, member
 * and enum rows of the profile that DWARF fills, by the same rules: a struct
 * is found by its tag (the first definition), a member through anonymous
 * structs/unions and dotted paths, sizes through typedefs and qualifiers,
 * arrays with their element counts, bitfields with their bit positions.
 *
 * Layout (include/uapi/linux/btf.h): a header (magic 0xeb9f, version 1,
 * header length, then offset/length of the type and string sections, counted
 * from the header's end), the types one after the other, each a 12-byte
 * struct btf_type followed by data whose size depends on its kind and vlen;
 * type ids count from 1 in that order (0 is void).
 */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC     0xeb9f
#define MAX_BTF_SIZE  (256u << 20)
#define MAX_CHAIN     32
#define MAX_NEST      8
#define MAX_MEM_STEPS 20000000u

enum {
	KIND_UNKN,
	KIND_INT,
	KIND_PTR,
	KIND_ARRAY,
	KIND_STRUCT,
	KIND_UNION,
	KIND_ENUM,
	KIND_FWD,
	KIND_TYPEDEF,
	KIND_VOLATILE,
	KIND_CONST,
	KIND_RESTRICT,
	KIND_FUNC,
	KIND_FUNC_PROTO,
	KIND_VAR,
	KIND_DATASEC,
	KIND_FLOAT,
	KIND_DECL_TAG,
	KIND_TYPE_TAG,
	KIND_ENUM64,
	KIND_MAX
};

struct btf_type {
	uint32_t name_off;
	uint32_t info;
	uint32_t size_type; /* size, or the referenced type id */
};

struct vh_btf {
	const uint8_t *data;
	size_t size;
	const char *strs;
	uint32_t str_len;
	const uint8_t **types; /* [id] -> its struct btf_type; [0] unused */
	uint32_t ntypes;       /* ids 1..ntypes-1 */
	const char *what;      /* for messages: "BTF at 0x..." */
	uint32_t steps;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void get_type(const struct vh_btf *b, uint32_t id, struct btf_type *t)
{
	const uint8_t *p = b->types[id];

	t->name_off = rd32(p);
	t->info = rd32(p + 4);
	t->size_type = rd32(p + 8);
}

static unsigned kind(const struct btf_type *t)
{
	return (t->info >> 24) & 0x1f;
}

static unsigned vlen(const struct btf_type *t)
{
	return t->info & 0xffff;
}

static bool kflag(const struct btf_type *t)
{
	return t->info >> 31;
}

static int bad(const struct vh_btf *b, size_t off, const char *what)
{
	return vh_set_error(VH_ERR_CORRUPT, "%s: offset 0x%zx: %s", b->what, off, what);
}

/* Bytes of data after the 12-byte header of a type of this kind. */
static bool extra_size(const struct btf_type *t, size_t *n)
{
	switch (kind(t)) {
	case KIND_INT:
	case KIND_VAR:
	case KIND_DECL_TAG:
		*n = 4;
		return true;
	case KIND_ARRAY:
		*n = 12;
		return true;
	case KIND_STRUCT:
	case KIND_UNION:
	case KIND_DATASEC:
	case KIND_ENUM64:
		*n = 12u * vlen(t);
		return true;
	case KIND_ENUM:
	case KIND_FUNC_PROTO:
		*n = 8u * vlen(t);
		return true;
	case KIND_PTR:
	case KIND_FWD:
	case KIND_TYPEDEF:
	case KIND_VOLATILE:
	case KIND_CONST:
	case KIND_RESTRICT:
	case KIND_FUNC:
	case KIND_FLOAT:
	case KIND_TYPE_TAG:
		*n = 0;
		return true;
	default:
		return false;
	}
}

void vh_btf_free(struct vh_btf *b)
{
	if (!b)
		return;
	free(b->types);
	free(b);
}

int vh_btf_parse(const void *data, size_t size, const char *what, struct vh_btf **out)
{
	struct vh_btf *b = calloc(1, sizeof(*b));
	const uint8_t *d = data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	size_t cap = 1024, pos;
	int err = VH_OK;

	*out = NULL;
	if (!b)
		return vh_set_error(VH_ERR_NOMEM, "BTF: out of memory");
	b->data = d;
	b->size = size;
	b->what = what;
	if (size < 24 || (d[0] | d[1] << 8) != BTF_MAGIC || d[2] != 1) {
		err = bad(b, 0, "no BTF header: expected magic 0xeb9f, version 1");
		goto fail;
	}
	hdr_len = rd32(d + 4);
	type_off = rd32(d + 8);
	type_len = rd32(d + 12);
	str_off = rd32(d + 16);
	str_len = rd32(d + 20);
	if (hdr_len < 24 || hdr_len > size || (uint64_t)type_off + type_len > size - hdr_len ||
	    (uint64_t)str_off + str_len > size - hdr_len || str_len == 0 ||
	    d[hdr_len + str_off + str_len - 1] != '\0' || d[hdr_len + str_off] != '\0') {
		err = bad(b, 4, "header sections outside the data, or strings not NUL-terminated");
		goto fail;
	}
	b->strs = (const char *)d + hdr_len + str_off;
	b->str_len = str_len;
	b->types = malloc(cap * sizeof(*b->types));
	if (!b->types) {
		err = vh_set_error(VH_ERR_NOMEM, "BTF: out of memory");
		goto fail;
	}
	b->types[0] = NULL;
	b->ntypes = 1;
	for (pos = 0; pos < type_len;) {
		const uint8_t *p = d + hdr_len + type_off + pos;
		struct btf_type t;
		size_t extra;

		if (type_len - pos < 12) {
			err =
			    bad(b, hdr_len + type_off + pos, "type cut short by the section's end");
			goto fail;
		}
		t.name_off = rd32(p);
		t.info = rd32(p + 4);
		if (!extra_size(&t, &extra) || kind(&t) == KIND_UNKN) {
			err = bad(b, hdr_len + type_off + pos, "unknown BTF kind");
			goto fail;
		}
		if (t.name_off >= str_len || extra > type_len - pos - 12) {
			err = bad(b, hdr_len + type_off + pos,
				  "type name or data outside the BTF sections");
			goto fail;
		}
		if (b->ntypes == cap) {
			const uint8_t **q;

			cap *= 2;
			q = realloc(b->types, cap * sizeof(*q));
			if (!q) {
				err = vh_set_error(VH_ERR_NOMEM, "BTF: out of memory");
				goto fail;
			}
			b->types = q;
		}
		if (b->ntypes == 0x7fffffff) {
			err = bad(b, hdr_len + type_off + pos, "too many types");
			goto fail;
		}
		b->types[b->ntypes++] = p;
		pos += 12 + extra;
	}
	*out = b;
	return VH_OK;
fail:
	vh_btf_free(b);
	return err;
}

uint32_t vh_btf_count(const struct vh_btf *b)
{
	return b->ntypes - 1;
}

static const char *str(const struct vh_btf *b, uint32_t off)
{
	return off < b->str_len ? b->strs + off : "";
}

static bool valid_id(const struct vh_btf *b, uint32_t id)
{
	return id > 0 && id < b->ntypes;
}

/* Follows typedefs, qualifiers and type tags to the type with the layout. */
static bool strip(const struct vh_btf *b, uint32_t *id)
{
	for (int i = 0; i < MAX_CHAIN; i++) {
		struct btf_type t;

		if (!valid_id(b, *id))
			return false;
		get_type(b, *id, &t);
		switch (kind(&t)) {
		case KIND_TYPEDEF:
		case KIND_VOLATILE:
		case KIND_CONST:
		case KIND_RESTRICT:
		case KIND_TYPE_TAG:
			*id = t.size_type;
			continue;
		default:
			return true;
		}
	}
	return false;
}

/* The size of type @id in bytes; false when it has none (void, function, forward). */
static bool type_size(const struct vh_btf *b, uint32_t id, int depth, uint64_t *size)
{
	struct btf_type t;

	if (depth > MAX_CHAIN || !strip(b, &id))
		return false;
	get_type(b, id, &t);
	switch (kind(&t)) {
	case KIND_INT:
	case KIND_ENUM:
	case KIND_ENUM64:
	case KIND_STRUCT:
	case KIND_UNION:
	case KIND_FLOAT:
		*size = t.size_type;
		return true;
	case KIND_PTR:
		*size = 8;
		return true;
	case KIND_ARRAY: {
		const uint8_t *a = b->types[id] + 12;
		uint64_t elem;

		if (!type_size(b, rd32(a), depth + 1, &elem))
			return false;
		*size = elem * rd32(a + 8);
		return *size <= UINT32_MAX;
	}
	default:
		return false;
	}
}

/* Elements of an array member, C dimensions multiplied as DWARF counts them. */
static uint32_t array_nelem(const struct vh_btf *b, uint32_t id)
{
	uint64_t n = 1;
	struct btf_type t;

	if (!strip(b, &id))
		return 0;
	get_type(b, id, &t);
	if (kind(&t) != KIND_ARRAY)
		return 0;
	for (int i = 0; i < MAX_CHAIN && valid_id(b, id); i++) {
		const uint8_t *a;

		get_type(b, id, &t);
		if (kind(&t) != KIND_ARRAY)
			break;
		a = b->types[id] + 12;
		n *= rd32(a + 8);
		if (n > UINT32_MAX)
			return 0;
		id = rd32(a);
	}
	return (uint32_t)n;
}

static bool is_aggregate(const struct vh_btf *b, uint32_t id)
{
	struct btf_type t;

	get_type(b, id, &t);
	return kind(&t) == KIND_STRUCT || kind(&t) == KIND_UNION;
}

/* One member of a struct/union: its name, type, bit offset and bitfield width. */
struct mem {
	const char *name;
	uint32_t type;
	uint64_t bits;
	uint32_t bitfield;
};

static void get_member(const struct vh_btf *b, uint32_t agg, unsigned i, struct mem *m)
{
	struct btf_type t;
	const uint8_t *p = b->types[agg] + 12 + 12u * i;
	uint32_t off = rd32(p + 8);

	get_type(b, agg, &t);
	m->name = str(b, rd32(p));
	m->type = rd32(p + 4);
	if (kflag(&t)) {
		m->bits = off & 0xffffff;
		m->bitfield = off >> 24;
	} else {
		struct btf_type it;

		m->bits = off;
		m->bitfield = 0;
		/* Without kind_flag a bitfield is an int type of fewer bits, maybe shifted. */
		if (valid_id(b, m->type)) {
			get_type(b, m->type, &it);
			if (kind(&it) == KIND_INT) {
				uint32_t enc = rd32(b->types[m->type] + 12);
				uint32_t nbits = enc & 0xff, shift = (enc >> 16) & 0xff;

				if (nbits != it.size_type * 8 || shift) {
					m->bits += shift;
					m->bitfield = nbits;
				}
			}
		}
	}
}

/* Member @name (@len bytes) of @agg, through anonymous members. 1 found, 0 not, <0 error. */
static int find_member(struct vh_btf *b, uint32_t agg, const char *name, size_t len, int depth,
		       struct mem *out)
{
	struct btf_type t;

	get_type(b, agg, &t);
	for (unsigned i = 0; i < vlen(&t); i++) {
		struct mem m;
		uint32_t sub;
		int r;

		if (++b->steps > MAX_MEM_STEPS)
			return bad(b, (size_t)(b->types[agg] - b->data),
				   "members nest too deep to be a kernel's");
		get_member(b, agg, i, &m);
		if (m.name[0]) {
			if (strncmp(m.name, name, len) != 0 || m.name[len] != '\0')
				continue;
			*out = m;
			return 1;
		}
		sub = m.type;
		if (depth >= MAX_NEST || !strip(b, &sub) || !is_aggregate(b, sub))
			continue;
		r = find_member(b, sub, name, len, depth + 1, out);
		if (r < 0)
			return r;
		if (r == 1) {
			out->bits += m.bits;
			return 1;
		}
	}
	return 0;
}

static int fill_member(struct vh_btf *b, const struct mem *m, uint64_t bits, struct vh_member *out)
{
	uint64_t size = 0;

	if (bits / 8 > UINT32_MAX - 1)
		return bad(b, 0, "member offset over 4 GiB");
	if (!type_size(b, m->type, 0, &size))
		size = 0; /* a flexible array member */
	out->nelem = array_nelem(b, m->type);
	if (m->bitfield) {
		if (m->bitfield > 64)
			return bad(b, 0, "bitfield wider than 64 bits");
		out->bit_size = (uint16_t)m->bitfield;
		out->bit_offset = (uint16_t)(bits % 8);
	} else if (bits % 8) {
		return bad(b, 0, "member not byte-aligned and not a bitfield");
	}
	out->offset = (uint32_t)(bits / 8);
	out->size = (uint32_t)size;
	out->source = VH_SRC_BTF;
	return VH_OK;
}

static int resolve_path(struct vh_btf *b, uint32_t agg, const char *path, struct vh_member *out)
{
	uint64_t total = 0;

	for (int depth = 0; depth < MAX_NEST; depth++) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		struct mem m;
		int r = find_member(b, agg, path, len, 0, &m);

		if (r <= 0)
			return r;
		total += m.bits;
		if (!dot) {
			r = fill_member(b, &m, total, out);
			return r ? r : 1;
		}
		agg = m.type;
		if (!strip(b, &agg) || !is_aggregate(b, agg))
			return 0;
		path = dot + 1;
	}
	return 0;
}

static int fill_struct(struct vh_btf *b, struct vh_profile *p, size_t row, uint32_t id, uint8_t alt)
{
	struct vh_struct_size *ss = vh_prof_field(p, &vh_prof_table[row]);
	struct btf_type t;

	get_type(b, id, &t);
	*ss = (struct vh_struct_size){t.size_type, VH_SRC_BTF, alt};
	for (size_t r = row + 1; r < vh_prof_table_len && vh_prof_table[r].kind == VH_PROF_MEMBER;
	     r++) {
		const struct vh_prof_desc *d = &vh_prof_table[r];
		struct vh_member *m = vh_prof_field(p, d);

		for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++) {
			struct vh_member found = {0};
			int res = resolve_path(b, id, d->alts[a], &found);

			if (res < 0)
				return res;
			if (res == 1) {
				found.alt = a;
				*m = found;
				break;
			}
		}
	}
	return VH_OK;
}

static void fill_enum(struct vh_btf *b, struct vh_profile *p, const char *tag, uint32_t id)
{
	struct btf_type t;
	bool wide;

	get_type(b, id, &t);
	wide = kind(&t) == KIND_ENUM64;
	for (unsigned i = 0; i < vlen(&t); i++) {
		const uint8_t *e = b->types[id] + 12 + (wide ? 12u : 8u) * i;
		const char *name = str(b, rd32(e));
		int64_t v = wide ? (int64_t)(rd32(e + 4) | (uint64_t)rd32(e + 8) << 32)
				 : (int64_t)(int32_t)rd32(e + 4);

		/* An unsigned 32-bit enum (kind_flag clear on 6.0+ BTF) keeps its bits as DWARF
		 * reads them. */
		for (size_t r = 0; r < vh_prof_table_len; r++) {
			const struct vh_prof_desc *d = &vh_prof_table[r];
			struct vh_const *c = vh_prof_field(p, d);

			if (d->kind != VH_PROF_ENUM || strcmp(d->enum_type, tag) != 0 ||
			    strcmp(d->alts[0], name) != 0)
				continue;
			*c = (struct vh_const){v, VH_SRC_BTF, 0};
		}
	}
}

/* Is row @r the first enum row of its tag? */
static bool first_enum_row(size_t r)
{
	for (size_t i = 0; i < r; i++) {
		if (vh_prof_table[i].kind == VH_PROF_ENUM &&
		    strcmp(vh_prof_table[i].enum_type, vh_prof_table[r].enum_type) == 0)
			return false;
	}
	return true;
}

/* A wanted tag: a struct row's alternative, or an enum row's type. */
struct want {
	const char *name;
	size_t row;
	uint8_t alt;
	bool is_enum;
};

static int cmp_want(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->is_enum - (int)y->is_enum;
}

int vh_btf_fill(struct vh_btf *b, struct vh_profile *p)
{
	struct want *w = calloc(vh_prof_table_len * VH_PROF_MAX_ALTS, sizeof(*w));
	bool *done = calloc(vh_prof_table_len, sizeof(bool));
	size_t nw = 0;
	int err = VH_OK;

	if (!done || !w) {
		free(w);
		free(done);
		return vh_set_error(VH_ERR_NOMEM, "BTF: out of memory");
	}
	for (size_t r = 0; r < vh_prof_table_len; r++) {
		const struct vh_prof_desc *d = &vh_prof_table[r];

		if (d->kind == VH_PROF_STRUCT) {
			for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++)
				w[nw++] = (struct want){d->alts[a], r, a, false};
		} else if (d->kind == VH_PROF_ENUM && first_enum_row(r)) {
			w[nw++] = (struct want){d->enum_type, r, 0, true};
		}
	}
	qsort(w, nw, sizeof(*w), cmp_want);
	/* Types in id order: the first definition of a tag wins, as in DWARF. */
	for (uint32_t id = 1; !err && id < b->ntypes; id++) {
		struct btf_type t;
		struct want key = {0};
		const struct want *hit;
		unsigned k;

		get_type(b, id, &t);
		k = kind(&t);
		if (k != KIND_STRUCT && k != KIND_ENUM && k != KIND_ENUM64)
			continue;
		key.name = str(b, t.name_off);
		key.is_enum = k != KIND_STRUCT;
		if (!key.name[0])
			continue;
		hit = bsearch(&key, w, nw, sizeof(*w), cmp_want);
		if (!hit || done[hit->row])
			continue;
		if (hit->is_enum)
			fill_enum(b, p, key.name, id);
		else
			err = fill_struct(b, p, hit->row, id, hit->alt);
		done[hit->row] = true;
	}
	free(w);
	free(done);
	return err;
}
