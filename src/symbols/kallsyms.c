/* SPDX-License-Identifier: MIT */
/*
 * kallsyms: the kernel's own symbol table, read from the dump.
 *
 * The kernel build (scripts/kallsyms) emits, in .rodata:
 *   kallsyms_num_syms     u32 count N
 *   kallsyms_names        N entries: a length byte (two bytes, 7 bits each,
 *                         when the first has bit 7 set; 6.1+), then that many
 *                         token numbers; the expanded text is the type letter
 *                         followed by the name
 *   kallsyms_markers      u32 offset into names of every 256th entry
 *   kallsyms_token_table  256 NUL-terminated token strings
 *   kallsyms_token_index  256 u16 offsets into the token table
 *   kallsyms_offsets      N int32 (base-relative, every x86-64 kernel since 4.6)
 *   kallsyms_relative_base u64 the offsets' base (gone in the newest kernels)
 *   kallsyms_addresses    N u64, instead of offsets, on kernels without them
 * Their order changed across releases (offsets first up to 6.1, after the
 * token index from 6.2), and so did the meaning of an offset: absolute
 * per-CPU values (negative offsets count down from the base), plain
 * base-relative, or relative to _text. The decoder does not guess from a
 * version: it tries each encoding and keeps the one under which _text is
 * where the page tables put it and linux_banner reads "Linux version ".
 *
 * Kernels from 6.0 export the tables' addresses in VMCOREINFO; for older ones
 * (and dumps without VMCOREINFO) the tables are found by their shape in the
 * kernel image: the token table holds the digits as one-character tokens,
 * "0\0" "1\0" ... "9\0", the token index that follows it points back at them,
 * and the names before it decode to exactly N entries followed by markers.
 */
#include "symbols/kallsyms.h"
#include "arch/vread.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYMS	(1u << 22)  /* a kernel has ~100000-250000 */
#define MAX_NAME	512	    /* KSYM_NAME_LEN, type letter included */
#define TOKEN_TABLE_MAX 0x10000	    /* the index is u16 */
#define SEARCH_BACK	(24u << 20) /* names + markers (+ seqs) before the token table */
#define MAX_FULL_TRIES	64	    /* candidate tables decoded in full during a search */
#define MAX_WINDOWS	16	    /* token tables looked back from (a kernel has one) */
#define CHUNK		(64u << 10)

struct vh_kallsyms {
	size_t n;
	char *pool;	    /* names, NUL-separated */
	uint32_t *name_off; /* into pool */
	char *type;	    /* type letters */
	uint64_t *addr;	    /* running addresses */
	size_t lost;	    /* symbols whose names were in a damaged block */
	size_t *by_name;    /* hash of the names: index + 1, 0 = empty slot */
	size_t hash_mask;
	struct vh_ks_layout layout;
	const char *method;
	const char *encoding;
};

/* Sequential reads through a small buffer. */
struct rbuf {
	const struct vh_ks_mem *m;
	uint64_t base;
	size_t len;
	size_t chunk; /* bytes read at a time, at most CHUNK */
	uint8_t buf[CHUNK];
};

static int rb_get(struct rbuf *rb, uint64_t addr, size_t n, const uint8_t **out)
{
	if (n > rb->chunk)
		return VH_ERR_INVAL;
	if (rb->len == 0 || addr < rb->base || addr + n > rb->base + rb->len) {
		rb->len = 0;
		if (rb->m->read(rb->m->arg, addr, rb->buf, rb->chunk) == VH_OK) {
			rb->len = rb->chunk;
		} else {
			/* near the end of what is mapped: just what is asked for */
			int err = rb->m->read(rb->m->arg, addr, rb->buf, n);

			if (err)
				return err;
			rb->len = n;
		}
		rb->base = addr;
	}
	*out = rb->buf + (addr - rb->base);
	return VH_OK;
}

void vh_kallsyms_free(struct vh_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->pool);
	free(ks->name_off);
	free(ks->type);
	free(ks->addr);
	free(ks->by_name);
	free(ks);
}

struct tokens {
	char table[TOKEN_TABLE_MAX + 1];
	uint16_t off[256];
	uint16_t len[256];
	bool ok[256]; /* every character of the token can be in a symbol name */
};

static int corrupt(uint64_t addr, const char *what)
{
	return vh_set_error(VH_ERR_CORRUPT, "kallsyms at 0x%llx: %s", (unsigned long long)addr,
			    what);
}

static bool type_ok(char c)
{
	return c && strchr("AaBbCcDdGgNnRrSsTtUuVvWw?", c) != NULL;
}

static bool name_char_ok(char c)
{
	return c > ' ' && c < 0x7f; /* isgraph() in the C locale, without the call */
}

