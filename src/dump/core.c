/* SPDX-License-Identifier: MIT */
/*
 * Process core reader: ELF ET_CORE files of one process (the kernel's
 * core_pattern dumps, gdb's gcore) and their zstd-compressed copies
 * (systemd-coredump's core.*.zst), read through a forward stream (zstream.h).
 *
 * The address space of the dump is the process's virtual one: each PT_LOAD
 * maps [p_vaddr, p_vaddr + p_memsz), its first p_filesz bytes at p_offset;
 * the rest of it (file mappings the dumper did not copy, coredump_filter) is
 * VH_PAGE_EXCLUDED, never zeros. A segment cut short by the end of the file
 * keeps what is there and the missing range is named in a warning.
 *
 * The ELF header and program header table are decoded by libelf from a copy
 * in memory (the table may be anywhere in a compressed stream, which libelf
 * cannot read); the copy has no section table but, when e_phnum is PN_XNUM,
 * the section header 0 that holds the real count. Notes are walked by hand
 * with the same bounds as the vmcore notes (notes.c, which also decodes the
 * NT_PRSTATUS of every thread).
 */
#include "dump/dump_internal.h"
#include "dump/zstream.h"
#include "util/error.h"

#include <vmahunt/core.h>

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A process has at most vm.max_map_count VMAs (65530 by default); a million is hostile. */
#define MAX_PHNUM (1u << 20)
/* All notes together: NT_FILE of 10^5 mappings with long paths, thousands of threads. */
#define MAX_NOTES_SIZE (64u << 20)
/* Warnings about segments before they are only counted. */
#define MAX_SEG_WARNINGS 8
/* Also on aarch64 with 16 or 64 KiB pages: 4096 divides every segment boundary there. */
#define CORE_PAGE_SIZE 4096
#define NOTE_HDR_SIZE  12

/* NT_PRPSINFO, NT_AUXV, NT_SIGINFO, NT_FILE: <elf.h> */

/*
 * struct elf_prpsinfo of x86-64, and of aarch64 too: both are LP64 with
 * 32-bit __kernel_uid_t and __kernel_gid_t.
 */
#define PRPSINFO_SIZE	136
#define PRPSINFO_SNAME	1
#define PRPSINFO_FLAG	8
#define PRPSINFO_UID	16
#define PRPSINFO_GID	20
#define PRPSINFO_PID	24
#define PRPSINFO_PPID	28
#define PRPSINFO_PGRP	32
#define PRPSINFO_SID	36
#define PRPSINFO_FNAME	40
#define PRPSINFO_PSARGS 56

struct core_priv {
	struct vh_zstream *z; /* NULL for a plain file */
	uint64_t size;	      /* bytes of (decompressed) core data */
	struct vh_core_info info;
	struct vh_core_load *loads;
	size_t nloads;
	struct vh_core_file *files;
	char *paths; /* NT_FILE's strings, copied */
	struct vh_core_auxv *auxv;
	unsigned seg_warned, seg_suppressed;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Reads core bytes at @off: from the file, or from the decompressed stream. */
static int core_read(struct vh_dump *d, uint64_t off, void *buf, size_t len, const char *what)
{
	struct core_priv *p = d->priv;

	if (p->z)
		return vh_zstream_read(p->z, off, buf, len, what);
	return vh_file_read(&d->file, off, buf, len, what);
}

/* The ELF header of a 64-bit little-endian core; whether it is a process's: see probe. */
static bool is_core_ehdr(const uint8_t *h, size_t len)
{
	return len >= sizeof(Elf64_Ehdr) && !memcmp(h, ELFMAG, SELFMAG) &&
	       h[EI_CLASS] == ELFCLASS64 && h[EI_DATA] == ELFDATA2LSB &&
	       (h[16] | h[17] << 8) == ET_CORE;
}

/* A "CORE" note of a process (not of a kernel vmcore) in @buf. */
static int process_note_kind(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	int kind = 0;

	for (unsigned i = 0; i < 4096 && off + NOTE_HDR_SIZE <= len; i++) {
		uint64_t namesz = le32(buf + off), descsz = le32(buf + off + 4);
		uint32_t type = le32(buf + off + 8);
		const uint8_t *name = buf + off + NOTE_HDR_SIZE;
		uint64_t size = NOTE_HDR_SIZE + ((namesz + 3) & ~3ull) + ((descsz + 3) & ~3ull);

		if (size > len - off)
			break;
		if (namesz == 11 && !memcmp(name, "VMCOREINFO", 10))
			return -1;
		if (namesz == 5 && !memcmp(name, "CORE", 4) &&
		    (type == NT_PRPSINFO || type == NT_AUXV || type == NT_FILE))
			kind = 1;
		off += size;
	}
	return kind;
}

/*
 * A process core, not a kernel vmcore (also ET_CORE): its notes, when the
 * first 4 KiB hold them, have NT_PRPSINFO, NT_AUXV or NT_FILE and no
 * VMCOREINFO; else its PT_LOADs have p_paddr 0 and user addresses, where a
 * vmcore's have physical addresses.
 */
static bool core_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	Elf64_Ehdr eh;
	bool any_vaddr = false;

