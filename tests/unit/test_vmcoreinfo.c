/* SPDX-License-Identifier: MIT */
/*
 * VMCOREINFO: the typed parser on real-looking and hostile text, the profile
 * filled from it (SYMBOL unrelocated by KERNELOFFSET, OFFSET/SIZE filling
 * absent entries, NUMBER overriding built-ins, contradictions warned), the
 * vmlinux/dump match check, and the vmlinux search paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "helpers/tmpfile.h"

/* Shaped like what a 6.1 x86-64 kernel writes (values made up). */
static const char good[] = "OSRELEASE=6.1.0-26-cloud-amd64\n"
			   "BUILD-ID=3B43FAD5034874490492495d552c0af6a5fab235\n"
			   "PAGESIZE=4096\n"
			   "SYMBOL(init_uts_ns)=ffffffff9cbf9b60\n"
			   "OFFSET(uts_namespace.name)=0\n"
			   "SYMBOL(_stext)=ffffffff9b000000\n"
			   "SIZE(list_head)=16\n"
			   "OFFSET(list_head.next)=0\n"
			   "OFFSET(list_head.prev)=8\n"
			   "LENGTH(mem_section)=2048\n"
			   "NUMBER(PG_lru)=4\n"
			   "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
			   "NUMBER(phys_base)=0x1000000\n"
			   "NUMBER(pgtable_l5_enabled)=1\n"
			   "NUMBER(VM_EXEC)=4\n"
			   "KERNELOFFSET=1a000000\n"
			   "CRASHTIME=1700000000\n"
			   "SYMBOL(mem_section)=ffff8d7b19fd9000\n"
			   "FUTURE_KEY=anything at all\n";

static struct vh_vmcoreinfo *parse(const char *text, size_t len)
{
	struct vh_vmcoreinfo *vi;

	vh_test_seed("vmcoreinfo", text, len);
	assert_int_equal(vh_vmcoreinfo_parse(text, len, &vi), VH_OK);
	assert_non_null(vi);
	return vi;
}

static void test_parse_every_kind(void **state)
{
	struct vh_vmcoreinfo *vi = parse(good, strlen(good));
	const struct vh_vmci_entry *e;
	size_t nw;

	(void)state;
	assert_int_equal(vh_vmcoreinfo_count(vi), 19);
	vh_vmcoreinfo_warnings(vi, &nw);
	assert_int_equal(nw, 0);
	e = vh_vmcoreinfo_find(vi, VH_VMCI_OSRELEASE, NULL);
	assert_non_null(e);
	assert_string_equal(e->value, "6.1.0-26-cloud-amd64");
	e = vh_vmcoreinfo_find(vi, VH_VMCI_SYMBOL, "init_uts_ns");
	assert_non_null(e);
	assert_string_equal(e->key, "SYMBOL(init_uts_ns)");
	assert_true(e->u == 0xffffffff9cbf9b60ull);
	e = vh_vmcoreinfo_find(vi, VH_VMCI_OFFSET, "list_head.prev");
	assert_int_equal(e->u, 8);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_SIZE, "list_head")->u, 16);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_LENGTH, "mem_section")->u, 2048);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_NUMBER, "PAGE_BUDDY_MAPCOUNT_VALUE")->s,
			 -129);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_NUMBER, "phys_base")->s, 0x1000000);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_PAGESIZE, NULL)->u, 4096);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_KERNELOFFSET, NULL)->u, 0x1a000000);
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_CRASHTIME, NULL)->s, 1700000000);
	e = vh_vmcoreinfo_entry(vi, 18);
	assert_int_equal(e->kind, VH_VMCI_OTHER);
	assert_string_equal(e->value, "anything at all");
	assert_null(vh_vmcoreinfo_entry(vi, 19));
	assert_null(vh_vmcoreinfo_find(vi, VH_VMCI_SYMBOL, "nope"));
	vh_vmcoreinfo_free(vi);
}