static int read_tokens(const struct vh_ks_mem *m, const struct vh_ks_layout *l, struct tokens *t)
{
	uint8_t idx[512];
	size_t size;

	if (m->read(m->arg, l->token_index, idx, sizeof(idx)) != VH_OK)
		return corrupt(l->token_index, "token index unreadable");
	for (int i = 0; i < 256; i++) {
		t->off[i] = (uint16_t)(idx[2 * i] | idx[2 * i + 1] << 8);
		if (i ? t->off[i] <= t->off[i - 1] : t->off[i] != 0)
			return corrupt(l->token_index + 2u * i,
				       "token index not increasing from 0: expected "
				       "kallsyms_token_index");
	}
	/* The last token ends within a few hundred bytes of its start. */
	size = t->off[255] + 256u;
	if (size > TOKEN_TABLE_MAX)
		size = TOKEN_TABLE_MAX;
	while (m->read(m->arg, l->token_table, t->table, size) != VH_OK) {
		if (size <= t->off[255] + 1u)
			return corrupt(l->token_table, "token table unreadable");
		size = t->off[255] + (size - t->off[255]) / 2;
	}
	t->table[size] = '\0';
	for (int i = 0; i < 256; i++) {
		const char *s = t->table + t->off[i];
		size_t n = strnlen(s, size - t->off[i]);

		if (t->off[i] + n >= size || (i < 255 && t->off[i] + n + 1 != t->off[i + 1]))
			return corrupt(l->token_table + t->off[i],
				       "token not NUL-terminated where the index says");
		t->len[i] = (uint16_t)n;
		t->ok[i] = true;
		for (size_t k = 0; k < n; k++)
			t->ok[i] &= name_char_ok(s[k]);
	}
	return VH_OK;
}

/*
 * Expands one names entry at @addr into @out (type letter first); *next gets
 * the address of the following entry. Returns VH_OK or VH_ERR_CORRUPT.
 */
static int expand(struct rbuf *rb, const struct tokens *t, uint64_t addr, char *out, size_t *outlen,
		  uint64_t *next)
{
	const uint8_t *p;
	size_t len, n = 0, hdr = 1;

	if (rb_get(rb, addr, 2, &p) != VH_OK && rb_get(rb, addr, 1, &p) != VH_OK)
		return VH_ERR_CORRUPT;
	len = p[0];
	if (len & 0x80) {
		if (rb_get(rb, addr, 2, &p) != VH_OK)
			return VH_ERR_CORRUPT;
		len = (len & 0x7f) | (size_t)p[1] << 7;
		hdr = 2;
	}
	if (len == 0 || len > MAX_NAME || rb_get(rb, addr + hdr, len, &p) != VH_OK)
		return VH_ERR_CORRUPT;
	for (size_t i = 0; i < len; i++) {
		size_t tl = t->len[p[i]];

		if (n + tl >= MAX_NAME || !t->ok[p[i]])
			return VH_ERR_CORRUPT;
		memcpy(out + n, t->table + t->off[p[i]], tl);
		n += tl;
	}
	out[n] = '\0';
	if (n < 2 || !type_ok(out[0]))
		return VH_ERR_CORRUPT;
	*outlen = n;
	*next = addr + hdr + len;
	return VH_OK;
}

