/* SPDX-License-Identifier: MIT */
/*
 * The ELF pieces of vmahunt core (src/evidence/core_elf.c): NT_PRSTATUS and
 * NT_PRPSINFO checked against the C library's own struct elf_prstatus and
 * struct elf_prpsinfo (what gdb and eu-stack read), notes and their padding,
 * NT_FILE, program headers and their offsets, PN_XNUM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <elf.h>
#include <sys/procfs.h>
#include <sys/reg.h>

#include "evidence/core_elf.h"

static void test_prstatus(void **state)
{
	struct vh_core_thread t = {.pid = 118, .ppid = 1, .pgrp = 107, .sid = 1};
	unsigned char out[VH_CORE_PRSTATUS_MAX];
	struct elf_prstatus ps;

	(void)state;
	assert_int_equal(sizeof(struct elf_prstatus), VH_CORE_PRSTATUS_SIZE);
	for (int i = 0; i < VH_PT_REGS_N; i++)
		t.regs[i] = 0x1000 + (uint64_t)i;
	t.regs[VH_REG_CS] = 0x33 | (1ull << 40); /* FRED's bits above the selector */
	t.regs[VH_REG_SS] = 0x2b;
	t.fs_base = 0x7fed9225c6c0;
	t.gs_base = 0x42;
	assert_int_equal(vh_core_prstatus(&t, out), VH_CORE_PRSTATUS_SIZE);
	memcpy(&ps, out, sizeof(ps));
	assert_int_equal(ps.pr_pid, 118);
	assert_int_equal(ps.pr_ppid, 1);
	assert_int_equal(ps.pr_pgrp, 107);
	assert_int_equal(ps.pr_sid, 1);
	assert_int_equal(ps.pr_cursig, 0);
	/* user_regs_struct: pt_regs's order, then fs_base, gs_base */
	assert_int_equal(ps.pr_reg[R15], 0x1000 + VH_REG_R15);
	assert_int_equal(ps.pr_reg[R12], 0x1000 + VH_REG_R12);
	assert_int_equal(ps.pr_reg[RAX], 0x1000 + VH_REG_RAX);
	assert_int_equal(ps.pr_reg[ORIG_RAX], 0x1000 + VH_REG_ORIG_RAX);
	assert_int_equal(ps.pr_reg[RIP], 0x1000 + VH_REG_RIP);
	assert_int_equal(ps.pr_reg[RSP], 0x1000 + VH_REG_RSP);
	assert_int_equal(ps.pr_reg[EFLAGS], 0x1000 + VH_REG_EFLAGS);
	assert_int_equal(ps.pr_reg[CS], 0x33);
	assert_int_equal(ps.pr_reg[SS], 0x2b);
	assert_int_equal(ps.pr_reg[FS_BASE], 0x7fed9225c6c0);
	assert_int_equal(ps.pr_reg[GS_BASE], 0x42);
	assert_int_equal(ps.pr_reg[DS], 0);
	assert_int_equal(ps.pr_fpvalid, 0);
}

/*
 * arm64's elf_prstatus (the C library here is x86-64's: offsets from the
 * kernel's struct): the same fields up to pr_reg at 112, 34 registers
 * (x0..x30, sp, pc, pstate), pr_fpvalid at 384, 392 bytes.
 */
static void test_prstatus_arm64(void **state)
{
	struct vh_core_thread t = {.arch = VH_ARCH_ARM64, .pid = 118, .ppid = 1, .pgrp = 107};
	unsigned char out[VH_CORE_PRSTATUS_MAX];
	uint64_t v;
	uint32_t pid;

	(void)state;
	memset(out, 0xee, sizeof(out));
	for (int i = 0; i < VH_A64_REGS_N; i++)
		t.regs[i] = 0x2000 + (uint64_t)i;
	assert_int_equal(vh_core_prstatus(&t, out), 392);
	memcpy(&pid, out + 32, 4);
	assert_int_equal(pid, 118);
	memcpy(&v, out + 112, 8);
	assert_int_equal(v, 0x2000); /* x0 */
	memcpy(&v, out + 112 + 8 * VH_A64_PC, 8);
	assert_int_equal(v, 0x2000 + VH_A64_PC);
	memcpy(&v, out + 112 + 8 * VH_A64_PSTATE, 8);
	assert_int_equal(v, 0x2000 + VH_A64_PSTATE);
	memcpy(&pid, out + 384, 4);
	assert_int_equal(pid, 0); /* pr_fpvalid */
}