/* Each hostile line is kept as invalid, with a warning naming its line number. */
static void test_hostile_values(void **state)
{
	static const char *const bad[] = {
	    "OFFSET(a.b)=zz",		       /* not a number */
	    "OFFSET(a.b)=-1",		       /* negative offset */
	    "SIZE(x)=99999999999999999999999", /* overflow */
	    "SIZE(x)=4294967296",	       /* over 32 bits */
	    "SYMBOL(x)=fffffffffffffffff",     /* 17 hex digits */
	    "SYMBOL(x)=",		       /* empty */
	    "SYMBOL(x)=12 34",		       /* trailing junk */
	    "SYMBOL()=1234",		       /* empty name */
	    "NUMBER(x)=--5",		       /* bad sign */
	    "NUMBER(x)=9223372036854775808",   /* over INT64_MAX */
	    "PAGESIZE=4k",		       /* unit suffix */
	    "KERNELOFFSET=0xg",		       /* bad hex */
	    "OSRELEASE=",		       /* empty release */
	    "OSRELEASE=has blank",	       /* blank inside */
	    "BUILD-ID=abc",		       /* odd number of digits */
	    "BUILD-ID=zz",		       /* not hex */
	    "CRASHTIME=yesterday",	       /* not a number */
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vh_vmcoreinfo *vi;
		const struct vh_vmci_entry *e;
		const char *const *w;
		size_t nw;

		snprintf(text, sizeof(text), "PAGESIZE=4096\n%s\n", bad[i]);
		vi = parse(text, strlen(text));
		assert_int_equal(vh_vmcoreinfo_count(vi), 2);
		e = vh_vmcoreinfo_entry(vi, 1);
		if (e->valid)
			fail_msg("accepted: %s", bad[i]);
		w = vh_vmcoreinfo_warnings(vi, &nw);
		assert_int_equal(nw, 1);
		assert_non_null(strstr(w[0], "line 2"));
		vh_vmcoreinfo_free(vi);
	}
}

static void test_odd_text(void **state)
{
	static const char nul_inside[] = "PAGESIZE=4096\0SYMBOL(x)=1\n";
	static const char crlf[] = "PAGESIZE=4096\r\nOSRELEASE=6.1.0\r\n\n\nno equals sign\n=\nX=";
	struct vh_vmcoreinfo *vi;
	char *big;
	size_t nw;

	(void)state;
	/* a NUL ends the text */
	vi = parse(nul_inside, sizeof(nul_inside) - 1);
	assert_int_equal(vh_vmcoreinfo_count(vi), 1);
	vh_vmcoreinfo_free(vi);
	/* CRLF, blank lines, a line without '=', an empty key, no final newline */
	vi = parse(crlf, sizeof(crlf) - 1);
	assert_string_equal(vh_vmcoreinfo_find(vi, VH_VMCI_OSRELEASE, NULL)->value, "6.1.0");
	assert_int_equal(vh_vmcoreinfo_find(vi, VH_VMCI_PAGESIZE, NULL)->u, 4096);
	assert_int_equal(vh_vmcoreinfo_count(vi), 4);
	assert_string_equal(vh_vmcoreinfo_entry(vi, 3)->key, "X");
	assert_string_equal(vh_vmcoreinfo_entry(vi, 3)->value, "");
	vh_vmcoreinfo_warnings(vi, &nw);
	assert_int_equal(nw, 1);
	vh_vmcoreinfo_free(vi);
	/* empty, and too long */
	vi = parse("", 0);
	assert_int_equal(vh_vmcoreinfo_count(vi), 0);
	vh_vmcoreinfo_free(vi);
	assert_int_equal(vh_vmcoreinfo_parse(NULL, 5, &vi), VH_ERR_INVAL);
	big = malloc((64u << 10) + 1);
	assert_non_null(big);
	memset(big, '\n', (64u << 10) + 1);
	assert_int_equal(vh_vmcoreinfo_parse(big, (64u << 10) + 1, &vi), VH_ERR_INVAL);
	/* 64 KiB of newlines is fine, and so are 32768 empty entries */
	assert_int_equal(vh_vmcoreinfo_parse(big, 64u << 10, &vi), VH_OK);
	assert_int_equal(vh_vmcoreinfo_count(vi), 0);
	vh_vmcoreinfo_free(vi);
	for (size_t i = 0; i + 1 < (64u << 10); i += 2)
		memcpy(big + i, "=\n", 2);
	assert_int_equal(vh_vmcoreinfo_parse(big, 64u << 10, &vi), VH_OK);
	assert_int_equal(vh_vmcoreinfo_count(vi), 32768);
	vh_vmcoreinfo_free(vi);
	free(big);
}