/* Cheap test of a names candidate: its first entries expand to symbol-like text. */
static bool names_look_right(const struct vh_ks_mem *m, const struct tokens *t, uint64_t names)
{
	struct rbuf *rb = malloc(sizeof(*rb));
	char name[MAX_NAME + 1];
	size_t n;
	bool ok = rb != NULL;

	if (rb) {
		rb->m = m;
		rb->len = 0;
		/*
		 * Enough for the 8 names: this runs at every candidate count,
		 * and a whole chunk each time would cost far more than the image.
		 */
		rb->chunk = 4096;
	}
	for (int i = 0; ok && i < 8; i++)
		ok = expand(rb, t, names, name, &n, &names) == VH_OK;
	free(rb);
	return ok;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *q;
	size_t c = *cap ? *cap : 4096;

	if (need <= *cap)
		return VH_OK;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	*p = q;
	*cap = c;
	return VH_OK;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/*
 * Markers follow the names: u32 offsets of entries 0, 256, 512... Checks them
 * at @at against @marks (offsets the decoder recorded). Returns true if they match.
 */
static bool markers_match(const struct vh_ks_mem *m, uint64_t at, const uint32_t *marks,
			  size_t nmarks)
{
	uint8_t b[4];

	for (size_t i = 0; i < nmarks; i++) {
		if (m->read(m->arg, at + 4 * i, b, 4) != VH_OK || rd32(b) != marks[i])
			return false;
	}
	return true;
}

/*
 * The markers as the kernel wrote them, found before the names are decoded
 * (tables named by VMCOREINFO only): they end at the token table, aligned,
 * or before the 3-byte-per-symbol seqs_of_names table some 6.1 kernels put
 * there. Taken when shaped right: 0 first, strictly increasing, within the
 * names. They let the decoder skip a damaged block of 256 names and go on.
 */
static uint32_t *known_markers(const struct vh_ks_mem *m, const struct vh_ks_layout *l, uint32_t n)
{
	size_t nm = (n + 255) / 256;
	uint32_t *mk = malloc(nm * sizeof(*mk));
	uint8_t *b = malloc(nm * 4);
	uint64_t ends[3] = {l->token_table, l->token_table - 3ull * n,
			    (l->token_table - 3ull * n) & ~7ull};

	for (size_t e = 0; mk && b && e < 3; e++) {
		for (uint64_t a = 4; a <= 8; a += 4) {
			uint64_t at = (ends[e] - 4 * nm) & ~(a - 1);
			bool ok = at > l->names && m->read(m->arg, at, b, nm * 4) == VH_OK;

			for (size_t i = 0; ok && i < nm; i++) {
				mk[i] = rd32(b + 4 * i);
				ok = i ? mk[i] > mk[i - 1] && mk[i] < at - l->names : mk[i] == 0;
			}
			if (ok) {
				free(b);
				return mk;
			}
		}
	}
	free(b);
	free(mk);
	return NULL;
}

/* Decodes every name; fills ks->pool, name_off, type and layout markers. */
static int decode_names(const struct vh_ks_mem *m, const struct tokens *t, struct vh_ks_layout *l,
			uint64_t limit, bool recover, struct vh_kallsyms *ks)
{
	struct rbuf *rb = malloc(sizeof(*rb));
	uint8_t b[4];
	uint32_t n, *marks = NULL, *known = NULL;
	size_t pool_cap = 0, pool_len = 0, lost_blocks = 0;
	uint64_t pos = l->names;
	char name[MAX_NAME + 1];
	int err = VH_OK;

	if (!rb)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	rb->m = m;
	rb->len = 0;
	rb->chunk = CHUNK;
	if (m->read(m->arg, l->num_syms, b, 4) != VH_OK) {
		free(rb);
		return corrupt(l->num_syms, "kallsyms_num_syms unreadable");
	}
	n = rd32(b);
	if (n == 0 || n > MAX_SYMS) {
		free(rb);
		return vh_set_error(VH_ERR_CORRUPT,
				    "kallsyms at 0x%llx: kallsyms_num_syms is %u: expected 1 to %u",
				    (unsigned long long)l->num_syms, n, MAX_SYMS);
	}
	ks->name_off = malloc(n * sizeof(*ks->name_off));
	ks->type = malloc(n);
	marks = malloc(((n + 255) / 256) * sizeof(*marks));
	if (!ks->name_off || !ks->type || !marks ||
	    grow((void **)&ks->pool, &pool_cap, 1, 1) != VH_OK)
		err = vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	else
		ks->pool[pool_len++] = '\0'; /* the name of a symbol lost to damage */
	if (!err && recover)
		known = known_markers(m, l, n);
	for (uint32_t i = 0; !err && i < n; i++) {
		size_t len;

		if (i % 256 == 0) {
			if (pos - l->names > UINT32_MAX) {
				err = corrupt(pos, "names longer than 4 GiB");
				break;
			}
			marks[i / 256] = (uint32_t)(pos - l->names);
		}
		if (expand(rb, t, pos, name, &len, &pos) != VH_OK || (limit && pos > limit)) {
			uint32_t block = i / 256, next = (block + 1) * 256;

			if (known && lost_blocks < 1 + n / 256 / 8) {
				/* skip to the next block the markers point at; its names are lost
				 */
				for (uint32_t k = i; k < next && k < n; k++) {
					ks->type[k] = '?';
					ks->name_off[k] = 0;
					ks->lost++;
				}
				lost_blocks++;
				if (next >= n)
					break;
				pos = l->names + known[block + 1];
				i = next - 1;
				continue;
			}
			err = vh_set_error(VH_ERR_CORRUPT,
					   "kallsyms at 0x%llx: symbol %u of %u does not decode: "
					   "expected a length and token numbers",
					   (unsigned long long)pos, i, n);
			break;
		}
		err = grow((void **)&ks->pool, &pool_cap, pool_len + len, 1);
		if (err)
			break;
		ks->type[i] = name[0];
		ks->name_off[i] = (uint32_t)pool_len;
		memcpy(ks->pool + pool_len, name + 1, len); /* name + its NUL */
		pool_len += len;
		if (pool_len > UINT32_MAX - MAX_NAME)
			err = corrupt(pos, "names too long");
	}
	if (!err) {
		ks->n = n;
		/* Where the markers are: right after the names, aligned. */
		for (uint64_t a = 4; a <= 8 && !l->markers; a += 4) {
			uint64_t at = (pos + a - 1) & ~(a - 1);

			if (!ks->lost && markers_match(m, at, marks, (n + 255) / 256))
				l->markers = at;
		}
	}
	free(known);
	free(marks);
	free(rb);
	return err;
}

static size_t find_name(const struct vh_kallsyms *ks, const char *name);

/* How offsets turn into addresses. */
enum encoding { ENC_ABSOLUTE, ENC_PERCPU, ENC_BASE, ENC_TEXT, ENC_PCREL };

static const char *const enc_names[] = {
    [ENC_ABSOLUTE] = "absolute",    [ENC_PERCPU] = "base-relative, absolute per-cpu",
    [ENC_BASE] = "base-relative",   [ENC_TEXT] = "_text-relative",
    [ENC_PCREL] = "place-relative",
};

static uint64_t address(enum encoding e, uint64_t raw, uint64_t base, uint64_t place)
{
	int32_t off = (int32_t)(uint32_t)raw;

	switch (e) {
	case ENC_ABSOLUTE:
		return raw;
	case ENC_PERCPU:
		return off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)(int64_t)off;
	case ENC_BASE:
	case ENC_TEXT:
		return base + (uint32_t)raw;
	case ENC_PCREL:
		return place + (uint64_t)(int64_t)off;
	}
	return 0;
}

