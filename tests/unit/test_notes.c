/* SPDX-License-Identifier: MIT */
/*
 * ELF note parsing: VMCOREINFO, x86-64 and aarch64 NT_PRSTATUS, QEMU CPU state,
 * QEMU's aarch64 NT_PRFPREG, and bogus sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dump/dump_internal.h"
#include "helpers/dumptest.h"
#include "helpers/tmpfile.h"

#define FILE_OFF 0x1000 /* where the note buffer "is" in the file, for messages */

struct buf {
	uint8_t data[8192];
	size_t len;
};

/* Appends one note, name and descriptor padded to 4 bytes; returns the descriptor. */
static uint8_t *add_note(struct buf *b, const char *name, uint32_t type, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint8_t *h = b->data + b->len;

	assert_true(b->len + 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u) <= sizeof(b->data));
	vh_test_put32(h, namesz);
	vh_test_put32(h + 4, descsz);
	vh_test_put32(h + 8, type);
	memcpy(h + 12, name, namesz);
	b->len += 12 + ((namesz + 3) & ~3u);
	h = b->data + b->len;
	b->len += (descsz + 3) & ~3u;
	return h;
}

/* NT_PRSTATUS whose register k holds base + k, pid @pid. */
static void add_prstatus(struct buf *b, uint32_t pid, uint64_t base)
{
	uint8_t *desc = add_note(b, "CORE", 1, 336);

	vh_test_put32(desc + 32, pid);
	for (int k = 0; k < 27; k++)
		vh_test_put64(desc + 112 + 8 * k, base + (uint64_t)k);
}

/* QEMUCPUState v1 whose general register k (rax..r15) holds base + k, cr[i] = base + 100 + i. */
static void add_qemu(struct buf *b, uint64_t base, uint32_t size)
{
	uint8_t *st = add_note(b, "QEMU", 0, size);

	vh_test_put32(st, 1);
	vh_test_put32(st + 4, size);
	for (int k = 0; k < 16; k++)
		vh_test_put64(st + 8 + 8 * k, base + (uint64_t)k);
	vh_test_put64(st + 136, base + 16);		  /* rip */
	vh_test_put64(st + 144, base + 17);		  /* rflags */
	vh_test_put32(st + 152, 0x10);			  /* cs selector */
	vh_test_put64(st + 152 + 3 * 24 + 16, base + 18); /* fs base */
	for (int i = 0; i < 5; i++)
		vh_test_put64(st + 392 + 8 * i, base + 100 + (uint64_t)i);
}

/* aarch64 NT_PRSTATUS (user_pt_regs: x0..x30, sp, pc, pstate) whose register k holds base + k. */
static void add_prstatus_arm64(struct buf *b, uint32_t pid, uint64_t base)
{
	uint8_t *desc = add_note(b, "CORE", 1, 392);

	vh_test_put32(desc + 32, pid);
	for (int k = 0; k < 34; k++)
		vh_test_put64(desc + 112 + 8 * k, base + (uint64_t)k);
	vh_test_put32(desc + 384, 1); /* pr_fpvalid */
}

/* A dump whose reader has not said what machine it is (arch ""), as a kdump without utsname. */
static struct vh_dump *fake_dump(void)
{
	struct vh_dump *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->file.fd = -1;
	d->file.path = strdup("notes-test");
	return d;
}

static struct vh_dump *fake_dump_arch(const char *arch)
{
	struct vh_dump *d = fake_dump();

	snprintf(d->arch, sizeof(d->arch), "%s", arch);
	return d;
}

/* Parses a copy of exactly @len bytes, so ASan sees any read past the buffer. */
static int parse(struct vh_dump *d, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, data, len);
	vh_test_seed("notes", data, len);
	err = vh_notes_parse(d, copy, len, FILE_OFF);
	free(copy);
	return err;
}

static void expect_warning_with(struct vh_dump *d, const char *text)
{
	size_t n;
	const char *const *w = vh_dump_warnings(d, &n);

	assert_int_equal(n, 1);
	if (!strstr(w[0], text))
		fail_msg("warning \"%s\" lacks \"%s\"", w[0], text);
}

