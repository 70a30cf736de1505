/* SPDX-License-Identifier: MIT */
/*
 * Maple tree decoding and walking on synthetic node images: every node type,
 * the ways a node's data end is found, the root states, and damage (cycles,
 * bad pivots, unreadable nodes, wrong parents, depth) giving partial results
 * and warnings that name the node.
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

/* The 64-bit layout of the kernels the lab runs (6.1 ... 7.x): layouts/maple_xa.h */
#define L vh_test_maple_layout

enum { DENSE = 0, LEAF = 1, RANGE = 2, ARANGE = 3 };

#define BASE	 0xffff888000100000ull
#define TREE	 0xffff888000000040ull
#define MAXNODES 40

/* A fake kernel memory holding a few nodes. */
struct mem {
	uint64_t addr[MAXNODES];
	unsigned char img[MAXNODES][256];
	int n;
	uint64_t unreadable; /* a node address whose read fails */
	/* what the walk reported */
	uint64_t min[64], max[64], entry[64];
	int nentries;
	char warnings[16][256];
	int nwarnings;
	int stop_after; /* entry callback returns 1 after this many (0: never) */
};

static void put64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t enode(uint64_t addr, int type)
{
	return addr | ((uint64_t)type << 3) | 4; /* MAPLE_ENODE_NULL, as mt_mk_node() */
}

/* A new node at BASE + 256 * i. */
static unsigned char *node(struct mem *m, int i, uint64_t parent)
{
	m->addr[i] = BASE + 256ull * (unsigned)i;
	memset(m->img[i], 0, 256);
	put64(m->img[i], parent);
	if (i >= m->n)
		m->n = i + 1;
	return m->img[i];
}

static void pivot(unsigned char *img, int type, int i, uint64_t v)
{
	(void)type;
	put64(img + 8 + 8 * i, v);
}

static void slot(unsigned char *img, int type, int i, uint64_t v)
{
	put64(img + (type == ARANGE ? 80 : 128) + 8 * i, v);
}

static void meta_end(unsigned char *img, int type, unsigned end)
{
	img[type == ARANGE ? 240 : 248] = (unsigned char)end;
}

/* The nodes as one image from BASE after the root: a seed of tests/fuzz/fuzz_walkers.c. */
static void seed_walk(const struct mem *m, uint64_t root)
{
	unsigned char buf[8 + MAXNODES * 256];

	put64(buf, root);
	for (int i = 0; i < m->n; i++)
		memcpy(buf + 8 + 256 * i, m->img[i], 256);
	vh_test_seed("walkers", buf, 8 + 256 * (size_t)m->n);
}

static int mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = arg;

	if (addr == m->unreadable)
		return VH_ERR_EXCLUDED;
	for (int i = 0; i < m->n; i++) {
		if (addr >= m->addr[i] && addr + len <= m->addr[i] + 256) {
			memcpy(buf, m->img[i] + (addr - m->addr[i]), len);
			return VH_OK;
		}
	}
	return VH_ERR_NOT_MAPPED;
}

static int mem_entry(void *arg, uint64_t min, uint64_t max, uint64_t entry)
{
	struct mem *m = arg;

	if (m->nentries < 64) {
		m->min[m->nentries] = min;
		m->max[m->nentries] = max;
		m->entry[m->nentries] = entry;
	}
	m->nentries++;
	return m->stop_after && m->nentries >= m->stop_after;
}

static void mem_warn(void *arg, const char *msg)
{
	struct mem *m = arg;

	if (m->nwarnings < 16)
		snprintf(m->warnings[m->nwarnings], 256, "%s", msg);
	m->nwarnings++;
}

static int walk(struct mem *m, uint64_t root, struct vh_maple_stats *st, size_t max_nodes)
{
	struct vh_maple_ops ops = {mem_read, mem_entry, mem_warn, m, max_nodes};

	seed_walk(m, root);
	return vh_maple_walk(&L, root, TREE, &ops, st);
}

static bool warned(const struct mem *m, const char *needle)
{
	for (int i = 0; i < m->nwarnings && i < 16; i++)
		if (strstr(m->warnings[i], needle))
			return true;
	return false;
}

/* --- decoding ------------------------------------------------------------ */

