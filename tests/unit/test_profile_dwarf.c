/* SPDX-License-Identifier: MIT */
/*
 * The DWARF/ELF profile loader against fake vmlinux files built at test time
 * from fake/fake_kernel.h with DWARF 2, 4 and 5. The expected offsets come from
 * the compiler (offsetof on the same header), so nothing here is hand-counted.
 * Then damaged copies: truncated at many lengths, bytes flipped; the loader
 * must fail cleanly or succeed, never crash (run under the sanitizer build too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "fake/fake_kernel.h"
#include "helpers/kdump_writer.h"
#include "helpers/tmpfile.h"

#ifndef FAKE_VMLINUX_DIR
#error "FAKE_VMLINUX_DIR must be set by the build"
#endif

static const char *fake_path(int dwarf_version)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/fake-vmlinux-dwarf%d", FAKE_VMLINUX_DIR, dwarf_version);
	return path;
}

static const char *fake_nomaple(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/fake-vmlinux-nomaple", FAKE_VMLINUX_DIR);
	return path;
}

static struct vh_profile *load(const char *path)
{
	struct vh_profile *p;

	assert_int_equal(vh_profile_new(&p), VH_OK);
	if (vh_profile_load_vmlinux(p, path) != VH_OK)
		fail_msg("load %s: %s", path, vh_errmsg());
	return p;
}

static void assert_member(const struct vh_member *m, size_t off, size_t size, uint32_t nelem)
{
	assert_int_equal(m->source, VH_SRC_DWARF);
	assert_int_equal(m->offset, off);
	assert_int_equal(m->size, size);
	assert_int_equal(m->nelem, nelem);
	assert_int_equal(m->bit_size, 0);
}

static void assert_absent(const struct vh_member *m)
{
	assert_int_equal(m->source, VH_SRC_NONE);
	assert_int_equal(m->offset, VH_ABSENT);
}

/* Where the compiler put a bitfield: set it in a zeroed struct and find the bit. */
static unsigned first_set_bit(const void *obj, size_t size)
{
	const unsigned char *b = obj;

	for (size_t i = 0; i < size; i++) {
		for (unsigned j = 0; j < 8; j++) {
			if (b[i] & (1u << j))
				return (unsigned)(i * 8 + j);
		}
	}
	return ~0u;
}