	(void)file_size;
	if (vh_zstream_probe(head, len))
		return true; /* open() says so when the stream holds no process core */
	if (!is_core_ehdr(head, len))
		return false;
	memcpy(&eh, head, sizeof(eh)); /* @head need not be aligned */
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return false;
	for (uint64_t i = 0; i < eh.e_phnum; i++) {
		uint64_t at = eh.e_phoff + i * sizeof(Elf64_Phdr);
		Elf64_Phdr ph;

		if (eh.e_phoff > len || at + sizeof(ph) > len)
			break;
		memcpy(&ph, head + at, sizeof(ph));
		if (ph.p_type == PT_NOTE && ph.p_offset < len) {
			uint64_t n =
			    len - ph.p_offset < ph.p_filesz ? len - ph.p_offset : ph.p_filesz;
			int kind = process_note_kind(head + ph.p_offset, (size_t)n);

			if (kind)
				return kind > 0;
		}
		if (ph.p_type == PT_LOAD) {
			if (ph.p_paddr != 0)
				return false;
			any_vaddr |= ph.p_vaddr != 0;
		}
	}
	return any_vaddr;
}

/* A warning about a segment, or only a count past MAX_SEG_WARNINGS. */
static int seg_warning(struct vh_dump *d, const char *msg)
{
	struct core_priv *p = d->priv;

	if (p->seg_warned >= MAX_SEG_WARNINGS) {
		p->seg_suppressed++;
		return VH_OK;
	}
	p->seg_warned++;
	return vh_dump_add_warning(d, "%s", msg);
}

static int bad_header(struct vh_dump *d, int err, uint64_t off, const char *what)
{
	return vh_set_error(err, "%s: offset 0x%llx: %s", d->file.path, (unsigned long long)off,
			    what);
}

/* e_phnum, or section 0's sh_info when it is PN_XNUM. */
static int get_phnum(struct vh_dump *d, const Elf64_Ehdr *eh, size_t *phnum)
{
	Elf64_Shdr sh;
	int err;

	*phnum = eh->e_phnum;
	if (eh->e_phnum != PN_XNUM)
		return VH_OK;
	err = core_read(d, eh->e_shoff, &sh, sizeof(sh), "section header 0 (e_phnum is PN_XNUM)");
	if (!err)
		*phnum = sh.sh_info;
	return err;
}

/*
 * The ELF header and program header table as libelf sees them: a copy with
 * the table right after the header, no sections but PN_XNUM's section 0.
 */
static int load_headers(struct vh_dump *d, uint8_t **image, size_t *image_len, size_t *phnum)
{
	Elf64_Ehdr eh;
	size_t table, len;
	uint8_t *buf;
	int err = core_read(d, 0, &eh, sizeof(eh), "ELF header");

	if (err)
		return err;
	if (!is_core_ehdr((const uint8_t *)&eh, sizeof(eh)))
		return bad_header(d, VH_ERR_FORMAT, 0,
				  "not a 64-bit little-endian ELF core file (ET_CORE)");
	if (eh.e_machine == EM_X86_64)
		snprintf(d->arch, sizeof(d->arch), "x86_64");
	else if (eh.e_machine == EM_AARCH64)
		snprintf(d->arch, sizeof(d->arch), "aarch64");
	else
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: offset 0x12: ELF machine %u is not supported (expected "
				    "EM_X86_64 (62) or EM_AARCH64 (183))",
				    d->file.path, eh.e_machine);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return bad_header(d, VH_ERR_FORMAT, 0x36, "e_phentsize is not 56");
	err = get_phnum(d, &eh, phnum);
	if (err)
		return err;
	if (*phnum == 0 || *phnum > MAX_PHNUM)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x38: %zu program headers, expected 1 to %u",
				    d->file.path, *phnum, MAX_PHNUM);
	table = *phnum * sizeof(Elf64_Phdr);
	len = sizeof(eh) + table + sizeof(Elf64_Shdr);
	buf = calloc(1, len);
	if (!buf)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	err = core_read(d, eh.e_phoff, buf + sizeof(eh), table, "program header table");
	if (err) {
		free(buf);
		return err;
	}
	eh.e_phoff = sizeof(eh);
	eh.e_phnum = *phnum < PN_XNUM ? (Elf64_Half)*phnum : PN_XNUM;
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = SHN_UNDEF;
	if (*phnum >= PN_XNUM) {
		Elf64_Shdr sh0 = {.sh_size = 1, .sh_info = (Elf64_Word)*phnum};

		eh.e_shoff = sizeof(eh) + table;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		memcpy(buf + eh.e_shoff, &sh0, sizeof(sh0));
	}
	memcpy(buf, &eh, sizeof(eh));
	*image = buf;
	*image_len = len;
	return VH_OK;
}