/* The raw table (u32 offsets or u64 addresses), read whole. */
static int read_raw(const struct vh_ks_mem *m, uint64_t at, size_t n, size_t width, uint8_t **out)
{
	uint8_t *b = malloc(n * width);
	size_t done = 0;

	*out = NULL;
	if (!b)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	while (done < n * width) {
		size_t k = n * width - done < CHUNK ? n * width - done : CHUNK;

		if (m->read(m->arg, at + done, b + done, k) != VH_OK) {
			free(b);
			return corrupt(at + done, "address table unreadable");
		}
		done += k;
	}
	*out = b;
	return VH_OK;
}

static bool banner_at(const struct vh_ks_mem *m, uint64_t addr)
{
	char b[14];

	return m->read(m->arg, addr, b, sizeof(b)) == VH_OK && memcmp(b, "Linux version ", 14) == 0;
}

/* Stand-ins for a kallsyms without _text (arm64 lists the image from _stext on) lie this near. */
#define STEXT_MAX (2ull << 20)

/*
 * Does encoding @e put _text at @text (or, without _text, _stext within
 * STEXT_MAX above it) and linux_banner on the banner (when listed)?
 */
static bool encoding_fits(const struct vh_ks_mem *m, const struct vh_kallsyms *ks,
			  const uint8_t *raw, size_t width, uint64_t table, enum encoding e,
			  uint64_t base, uint64_t text)
{
	size_t it = find_name(ks, "_text"), ib = find_name(ks, "linux_banner");
	bool stext = it == SIZE_MAX;
	uint64_t at;

	if (stext)
		it = find_name(ks, "_stext");
	if (it == SIZE_MAX)
		return false;
	at = address(e, width == 8 ? rd64(raw + 8 * it) : rd32(raw + 4 * it), base,
		     table + width * it);
	if (stext ? at < text || at - text >= STEXT_MAX : at != text)
		return false;
	/* without KALLSYMS_ALL (Debian's arm64 cloud 6.1) no data symbol is listed */
	if (ib == SIZE_MAX)
		return true;
	return banner_at(m, address(e, width == 8 ? rd64(raw + 8 * ib) : rd32(raw + 4 * ib), base,
				    table + width * ib));
}

/* Tries the encodings with the offsets at @l; fills ks->addr on success. */
static int choose_addresses(const struct vh_ks_mem *m, struct vh_kallsyms *ks,
			    const struct vh_ks_layout *l, uint64_t text)
{
	uint64_t table = l->addresses ? l->addresses : l->offsets;
	size_t width = l->addresses ? 8 : 4;
	uint64_t base = 0;
	uint8_t *raw, b[8];
	static const enum encoding order[] = {ENC_PERCPU, ENC_BASE, ENC_PCREL, ENC_TEXT};
	int err;

	if (!table)
		return vh_set_error(VH_ERR_NOT_PRESENT, "kallsyms: no address table");
	if (l->relative_base) {
		if (m->read(m->arg, l->relative_base, b, 8) != VH_OK)
			return corrupt(l->relative_base, "kallsyms_relative_base unreadable");
		base = rd64(b);
	}
	err = read_raw(m, table, ks->n, width, &raw);
	if (err)
		return err;
	for (size_t k = 0; k < (width == 8 ? 1 : 4); k++) {
		enum encoding e = width == 8 ? ENC_ABSOLUTE : order[k];
		uint64_t eb = e == ENC_TEXT ? text : base;

		if ((e == ENC_PERCPU || e == ENC_BASE) && !l->relative_base)
			continue;
		if (!encoding_fits(m, ks, raw, width, table, e, eb, text))
			continue;
		ks->addr = malloc(ks->n * sizeof(*ks->addr));
		if (!ks->addr) {
			free(raw);
			return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
		}
		for (size_t i = 0; i < ks->n; i++)
			ks->addr[i] = address(e, width == 8 ? rd64(raw + 8 * i) : rd32(raw + 4 * i),
					      eb, table + width * i);
		ks->encoding = enc_names[e];
		ks->layout = *l;
		/* a base read but not used was only a guess at one */
		if (e == ENC_PCREL || e == ENC_TEXT)
			ks->layout.relative_base = 0;
		free(raw);
		return VH_OK;
	}
	free(raw);
	return vh_set_error(VH_ERR_CORRUPT,
			    "kallsyms at 0x%llx: no address encoding puts _text at 0x%llx and "
			    "linux_banner on \"Linux version\"",
			    (unsigned long long)table, (unsigned long long)text);
}

/*
 * kallsyms_seqs_of_names (6.2+, backported to some 6.1): 3-byte big-endian
 * symbol numbers in name order. Newer kernels list it among the symbols; where
 * they do not, it follows the markers, the base or the offsets. Accepted where
 * its first entries are symbol numbers whose names ascend.
 */
static bool seqs_at(const struct vh_ks_mem *m, const struct vh_kallsyms *ks, uint64_t at)
{
	uint8_t b[3 * 256];
	size_t n = ks->n < 256 ? ks->n : 256;
	const char *prev = "";

	if (m->read(m->arg, at, b, 3 * n) != VH_OK)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = (uint32_t)b[3 * i] << 16 | (uint32_t)b[3 * i + 1] << 8 | b[3 * i + 2];
		const char *name;

		if (k >= ks->n)
			return false;
		name = ks->pool + ks->name_off[k];
		if (strcmp(prev, name) > 0)
			return false;
		prev = name;
	}
	return true;
}