static void test_prpsinfo(void **state)
{
	static const char args[] = "/lab/bin/threads\0--flag\0value\0";
	struct vh_core_psinfo in = {
	    .state_raw = 0x1, /* TASK_INTERRUPTIBLE */
	    .sname = 'S',
	    .flags = 0x400100,
	    .uid = 1000,
	    .gid = 100,
	    .pid = 107,
	    .ppid = 1,
	    .pgrp = 107,
	    .sid = 1,
	    .comm = "a-comm-longer-than-fifteen",
	    .args = args,
	    .args_len = sizeof(args) - 1,
	};
	unsigned char out[VH_CORE_PRPSINFO_SIZE];
	struct elf_prpsinfo ps;
	char long_args[200];

	(void)state;
	assert_int_equal(sizeof(struct elf_prpsinfo), VH_CORE_PRPSINFO_SIZE);
	vh_core_prpsinfo(&in, out);
	memcpy(&ps, out, sizeof(ps));
	assert_int_equal(ps.pr_state, 1);
	assert_int_equal(ps.pr_sname, 'S');
	assert_int_equal(ps.pr_zomb, 0);
	assert_int_equal(ps.pr_flag, 0x400100);
	assert_int_equal(ps.pr_uid, 1000);
	assert_int_equal(ps.pr_gid, 100);
	assert_int_equal(ps.pr_pid, 107);
	assert_int_equal(ps.pr_ppid, 1);
	assert_int_equal(ps.pr_pgrp, 107);
	assert_int_equal(ps.pr_sid, 1);
	assert_memory_equal(ps.pr_fname, "a-comm-longer-t", 16); /* 15 bytes and a NUL */
	assert_string_equal(ps.pr_psargs, "/lab/bin/threads --flag value");

	/* a zombie; arguments cut at 79 bytes; running is state 0 */
	memset(long_args, 'x', sizeof(long_args));
	in = (struct vh_core_psinfo){.state_raw = 0,
				     .sname = 'Z',
				     .zombie = true,
				     .args = long_args,
				     .args_len = sizeof(long_args)};
	vh_core_prpsinfo(&in, out);
	memcpy(&ps, out, sizeof(ps));
	assert_int_equal(ps.pr_state, 0);
	assert_int_equal(ps.pr_zomb, 1);
	assert_int_equal(strlen(ps.pr_psargs), 79);
	assert_int_equal(ps.pr_fname[0], '\0');
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void test_note_padding(void **state)
{
	struct vh_core_buf b = {0};

	(void)state;
	vh_core_note(&b, NT_AUXV, "\1\2\3\4\5", 5);
	vh_core_note(&b, NT_PRPSINFO, "", 0);
	assert_false(b.oom);
	/* header, "CORE\0" padded to 8, 5 bytes padded to 8; then a note without description */
	assert_int_equal(b.len, 12 + 8 + 8 + 12 + 8);
	assert_int_equal(rd32(b.p), 5);
	assert_int_equal(rd32(b.p + 4), 5);
	assert_int_equal(rd32(b.p + 8), NT_AUXV);
	assert_memory_equal(b.p + 12, "CORE\0\0\0\0", 8);
	assert_memory_equal(b.p + 20, "\1\2\3\4\5\0\0\0", 8);
	assert_int_equal(rd32(b.p + 28 + 4), 0);
	assert_int_equal(rd32(b.p + 28 + 8), NT_PRPSINFO);
	vh_core_buf_free(&b);
}

static void test_nt_file(void **state)
{
	const struct vh_core_file_map m[] = {
	    {0x400000, 0x401000, 0, "/lab/bin/threads"},
	    {0x401000, 0x48b000, 1, "/memfd:vmahunt-fileless (deleted)"},
	};
	struct vh_core_buf b = {0};
	const unsigned char *d;
	size_t names = strlen(m[0].name) + 1 + strlen(m[1].name) + 1;

	(void)state;
	vh_core_nt_file(&b, m, 2, 4096);
	assert_false(b.oom);
	assert_int_equal(rd32(b.p + 8), NT_FILE);
	assert_int_equal(rd32(b.p + 4), 16 + 2 * 24 + names);
	d = b.p + 20;
	assert_int_equal(rd64(d), 2);
	assert_int_equal(rd64(d + 8), 4096);
	assert_int_equal(rd64(d + 16), 0x400000);
	assert_int_equal(rd64(d + 24), 0x401000);
	assert_int_equal(rd64(d + 32), 0);
	assert_int_equal(rd64(d + 40), 0x401000);
	assert_int_equal(rd64(d + 48), 0x48b000);
	assert_int_equal(rd64(d + 56), 1);
	assert_string_equal((const char *)d + 64, "/lab/bin/threads");
	assert_string_equal((const char *)d + 64 + strlen(m[0].name) + 1, m[1].name);
	assert_int_equal(b.len % 4, 0);
	vh_core_buf_free(&b);
}

static void test_headers(void **state)
{
	const struct vh_core_seg segs[] = {
	    {0x400000, 0x1000, 0x1000, PF_R},
	    {0x401000, 0x3000, 0, PF_R | PF_X}, /* absent: no bytes in the file */
	    {0x404000, 0x2000, 0x2000, PF_R | PF_W},
	};
	struct vh_core_buf b = {0};
	uint64_t data_off, xnum_off;
	Elf64_Ehdr e;
	Elf64_Phdr ph[4];

	(void)state;
	vh_core_headers(&b, VH_ARCH_X86_64, segs, 3, 100, &data_off, &xnum_off);
	assert_false(b.oom);
	assert_int_equal(b.len, sizeof(e) + 4 * sizeof(Elf64_Phdr));
	memcpy(&e, b.p, sizeof(e));
	memcpy(ph, b.p + sizeof(e), sizeof(ph));
	assert_memory_equal(e.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(e.e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(e.e_ident[EI_DATA], ELFDATA2LSB);
	assert_int_equal(e.e_type, ET_CORE);
	assert_int_equal(e.e_machine, EM_X86_64);
	assert_int_equal(e.e_phoff, sizeof(e));
	assert_int_equal(e.e_phnum, 4);
	assert_int_equal(e.e_phentsize, sizeof(Elf64_Phdr));
	assert_int_equal(e.e_shnum, 0);
	assert_int_equal(xnum_off, 0);
	assert_int_equal(ph[0].p_type, PT_NOTE);
	assert_int_equal(ph[0].p_offset, sizeof(e) + 4 * sizeof(Elf64_Phdr));
	assert_int_equal(ph[0].p_filesz, 100);
	assert_int_equal(data_off, 4096);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(ph[i].p_type, PT_LOAD);
		assert_int_equal(ph[i].p_vaddr, segs[i - 1].vaddr);
		assert_int_equal(ph[i].p_memsz, segs[i - 1].memsz);
		assert_int_equal(ph[i].p_filesz, segs[i - 1].filesz);
		assert_int_equal(ph[i].p_flags, segs[i - 1].flags);
		assert_int_equal(ph[i].p_align, 4096);
		assert_int_equal(ph[i].p_paddr, 0);
	}
	/* bytes follow one another; the absent segment takes none */
	assert_int_equal(ph[1].p_offset, 4096);
	assert_int_equal(ph[2].p_offset, 8192);
	assert_int_equal(ph[3].p_offset, 8192);
	vh_core_buf_free(&b);
}

static void test_xnum(void **state)
{
	size_t n = PN_XNUM + 10;
	struct vh_core_seg *segs = calloc(n, sizeof(*segs));
	struct vh_core_buf b = {0}, sh = {0};
	uint64_t data_off, xnum_off;
	Elf64_Ehdr e;
	Elf64_Shdr s;

	(void)state;
	assert_non_null(segs);
	for (size_t i = 0; i < n; i++)
		segs[i] =
		    (struct vh_core_seg){0x10000 + 0x2000 * i, 0x1000, i % 2 ? 0x1000 : 0, PF_R};
	vh_core_headers(&b, VH_ARCH_X86_64, segs, n, 64, &data_off, &xnum_off);
	assert_false(b.oom);
	memcpy(&e, b.p, sizeof(e));
	assert_int_equal(e.e_phnum, PN_XNUM);
	assert_int_equal(e.e_shnum, 1);
	assert_int_equal(e.e_shentsize, sizeof(Elf64_Shdr));
	assert_int_equal(e.e_shoff, xnum_off);
	assert_int_equal(xnum_off, data_off + (n / 2) * 0x1000);
	assert_int_equal(b.len, sizeof(e) + (n + 1) * sizeof(Elf64_Phdr));
	vh_core_xnum_shdr(&sh, n);
	assert_int_equal(sh.len, sizeof(s));
	memcpy(&s, sh.p, sizeof(s));
	assert_int_equal(s.sh_type, SHT_NULL);
	assert_int_equal(s.sh_info, n + 1);
	vh_core_buf_free(&b);
	vh_core_buf_free(&sh);
	free(segs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prstatus), cmocka_unit_test(test_prstatus_arm64),
	    cmocka_unit_test(test_prpsinfo), cmocka_unit_test(test_note_padding),
	    cmocka_unit_test(test_nt_file),  cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_xnum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