static void test_vmcoreinfo(void **state)
{
	struct buf b = {.len = 0};
	const char text[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	struct vh_dump *d = fake_dump();

	(void)state;
	memcpy(add_note(&b, "VMCOREINFO", 0, sizeof(text) - 1), text, sizeof(text) - 1);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_string_equal(vh_dump_vmcoreinfo_get(d, "OSRELEASE"), "6.1.0-test");
	assert_string_equal(vh_dump_vmcoreinfo_get(d, "PAGESIZE"), "4096");
	assert_int_equal(d->nwarnings, 0);
	vh_dump_close(d);
}

static void test_prstatus_register_order(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();
	const struct vh_cpu_regs *c;

	(void)state;
	add_prstatus(&b, 4242, 0x1000);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 1);
	c = vh_dump_cpu(d, 0);
	assert_true(c->have_gp);
	assert_false(c->have_cr);
	assert_string_equal(c->source, "NT_PRSTATUS");
	assert_int_equal(c->pid, 4242);
	/* user_regs_struct: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax
	 * rip cs eflags rsp ss fs_base gs_base ds es fs gs */
	assert_int_equal(c->r15, 0x1000);
	assert_int_equal(c->rbp, 0x1004);
	assert_int_equal(c->r8, 0x1009);
	assert_int_equal(c->rax, 0x100a);
	assert_int_equal(c->rdi, 0x100e);
	assert_int_equal(c->orig_rax, 0x100f);
	assert_int_equal(c->rip, 0x1010);
	assert_int_equal(c->cs, 0x1011);
	assert_int_equal(c->rflags, 0x1012);
	assert_int_equal(c->rsp, 0x1013);
	assert_int_equal(c->ss, 0x1014);
	assert_int_equal(c->fs_base, 0x1015);
	assert_int_equal(c->gs_base, 0x1016);
	assert_int_equal(c->gs, 0x101a);
	vh_dump_close(d);
}

/* QEMU's order: NT_PRSTATUS for every CPU, then a QEMU note for every CPU. */
static void test_qemu_merges_into_prstatus(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	add_prstatus(&b, 1, 0x1000);
	add_prstatus(&b, 2, 0x2000);
	add_qemu(&b, 0x5000, 432);
	add_qemu(&b, 0x6000, 440); /* newer QEMU: kernel_gs_base appended */
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct vh_cpu_regs *c = vh_dump_cpu(d, i);
		uint64_t gp = 0x1000 * (i + 1), qs = 0x5000 + 0x1000 * i;

		assert_int_equal(c->cpu, i);
		assert_true(c->have_gp && c->have_cr);
		assert_string_equal(c->source, "NT_PRSTATUS");
		assert_int_equal(c->pid, 0); /* QEMU's pr_pid is a CPU number */
		assert_int_equal(c->rip, gp + 16);
		assert_int_equal(c->cr[0], qs + 100);
		assert_int_equal(c->cr[3], qs + 103);
		assert_int_equal(c->cr[4], qs + 104);
	}
	assert_int_equal(d->nwarnings, 0);
	vh_dump_close(d);
}

static void test_qemu_alone(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();
	const struct vh_cpu_regs *c;

	(void)state;
	add_qemu(&b, 0x7000, 432);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 1);
	c = vh_dump_cpu(d, 0);
	assert_string_equal(c->source, "QEMU");
	assert_true(c->have_gp && c->have_cr);
	assert_int_equal(c->rax, 0x7000);
	assert_int_equal(c->rsp, 0x7006);
	assert_int_equal(c->r15, 0x700f);
	assert_int_equal(c->rip, 0x7010);
	assert_int_equal(c->rflags, 0x7011);
	assert_int_equal(c->cs, 0x10);
	assert_int_equal(c->fs_base, 0x7012);
	assert_int_equal(c->cr[3], 0x7000 + 103);
	vh_dump_close(d);
}

static void test_unexpected_sizes_warn(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();
	uint8_t *st;

	(void)state;
	add_note(&b, "CORE", 1, 144); /* i386 prstatus */
	add_note(&b, "QEMU", 0, 200); /* too short */
	st = add_note(&b, "QEMU", 0, 432);
	vh_test_put32(st, 2); /* unknown version */
	vh_test_put32(st + 4, 432);
	add_note(&b, "CORE", 3, 100); /* NT_PRPSINFO: ignored quietly */
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 0);
	assert_int_equal(d->nwarnings, 3);
	assert_non_null(strstr(d->warnings[0], "offset 0x1000"));
	vh_dump_close(d);
}