static void check_layout(int dwarf_version)
{
	struct vh_profile *p = load(fake_path(dwarf_version));
	struct task_struct t;
	unsigned bit;
	struct vh_prof_entry e;

	/* task_struct: plain, nested anonymous, dotted, renamed, bitfield, array */
	assert_int_equal(p->task_struct.type.size, sizeof(struct task_struct));
	assert_member(&p->task_struct.state, offsetof(struct task_struct, __state), 4, 0);
	assert_int_equal(p->task_struct.state.alt, 0);
	assert_member(&p->task_struct.tasks, offsetof(struct task_struct, tasks),
		      sizeof(struct list_head), 0);
	assert_member(&p->task_struct.cpu, offsetof(struct task_struct, thread_info.cpu), 4, 0);
	assert_int_equal(p->task_struct.cpu.alt, 1);
	assert_member(&p->task_struct.start_boottime, offsetof(struct task_struct, real_start_time),
		      8, 0);
	assert_int_equal(p->task_struct.start_boottime.alt, 1);
	assert_member(&p->task_struct.comm, offsetof(struct task_struct, comm), 16, 16);
	assert_member(&p->task_struct.pid, offsetof(struct task_struct, pid), sizeof(int), 0);
	assert_member(&p->task_struct.signal, offsetof(struct task_struct, signal), 8, 0);
	assert_absent(&p->task_struct.thread_group);
	assert_absent(&p->task_struct.pids);

	memset(&t, 0, sizeof(t));
	t.sched_reset_on_fork = 1;
	bit = first_set_bit(&t, sizeof(t));
	assert_int_equal(p->task_struct.sched_reset_on_fork.source, VH_SRC_DWARF);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_size, 1);
	assert_int_equal(p->task_struct.sched_reset_on_fork.offset, bit / 8);
	assert_int_equal(p->task_struct.sched_reset_on_fork.bit_offset, bit % 8);
	assert_int_equal(p->task_struct.sched_reset_on_fork.size, sizeof(unsigned int));

	/* mm_struct: everything inside an anonymous struct; a flexible array after */
	assert_int_equal(p->mm_struct.type.size, sizeof(struct mm_struct));
	assert_member(&p->mm_struct.mm_mt, offsetof(struct mm_struct, mm_mt),
		      sizeof(struct maple_tree), 0);
	assert_member(&p->mm_struct.map_count, offsetof(struct mm_struct, map_count), 4, 0);
	assert_member(&p->mm_struct.arg_end, offsetof(struct mm_struct, arg_end), 8, 0);
	assert_absent(&p->mm_struct.mmap);
	assert_absent(&p->mm_struct.mm_rb);
	assert_member(&p->maple_tree.ma_root, offsetof(struct maple_tree, ma_root), 8, 0);

	/* maple_range_64: meta inside a struct inside a union */
	assert_int_equal(p->maple_range_64.type.size, sizeof(struct maple_range_64));
	assert_member(&p->maple_range_64.pivot, offsetof(struct maple_range_64, pivot), 120, 15);
	assert_member(&p->maple_range_64.slot, offsetof(struct maple_range_64, slot), 128, 16);
	assert_member(&p->maple_range_64.meta, offsetof(struct maple_range_64, meta),
		      sizeof(struct maple_metadata), 0);
	assert_member(&p->maple_metadata.gap, offsetof(struct maple_metadata, gap), 1, 0);

	/* qstr: len inside a struct inside a union */
	assert_member(&p->qstr.len, offsetof(struct qstr, len), 4, 0);
	assert_member(&p->qstr.name, offsetof(struct qstr, name), 8, 0);

	/* flexible array: size 0, no element count */
	assert_member(&p->pid.numbers, offsetof(struct pid, numbers), 0, 0);
	assert_int_equal(p->upid.type.size, sizeof(struct upid));

	/* types this kernel lacks */
	assert_int_equal(p->vm_area_struct.type.source, VH_SRC_NONE);
	assert_absent(&p->vm_area_struct.vm_start);
	assert_int_equal(p->dentry.type.source, VH_SRC_NONE);

	/* enums, and the constants DWARF refines */
	assert_int_equal(p->enums.maple_range_64.value, maple_range_64);
	assert_int_equal(p->enums.maple_arange_64.value, maple_arange_64);
	assert_int_equal(p->enums.maple_arange_64.source, VH_SRC_DWARF);
	assert_int_equal(p->enums.PIDTYPE_MAX.value, PIDTYPE_MAX);
	assert_int_equal(p->c.TASK_COMM_LEN.value, 16);
	assert_int_equal(p->c.TASK_COMM_LEN.source, VH_SRC_DWARF);
	assert_int_equal(p->c.VM_EXEC.value, 4);
	assert_int_equal(p->c.VM_EXEC.source, VH_SRC_BUILTIN);

	/* ELF side: symbols, banner, build id */
	assert_int_equal(p->sym.init_task.source, VH_SRC_SYMTAB);
	assert_int_equal(p->sym.linux_banner.source, VH_SRC_SYMTAB);
	assert_true(p->sym.init_task.addr != p->sym.init_mm.addr);
	assert_int_equal(p->sym.init_top_pgt.source, VH_SRC_NONE);
	assert_string_equal(p->osrelease, "9.9.9-fake");
	assert_int_equal(strlen(p->build_id), 40);
	assert_int_equal(p->stats.cus_total, 3);

	/* the generic listing agrees with the struct */
	assert_int_equal(vh_profile_lookup(p, "task_struct.state", &e), VH_OK);
	assert_int_equal(e.kind, VH_PROF_MEMBER);
	assert_string_equal(e.matched, "__state");
	assert_ptr_equal(e.value, &p->task_struct.state);
	assert_int_equal(vh_profile_lookup(p, "task_struct.pids", &e), VH_OK);
	assert_null(e.matched);
	assert_int_equal(vh_profile_lookup(p, "no_such.entry", &e), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_profile_entry(p, vh_profile_entry_count(), &e), VH_ERR_INVAL);
	vh_profile_free(p);
}