static void test_leaf_meta_end(void **state)
{
	struct mem m = {0};
	struct vh_maple_node n;
	char why[128] = "";
	unsigned char *img = node(&m, 0, TREE | 1);

	/* [0x1000-0x1fff] -> A, [0x2000-0x4fff] -> NULL (a gap), [0x5000-max] -> B */
	pivot(img, LEAF, 0, 0x1fff);
	pivot(img, LEAF, 1, 0x4fff);
	pivot(img, LEAF, 2, 0x5fff);
	slot(img, LEAF, 0, 0xffff888000aa0000);
	slot(img, LEAF, 2, 0xffff888000bb0000);
	meta_end(img, LEAF, 2);
	assert_int_equal(vh_maple_node_decode(&L, enode(m.addr[0], LEAF), img, 0x1000, 0x5fff, &n,
					      why, sizeof(why)),
			 VH_OK);
	(void)state;
	assert_true(n.leaf);
	assert_int_equal(n.end, 2);
	assert_int_equal(n.addr, m.addr[0]);
	assert_int_equal(n.min[0], 0x1000);
	assert_int_equal(n.max[0], 0x1fff);
	assert_int_equal(n.min[1], 0x2000);
	assert_int_equal(n.max[1], 0x4fff);
	assert_int_equal(n.min[2], 0x5000);
	assert_int_equal(n.max[2], 0x5fff);
	assert_int_equal(n.slot[2], 0xffff888000bb0000);
	assert_int_equal(n.parent, TREE | 1);
}

/* A full range node: pivot 14 equal to the node's max ends the data at slot 14. */
static void test_range_full_ends(void **state)
{
	struct mem m = {0};
	struct vh_maple_node n;
	char why[128];
	unsigned char *img = node(&m, 0, 0);

	(void)state;
	for (int i = 0; i < 15; i++)
		pivot(img, RANGE, i, 0x1000ull * (unsigned)(i + 1) - 1);
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[0], RANGE), img, 0, 0xefff, &n, why, sizeof(why)),
	    VH_OK);
	assert_false(n.leaf);
	assert_int_equal(n.end, 14);
	assert_int_equal(n.max[14], 0xefff);
	/* pivot 14 below the max: slot 15 holds the rest, up to the implied max */
	assert_int_equal(vh_maple_node_decode(&L, enode(m.addr[0], RANGE), img, 0, 0xffffff, &n,
					      why, sizeof(why)),
			 VH_OK);
	assert_int_equal(n.end, 15);
	assert_int_equal(n.min[15], 0xf000);
	assert_int_equal(n.max[15], 0xffffff);
}

static void test_arange_and_dense(void **state)
{
	struct mem m = {0};
	struct vh_maple_node n;
	char why[128];
	unsigned char *img = node(&m, 0, 0);

	(void)state;
	pivot(img, ARANGE, 0, 0x7fff);
	slot(img, ARANGE, 0, enode(BASE + 0x1000, LEAF));
	slot(img, ARANGE, 1, enode(BASE + 0x1100, LEAF));
	meta_end(img, ARANGE, 1);
	assert_int_equal(vh_maple_node_decode(&L, enode(m.addr[0], ARANGE), img, 0, UINT64_MAX, &n,
					      why, sizeof(why)),
			 VH_OK);
	assert_int_equal(n.type, ARANGE);
	assert_int_equal(n.end, 1);
	assert_int_equal(n.max[0], 0x7fff);
	assert_int_equal(n.min[1], 0x8000);
	assert_int_equal(n.max[1], UINT64_MAX);
	assert_int_equal(n.slot[1], enode(BASE + 0x1100, LEAF));

	/* dense: one index per slot from the node's min */
	img = node(&m, 1, 0);
	for (int i = 0; i < 31; i++)
		put64(img + 8 + 8 * i, 0x1000u + (unsigned)i * 8);
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[1], DENSE), img, 100, 104, &n, why, sizeof(why)),
	    VH_OK);
	assert_true(n.leaf);
	assert_int_equal(n.end, 4);
	assert_int_equal(n.min[4], 104);
	assert_int_equal(n.slot[4], 0x1000 + 4 * 8);
}

static void test_decode_damage(void **state)
{
	struct mem m = {0};
	struct vh_maple_node n;
	char why[128];
	unsigned char *img = node(&m, 0, 0);

	(void)state;
	/* unknown type */
	assert_int_equal(
	    vh_maple_node_decode(&L, m.addr[0] | (9u << 3), img, 0, 10, &n, why, sizeof(why)),
	    VH_ERR_CORRUPT);
	assert_non_null(strstr(why, "unknown node type 9"));
	/* pivots that fall */
	pivot(img, LEAF, 0, 0x5000);
	pivot(img, LEAF, 1, 0x4000);
	meta_end(img, LEAF, 2);
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[0], LEAF), img, 0, 0xffff, &n, why, sizeof(why)),
	    VH_ERR_CORRUPT);
	assert_non_null(strstr(why, "pivot 1"));
	assert_int_equal(n.end, 0); /* slot 0 was good */
	/* a pivot beyond the node's max */
	pivot(img, LEAF, 1, 0x10000);
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[0], LEAF), img, 0, 0xffff, &n, why, sizeof(why)),
	    VH_ERR_CORRUPT);
	/* a metadata end beyond the node */
	pivot(img, LEAF, 1, 0x6000);
	meta_end(img, LEAF, 40);
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[0], LEAF), img, 0, 0xffff, &n, why, sizeof(why)),
	    VH_ERR_CORRUPT);
	assert_non_null(strstr(why, "data end 40"));
	/* an empty range */
	assert_int_equal(
	    vh_maple_node_decode(&L, enode(m.addr[0], LEAF), img, 10, 9, &n, why, sizeof(why)),
	    VH_ERR_CORRUPT);
}