static void test_second_vmcoreinfo_ignored(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	memcpy(add_note(&b, "VMCOREINFO", 0, 7), "A=first", 7);
	memcpy(add_note(&b, "VMCOREINFO", 0, 8), "A=second", 8);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_string_equal(vh_dump_vmcoreinfo_get(d, "A"), "first");
	expect_warning_with(d, "second VMCOREINFO");
	vh_dump_close(d);
}

/* A huge namesz or descsz: earlier notes kept, a warning names the bad note's offset. */
static void test_bogus_sizes(void **state)
{
	static const uint32_t bad[][2] = {
	    {0xffffffff, 0}, {0xfffffffd, 4}, {5, 0xffffffff}, {5, 0xfffffffe},
	    {5, 337},	     {0x1000, 0},     {8, 0x7fffffff},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b = {.len = 0};
		struct vh_dump *d = fake_dump();
		size_t at;
		char off[32];

		add_prstatus(&b, 7, 0);
		at = b.len;
		add_prstatus(&b, 8, 0);
		vh_test_put32(b.data + at, bad[i][0]);
		vh_test_put32(b.data + at + 4, bad[i][1]);
		assert_int_equal(parse(d, b.data, b.len), VH_OK);
		assert_int_equal(vh_dump_ncpus(d), 1);
		assert_int_equal(vh_dump_cpu(d, 0)->pid, 7);
		snprintf(off, sizeof(off), "offset 0x%zx", FILE_OFF + at);
		expect_warning_with(d, off);
		vh_dump_close(d);
	}
}

/* Cut anywhere: never a crash, never a read past the end, earlier notes kept. */
static void test_truncated_everywhere(void **state)
{
	struct buf b = {.len = 0};
	size_t first_end, second_end;

	(void)state;
	add_prstatus(&b, 1, 0);
	first_end = b.len;
	memcpy(add_note(&b, "VMCOREINFO", 0, 11), "OSRELEASE=x", 11);
	second_end = b.len;
	add_qemu(&b, 0, 440);
	for (size_t cut = 0; cut <= b.len; cut++) {
		struct vh_dump *d = fake_dump();

		assert_int_equal(parse(d, b.data, cut), VH_OK);
		assert_int_equal(vh_dump_ncpus(d), cut >= first_end ? 1 : 0);
		/*
		 * A cut on a note boundary is a clean end (the VMCOREINFO note may
		 * also lose its last byte of padding); anywhere else, one warning.
		 */
		bool clean = cut == 0 || cut == first_end || cut == second_end - 1 ||
			     cut == second_end || cut == b.len;

		if (d->nwarnings != (clean ? 0u : 1u))
			fail_msg("cut at %zu: %zu warnings", cut, d->nwarnings);
		vh_dump_close(d);
	}
}

/* Zero padding after the last note ends the list without a warning. */
static void test_zero_padding(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	add_prstatus(&b, 1, 0);
	memset(b.data + b.len, 0, 64);
	b.len += 64;
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 1);
	assert_int_equal(d->nwarnings, 0);
	vh_dump_close(d);
}

/* The last descriptor may end the buffer without its padding. */
static void test_unpadded_last_descriptor(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	memcpy(add_note(&b, "VMCOREINFO", 0, 5), "A=abc", 5);
	assert_int_equal(parse(d, b.data, b.len - 3), VH_OK);
	assert_string_equal(vh_dump_vmcoreinfo_get(d, "A"), "abc");
	assert_int_equal(d->nwarnings, 0);
	vh_dump_close(d);
}

/* A segment full of bad notes gives a bounded number of warnings. */
static void test_warnings_capped(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	for (int i = 0; i < 20; i++)
		add_note(&b, "CORE", 1, 100); /* NT_PRSTATUS of a wrong size */
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(d->nwarnings, 9);
	assert_non_null(strstr(d->warnings[8], "12 more notes"));
	vh_dump_close(d);
}

