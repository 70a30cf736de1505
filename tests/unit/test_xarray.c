/* SPDX-License-Identifier: MIT */
/*
 * The xarray walker on synthetic nodes: empty and single-entry arrays, one and
 * two levels, internal entries (sibling, retry, zero) skipped, and damage: a
 * cycle, a child naming another parent or slot, a wrong shift, a node pointer
 * in a leaf, an unreadable node, too deep a root, the node cap; every one ends
 * its branch with a warning naming the node and never hangs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/error.h>

#include "helpers/tmpfile.h"
#include "layouts/maple_xa.h"

/* struct xa_node of the lab's kernels (5.10 ... 7.x): layouts/maple_xa.h */
#define L vh_test_xa_layout

#define BASE	 0xffff888000100000ull
#define NODE(i)	 (BASE + (uint64_t)(i)*0x400)
#define ENODE(i) (NODE(i) | 2)
#define MAXNODES 8
#define PTR(i)	 (0xffff888001000000ull + (uint64_t)(i)*0x40) /* an entry (struct pid *) */

struct mem {
	unsigned char img[MAXNODES][40 + 8 * 64];
	uint64_t unreadable;
	uint64_t index[256], entry[256];
	int n;
	char warnings[8][256];
	int nwarn;
	int stop_after; /* entries before ->entry returns 1; 0: never */
};

static struct mem M;

static void node(int i, unsigned shift, unsigned offset, uint64_t parent)
{
	memset(M.img[i], 0, sizeof(M.img[i]));
	M.img[i][0] = (unsigned char)shift;
	M.img[i][1] = (unsigned char)offset;
	memcpy(M.img[i] + 8, &parent, 8);
}

static void slot(int i, unsigned s, uint64_t v)
{
	memcpy(M.img[i] + 40 + 8 * s, &v, 8);
}

static int rd(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (addr == M.unreadable)
		return VH_ERR_NOT_PRESENT;
	for (int i = 0; i < MAXNODES; i++) {
		if (addr == NODE(i) && len <= sizeof(M.img[i])) {
			memcpy(buf, M.img[i], len);
			return 0;
		}
	}
	return VH_ERR_NOT_MAPPED;
}

static int on_entry(void *arg, uint64_t index, uint64_t entry)
{
	(void)arg;
	if (M.n < 256) {
		M.index[M.n] = index;
		M.entry[M.n] = entry;
	}
	M.n++;
	return M.stop_after && M.n >= M.stop_after;
}

static uint64_t span_n[256];

static int on_span(void *arg, uint64_t index, uint64_t n, uint64_t entry)
{
	if (M.n < 256)
		span_n[M.n] = n;
	return on_entry(arg, index, entry);
}

static void on_warn(void *arg, const char *msg)
{
	(void)arg;
	if (M.nwarn < 8)
		snprintf(M.warnings[M.nwarn], sizeof(M.warnings[0]), "%s", msg);
	M.nwarn++;
}

/* The nodes as one image from BASE after the head: a seed of tests/fuzz/fuzz_walkers.c. */
static void seed_walk(uint64_t head)
{
	static unsigned char buf[8 + MAXNODES * 0x400];

	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)(head >> (8 * i));
	for (int i = 0; i < MAXNODES; i++)
		memcpy(buf + 8 + 0x400 * i, M.img[i], sizeof(M.img[i]));
	vh_test_seed("walkers", buf, sizeof(buf));
}

static int walk(uint64_t head, struct vh_xa_stats *st, size_t max_nodes)
{
	struct vh_xa_ops ops = {
	    .read = rd, .entry = on_entry, .warn = on_warn, .max_nodes = max_nodes};

	M.n = 0;
	M.nwarn = 0;
	seed_walk(head);
	return vh_xa_walk(&L, head, &ops, st);
}

static void assert_warned(const char *needle)
{
	for (int i = 0; i < M.nwarn && i < 8; i++)
		if (strstr(M.warnings[i], needle))
			return;
	for (int i = 0; i < M.nwarn && i < 8; i++)
		print_error("warning: %s\n", M.warnings[i]);
	fail_msg("no warning names %s", needle);
}

static void reset(void)
{
	memset(&M, 0, sizeof(M));
}