static void find_seqs(const struct vh_ks_mem *m, struct vh_kallsyms *ks)
{
	struct vh_ks_layout *l = &ks->layout;
	uint64_t cand[4] = {0};

	if (l->markers)
		cand[0] = l->markers + 4 * ((ks->n + 255) / 256);
	if (l->relative_base)
		cand[1] = l->relative_base + 8;
	if (l->offsets)
		cand[2] = l->offsets + 4 * (uint64_t)ks->n;
	for (size_t i = 0; i < 3 && !l->seqs_of_names; i++) {
		for (uint64_t a = 1; a <= 8 && cand[i]; a *= 2) {
			uint64_t at = (cand[i] + a - 1) & ~(a - 1);

			if (seqs_at(m, ks, at)) {
				l->seqs_of_names = at;
				break;
			}
		}
	}
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* An open-addressing hash of the names: built in O(N), where sorting cost most of a load. */
static int index_names(struct vh_kallsyms *ks)
{
	size_t cap = 1;

	while (cap < 2 * ks->n)
		cap *= 2;
	ks->by_name = calloc(cap, sizeof(*ks->by_name));
	if (!ks->by_name)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	ks->hash_mask = cap - 1;
	for (size_t i = 0; i < ks->n; i++) {
		size_t h = hash_name(ks->pool + ks->name_off[i]) & ks->hash_mask;

		while (ks->by_name[h])
			h = (h + 1) & ks->hash_mask;
		ks->by_name[h] = i + 1;
	}
	return VH_OK;
}

/*
 * The symbol named @name: a global one (upper-case type) over a local one,
 * else the first in the tables' order. SIZE_MAX when there is none.
 */
static size_t find_name(const struct vh_kallsyms *ks, const char *name)
{
	size_t h = hash_name(name) & ks->hash_mask, best = SIZE_MAX;

	for (; ks->by_name[h]; h = (h + 1) & ks->hash_mask) {
		size_t i = ks->by_name[h] - 1;

		if (strcmp(ks->pool + ks->name_off[i], name) != 0)
			continue;
		if (best == SIZE_MAX || (isupper((unsigned char)ks->type[i]) &&
					 !isupper((unsigned char)ks->type[best])))
			best = i;
	}
	return best;
}

/* Decodes with every candidate address table in @cand (the names are shared). */
static int decode_with(const struct vh_ks_mem *m, struct vh_ks_layout *l,
		       const struct vh_ks_layout *cand, size_t ncand, uint64_t text,
		       const struct tokens *t, uint64_t limit, bool recover, const char *method,
		       struct vh_kallsyms **out)
{
	struct vh_kallsyms *ks = calloc(1, sizeof(*ks));
	int err;

	*out = NULL;
	if (!ks)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	err = decode_names(m, t, l, limit, recover, ks);
	if (!err)
		err = index_names(ks);
	for (size_t i = 0; !err && i < ncand; i++) {
		struct vh_ks_layout c = cand[i];

		c.num_syms = l->num_syms;
		c.names = l->names;
		c.markers = l->markers;
		c.token_table = l->token_table;
		c.token_index = l->token_index;
		err = choose_addresses(m, ks, &c, text);
		if (err && i + 1 < ncand)
			err = VH_OK;
		else
			break;
	}
	if (!err)
		find_seqs(m, ks);
	if (err) {
		vh_kallsyms_free(ks);
		return err;
	}
	ks->method = method;
	*out = ks;
	return VH_OK;
}

int vh_ks_decode(const struct vh_ks_mem *m, const struct vh_ks_layout *l, uint64_t text,
		 const char *method, struct vh_kallsyms **out)
{
	struct tokens *t = malloc(sizeof(*t));
	struct vh_ks_layout names = *l, cand[2];
	size_t ncand = 1;
	int err;

	*out = NULL;
	if (!t)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	if (!l->num_syms || !l->names || !l->token_table || !l->token_index ||
	    !(l->offsets || l->addresses)) {
		free(t);
		return vh_set_error(VH_ERR_NOT_PRESENT, "kallsyms: table addresses missing");
	}
	cand[0] = *l;
	err = read_tokens(m, l, t);
	if (!err)
		err = decode_with(m, &names, cand, ncand, text, t, 0, true, method, out);
	free(t);
	return err;
}

/* The digits as single-character tokens: the token table's fingerprint. */
static const char digits[] = "0\0001\0002\0003\0004\0005\0006\0007\0008\0009";
#define DIGITS_LEN sizeof(digits) /* the final NUL included */

/*
 * With the digit tokens at @x, finds the table's start and its index: the
 * index follows the 256th token (aligned), starts with 0 and says token '0'
 * is at @x.
 */
static bool token_table_at(const struct vh_ks_mem *m, uint64_t x, struct vh_ks_layout *l)
{
	uint8_t b[256];
	size_t p = 0;
	int tok = '0';

	/*
	 * Read as far as the 256th token, a piece at a time, and only the two
	 * index entries checked: every place the digits occur is tried, so
	 * reading a whole chunk for each would cost thousands of times the
	 * image on a file that repeats them.
	 */
	while (tok < 256 && p < CHUNK) {
		size_t n = CHUNK - p < sizeof(b) ? CHUNK - p : sizeof(b);

		if (m->read(m->arg, x + p, b, n) != VH_OK)
			return false;
		for (size_t i = 0; i < n && tok < 256; i++, p++) {
			if (b[i] == 0)
				tok++;
		}
	}
	if (tok != 256)
		return false;
	for (uint64_t a = 8; a >= 1; a /= 2) {
		uint64_t at = (x + p + a - 1) & ~(a - 1);
		uint8_t zero[2], d[2];
		uint16_t dv;

		if (m->read(m->arg, at, zero, 2) != VH_OK || zero[0] || zero[1] ||
		    m->read(m->arg, at + '0' * 2, d, 2) != VH_OK)
			continue;
		dv = (uint16_t)(d[0] | d[1] << 8);
		if (dv == 0 || dv > x)
			continue;
		l->token_table = x - dv;
		l->token_index = at;
		return true;
	}
	return false;
}

/*
 * Reads a stretch of the image page by page: a page the dump left out (a
 * zero page makedumpfile -d 1 dropped, init memory freed after boot) reads
 * as zeros instead of failing the whole stretch. Returns the pages read.
 */
static size_t read_tolerant(const struct vh_ks_mem *m, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t done = 0, ok = 0;

	while (done < len) {
		size_t n = 4096 - (size_t)((addr + done) & 0xfff);

		if (n > len - done)
			n = len - done;
		if (m->read(m->arg, addr + done, buf + done, n) == VH_OK)
			ok++;
		else
			memset(buf + done, 0, n);
		done += n;
	}
	return ok;
}

struct search {
	const struct vh_ks_mem *m;
	uint64_t text;
	const uint64_t (*ranges)[2];
	size_t nranges;
	int tries;
	int windows; /* token tables looked back from: each reads up to SEARCH_BACK */
};

/* The range holding @addr. */
static bool range_of(const struct search *s, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	for (size_t i = 0; i < s->nranges; i++) {
		if (addr >= s->ranges[i][0] && addr < s->ranges[i][1]) {
			*lo = s->ranges[i][0];
			*hi = s->ranges[i][1];
			return true;
		}
	}
	return false;
}

/*
 * Candidate address tables around the names: before num_syms (offsets, then
 * the base, up to 6.1) or after the token index (6.2+, base after the
 * offsets or none at all).
 */
static size_t address_candidates(const struct vh_ks_layout *l, uint32_t n, struct vh_ks_layout *c)
{
	size_t k = 0;
	uint64_t ti_end = l->token_index + 512;

	for (uint64_t a = 8; a >= 4; a /= 2) {
		uint64_t size = ((uint64_t)n * 4 + a - 1) & ~(a - 1);
		uint64_t rb = (l->num_syms - 8) & ~7ull;
		uint64_t off = (ti_end + a - 1) & ~(a - 1);

		c[k++] = (struct vh_ks_layout){.offsets = rb - size, .relative_base = rb};
		c[k++] = (struct vh_ks_layout){
		    .offsets = off, .relative_base = (off + (uint64_t)n * 4 + 7) & ~7ull};
		c[k++] = (struct vh_ks_layout){.offsets = off};
	}
	return k;
}

/* Reads served from a window already read, the rest from the dump. */
struct winmem {
	const struct vh_ks_mem *under;
	uint64_t base;
	const uint8_t *buf;
	size_t len;
};

static int win_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct winmem *w = arg;

	if (addr >= w->base && addr - w->base <= w->len && len <= w->len - (addr - w->base)) {
		memcpy(buf, w->buf + (addr - w->base), len);
		return VH_OK;
	}
	return w->under->read(w->under->arg, addr, buf, len);
}