/* --- walking ------------------------------------------------------------- */

/* root (arange) -> two leaves with two entries each. */
static uint64_t two_level(struct mem *m)
{
	unsigned char *r = node(m, 0, TREE | 1);
	unsigned char *a = node(m, 1, BASE | (ARANGE << 3));
	unsigned char *b = node(m, 2, BASE | (ARANGE << 3));

	pivot(r, ARANGE, 0, 0x2fff);
	slot(r, ARANGE, 0, enode(m->addr[1], LEAF));
	slot(r, ARANGE, 1, enode(m->addr[2], LEAF));
	meta_end(r, ARANGE, 1);
	pivot(a, LEAF, 0, 0xfff);
	pivot(a, LEAF, 1, 0x2fff);
	slot(a, LEAF, 1, 0xffff888000a10000);
	meta_end(a, LEAF, 1);
	pivot(b, LEAF, 0, 0x3fff);
	pivot(b, LEAF, 1, 0x7fff);
	slot(b, LEAF, 0, 0xffff888000b10000);
	slot(b, LEAF, 2, 0xffff888000b20000);
	meta_end(b, LEAF, 2);
	return m->addr[0] | (ARANGE << 3) | 2; /* the root: MAPLE_ROOT_NODE */
}

static void test_walk_in_order(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;
	uint64_t root = two_level(&m);

	(void)state;
	assert_int_equal(walk(&m, root, &st, 0), VH_OK);
	assert_int_equal(m.nentries, 3);
	assert_int_equal(m.min[0], 0x1000);
	assert_int_equal(m.max[0], 0x2fff);
	assert_int_equal(m.entry[0], 0xffff888000a10000);
	assert_int_equal(m.min[1], 0x3000);
	assert_int_equal(m.max[1], 0x3fff);
	assert_int_equal(m.min[2], 0x8000);
	assert_int_equal(m.max[2], UINT64_MAX);
	assert_int_equal(m.entry[2], 0xffff888000b20000);
	assert_int_equal(st.nodes, 3);
	assert_int_equal(st.height, 2);
	assert_false(st.partial);
	assert_int_equal(m.nwarnings, 0);
}

static void test_walk_roots(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;

	(void)state;
	assert_int_equal(walk(&m, 0, &st, 0), VH_OK); /* empty tree */
	assert_int_equal(m.nentries, 0);
	assert_int_equal(walk(&m, 0xffff888000c00000, &st, 0), VH_OK); /* one entry at 0 */
	assert_int_equal(m.nentries, 1);
	assert_int_equal(m.min[0], 0);
	assert_int_equal(m.max[0], 0);
	m.nentries = 0;
	assert_int_equal(walk(&m, 0x406, &st, 0), VH_OK); /* XA_ZERO_ENTRY: no entry */
	assert_int_equal(m.nentries, 0);
}

static void test_walk_cycle(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;
	uint64_t root = two_level(&m);
	char needle[64];

	(void)state;
	/* node 1 becomes internal, its slot 0 leading back to the root */
	slot(m.img[0], ARANGE, 0, enode(m.addr[1], RANGE));
	slot(m.img[1], RANGE, 0, enode(m.addr[0], ARANGE));
	slot(m.img[1], RANGE, 1, 0);
	assert_int_equal(walk(&m, root, &st, 0), VH_OK);
	assert_true(st.partial);
	snprintf(needle, sizeof(needle), "%#llx reached twice", (unsigned long long)m.addr[0]);
	assert_true(warned(&m, needle));
	/* the other subtree is still walked */
	assert_int_equal(m.nentries, 2);
	assert_int_equal(m.min[0], 0x3000);
}