static void test_dwarf5(void **state)
{
	(void)state;
	check_layout(5);
}

static void test_dwarf4_bit_offset(void **state)
{
	(void)state;
	check_layout(4);
}

static void test_dwarf2_location_expr(void **state)
{
	(void)state;
	check_layout(2);
}

/* The fast path and the full scan find the same layout. */
static void test_full_scan_same(void **state)
{
	struct vh_profile *a = load(fake_path(5)), *b;

	(void)state;
	assert_int_equal(vh_profile_new(&b), VH_OK);
	assert_int_equal(vh_profile_load_vmlinux_full(b, fake_path(5)), VH_OK);
	assert_true(b->stats.full_scan);
	assert_memory_equal(&a->sym, &b->sym,
			    offsetof(struct vh_profile, priv) - offsetof(struct vh_profile, sym));
	vh_profile_free(a);
	vh_profile_free(b);
}

/*
 * Without the unit lib/maple_tree.c (kernels before 6.1) the maple nodes are
 * absent without reading the other units for them; the full scan agrees.
 */
static void test_home_unit_missing(void **state)
{
	struct vh_profile *a = load(fake_nomaple()), *b;

	(void)state;
	assert_int_equal(a->maple_range_64.type.source, VH_SRC_NONE);
	assert_int_equal(a->enums.maple_leaf_64.source, VH_SRC_NONE);
	/* maple_tree itself sits in mm_struct, so kernel/fork.c defines it */
	assert_int_equal(a->maple_tree.type.source, VH_SRC_DWARF);
	assert_int_equal(a->task_struct.type.source, VH_SRC_DWARF);
	assert_int_equal(a->stats.cus_total, 2);
	assert_int_equal(vh_profile_new(&b), VH_OK);
	assert_int_equal(vh_profile_load_vmlinux_full(b, fake_nomaple()), VH_OK);
	assert_memory_equal(&a->sym, &b->sym,
			    offsetof(struct vh_profile, priv) - offsetof(struct vh_profile, sym));
	vh_profile_free(a);
	vh_profile_free(b);
}

/* Every byte of struct vh_profile from sym to priv belongs to exactly one table row. */
static void test_table_covers_struct(void **state)
{
	struct vh_profile *p;
	size_t start = offsetof(struct vh_profile, sym), end = offsetof(struct vh_profile, priv);
	unsigned char *covered = calloc(end, 1);

	(void)state;
	assert_non_null(covered);
	assert_int_equal(vh_profile_new(&p), VH_OK);
	for (size_t i = 0; i < vh_profile_entry_count(); i++) {
		struct vh_prof_entry e;
		size_t off, size;

		assert_int_equal(vh_profile_entry(p, i, &e), VH_OK);
		off = (size_t)((const char *)e.value - (const char *)p);
		size = e.kind == VH_PROF_SYMBOL	  ? sizeof(struct vh_symbol)
		       : e.kind == VH_PROF_STRUCT ? sizeof(struct vh_struct_size)
		       : e.kind == VH_PROF_MEMBER ? sizeof(struct vh_member)
						  : sizeof(struct vh_const);
		assert_true(off >= start && off + size <= end);
		for (size_t b = off; b < off + size; b++) {
			assert_int_equal(covered[b], 0);
			covered[b] = 1;
		}
	}
	/* Fields are naturally aligned, so any gap between rows is padding or a missing row. */
	for (size_t b = start; b < end;) {
		size_t run = 0;

		while (b + run < end && !covered[b + run])
			run++;
		assert_true(run < sizeof(struct vh_symbol) / 2);
		b += run ? run : 1;
	}
	free(covered);
	vh_profile_free(p);
}