static void test_apply_to_profile(void **state)
{
	struct vh_vmcoreinfo *vi = parse(good, strlen(good));
	struct vh_profile *p;
	size_t nw;

	(void)state;
	assert_int_equal(vh_profile_new(&p), VH_OK);
	assert_int_equal(vh_profile_apply_vmcoreinfo(p, vi), VH_OK);
	assert_true(p->have_kaslr_offset);
	assert_int_equal(p->kaslr_offset, 0x1a000000);
	/* SYMBOL values are relocated; the profile keeps vmlinux addresses */
	assert_int_equal(p->sym.init_uts_ns.source, VH_SRC_VMCOREINFO);
	assert_true(p->sym.init_uts_ns.addr == 0xffffffff82bf9b60ull);
	assert_true(p->sym._stext.addr == 0xffffffff81000000ull);
	/* SPARSEMEM_EXTREME: the value of the mem_section pointer, not a symbol address */
	assert_int_equal(p->sym.mem_section.source, VH_SRC_NONE);
	assert_int_equal(p->list_head.type.size, 16);
	assert_int_equal(p->list_head.type.source, VH_SRC_VMCOREINFO);
	assert_int_equal(p->list_head.prev.offset, 8);
	assert_int_equal(p->list_head.prev.source, VH_SRC_VMCOREINFO);
	assert_int_equal(p->uts_namespace.name.offset, 0);
	assert_int_equal(p->c.pgtable_l5_enabled.value, 1);
	assert_int_equal(p->c.phys_base.value, 0x1000000);
	assert_int_equal(p->c.VM_EXEC.source, VH_SRC_VMCOREINFO);
	assert_int_equal(p->c.VM_READ.source, VH_SRC_BUILTIN);
	assert_int_equal(p->page_size, 4096);
	assert_int_equal(p->crashtime, 1700000000);
	assert_string_equal(p->osrelease, "6.1.0-26-cloud-amd64");
	assert_string_equal(p->build_id, "3b43fad5034874490492495d552c0af6a5fab235");
	assert_int_equal(p->task_struct.tasks.source, VH_SRC_NONE);
	vh_profile_warnings(p, &nw);
	assert_int_equal(nw, 0);
	vh_profile_free(p);
	vh_vmcoreinfo_free(vi);
}

/* What the vmlinux said wins; VMCOREINFO contradicting it is a warning. */
static void test_apply_contradiction(void **state)
{
	static const char text[] =
	    "OFFSET(list_head.prev)=16\nSYMBOL(init_task)=ffffffff81000000\n";
	struct vh_vmcoreinfo *vi = parse(text, strlen(text));
	struct vh_profile *p;
	const char *const *w;
	size_t nw;

	(void)state;
	assert_int_equal(vh_profile_new(&p), VH_OK);
	p->list_head.prev = (struct vh_member){8, 8, 0, 0, 0, VH_SRC_DWARF, 0};
	p->sym.init_task = (struct vh_symbol){0xffffffff82000000ull, VH_SRC_SYMTAB, 0};
	assert_int_equal(vh_profile_apply_vmcoreinfo(p, vi), VH_OK);
	assert_int_equal(p->list_head.prev.offset, 8);
	assert_int_equal(p->list_head.prev.source, VH_SRC_DWARF);
	w = vh_profile_warnings(p, &nw);
	assert_int_equal(nw, 2);
	assert_non_null(strstr(w[0], "OFFSET(list_head.prev)"));
	assert_non_null(strstr(w[1], "SYMBOL(init_task)"));
	vh_profile_free(p);
	vh_vmcoreinfo_free(vi);
}

