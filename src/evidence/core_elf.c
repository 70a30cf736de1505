/* SPDX-License-Identifier: MIT */
/* The ELF header, program headers and notes of a process core, built in memory. */
#include "evidence/core_elf.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence_internal.h"

void vh_core_buf_put(struct vh_core_buf *b, const void *data, size_t len)
{
	if (b->oom || !len)
		return;
	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *p;

		while (cap - b->len < len) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void vh_core_buf_free(struct vh_core_buf *b)
{
	free(b->p);
	*b = (struct vh_core_buf){0};
}

static void put_zeros(struct vh_core_buf *b, size_t len)
{
	static const unsigned char zero[64];

	while (len) {
		size_t n = len < sizeof(zero) ? len : sizeof(zero);

		vh_core_buf_put(b, zero, n);
		len -= n;
	}
}

/* Little-endian stores (x86-64 cores; the host may be anything). */
static void st16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void st32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void st64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * struct elf_prstatus (x86-64): pr_info (signo, code, errno) at 0, pr_cursig
 * at 12, pr_sigpend 16, pr_sighold 24, pr_pid 32, pr_ppid 36, pr_pgrp 40,
 * pr_sid 44, four timevals 48..111, pr_reg (27 words) at 112, pr_fpvalid at 328.
 * arm64's has the same fields up to pr_reg, which is 34 words: pr_fpvalid at 384.
 */
size_t vh_core_prstatus(const struct vh_core_thread *t, unsigned char out[VH_CORE_PRSTATUS_MAX])
{
	unsigned char *reg = out + 112;
	size_t size =
	    t->arch == VH_ARCH_ARM64 ? VH_CORE_PRSTATUS_SIZE_ARM64 : VH_CORE_PRSTATUS_SIZE;

	memset(out, 0, size);
	st32(out, (uint32_t)t->cursig);
	st16(out + 12, (uint16_t)t->cursig);
	st64(out + 16, t->sigpend);
	st64(out + 24, t->sighold);
	st32(out + 32, (uint32_t)t->pid);
	st32(out + 36, (uint32_t)t->ppid);
	st32(out + 40, (uint32_t)t->pgrp);
	st32(out + 44, (uint32_t)t->sid);
	if (t->arch == VH_ARCH_ARM64) {
		/* pr_reg: user_pt_regs, 34 words; pr_fpvalid after it stays 0 */
		for (int i = 0; i < VH_A64_REGS_N; i++)
			st64(reg + 8 * i, t->regs[i]);
		return size;
	}
	for (int i = 0; i < VH_PT_REGS_N; i++)
		st64(reg + 8 * i, t->regs[i]);
	/* cs and ss as user_regs_struct has them: the selector alone */
	st64(reg + 8 * VH_REG_CS, t->regs[VH_REG_CS] & 0xffff);
	st64(reg + 8 * VH_REG_SS, t->regs[VH_REG_SS] & 0xffff);
	st64(reg + 8 * 21, t->fs_base);
	st64(reg + 8 * 22, t->gs_base);
	/* ds, es, fs, gs: 64-bit processes run with null selectors there */
	/* pr_fpvalid 0: no NT_PRFPREG */
	return size;
}

/*
 * struct elf_prpsinfo (x86-64): pr_state, pr_sname, pr_zomb, pr_nice at 0..3,
 * pr_flag 8, pr_uid 16, pr_gid 20, pr_pid 24, pr_ppid 28, pr_pgrp 32,
 * pr_sid 36, pr_fname[16] 40, pr_psargs[80] 56.
 */
void vh_core_prpsinfo(const struct vh_core_psinfo *ps, unsigned char out[VH_CORE_PRPSINFO_SIZE])
{
	char *args = (char *)out + 56;
	size_t n;
	int state = 0;

	memset(out, 0, VH_CORE_PRPSINFO_SIZE);
	/* as fill_psinfo(): the number of the lowest state bit, plus one; 0 when running */
	if (ps->state_raw)
		state = __builtin_ctz(ps->state_raw) + 1;
	out[0] = (unsigned char)state;
	out[1] = (unsigned char)(ps->sname ? ps->sname : '.');
	out[2] = ps->zombie;
	st64(out + 8, ps->flags);
	st32(out + 16, ps->uid);
	st32(out + 20, ps->gid);
	st32(out + 24, (uint32_t)ps->pid);
	st32(out + 28, (uint32_t)ps->ppid);
	st32(out + 32, (uint32_t)ps->pgrp);
	st32(out + 36, (uint32_t)ps->sid);
	if (ps->comm)
		strncpy((char *)out + 40, ps->comm, 15);
	n = ps->args ? ps->args_len : 0;
	if (n > VH_CORE_PSARGS - 1)
		n = VH_CORE_PSARGS - 1;
	if (n)
		memcpy(args, ps->args, n);
	/* NULs between arguments become spaces; a trailing one stays the end */
	for (size_t i = 0; i + 1 < n; i++)
		if (args[i] == '\0')
			args[i] = ' ';
}

void vh_core_note(struct vh_core_buf *b, uint32_t type, const void *desc, size_t len)
{
	unsigned char h[12];

	st32(h, 5); /* "CORE" and its NUL */
	st32(h + 4, (uint32_t)len);
	st32(h + 8, type);
	vh_core_buf_put(b, h, sizeof(h));
	vh_core_buf_put(b, "CORE\0\0\0", 8);
	vh_core_buf_put(b, desc, len);
	put_zeros(b, (4 - len % 4) % 4);
}

void vh_core_nt_file(struct vh_core_buf *b, const struct vh_core_file_map *m, size_t n,
		     uint64_t page_size)
{
	struct vh_core_buf d = {0};
	unsigned char w[8];

	st64(w, n);
	vh_core_buf_put(&d, w, 8);
	st64(w, page_size);
	vh_core_buf_put(&d, w, 8);
	for (size_t i = 0; i < n; i++) {
		st64(w, m[i].start);
		vh_core_buf_put(&d, w, 8);
		st64(w, m[i].end);
		vh_core_buf_put(&d, w, 8);
		st64(w, m[i].pgoff);
		vh_core_buf_put(&d, w, 8);
	}
	for (size_t i = 0; i < n; i++)
		vh_core_buf_put(&d, m[i].name ? m[i].name : "",
				strlen(m[i].name ? m[i].name : "") + 1);
	if (d.oom)
		b->oom = true;
	else
		vh_core_note(b, NT_FILE, d.p, d.len);
	vh_core_buf_free(&d);
}

static void put_phdr(struct vh_core_buf *b, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	unsigned char p[sizeof(Elf64_Phdr)];

	st32(p + offsetof(Elf64_Phdr, p_type), type);
	st32(p + offsetof(Elf64_Phdr, p_flags), flags);
	st64(p + offsetof(Elf64_Phdr, p_offset), off);
	st64(p + offsetof(Elf64_Phdr, p_vaddr), vaddr);
	st64(p + offsetof(Elf64_Phdr, p_paddr), 0);
	st64(p + offsetof(Elf64_Phdr, p_filesz), filesz);
	st64(p + offsetof(Elf64_Phdr, p_memsz), memsz);
	st64(p + offsetof(Elf64_Phdr, p_align), align);
	vh_core_buf_put(b, p, sizeof(p));
}

void vh_core_headers(struct vh_core_buf *b, int arch, const struct vh_core_seg *segs, size_t nsegs,
		     uint64_t notes_size, uint64_t *data_off, uint64_t *xnum_off)
{
	unsigned char e[sizeof(Elf64_Ehdr)] = {0};
	uint64_t nphdr = (uint64_t)nsegs + 1;
	uint64_t notes_off = sizeof(Elf64_Ehdr) + nphdr * sizeof(Elf64_Phdr);
	uint64_t off, end;
	bool xnum = nphdr >= PN_XNUM;

	off = (notes_off + notes_size + VH_EV_PAGE - 1) & ~(uint64_t)(VH_EV_PAGE - 1);
	*data_off = off;
	end = off;
	for (size_t i = 0; i < nsegs; i++)
		end += segs[i].filesz;
	*xnum_off = xnum ? end : 0;

	memcpy(e, ELFMAG, SELFMAG);
	e[EI_CLASS] = ELFCLASS64;
	e[EI_DATA] = ELFDATA2LSB;
	e[EI_VERSION] = EV_CURRENT;
	e[EI_OSABI] = ELFOSABI_NONE;
	st16(e + offsetof(Elf64_Ehdr, e_type), ET_CORE);
	st16(e + offsetof(Elf64_Ehdr, e_machine), arch == VH_ARCH_ARM64 ? EM_AARCH64 : EM_X86_64);
	st32(e + offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
	st64(e + offsetof(Elf64_Ehdr, e_phoff), sizeof(Elf64_Ehdr));
	st64(e + offsetof(Elf64_Ehdr, e_shoff), xnum ? end : 0);
	st16(e + offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr));
	st16(e + offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr));
	st16(e + offsetof(Elf64_Ehdr, e_phnum), xnum ? PN_XNUM : (uint16_t)nphdr);
	st16(e + offsetof(Elf64_Ehdr, e_shentsize), xnum ? sizeof(Elf64_Shdr) : 0);
	st16(e + offsetof(Elf64_Ehdr, e_shnum), xnum ? 1 : 0);
	vh_core_buf_put(b, e, sizeof(e));

	put_phdr(b, PT_NOTE, 0, notes_off, 0, notes_size, 0, 0);
	for (size_t i = 0; i < nsegs; i++) {
		put_phdr(b, PT_LOAD, segs[i].flags, off, segs[i].vaddr, segs[i].filesz,
			 segs[i].memsz, VH_EV_PAGE);
		off += segs[i].filesz;
	}
}

void vh_core_xnum_shdr(struct vh_core_buf *b, size_t nsegs)
{
	unsigned char s[sizeof(Elf64_Shdr)] = {0};

	/* as the kernel's fill_extnum_info(): sh_info holds the real e_phnum */
	st64(s + offsetof(Elf64_Shdr, sh_size), 1);
	st32(s + offsetof(Elf64_Shdr, sh_info), (uint32_t)(nsegs + 1));
	vh_core_buf_put(b, s, sizeof(s));
}