/* A small kdump file carrying @vmcoreinfo (or none), opened. */
static struct vh_dump *dump_with(const char *vmcoreinfo, char **path)
{
	struct kw_spec spec = {.max_mapnr = 4, .states = "PPZP", .vmcoreinfo = vmcoreinfo};
	struct kw_image img;
	struct vh_dump *d;

	assert_int_equal(kw_build(&spec, &img), 0);
	*path = vh_test_write_tmp(img.buf, img.len);
	assert_non_null(*path);
	kw_free(&img);
	if (vh_dump_open(*path, NULL, &d) != VH_OK)
		fail_msg("dump open: %s", vh_errmsg());
	return d;
}

static void drop_dump(struct vh_dump *d, char *path)
{
	vh_dump_close(d);
	unlink(path);
	free(path);
}

/* vh_profile_open(): the dump's VMCOREINFO and the vmlinux together. */
static void test_open_with_dump(void **state)
{
	struct vh_profile *ref = load(fake_path(5)), *p;
	struct vh_dump *d;
	char text[512], *path;
	size_t nw;
	const char *const *w;

	(void)state;
	/* matching release and build id; SYMBOL relocated by KERNELOFFSET */
	snprintf(text, sizeof(text),
		 "OSRELEASE=9.9.9-fake\nBUILD-ID=%s\nPAGESIZE=4096\nSYMBOL(init_task)=%llx\n"
		 "KERNELOFFSET=1000000\n",
		 ref->build_id, (unsigned long long)ref->sym.init_task.addr + 0x1000000);
	d = dump_with(text, &path);
	if (vh_profile_open(d, fake_path(5), VH_PROFILE_NEED_VMLINUX, &p) != VH_OK)
		fail_msg("profile open: %s", vh_errmsg());
	assert_true(p->have_kaslr_offset);
	assert_int_equal(p->kaslr_offset, 0x1000000);
	assert_int_equal(p->sym.init_task.addr, ref->sym.init_task.addr);
	assert_int_equal(p->sym.init_task.source, VH_SRC_SYMTAB);
	assert_string_equal(p->vmlinux_path, fake_path(5));
	vh_profile_warnings(p, &nw);
	assert_int_equal(nw, 0);
	vh_profile_free(p);
	drop_dump(d, path);

	/* VMCOREINFO contradicting the vmlinux: kept, with a warning */
	snprintf(text, sizeof(text), "OSRELEASE=9.9.9-fake\nSYMBOL(init_task)=%llx\n",
		 (unsigned long long)ref->sym.init_task.addr + 8);
	d = dump_with(text, &path);
	assert_int_equal(vh_profile_open(d, fake_path(5), 0, &p), VH_OK);
	w = vh_profile_warnings(p, &nw);
	assert_int_equal(nw, 1);
	assert_non_null(strstr(w[0], "SYMBOL(init_task)"));
	vh_profile_free(p);
	drop_dump(d, path);

	/* another kernel's vmlinux is refused, naming both releases */
	d = dump_with("OSRELEASE=0.0.1-vh-test-amd64\n", &path);
	assert_int_equal(vh_profile_open(d, fake_path(5), 0, &p), VH_ERR_INVAL);
	assert_null(p);
	assert_non_null(strstr(vh_errmsg(), "9.9.9-fake"));
	assert_non_null(strstr(vh_errmsg(), "0.0.1-vh-test-amd64"));
	/* no vmlinux given or found: a VMCOREINFO-only profile, or an error if one is needed */
	assert_int_equal(vh_profile_open(d, NULL, 0, &p), VH_OK);
	assert_string_equal(p->osrelease, "0.0.1-vh-test-amd64");
	assert_null(p->vmlinux_path);
	w = vh_profile_warnings(p, &nw);
	assert_int_equal(nw, 1);
	assert_non_null(strstr(w[0], "no vmlinux for kernel 0.0.1-vh-test-amd64"));
	vh_profile_free(p);
	assert_int_equal(vh_profile_open(d, NULL, VH_PROFILE_NEED_VMLINUX, &p), VH_ERR_NOT_PRESENT);
	drop_dump(d, path);

	/* same release, other build id */
	d = dump_with("OSRELEASE=9.9.9-fake\nBUILD-ID=00112233\n", &path);
	assert_int_equal(vh_profile_open(d, fake_path(5), 0, &p), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "00112233"));
	drop_dump(d, path);

	/* no VMCOREINFO at all: nothing to find a vmlinux by */
	d = dump_with(NULL, &path);
	assert_int_equal(vh_profile_open(d, NULL, VH_PROFILE_NEED_VMLINUX, &p), VH_ERR_INVAL);
	assert_non_null(strstr(vh_errmsg(), "--vmlinux"));
	assert_int_equal(vh_profile_open(d, fake_path(5), 0, &p), VH_OK);
	assert_string_equal(p->osrelease, "9.9.9-fake");
	assert_false(p->have_kaslr_offset);
	vh_profile_free(p);
	drop_dump(d, path);
	vh_profile_free(ref);
}