static int add_file_entries(struct vh_dump *d, const uint8_t *desc, uint64_t descsz, uint64_t where)
{
	struct core_priv *p = d->priv;
	uint64_t count, page, room;
	const char *s, *end;

	if (descsz < 16 || p->files)
		return seg_warning(d, "NT_FILE note too short or repeated: ignored");
	count = le64(desc);
	page = le64(desc + 8);
	room = (descsz - 16) / 24;
	if (count > room || page == 0 || (page & (page - 1))) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "%s: offset 0x%llx: NT_FILE of %llu entries, page size %llu does not fit "
			 "its %llu bytes: file names lost",
			 d->file.path, (unsigned long long)where, (unsigned long long)count,
			 (unsigned long long)page, (unsigned long long)descsz);
		return seg_warning(d, msg);
	}
	p->files = calloc(count ? count : 1, sizeof(*p->files));
	p->paths = malloc(descsz - 16 - count * 24 + 1);
	if (!p->files || !p->paths)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	memcpy(p->paths, desc + 16 + count * 24, descsz - 16 - count * 24);
	p->paths[descsz - 16 - count * 24] = '\0';
	s = p->paths;
	end = p->paths + (descsz - 16 - count * 24);
	for (uint64_t i = 0; i < count && s < end; i++) {
		const uint8_t *e = desc + 16 + i * 24;
		struct vh_core_file *f = &p->files[p->info.nfiles];
		uint64_t pgoff = le64(e + 16);

		f->start = le64(e);
		f->end = le64(e + 8);
		f->offset = pgoff <= UINT64_MAX / page ? pgoff * page : 0;
		f->path = s;
		s += strlen(s) + 1;
		if (f->start < f->end)
			p->info.nfiles++;
	}
	if (p->info.nfiles < count) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "%s: offset 0x%llx: NT_FILE lists %llu mappings, %zu usable (empty "
			 "ranges or names missing)",
			 d->file.path, (unsigned long long)where, (unsigned long long)count,
			 p->info.nfiles);
		return seg_warning(d, msg);
	}
	return VH_OK;
}