static void test_empty_and_single(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	reset();
	assert_int_equal(walk(0, &st, 0), 0);
	assert_int_equal(M.n, 0);
	assert_false(st.partial);
	assert_int_equal(walk(PTR(1), &st, 0), 0);
	assert_int_equal(M.n, 1);
	assert_int_equal(M.index[0], 0);
	assert_int_equal(M.entry[0], PTR(1));
	/* a retry entry (xa_mk_internal(256)) as the head: nothing */
	assert_int_equal(walk(0x402, &st, 0), 0);
	assert_int_equal(M.n, 0);
}

static void test_one_level(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	reset();
	node(0, 0, 0, 0);
	slot(0, 1, PTR(1));
	slot(0, 5, PTR(5));
	slot(0, 6, 0x402);	  /* retry */
	slot(0, 7, 0x406);	  /* zero entry (reserved) */
	slot(0, 8, (5 << 2) | 2); /* sibling of slot 5 */
	slot(0, 63, PTR(63));
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_int_equal(M.n, 3);
	assert_int_equal(M.index[0], 1);
	assert_int_equal(M.index[1], 5);
	assert_int_equal(M.index[2], 63);
	assert_int_equal(M.entry[2], PTR(63));
	assert_int_equal(st.nodes, 1);
	assert_int_equal(st.entries, 3);
	assert_false(st.partial);
	assert_int_equal(M.nwarn, 0);
}

/* A root of shift 6 with leaves at slots 0 and 2. */
static void two_levels(void)
{
	reset();
	node(0, 6, 0, 0);
	slot(0, 0, ENODE(1));
	slot(0, 2, ENODE(2));
	node(1, 0, 0, NODE(0));
	slot(1, 1, PTR(1));
	node(2, 0, 2, NODE(0));
	slot(2, 3, PTR(131));
}

static void test_two_levels(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	two_levels();
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_int_equal(M.n, 2);
	assert_int_equal(M.index[0], 1);
	assert_int_equal(M.index[1], 2 * 64 + 3);
	assert_int_equal(M.entry[1], PTR(131));
	assert_int_equal(st.nodes, 3);
	assert_false(st.partial);
}

/*
 * Multi-index entries, as the page cache stores large folios: an order-2
 * entry in a leaf (the slot and three siblings naming it), an entry of
 * three slots of shift 6 in the root; a sibling that names another slot or
 * follows a gap is no part of the entry before it.
 */
static void test_spans(void **state)
{
	struct vh_xa_ops ops = {.read = rd, .warn = on_warn, .span = on_span};
	struct vh_xa_stats st;

	(void)state;
	reset();
	node(0, 6, 0, 0);
	slot(0, 0, ENODE(1));
	slot(0, 2, PTR(2));
	slot(0, 3, (2 << 2) | 2);
	slot(0, 4, (2 << 2) | 2);
	node(1, 0, 0, NODE(0));
	slot(1, 4, PTR(4));
	slot(1, 5, (4 << 2) | 2);
	slot(1, 6, (4 << 2) | 2);
	slot(1, 7, (4 << 2) | 2);
	slot(1, 9, (4 << 2) | 2); /* after a gap: not the entry's */
	slot(1, 10, PTR(10));
	slot(1, 11, (9 << 2) | 2); /* names another slot */
	assert_int_equal(vh_xa_walk(&L, ENODE(0), &ops, &st), 0);
	assert_int_equal(M.n, 3);
	assert_int_equal(M.index[0], 4);
	assert_int_equal(span_n[0], 4);
	assert_int_equal(M.index[1], 10);
	assert_int_equal(span_n[1], 1);
	assert_int_equal(M.index[2], 128);
	assert_int_equal(M.entry[2], PTR(2));
	assert_int_equal(span_n[2], 192); /* slot 2 and the two siblings after it */
	assert_false(st.partial);
}

static void test_cycle(void **state)
{
	struct vh_xa_stats st;
	char needle[64];

	(void)state;
	two_levels();
	slot(2, 4, ENODE(0));	/* a leaf pointing back at the root */
	node(2, 6, 2, NODE(0)); /* ...made an inner node so it follows it */
	slot(2, 3, 0);
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(M.n, 1);
	snprintf(needle, sizeof(needle), "%#llx", (unsigned long long)NODE(2));
	assert_warned(needle); /* node 2's shift: a child of a shift-6 node must be 0 */
}