/* No more CPUs than the kernel can have, however many NT_PRSTATUS notes. */
static void test_cpus_capped(void **state)
{
	const size_t one = 12 + 8 + 336, n = 8200;
	uint8_t *data = calloc(n, one);
	struct vh_dump *d = fake_dump();

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i++) {
		uint8_t *h = data + i * one;

		vh_test_put32(h, 5);
		vh_test_put32(h + 4, 336);
		vh_test_put32(h + 8, 1);
		memcpy(h + 12, "CORE", 5);
	}
	assert_int_equal(vh_notes_parse(d, data, n * one, 0), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 8192);
	assert_int_equal(d->nwarnings, 8);
	assert_non_null(strstr(d->warnings[0], "more CPUs"));
	free(data);
	vh_dump_close(d);
}

static void check_arm64_regs(const struct vh_cpu_regs *c, uint64_t base)
{
	assert_true(c->have_gp);
	assert_false(c->have_cr);
	assert_string_equal(c->source, "NT_PRSTATUS");
	for (int k = 0; k < 31; k++)
		assert_int_equal(c->x[k], base + (uint64_t)k);
	assert_int_equal(c->sp, base + 31);
	assert_int_equal(c->pc, base + 32);
	assert_int_equal(c->pstate, base + 33);
	/* The x86-64 set stays empty. */
	assert_int_equal(c->rip, 0);
	assert_int_equal(c->rsp, 0);
	assert_int_equal(c->r15, 0);
}

static void test_arm64_prstatus(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump_arch("aarch64");

	(void)state;
	add_prstatus_arm64(&b, 4242, 0x1000);
	add_prstatus_arm64(&b, 4243, 0x2000);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 2);
	check_arm64_regs(vh_dump_cpu(d, 0), 0x1000);
	check_arm64_regs(vh_dump_cpu(d, 1), 0x2000);
	assert_int_equal(vh_dump_cpu(d, 0)->pid, 4242); /* the kernel's notes: a pid */
	assert_int_equal(vh_dump_cpu(d, 1)->cpu, 1);
	assert_null(d->notes_arch);
	assert_false(d->qemu_notes);
	assert_int_equal(d->nwarnings, 0);
	vh_dump_close(d);
}

/* A machine the header does not name: the layout the size matches, and the notes say which. */
static void test_layout_by_size(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump();

	(void)state;
	add_prstatus_arm64(&b, 7, 0x500);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 1);
	check_arm64_regs(vh_dump_cpu(d, 0), 0x500);
	assert_string_equal(d->notes_arch, "aarch64");
	vh_dump_close(d);

	b.len = 0;
	d = fake_dump();
	add_prstatus(&b, 7, 0x500);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_cpu(d, 0)->r15, 0x500);
	assert_string_equal(d->notes_arch, "x86_64");
	vh_dump_close(d);

	/* The first note decides: a later one of the other layout is skipped. */
	b.len = 0;
	d = fake_dump();
	add_prstatus_arm64(&b, 7, 0x500);
	add_prstatus(&b, 8, 0x600);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 1);
	assert_string_equal(d->notes_arch, "aarch64");
	expect_warning_with(d, "NT_PRSTATUS of 336 bytes is not the aarch64 layout (392)");
	vh_dump_close(d);

	/* A named machine is believed: the other layout is skipped, with a warning. */
	b.len = 0;
	d = fake_dump_arch("x86_64");
	add_prstatus_arm64(&b, 7, 0x500);
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 0);
	expect_warning_with(d, "NT_PRSTATUS of 392 bytes is not the x86-64 layout (336)");
	vh_dump_close(d);
}

/*
 * QEMU's aarch64 notes: NT_PRSTATUS (pr_pid its CPU number), NT_PRFPREG,
 * NT_ARM_PAC_MASK, NT_ARM_SVE, per CPU. The CPU number is not a pid; the
 * other notes are skipped without a word. In a process core NT_PRFPREG is the
 * kernel's own and pr_pid a thread id.
 */