static void test_check_match(void **state)
{
	struct vh_profile *p;

	(void)state;
	assert_int_equal(vh_profile_new(&p), VH_OK);
	strcpy(p->osrelease, "6.1.0-26-amd64");
	strcpy(p->build_id, "aabbcc");
	assert_int_equal(vh_profile_check_match(p, "6.1.0-26-amd64", "AABBCC"), VH_OK);
	assert_int_equal(vh_profile_check_match(p, NULL, NULL), VH_OK);
	assert_int_equal(vh_profile_check_match(p, "6.1.0-27-amd64", NULL), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "6.1.0-26-amd64"));
	assert_non_null(strstr(vh_errmsg(), "6.1.0-27-amd64"));
	assert_int_equal(vh_profile_check_match(p, "6.1.0-26-amd64", "aabbcd"), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "aabbcd"));
	vh_profile_free(p);
}

static char *make_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char *root;

	assert_true(asprintf(&root, "%s/vh-find-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
	assert_non_null(mkdtemp(root));
	return root;
}

static void touch(const char *root, const char *rel)
{
	char path[4200], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* create the parent directories one by one */
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void test_find_vmlinux(void **state)
{
	char *root = make_root(), *found, cmd[4300];

	(void)state;
	assert_int_equal(vh_vmlinux_find("6.1.0-9-amd64", root, &found), VH_ERR_NOT_PRESENT);
	assert_non_null(strstr(vh_errmsg(), "/usr/lib/debug/boot/vmlinux-6.1.0-9-amd64"));
	assert_non_null(strstr(vh_errmsg(), "/boot/vmlinux-6.1.0-9-amd64"));
	touch(root, "boot/vmlinux-6.1.0-9-amd64");
	assert_int_equal(vh_vmlinux_find("6.1.0-9-amd64", root, &found), VH_OK);
	assert_non_null(strstr(found, "/boot/vmlinux-6.1.0-9-amd64"));
	free(found);
	touch(root, "usr/lib/debug/lib/modules/6.1.0-9-amd64/vmlinux");
	assert_int_equal(vh_vmlinux_find("6.1.0-9-amd64", root, &found), VH_OK);
	assert_non_null(strstr(found, "/usr/lib/debug/lib/modules/6.1.0-9-amd64/vmlinux"));
	free(found);
	touch(root, "usr/lib/debug/boot/vmlinux-6.1.0-9-amd64");
	assert_int_equal(vh_vmlinux_find("6.1.0-9-amd64", root, &found), VH_OK);
	assert_non_null(strstr(found, "/usr/lib/debug/boot/vmlinux-6.1.0-9-amd64"));
	free(found);
	/* a release from a hostile dump cannot walk out of the search directories */
	assert_int_equal(vh_vmlinux_find("../../etc/passwd", root, &found), VH_ERR_INVAL);
	assert_int_equal(vh_vmlinux_find("..", root, &found), VH_ERR_INVAL);
	assert_int_equal(vh_vmlinux_find("", root, &found), VH_ERR_INVAL);
	assert_int_equal(vh_vmlinux_find(NULL, root, &found), VH_ERR_INVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_every_kind),
	    cmocka_unit_test(test_hostile_values),
	    cmocka_unit_test(test_odd_text),
	    cmocka_unit_test(test_apply_to_profile),
	    cmocka_unit_test(test_apply_contradiction),
	    cmocka_unit_test(test_check_match),
	    cmocka_unit_test(test_find_vmlinux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