static void test_wrong_parent(void **state)
{
	struct vh_xa_stats st;
	char needle[96];

	(void)state;
	two_levels();
	node(2, 0, 2, NODE(1)); /* names another parent */
	slot(2, 3, PTR(131));
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(M.n, 1); /* the other leaf still walked */
	snprintf(needle, sizeof(needle), "xarray node %#llx: parent %#llx",
		 (unsigned long long)NODE(2), (unsigned long long)NODE(1));
	assert_warned(needle);
	/* the right parent but another slot */
	node(2, 0, 7, NODE(0));
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_int_equal(M.n, 1);
	assert_warned("offset 7, expected");
}

static void test_self_loop(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	reset();
	node(0, 6, 0, 0);
	slot(0, 0, ENODE(0)); /* the root as its own child */
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(st.nodes, 2); /* read again once, then refused */
	assert_int_equal(M.n, 0);
}

static void test_node_in_leaf(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	reset();
	node(0, 0, 0, 0);
	slot(0, 3, ENODE(1));
	slot(0, 4, PTR(4));
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(M.n, 1);
	assert_warned("leaf slot 3 holds node pointer");
}

static void test_unreadable(void **state)
{
	struct vh_xa_stats st;
	char needle[64];

	(void)state;
	two_levels();
	M.unreadable = NODE(1);
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(M.n, 1);
	assert_int_equal(M.index[0], 131);
	snprintf(needle, sizeof(needle), "xarray node %#llx cannot be read",
		 (unsigned long long)NODE(1));
	assert_warned(needle);
	/* a pointer into nowhere */
	M.unreadable = 0;
	slot(0, 0, 0xffff888077700002ull);
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_int_equal(M.n, 1);
	assert_warned("0xffff888077700000 cannot be read");
}

static void test_bad_shift(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	reset();
	node(0, 66, 0, 0); /* 11 levels: more than 64-bit indices need */
	slot(0, 0, PTR(0));
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_true(st.partial);
	assert_int_equal(M.n, 0);
	node(0, 5, 0, 0); /* not a multiple of XA_CHUNK_SHIFT */
	assert_int_equal(walk(ENODE(0), &st, 0), 0);
	assert_int_equal(M.n, 0);
	assert_warned("shift 5");
}

static void test_caps_and_stop(void **state)
{
	struct vh_xa_stats st;

	(void)state;
	two_levels();
	assert_int_equal(walk(ENODE(0), &st, 2), 0); /* root and one leaf */
	assert_true(st.partial);
	assert_int_equal(M.n, 1);
	assert_warned("more than 2 nodes");
	two_levels();
	M.stop_after = 1;
	assert_int_equal(walk(ENODE(0), &st, 0), 1);
	assert_true(st.stopped);
	assert_int_equal(M.n, 1);
}

static void test_layout_from_profile(void **state)
{
	struct vh_profile *p;
	struct vh_xa_layout l;

	(void)state;
	assert_int_equal(vh_profile_new(&p), VH_OK);
	assert_int_equal(vh_xa_layout_from_profile(p, &l), VH_ERR_NOT_PRESENT);
	p->xa_node.shift = (struct vh_member){.offset = 0, .size = 1, .source = VH_SRC_DWARF};
	p->xa_node.offset = (struct vh_member){.offset = 1, .size = 1, .source = VH_SRC_DWARF};
	p->xa_node.parent = (struct vh_member){.offset = 8, .size = 8, .source = VH_SRC_DWARF};
	p->xa_node.slots =
	    (struct vh_member){.offset = 40, .size = 512, .nelem = 64, .source = VH_SRC_DWARF};
	assert_int_equal(vh_xa_layout_from_profile(p, &l), VH_OK);
	assert_int_equal(l.node_size, L.node_size);
	assert_int_equal(l.slots, 40);
	assert_int_equal(l.nslots, 64);
	assert_int_equal(l.chunk_shift, 6);
	p->xa_node.slots.nelem = 1000; /* more slots than any kernel: refused */
	assert_int_equal(vh_xa_layout_from_profile(p, &l), VH_ERR_NOT_PRESENT);
	vh_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_and_single),
	    cmocka_unit_test(test_one_level),
	    cmocka_unit_test(test_two_levels),
	    cmocka_unit_test(test_spans),
	    cmocka_unit_test(test_cycle),
	    cmocka_unit_test(test_wrong_parent),
	    cmocka_unit_test(test_self_loop),
	    cmocka_unit_test(test_node_in_leaf),
	    cmocka_unit_test(test_unreadable),
	    cmocka_unit_test(test_bad_shift),
	    cmocka_unit_test(test_caps_and_stop),
	    cmocka_unit_test(test_layout_from_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