/* Looks back from the token table for num_syms and the names that decode to it. */
static int find_names(struct search *s, const struct tokens *t, struct vh_ks_layout *l,
		      struct vh_kallsyms **out)
{
	uint64_t lo, hi, start;
	uint8_t *win;
	size_t len;
	int err = VH_ERR_NOT_PRESENT;
	struct winmem wm;
	struct vh_ks_mem m = {win_read, &wm};

	if (!range_of(s, l->token_table, &lo, &hi))
		return VH_ERR_NOT_PRESENT;
	start = l->token_table - lo > SEARCH_BACK ? l->token_table - SEARCH_BACK : lo;
	start &= ~3ull;
	len = (size_t)(l->token_table - start);
	win = malloc(len ? len : 1);
	if (!win)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	if (read_tolerant(s->m, start, win, len) == 0) {
		free(win);
		return VH_ERR_NOT_PRESENT;
	}
	wm = (struct winmem){s->m, start, win, len};
	for (size_t p = len >= 12 ? (len - 12) & ~(size_t)3 : 0;
	     p >= 4 && s->tries < MAX_FULL_TRIES; p -= 4) {
		uint32_t n = rd32(win + p);

		if (n < 256 || n > MAX_SYMS)
			continue;
		for (uint64_t gap = 4; gap <= 8; gap += 4) {
			struct vh_ks_layout c = *l, cand[6];
			size_t nc;

			c.num_syms = start + p;
			c.names = start + p + gap;
			if (!names_look_right(&m, t, c.names))
				continue;
			s->tries++;
			nc = address_candidates(&c, n, cand);
			err = decode_with(&m, &c, cand, nc, s->text, t, l->token_table, false,
					  "search", out);
			if (!err && !(*out)->layout.markers) {
				vh_kallsyms_free(*out);
				*out = NULL;
				err = VH_ERR_NOT_PRESENT;
			}
			if (!err) {
				free(win);
				return VH_OK;
			}
		}
	}
	free(win);
	return err == VH_ERR_NOMEM ? err : VH_ERR_NOT_PRESENT;
}