static void test_not_elf(void **state)
{
	char *path = vh_test_write_tmp("not an ELF file at all\n", 23);
	struct vh_profile *p;

	(void)state;
	assert_non_null(path);
	assert_int_equal(vh_profile_new(&p), VH_OK);
	assert_int_equal(vh_profile_load_vmlinux(p, path), VH_ERR_FORMAT);
	assert_non_null(strstr(vh_errmsg(), path));
	assert_int_equal(vh_profile_load_vmlinux(p, "/nonexistent/vmlinux"), VH_ERR_IO);
	assert_non_null(strstr(vh_errmsg(), "/nonexistent/vmlinux"));
	assert_null(p->vmlinux_path);
	vh_profile_free(p);
	unlink(path);
	free(path);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Loads @len bytes of @buf as a vmlinux; an error must come with a message. */
static int load_bytes(const unsigned char *buf, size_t len)
{
	char *path = vh_test_write_tmp(buf, len);
	struct vh_profile *p;
	int err;

	assert_non_null(path);
	assert_int_equal(vh_profile_new(&p), VH_OK);
	err = vh_profile_load_vmlinux(p, path);
	if (err)
		assert_true(strlen(vh_errmsg()) > 0);
	vh_profile_free(p);
	unlink(path);
	free(path);
	return err;
}

static void test_truncated(void **state)
{
	size_t len, fails = 0, tries = 0;
	unsigned char *buf = slurp(fake_path(5), &len);

	(void)state;
	/* Every header boundary of the ELF (first 256 bytes byte by byte), then coarse steps. */
	for (size_t cut = 0; cut < len; cut += cut < 256 ? 1 : len / 97 + 1) {
		fails += load_bytes(buf, cut) != VH_OK;
		tries++;
	}
	/* Cutting off the section headers at the end breaks every one of these. */
	assert_int_equal(fails, tries);
	free(buf);
}

static void test_flipped_bytes(void **state)
{
	size_t len;
	unsigned char *buf = slurp(fake_path(5), &len);
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 300; round++) {
		unsigned char *copy = malloc(len);

		assert_non_null(copy);
		memcpy(copy, buf, len);
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 4) % len] ^= (unsigned char)(1u << (seed % 8));
		}
		(void)load_bytes(copy, len); /* either outcome; no crash, no leak */
		free(copy);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dwarf5),
	    cmocka_unit_test(test_dwarf4_bit_offset),
	    cmocka_unit_test(test_dwarf2_location_expr),
	    cmocka_unit_test(test_full_scan_same),
	    cmocka_unit_test(test_home_unit_missing),
	    cmocka_unit_test(test_open_with_dump),
	    cmocka_unit_test(test_table_covers_struct),
	    cmocka_unit_test(test_not_elf),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_flipped_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
