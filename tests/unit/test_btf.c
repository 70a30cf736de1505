/* SPDX-License-Identifier: MIT */
/*
 * BTF parser and profile filler on hand-built BTF: every kind in the type
 * section, struct members found through anonymous unions and dotted paths,
 * bitfields with and without kind_flag, arrays, typedef/qualifier chains,
 * enums and enum64; then bad headers, out-of-bounds sections, unknown kinds,
 * cycles, and every truncation of a valid blob.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "symbols/loaders.h"
#include "helpers/tmpfile.h"
#include "symbols/profile_internal.h"

enum {
	K_INT = 1,
	K_PTR,
	K_ARRAY,
	K_STRUCT,
	K_UNION,
	K_ENUM,
	K_FWD,
	K_TYPEDEF,
	K_VOLATILE,
	K_CONST,
	K_RESTRICT,
	K_FUNC,
	K_FUNC_PROTO,
	K_VAR,
	K_DATASEC,
	K_FLOAT,
	K_DECL_TAG,
	K_TYPE_TAG,
	K_ENUM64
};

struct blob {
	uint8_t types[8192];
	size_t tlen;
	char strs[4096];
	size_t slen;
	uint32_t next_id;
	uint8_t out[16384];
	size_t olen;
};

static void w32(struct blob *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->types[b->tlen++] = (uint8_t)(v >> (8 * i));
}

static uint32_t str(struct blob *b, const char *s)
{
	uint32_t off;

	if (!s || !*s)
		return 0;
	off = (uint32_t)b->slen;
	memcpy(b->strs + b->slen, s, strlen(s) + 1);
	b->slen += strlen(s) + 1;
	return off;
}

/* A type header; returns its id. */
static uint32_t type(struct blob *b, const char *name, int kind, int kflag, unsigned vlen,
		     uint32_t size_type)
{
	w32(b, str(b, name));
	w32(b, (uint32_t)kflag << 31 | (uint32_t)kind << 24 | vlen);
	w32(b, size_type);
	return b->next_id++;
}

static void member(struct blob *b, const char *name, uint32_t t, uint32_t off)
{
	w32(b, str(b, name));
	w32(b, t);
	w32(b, off);
}

static void init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1; /* the empty string */
	b->next_id = 1;
}

static void finish(struct blob *b)
{
	uint8_t *o = b->out;

	memset(o, 0, 24);
	o[0] = 0x9f;
	o[1] = 0xeb;
	o[2] = 1;
	o[4] = 24;
	/* type_off 0, type_len, str_off, str_len */
	for (int i = 0; i < 4; i++) {
		o[12 + i] = (uint8_t)(b->tlen >> (8 * i));
		o[16 + i] = (uint8_t)(b->tlen >> (8 * i));
		o[20 + i] = (uint8_t)(b->slen >> (8 * i));
	}
	memcpy(o + 24, b->types, b->tlen);
	memcpy(o + 24 + b->tlen, b->strs, b->slen);
	b->olen = 24 + b->tlen + b->slen;
}

/*
 * A small kernel: list_head, task_struct (kind_flag bitfields, an anonymous
 * union, thread_info.cpu, a typedef'd and const member, comm[16]), maple_type,
 * pid_type as enum64, and one of every other kind.
 */