/* Looks for the digit tokens in one range, chunk by chunk. */
static int search_range(struct search *s, struct tokens *t, uint64_t lo, uint64_t hi,
			struct vh_kallsyms **out)
{
	uint8_t *b = malloc(CHUNK + DIGITS_LEN);

	if (!b)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	for (uint64_t at = lo; at < hi; at += CHUNK) {
		size_t n = hi - at < CHUNK + DIGITS_LEN ? (size_t)(hi - at) : CHUNK + DIGITS_LEN;
		const uint8_t *p = b, *end;

		if (read_tolerant(s->m, at, b, n) == 0)
			continue;
		end = b + n;
		while ((p = memmem(p, (size_t)(end - p), digits, DIGITS_LEN)) != NULL) {
			struct vh_ks_layout l = {0};
			uint64_t x = at + (uint64_t)(p - b);

			p++;
			if (x - at >= CHUNK || !token_table_at(s->m, x, &l) ||
			    read_tokens(s->m, &l, t) != VH_OK)
				continue;
			if (s->windows++ == MAX_WINDOWS) {
				free(b);
				return VH_ERR_NOT_PRESENT; /* a file planting token tables */
			}
			if (find_names(s, t, &l, out) == VH_OK) {
				free(b);
				return VH_OK;
			}
		}
	}
	free(b);
	return VH_ERR_NOT_PRESENT;
}

int vh_ks_search(const struct vh_ks_mem *m, const uint64_t (*ranges)[2], size_t nranges,
		 uint64_t text, struct vh_kallsyms **out)
{
	struct search s = {m, text, ranges, nranges, 0, 0};
	struct tokens *t = malloc(sizeof(*t));

	*out = NULL;
	if (!t)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	for (size_t i = 0; i < nranges && s.windows <= MAX_WINDOWS; i++) {
		int err = search_range(&s, t, ranges[i][0], ranges[i][1], out);

		if (err != VH_ERR_NOT_PRESENT) {
			free(t);
			return err;
		}
	}
	free(t);
	if (s.windows > MAX_WINDOWS)
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "kallsyms: no symbol tables found in the kernel image (search "
				    "stopped after %d candidate token tables: a kernel has one)",
				    MAX_WINDOWS);
	return vh_set_error(VH_ERR_NOT_PRESENT,
			    "kallsyms: no symbol tables found in the kernel image (%zu range%s "
			    "searched for the token table, %d candidate name tables rejected)",
			    nranges, nranges == 1 ? "" : "s", s.tries);
}

/* ---- the dump side ---- */

static int kread_cb(void *arg, uint64_t addr, void *buf, size_t len)
{
	return vh_vread(arg, addr, buf, len);
}

static uint64_t vmci_symbol(const struct vh_dump *d, const char *name)
{
	char key[64];
	const char *v;
	char *end;
	uint64_t x;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	v = vh_dump_vmcoreinfo_get(d, key);
	if (!v)
		return 0;
	x = strtoull(v, &end, 16);
	return end != v ? x : 0;
}

/*
 * Stored pages closer than this are searched as one range: a few pages the
 * dump left out inside the tables (zero pages makedumpfile -d 1 dropped) read
 * as zeros, as read_tolerant() does, without splitting them.
 */
#define BRIDGE_PAGES 16

/* The virtual ranges to search: the kernel image's mappings cut to stored pages. */
struct ranges {
	struct vh_dump *d;
	uint64_t (*r)[2];
	size_t n, cap;
};

static int add_range(struct ranges *rs, uint64_t start, uint64_t end)
{
	if (rs->n && start >= rs->r[rs->n - 1][1] &&
	    start - rs->r[rs->n - 1][1] <= BRIDGE_PAGES * 4096ull) {
		rs->r[rs->n - 1][1] = end;
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		void *q = realloc(rs->r, cap * sizeof(*rs->r));

		if (!q)
			return VH_ERR_NOMEM;
		rs->r = q;
		rs->cap = cap;
	}
	rs->r[rs->n][0] = start;
	rs->r[rs->n][1] = end;
	rs->n++;
	return 0;
}

/*
 * Adds the parts of one mapping whose physical pages the dump stores: the
 * search then reads what the file holds, not the gigabyte of kernel image
 * mappings a header can claim (huge pages over memory it declares but does
 * not store, or over an ELF zero tail). The cost is one next-present lookup
 * per stored page, plus one per mapping.
 */