static void copy_str(char *dst, size_t dstlen, const uint8_t *src, size_t n)
{
	size_t i = 0;

	for (; i < n && i + 1 < dstlen && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

static void set_prpsinfo(struct core_priv *p, const uint8_t *desc)
{
	struct vh_core_info *c = &p->info;

	c->have_prpsinfo = true;
	c->state = (char)desc[PRPSINFO_SNAME];
	c->flag = le64(desc + PRPSINFO_FLAG);
	c->uid = le32(desc + PRPSINFO_UID);
	c->gid = le32(desc + PRPSINFO_GID);
	c->pid = (int32_t)le32(desc + PRPSINFO_PID);
	c->ppid = (int32_t)le32(desc + PRPSINFO_PPID);
	c->pgrp = (int32_t)le32(desc + PRPSINFO_PGRP);
	c->sid = (int32_t)le32(desc + PRPSINFO_SID);
	copy_str(c->comm, sizeof(c->comm), desc + PRPSINFO_FNAME, 16);
	copy_str(c->psargs, sizeof(c->psargs), desc + PRPSINFO_PSARGS, 80);
}

static int set_auxv(struct vh_dump *d, const uint8_t *desc, uint64_t descsz)
{
	struct core_priv *p = d->priv;
	size_t n = (size_t)(descsz / 16);

	if (p->auxv)
		return VH_OK;
	p->auxv = calloc(n ? n : 1, sizeof(*p->auxv));
	if (!p->auxv)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	for (size_t i = 0; i < n; i++) {
		p->auxv[i].type = le64(desc + 16 * i);
		p->auxv[i].val = le64(desc + 16 * i + 8);
		if (p->auxv[i].type == 0)
			break; /* AT_NULL */
		p->info.nauxv++;
	}
	return VH_OK;
}

/* The process notes of one PT_NOTE (NT_PRSTATUS is notes.c's). */
static int parse_process_notes(struct vh_dump *d, const uint8_t *buf, size_t len, uint64_t base)
{
	size_t off = 0;
	int err = VH_OK;

	while (!err && len - off >= NOTE_HDR_SIZE) {
		uint64_t namesz = le32(buf + off), descsz = le32(buf + off + 4);
		uint32_t type = le32(buf + off + 8);
		uint64_t name_room = (namesz + 3) & ~3ull, desc_room = (descsz + 3) & ~3ull;
		const uint8_t *name = buf + off + NOTE_HDR_SIZE, *desc = name + name_room;

		if (name_room > len - off - NOTE_HDR_SIZE ||
		    descsz > len - off - NOTE_HDR_SIZE - name_room)
			break; /* notes.c has said where */
		if (namesz == 5 && !memcmp(name, "CORE", 5)) {
			if (type == NT_PRPSINFO && descsz >= PRPSINFO_SIZE)
				set_prpsinfo(d->priv, desc);
			else if (type == NT_AUXV)
				err = set_auxv(d, desc, descsz);
			else if (type == NT_FILE)
				err = add_file_entries(d, desc, descsz, base + off);
			else if (type == NT_SIGINFO && descsz >= 24) {
				struct vh_core_info *c = &((struct core_priv *)d->priv)->info;

				c->have_siginfo = true;
				c->si_signo = (int32_t)le32(desc);
				c->si_errno = (int32_t)le32(desc + 4);
				c->si_code = (int32_t)le32(desc + 8);
				c->si_addr = le64(desc + 16);
			}
		}
		if (NOTE_HDR_SIZE + name_room + desc_room >= len - off)
			break;
		off += NOTE_HDR_SIZE + name_room + desc_room;
	}
	return err;
}

static int read_notes(struct vh_dump *d, const GElf_Phdr *ph, uint64_t *total)
{
	struct core_priv *p = d->priv;
	uint64_t size = ph->p_filesz;
	uint8_t *buf;
	int err;

	if (ph->p_offset > p->size)
		size = 0;
	else if (size > p->size - ph->p_offset)
		size = p->size - ph->p_offset;
	if (size < ph->p_filesz) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "%s: offset 0x%llx: PT_NOTE of 0x%llx bytes runs past the end of the "
			 "core; reading the 0x%llx bytes there",
			 d->file.path, (unsigned long long)ph->p_offset,
			 (unsigned long long)ph->p_filesz, (unsigned long long)size);
		err = seg_warning(d, msg);
		if (err)
			return err;
	}
	if (size == 0 || size > MAX_NOTES_SIZE - *total)
		return VH_OK;
	*total += size;
	buf = malloc((size_t)size);
	if (!buf)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	err = core_read(d, ph->p_offset, buf, (size_t)size, "ELF notes");
	if (!err)
		err = vh_notes_parse(d, buf, (size_t)size, ph->p_offset);
	if (!err)
		err = parse_process_notes(d, buf, (size_t)size, ph->p_offset);
	free(buf);
	return err;
}

static int add_load(struct vh_dump *d, const GElf_Phdr *ph, size_t i)
{
	struct core_priv *p = d->priv;
	struct vh_core_load *l = &p->loads[p->nloads];
	char msg[320];

	if (ph->p_memsz == 0)
		return VH_OK;
	if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr || ph->p_filesz > ph->p_memsz) {
		snprintf(msg, sizeof(msg),
			 "%s: program header %zu: PT_LOAD at 0x%llx of 0x%llx bytes (0x%llx in "
			 "the file) is inconsistent: skipped",
			 d->file.path, i, (unsigned long long)ph->p_vaddr,
			 (unsigned long long)ph->p_memsz, (unsigned long long)ph->p_filesz);
		return seg_warning(d, msg);
	}
	l->start = ph->p_vaddr;
	l->end = ph->p_vaddr + ph->p_memsz;
	l->file_off = ph->p_offset;
	l->p_filesz = ph->p_filesz;
	l->p_flags = ph->p_flags;
	l->filesz = ph->p_filesz;
	if (ph->p_offset > p->size)
		l->filesz = 0;
	else if (l->filesz > p->size - ph->p_offset)
		l->filesz = p->size - ph->p_offset;
	p->nloads++;
	if (l->filesz == l->p_filesz)
		return VH_OK;
	snprintf(msg, sizeof(msg),
		 "%s: program header %zu: segment 0x%llx-0x%llx is cut short by the end of the "
		 "core (offset 0x%llx): 0x%llx-0x%llx missing",
		 d->file.path, i, (unsigned long long)l->start, (unsigned long long)l->end,
		 (unsigned long long)p->size, (unsigned long long)(l->start + l->filesz),
		 (unsigned long long)(l->start + l->p_filesz));
	return seg_warning(d, msg);
}