static void test_walk_unreadable_and_bad_child(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;
	uint64_t root = two_level(&m);
	char needle[64];

	(void)state;
	m.unreadable = m.addr[1];
	assert_int_equal(walk(&m, root, &st, 0), VH_OK);
	snprintf(needle, sizeof(needle), "maple node %#llx cannot be read",
		 (unsigned long long)m.addr[1]);
	assert_true(warned(&m, needle));
	assert_int_equal(m.nentries, 2); /* leaf b */
	assert_true(st.partial);

	/* a child slot that is not a node pointer */
	struct mem m2 = {0};

	root = two_level(&m2);
	slot(m2.img[0], ARANGE, 0, 0x1235);
	assert_int_equal(walk(&m2, root, &st, 0), VH_OK);
	assert_true(warned(&m2, "is not a node"));
	assert_int_equal(m2.nentries, 2);
}

static void test_walk_bad_pivots_partial(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;
	uint64_t root = two_level(&m);
	char needle[64];

	(void)state;
	/* leaf b: pivot 1 falls below pivot 0: slot 0 still counts */
	pivot(m.img[2], LEAF, 1, 0x3000);
	assert_int_equal(walk(&m, root, &st, 0), VH_OK);
	snprintf(needle, sizeof(needle), "maple node %#llx: pivot 1",
		 (unsigned long long)m.addr[2]);
	assert_true(warned(&m, needle));
	assert_int_equal(m.nentries, 2);
	assert_int_equal(m.min[1], 0x3000);
	assert_int_equal(m.max[1], 0x3fff);
}

static void test_walk_parent_and_caps(void **state)
{
	struct mem m = {0};
	struct vh_maple_stats st;
	uint64_t root = two_level(&m);

	(void)state;
	/* a child whose parent field names another node: warned, still walked */
	put64(m.img[2], BASE + 0x5000);
	assert_int_equal(walk(&m, root, &st, 0), VH_OK);
	assert_true(warned(&m, "reached from"));
	assert_int_equal(m.nentries, 3);

	/* at most 2 nodes */
	struct mem m2 = {0};

	root = two_level(&m2);
	assert_int_equal(walk(&m2, root, &st, 2), VH_OK);
	assert_true(warned(&m2, "after 2 nodes"));
	assert_int_equal(m2.nentries, 1);

	/* the entry callback stops the walk */
	struct mem m3 = {0};

	root = two_level(&m3);
	m3.stop_after = 2;
	assert_int_equal(walk(&m3, root, &st, 0), 1);
	assert_true(st.stopped);
	assert_int_equal(m3.nentries, 2);
}

/* A chain of internal nodes: deeper than the kernel's height limit, or closing a loop. */
static void test_walk_depth_and_loop(void **state)
{
	static struct mem m; /* big: keep it off the stack */
	struct vh_maple_stats st;
	struct vh_maple_ops ops = {mem_read, mem_entry, mem_warn, &m, 0};

	(void)state;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < MAXNODES; i++) {
		unsigned char *img = node(&m, i, i ? BASE + 256ull * (unsigned)(i - 1) : 0);

		if (i + 1 < MAXNODES)
			slot(img, RANGE, 0, enode(BASE + 256ull * (unsigned)(i + 1), RANGE));
		meta_end(img, RANGE, 0);
	}
	assert_int_equal(vh_maple_walk(&L, BASE | (RANGE << 3) | 2, 0, &ops, &st), VH_OK);
	assert_true(st.partial);
	assert_true(warned(&m, "deeper than 31 levels"));
	assert_int_equal(st.nodes, VH_MAPLE_HEIGHT_MAX);

	/* the last node leads back to the first: a loop */
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 8; i++) {
		unsigned char *img = node(&m, i, 0);

		slot(img, RANGE, 0, enode(BASE + 256ull * (unsigned)((i + 1) % 8), RANGE));
		meta_end(img, RANGE, 0);
	}
	assert_int_equal(vh_maple_walk(&L, BASE | (RANGE << 3) | 2, 0, &ops, &st), VH_OK);
	assert_true(warned(&m, "reached twice"));
	assert_int_equal(st.nodes, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leaf_meta_end),
	    cmocka_unit_test(test_range_full_ends),
	    cmocka_unit_test(test_arange_and_dense),
	    cmocka_unit_test(test_decode_damage),
	    cmocka_unit_test(test_walk_in_order),
	    cmocka_unit_test(test_walk_roots),
	    cmocka_unit_test(test_walk_cycle),
	    cmocka_unit_test(test_walk_unreadable_and_bad_child),
	    cmocka_unit_test(test_walk_bad_pivots_partial),
	    cmocka_unit_test(test_walk_parent_and_caps),
	    cmocka_unit_test(test_walk_depth_and_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