static int add_mapping(const struct vh_mapping *mp, int present, void *arg)
{
	struct ranges *rs = arg;
	uint32_t ps = vh_dump_page_size(rs->d);
	uint64_t first, end, pfn;

	if (!present || !ps || mp->page_size < ps)
		return 0;
	first = mp->paddr / ps;
	end = first + mp->page_size / ps;
	for (pfn = first;
	     pfn < end && vh_dump_next_present(rs->d, pfn, &pfn) == VH_OK && pfn < end;) {
		uint64_t run = pfn + 1, next; /* a run of stored pages: [pfn, run) */

		while (run < end && vh_dump_next_present(rs->d, run, &next) == VH_OK && next == run)
			run++;
		if (add_range(rs, mp->vaddr + (pfn - first) * ps, mp->vaddr + (run - first) * ps))
			return VH_ERR_NOMEM;
		pfn = run;
	}
	return 0;
}

int vh_kallsyms_load(struct vh_dump *d, const struct vh_kernel_map *km, unsigned flags,
		     struct vh_kallsyms **out)
{
	struct vh_vread *r = malloc(sizeof(*r));
	struct vh_ks_mem m = {kread_cb, r};
	struct vh_ks_layout l = {0};
	uint64_t text = km->text;
	struct ranges rs = {d, NULL, 0, 0};
	char first[600] = "";
	int err;

	*out = NULL;
	if (!r)
		return vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	vh_vread_kernel(r, d, km);
	l.num_syms = vmci_symbol(d, "kallsyms_num_syms");
	l.names = vmci_symbol(d, "kallsyms_names");
	l.token_table = vmci_symbol(d, "kallsyms_token_table");
	l.token_index = vmci_symbol(d, "kallsyms_token_index");
	l.offsets = vmci_symbol(d, "kallsyms_offsets");
	l.relative_base = vmci_symbol(d, "kallsyms_relative_base");
	l.addresses = vmci_symbol(d, "kallsyms_addresses");
	err = (flags & VH_KALLSYMS_SEARCH) ? VH_ERR_NOT_PRESENT
					   : vh_ks_decode(&m, &l, text, "vmcoreinfo", out);
	if (err == VH_OK || err == VH_ERR_NOMEM) {
		free(r);
		return err;
	}
	/* Exported but undecodable: say so too if the search fails as well. */
	if (err != VH_ERR_NOT_PRESENT)
		snprintf(first, sizeof(first), "the tables VMCOREINFO names: %s; ", vh_errmsg());
	/* Not exported (before 6.0), or exported wrong: look for the tables' shape. */
	err = vh_walk(d, &km->mmu, km->pgd, text, km->image_end, add_mapping, &rs, NULL);
	if (err == VH_ERR_NOMEM)
		err = vh_set_error(VH_ERR_NOMEM, "kallsyms: out of memory");
	else
		err = vh_ks_search(&m, (const uint64_t(*)[2])rs.r, rs.n, text, out);
	if (err && err != VH_ERR_NOMEM) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", vh_errmsg());
		err = vh_set_error(err, "%s: %s%s", vh_dump_path(d), first, msg);
	}
	free(rs.r);
	free(r);
	return err;
}

size_t vh_kallsyms_count(const struct vh_kallsyms *ks)
{
	return ks->n;
}

int vh_kallsyms_get(const struct vh_kallsyms *ks, size_t i, struct vh_ksym *out)
{
	if (i >= ks->n)
		return vh_set_error(VH_ERR_INVAL, "kallsyms: symbol %zu out of range", i);
	out->name = ks->pool + ks->name_off[i];
	out->addr = ks->addr[i];
	out->type = ks->type[i];
	return VH_OK;
}

int vh_kallsyms_lookup(const struct vh_kallsyms *ks, const char *name, struct vh_ksym *out)
{
	size_t i = find_name(ks, name);

	if (i == SIZE_MAX)
		return vh_set_error(VH_ERR_NOT_PRESENT, "kallsyms: no symbol %s", name);
	return vh_kallsyms_get(ks, i, out);
}

size_t vh_kallsyms_lost(const struct vh_kallsyms *ks)
{
	return ks->lost;
}

const char *vh_kallsyms_method(const struct vh_kallsyms *ks)
{
	return ks->method;
}

const char *vh_kallsyms_encoding(const struct vh_kallsyms *ks)
{
	return ks->encoding;
}

int vh_kallsyms_table(const struct vh_kallsyms *ks, const char *table, uint64_t *addr)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
	    {"kallsyms_num_syms", offsetof(struct vh_ks_layout, num_syms)},
	    {"kallsyms_names", offsetof(struct vh_ks_layout, names)},
	    {"kallsyms_markers", offsetof(struct vh_ks_layout, markers)},
	    {"kallsyms_token_table", offsetof(struct vh_ks_layout, token_table)},
	    {"kallsyms_token_index", offsetof(struct vh_ks_layout, token_index)},
	    {"kallsyms_offsets", offsetof(struct vh_ks_layout, offsets)},
	    {"kallsyms_relative_base", offsetof(struct vh_ks_layout, relative_base)},
	    {"kallsyms_addresses", offsetof(struct vh_ks_layout, addresses)},
	    {"kallsyms_seqs_of_names", offsetof(struct vh_ks_layout, seqs_of_names)},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].name, table) == 0) {
			memcpy(addr, (const char *)&ks->layout + t[i].off, sizeof(*addr));
			return *addr ? VH_OK : VH_ERR_NOT_PRESENT;
		}
	}
	return VH_ERR_NOT_PRESENT;
}