static int cmp_load(const void *a, const void *b)
{
	const struct vh_core_load *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts the segments; one overlapping its predecessor is dropped (with a warning). */
static int finish_loads(struct vh_dump *d)
{
	struct core_priv *p = d->priv;
	size_t n = 0;
	int err = VH_OK;

	qsort(p->loads, p->nloads, sizeof(*p->loads), cmp_load);
	for (size_t i = 0; i < p->nloads && !err; i++) {
		char msg[256];

		if (n && p->loads[i].start < p->loads[n - 1].end) {
			snprintf(msg, sizeof(msg),
				 "%s: PT_LOAD 0x%llx-0x%llx overlaps the one before: skipped",
				 d->file.path, (unsigned long long)p->loads[i].start,
				 (unsigned long long)p->loads[i].end);
			err = seg_warning(d, msg);
			continue;
		}
		p->loads[n++] = p->loads[i];
	}
	p->nloads = n;
	for (size_t i = 0; i < n && !err; i++) {
		const struct vh_core_load *l = &p->loads[i];
		uint64_t pages = (l->end - l->start + CORE_PAGE_SIZE - 1) / CORE_PAGE_SIZE;
		uint64_t stored = (l->filesz + CORE_PAGE_SIZE - 1) / CORE_PAGE_SIZE;

		d->stats.present += stored;
		d->stats.by_codec[p->z ? VH_CODEC_ZSTD : VH_CODEC_NONE] += stored;
		d->stats.excluded += pages - stored;
		err = vh_dump_add_range(d, l->start, l->end);
	}
	return err;
}

static int scan_phdrs(struct vh_dump *d, Elf *elf, size_t phnum)
{
	struct core_priv *p = d->priv;
	uint64_t notes = 0;
	int err = VH_OK;

	p->loads = calloc(phnum, sizeof(*p->loads));
	if (!p->loads)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	for (size_t i = 0; i < phnum && !err; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return vh_set_error(VH_ERR_FORMAT, "%s: program header %zu: %s",
					    d->file.path, i, elf_errmsg(-1));
		if (ph.p_type == PT_NOTE)
			err = read_notes(d, &ph, &notes);
		else if (ph.p_type == PT_LOAD)
			err = add_load(d, &ph, i);
	}
	return err;
}

static int parse_headers(struct vh_dump *d)
{
	uint8_t *image = NULL;
	size_t len = 0, phnum = 0, n = 0;
	Elf *elf;
	int err = load_headers(d, &image, &len, &phnum);

	if (err)
		return err;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)image, len);
	if (!elf || elf_getphdrnum(elf, &n) || n != phnum)
		err = vh_set_error(VH_ERR_FORMAT, "%s: offset 0x0: ELF headers: %s", d->file.path,
				   elf_errmsg(-1));
	if (!err)
		err = scan_phdrs(d, elf, phnum);
	elf_end(elf);
	free(image);
	return err;
}

static int open_stream(struct vh_dump *d)
{
	struct core_priv *p = d->priv;
	const char *fault;
	int err;

	uint8_t magic[4];

	p->size = d->file.size;
	if (d->file.size < sizeof(magic))
		return VH_OK; /* the ELF header check says what is wrong */
	err = vh_file_read(&d->file, 0, magic, sizeof(magic), "file header");
	if (err || !vh_zstream_probe(magic, sizeof(magic)))
		return err;
	err = vh_zstream_open(&d->file, &p->z);
	if (err)
		return err;
	p->info.compressed = true;
	p->size = vh_zstream_size(p->z);
	fault = vh_zstream_fault(p->z);
	if (fault)
		err = vh_dump_add_warning(d, "%s: %s: reading the 0x%llx bytes decoded before it",
					  d->file.path, fault, (unsigned long long)p->size);
	if (!err)
		err = vh_dump_add_attr(d, "core.compression", "zstd");
	return err;
}