static void build_kernel(struct blob *b, int kflag)
{
	uint32_t uint, lng, chr, vp, lh, lhp, comm, anon, ti, tdef, cst, vol, bits3;

	init(b);
	uint = type(b, "unsigned int", K_INT, 0, 0, 4);
	w32(b, 32);
	lng = type(b, "long", K_INT, 0, 0, 8);
	w32(b, 1u << 24 | 64);
	chr = type(b, "char", K_INT, 0, 0, 1);
	w32(b, 8);
	vp = type(b, NULL, K_PTR, 0, 0, 0); /* void * */
	lh = type(b, "list_head", K_STRUCT, 0, 2, 16);
	lhp = b->next_id; /* the pointer type comes next */
	member(b, "next", lhp, 0);
	member(b, "prev", lhp, 64);
	type(b, NULL, K_PTR, 0, 0, lh);
	comm = type(b, NULL, K_ARRAY, 0, 0, 0);
	w32(b, chr);
	w32(b, uint);
	w32(b, 16);
	anon = type(b, NULL, K_UNION, 0, 2, 16);
	member(b, "tasks", lh, 0);
	member(b, "other", lng, 0);
	ti = type(b, "thread_info", K_STRUCT, 0, 2, 16);
	member(b, "flags", lng, 0);
	member(b, "cpu", uint, 64);
	tdef = type(b, "pid_t", K_TYPEDEF, 0, 0, uint);
	cst = type(b, NULL, K_CONST, 0, 0, tdef);
	vol = type(b, NULL, K_VOLATILE, 0, 0, cst);
	bits3 = type(b, "unsigned int", K_INT, 0, 0, 4); /* without kind_flag: 3 bits at 5 */
	w32(b, 5u << 16 | 3);
	type(b, "task_struct", K_STRUCT, kflag, 8, 256);
	member(b, "thread_info", ti, 0);
	member(b, "__state", uint, 128);
	member(b, NULL, anon, 192);
	member(b, "pid", vol, 320);
	member(b, "tgid", tdef, 352);
	member(b, "comm", comm, 384);
	member(b, "mm", vp, 512);
	if (kflag)
		member(b, "sched_reset_on_fork", uint, 1u << 24 | 579);
	else
		member(b, "sched_reset_on_fork", bits3, 576 - 0);
	type(b, "maple_type", K_ENUM, 0, 2, 4);
	w32(b, str(b, "maple_dense"));
	w32(b, 0);
	w32(b, str(b, "maple_arange_64"));
	w32(b, 3);
	type(b, "pid_type", K_ENUM64, 0, 2, 8);
	w32(b, str(b, "PIDTYPE_TGID"));
	w32(b, 1);
	w32(b, 0);
	w32(b, str(b, "PIDTYPE_MAX"));
	w32(b, 4);
	w32(b, 0);
	/* the other kinds, for the parser */
	type(b, "mm_struct", K_FWD, 0, 0, 0);
	type(b, NULL, K_RESTRICT, 0, 0, vp);
	{
		uint32_t proto = type(b, NULL, K_FUNC_PROTO, 0, 1, uint);
		uint32_t var;

		w32(b, str(b, "x"));
		w32(b, uint);
		type(b, "do_exit", K_FUNC, 0, 1, proto);
		var = type(b, "init_task", K_VAR, 0, 0, lh);
		w32(b, 1);
		type(b, ".data", K_DATASEC, 0, 1, 64);
		w32(b, var);
		w32(b, 0);
		w32(b, 16);
		type(b, "double", K_FLOAT, 0, 0, 8);
		type(b, "tag", K_DECL_TAG, 0, 0, var);
		w32(b, (uint32_t)-1);
		type(b, "user", K_TYPE_TAG, 0, 0, vp);
	}
	finish(b);
}

static struct vh_profile *fill(struct blob *b, int want)
{
	struct vh_btf *btf = NULL;
	struct vh_profile *p;

	assert_int_equal(vh_profile_new(&p), VH_OK);
	vh_test_seed("btf", b->out, b->olen);
	assert_int_equal(vh_btf_parse(b->out, b->olen, "test BTF", &btf), want);
	if (want == VH_OK) {
		assert_int_equal(vh_btf_count(btf), b->next_id - 1);
		assert_int_equal(vh_btf_fill(btf, p), VH_OK);
	} else {
		assert_null(btf);
	}
	vh_btf_free(btf);
	return p;
}

static void check_kernel(struct vh_profile *p)
{
	assert_int_equal(p->list_head.type.size, 16);
	assert_int_equal(p->list_head.type.source, VH_SRC_BTF);
	assert_int_equal(p->list_head.prev.offset, 8);
	assert_int_equal(p->list_head.prev.size, 8);
	assert_int_equal(p->task_struct.type.size, 256);
	assert_int_equal(p->task_struct.state.offset, 16);
	assert_int_equal(p->task_struct.state.size, 4);
	assert_int_equal(p->task_struct.state.alt, 0); /* __state */
	/* through the anonymous union at 24 */
	assert_int_equal(p->task_struct.tasks.offset, 24);
	assert_int_equal(p->task_struct.tasks.size, 16);
	/* a dotted path: no task_struct.cpu, thread_info.cpu at 0 + 8 */
	assert_int_equal(p->task_struct.cpu.offset, 8);
	assert_int_equal(p->task_struct.cpu.alt, 1);
	/* sizes through volatile, const and typedef */
	assert_int_equal(p->task_struct.pid.offset, 40);
	assert_int_equal(p->task_struct.pid.size, 4);
	assert_int_equal(p->task_struct.tgid.size, 4);
	assert_int_equal(p->task_struct.comm.offset, 48);
	assert_int_equal(p->task_struct.comm.size, 16);
	assert_int_equal(p->task_struct.comm.nelem, 16);
	assert_int_equal(p->task_struct.mm.size, 8);
	/* bit 579 = byte 72, bit 3, one bit wide (kind_flag) or 581 = byte 72 bit 5, 3 bits */
	assert_int_equal(p->task_struct.sched_reset_on_fork.offset, 72);
	assert_int_equal(p->task_struct.sched_reset_on_fork.size, 4);
	assert_int_equal(p->task_struct.children.source, VH_SRC_NONE);
	assert_int_equal(p->task_struct.children.offset, VH_ABSENT);
	/* enums and enum64 */
	assert_int_equal(p->enums.maple_arange_64.value, 3);
	assert_int_equal(p->enums.maple_arange_64.source, VH_SRC_BTF);
	assert_int_equal(p->enums.maple_leaf_64.source, VH_SRC_NONE);
	assert_int_equal(p->enums.PIDTYPE_MAX.value, 4);
	assert_int_equal(p->enums.PIDTYPE_TGID.value, 1);
	/* a forward declaration is no definition */
	assert_int_equal(p->mm_struct.type.source, VH_SRC_NONE);
}