static void test_arm64_qemu_notes(void **state)
{
	(void)state;
	for (int core = 0; core < 2; core++) {
		struct buf b = {.len = 0};
		struct vh_dump *d = fake_dump_arch("aarch64");

		if (core)
			d->ops = &vh_core_ops;
		for (uint32_t cpu = 0; cpu < 3; cpu++) {
			add_prstatus_arm64(&b, cpu + 1, 0x100 * cpu);
			add_note(&b, "CORE", 2, 528);	    /* NT_PRFPREG */
			add_note(&b, "LINUX", 0x406, 16);   /* NT_ARM_PAC_MASK */
			add_note(&b, "LINUX", 0x405, 1040); /* NT_ARM_SVE */
		}
		assert_int_equal(parse(d, b.data, b.len), VH_OK);
		assert_int_equal(vh_dump_ncpus(d), 3);
		for (uint32_t cpu = 0; cpu < 3; cpu++) {
			check_arm64_regs(vh_dump_cpu(d, cpu), 0x100 * cpu);
			assert_int_equal(vh_dump_cpu(d, cpu)->pid, core ? cpu + 1 : 0);
		}
		assert_true(d->qemu_notes == !core);
		assert_int_equal(d->nwarnings, 0);
		d->ops = NULL;
		vh_dump_close(d);
	}
}

static void test_arm64_bad_sizes(void **state)
{
	struct buf b = {.len = 0};
	struct vh_dump *d = fake_dump_arch("aarch64");

	(void)state;
	add_prstatus(&b, 1, 0);	      /* x86-64's */
	add_note(&b, "CORE", 1, 388); /* one word short */
	add_qemu(&b, 0, 440);	      /* x86 only */
	add_note(&b, "CORE", 2, 528); /* NT_PRFPREG before any CPU: nothing to mark */
	assert_int_equal(parse(d, b.data, b.len), VH_OK);
	assert_int_equal(vh_dump_ncpus(d), 0);
	assert_int_equal(d->nwarnings, 3);
	assert_non_null(
	    strstr(d->warnings[0], "NT_PRSTATUS of 336 bytes is not the aarch64 layout (392)"));
	assert_non_null(strstr(d->warnings[1], "NT_PRSTATUS of 388 bytes"));
	assert_non_null(strstr(d->warnings[2], "QEMU CPU state note (x86 only)"));
	assert_false(d->qemu_notes);
	vh_dump_close(d);
}

/* Cut anywhere in aarch64 notes: never a crash or a read past the end, earlier CPUs kept. */
static void test_arm64_truncated_everywhere(void **state)
{
	struct buf b = {.len = 0};
	size_t first_end;

	(void)state;
	add_prstatus_arm64(&b, 1, 0);
	first_end = b.len;
	add_note(&b, "CORE", 2, 528);
	add_prstatus_arm64(&b, 2, 0x100);
	for (size_t cut = 0; cut <= b.len; cut++) {
		for (int named = 0; named < 2; named++) {
			struct vh_dump *d = named ? fake_dump_arch("aarch64") : fake_dump();

			assert_int_equal(parse(d, b.data, cut), VH_OK);
			assert_true(vh_dump_ncpus(d) ==
				    (size_t)(cut >= first_end) + (size_t)(cut == b.len));
			if (cut >= first_end)
				check_arm64_regs(vh_dump_cpu(d, 0), 0);
			vh_dump_close(d);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vmcoreinfo),
	    cmocka_unit_test(test_prstatus_register_order),
	    cmocka_unit_test(test_qemu_merges_into_prstatus),
	    cmocka_unit_test(test_qemu_alone),
	    cmocka_unit_test(test_unexpected_sizes_warn),
	    cmocka_unit_test(test_second_vmcoreinfo_ignored),
	    cmocka_unit_test(test_bogus_sizes),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_zero_padding),
	    cmocka_unit_test(test_unpadded_last_descriptor),
	    cmocka_unit_test(test_warnings_capped),
	    cmocka_unit_test(test_cpus_capped),
	    cmocka_unit_test(test_arm64_prstatus),
	    cmocka_unit_test(test_layout_by_size),
	    cmocka_unit_test(test_arm64_qemu_notes),
	    cmocka_unit_test(test_arm64_bad_sizes),
	    cmocka_unit_test(test_arm64_truncated_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