static int core_open(struct vh_dump *d)
{
	struct core_priv *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	d->priv = p;
	/* The ELF header sets the arch (load_headers), before the notes need it. */
	err = vh_dump_set_page_size(d, CORE_PAGE_SIZE, 0);
	if (!err)
		err = open_stream(d);
	if (!err)
		err = parse_headers(d);
	if (!err)
		err = finish_loads(d);
	if (!err && p->seg_suppressed)
		err = vh_dump_add_warning(d, "%s: %u more damaged segments or notes (not listed)",
					  d->file.path, p->seg_suppressed);
	if (err)
		return err;
	p->info.loads = p->loads;
	p->info.nloads = p->nloads;
	p->info.files = p->files;
	p->info.auxv = p->auxv;
	if (!p->info.have_prpsinfo && d->ncpus)
		p->info.pid = (int32_t)d->cpus[0].pid;
	err = vh_dump_add_attr(d, "core.producer", "%s",
			       p->info.have_prpsinfo ? "process core"
						     : "process core (no NT_PRPSINFO)");
	return err;
}

/* Index of the first segment ending after @addr. */
static size_t first_after(const struct core_priv *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nloads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->loads[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static enum vh_page_state core_page_state(struct vh_dump *d, uint64_t pfn)
{
	const struct core_priv *p = d->priv;
	uint64_t start = pfn * CORE_PAGE_SIZE, end = start + CORE_PAGE_SIZE;
	enum vh_page_state st = VH_PAGE_ABSENT;

	for (size_t i = first_after(p, start); i < p->nloads && p->loads[i].start < end; i++) {
		const struct vh_core_load *l = &p->loads[i];

		if (l->start + l->filesz > start)
			return VH_PAGE_PRESENT;
		st = VH_PAGE_EXCLUDED;
	}
	return st;
}

/*
 * Segments are sorted and disjoint: the first one ending after the page
 * whose stored part (filesz) still reaches it holds the answer.
 */
static bool core_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	const struct core_priv *p = d->priv;
	uint64_t start = pfn * CORE_PAGE_SIZE;

	for (size_t i = first_after(p, start); i < p->nloads; i++) {
		const struct vh_core_load *l = &p->loads[i];
		uint64_t first = l->start / CORE_PAGE_SIZE;

		if (l->filesz == 0 || l->start + l->filesz <= start)
			continue;
		*next = first > pfn ? first : pfn;
		return true;
	}
	return false;
}

static int core_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	struct core_priv *p = d->priv;
	uint64_t start = pfn * CORE_PAGE_SIZE, end = start + CORE_PAGE_SIZE;

	for (size_t i = first_after(p, start); i < p->nloads && p->loads[i].start < end; i++) {
		const struct vh_core_load *l = &p->loads[i];
		uint64_t lo = l->start > start ? l->start : start;
		uint64_t hi = l->start + l->filesz < end ? l->start + l->filesz : end;
		int err;

		if (hi <= lo)
			continue;
		err = core_read(d, l->file_off + (lo - l->start), (uint8_t *)buf + (lo - start),
				(size_t)(hi - lo), "process memory");
		if (err)
			return err;
	}
	return VH_OK;
}

static void core_close(struct vh_dump *d)
{
	struct core_priv *p = d->priv;

	if (!p)
		return;
	vh_zstream_free(p->z);
	free(p->loads);
	free(p->files);
	free(p->paths);
	free(p->auxv);
	free(p);
	d->priv = NULL;
}

const struct vh_core_info *vh_core_info(const struct vh_dump *d)
{
	if (!d || d->ops != &vh_core_ops)
		return NULL;
	return &((const struct core_priv *)d->priv)->info;
}

bool vh_core_auxv_get(const struct vh_core_info *c, uint64_t type, uint64_t *val)
{
	for (size_t i = 0; i < c->nauxv; i++) {
		if (c->auxv[i].type == type) {
			*val = c->auxv[i].val;
			return true;
		}
	}
	return false;
}

const struct vh_dump_ops vh_core_ops = {
    .format = VH_FMT_CORE,
    .probe = core_probe,
    .open = core_open,
    .read_page = core_read_page,
    .page_state = core_page_state,
    .next_present = core_next_present,
    .close = core_close,
};