static void test_kernel_kind_flag(void **state)
{
	struct blob *b = malloc(sizeof(*b));
	struct vh_profile *p;

	(void)state;
	build_kernel(b, 1);
	p = fill(b, VH_OK);
	check_kernel(p);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_offset, 3);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_size, 1);
	vh_profile_free(p);
	free(b);
}

static void test_kernel_int_bitfield(void **state)
{
	struct blob *b = malloc(sizeof(*b));
	struct vh_profile *p;

	(void)state;
	build_kernel(b, 0);
	p = fill(b, VH_OK);
	check_kernel(p);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_offset, 5);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_size, 3);
	vh_profile_free(p);
	free(b);
}

static void expect_bad(struct blob *b, const char *msg)
{
	vh_profile_free(fill(b, VH_ERR_CORRUPT));
	assert_non_null(strstr(vh_errmsg(), "test BTF"));
	assert_non_null(strstr(vh_errmsg(), msg));
}

static void test_bad_headers(void **state)
{
	struct blob *b = malloc(sizeof(*b));

	(void)state;
	build_kernel(b, 1);
	b->out[0] = 0;
	expect_bad(b, "magic");
	build_kernel(b, 1);
	b->out[2] = 2;
	expect_bad(b, "version");
	build_kernel(b, 1);
	b->out[12] = 0xff; /* type_len past the end */
	b->out[13] = 0xff;
	expect_bad(b, "outside");
	build_kernel(b, 1);
	b->out[b->olen - 1] = 'x'; /* strings not NUL-terminated */
	expect_bad(b, "NUL");
	build_kernel(b, 1);
	b->out[24 + 7] = 0x1f; /* kind 31 */
	expect_bad(b, "unknown BTF kind");
	build_kernel(b, 1);
	b->out[24 + 4] = 0xff; /* vlen of a kind with data, running off the section */
	b->out[24 + 5] = 0xff;
	b->out[24 + 7] = K_STRUCT;
	expect_bad(b, "outside");
	build_kernel(b, 1);
	b->out[24 + 2] = 0x7f; /* a name offset past the strings */
	expect_bad(b, "outside");
	free(b);
}

/* Cycles: a typedef of itself, a struct holding itself anonymously. */
static void test_cycles(void **state)
{
	struct blob *b = malloc(sizeof(*b));
	struct vh_profile *p;
	uint32_t self;

	(void)state;
	init(b);
	self = type(b, "loop_t", K_TYPEDEF, 0, 0, 1); /* id 1 -> id 1 */
	type(b, "task_struct", K_STRUCT, 0, 3, 64);
	member(b, NULL, 2, 0); /* itself, anonymous */
	member(b, "mm", self, 0);
	member(b, "flags", 99, 32); /* an id past the end */
	finish(b);
	p = fill(b, VH_OK);
	assert_int_equal(p->task_struct.type.size, 64);
	assert_int_equal(p->task_struct.mm.offset, 0);
	assert_int_equal(p->task_struct.mm.size, 0); /* no size through the loop */
	assert_int_equal(p->task_struct.flags.size, 0);
	assert_int_equal(p->task_struct.tasks.source, VH_SRC_NONE);
	vh_profile_free(p);
	free(b);
}

/* Every prefix of a valid blob: parses or fails cleanly (ASan watches). */
static void test_truncations(void **state)
{
	struct blob *b = malloc(sizeof(*b));

	(void)state;
	build_kernel(b, 1);
	for (size_t n = 0; n < b->olen; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct vh_btf *btf = NULL;
		int err;

		memcpy(copy, b->out, n);
		err = vh_btf_parse(copy, n, "test BTF", &btf);
		assert_true(err == VH_OK || err == VH_ERR_CORRUPT);
		if (err == VH_OK) {
			struct vh_profile *p;

			assert_int_equal(vh_profile_new(&p), VH_OK);
			vh_btf_fill(btf, p);
			vh_profile_free(p);
		}
		vh_btf_free(btf);
		free(copy);
	}
	free(b);
}

/* Random bytes flipped in the type section: parse and fill never crash. */
static void test_random_damage(void **state)
{
	struct blob *b = malloc(sizeof(*b));
	unsigned seed = 777;

	(void)state;
	for (int round = 0; round < 400; round++) {
		struct vh_btf *btf = NULL;

		build_kernel(b, round & 1);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			b->out[24 + (seed >> 8) % b->tlen] ^= (uint8_t)(1u << (seed % 8));
		}
		if (vh_btf_parse(b->out, b->olen, "test BTF", &btf) == VH_OK) {
			struct vh_profile *p;

			assert_int_equal(vh_profile_new(&p), VH_OK);
			vh_btf_fill(btf, p);
			vh_profile_free(p);
		}
		vh_btf_free(btf);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kernel_kind_flag), cmocka_unit_test(test_kernel_int_bitfield),
	    cmocka_unit_test(test_bad_headers),	     cmocka_unit_test(test_cycles),
	    cmocka_unit_test(test_truncations),	     cmocka_unit_test(test_random_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
