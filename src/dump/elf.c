/* SPDX-License-Identifier: MIT */
/*
 * ELF vmcore reader: /proc/vmcore as kdump writes it, QEMU dump-guest-memory
 * (paging:false) and virsh dump, makedumpfile -E.
 *
 * libelf (ELF_C_READ: it reads the ELF header and the program header table
 * on demand, never the segments) gives the headers; this file checks every
 * field against the file before use. Each PT_LOAD maps [p_paddr,
 * p_paddr + p_memsz); its first p_filesz bytes are at p_offset.
 *
 * What p_filesz < p_memsz means depends on who wrote the file. For the ELF
 * standard the tail is zero-filled. In a vmcore it never is memory known to
 * be zero: the kernel's /proc/vmcore has no short PT_LOAD; makedumpfile -E
 * (makedumpfile.c, write_elf_pages_cyclic()) ends a PT_LOAD where a run of
 * 256 or more filtered pages begins and puts the run in the tail, not in the
 * file (shorter runs it writes out with their content, so they read back as
 * present); QEMU leaves a tail only for memory outside a begin/length filter
 * or outside guest RAM. And makedumpfile -E copies the notes of its input,
 * QEMU's included. So when the notes show a vmcore (VMCOREINFO, NT_PRSTATUS
 * or QEMU CPU state), tails are VH_PAGE_EXCLUDED: reporting filtered memory
 * as zeros would be silently wrong. Only a file without such notes gets the
 * plain ELF meaning, VH_PAGE_ZERO. The "elf.tail" attr says which applied.
 *
 * A PT_LOAD whose data runs past the end of the file (a truncated dump) keeps
 * what is there; the rest is reported as not present, with a warning. A
 * PT_LOAD whose own fields are inconsistent is skipped with a warning, so one
 * damaged entry does not cost the whole dump.
 */
#include "dump/dump_internal.h"
#include "dump/segmap.h"
#include "util/error.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No real dump comes near: makedumpfile -E of 2 TiB at its most fragmented. */
#define MAX_PHNUM (1u << 21)
/* All PT_NOTEs together: QEMU's notes take ~1 KiB per CPU, /proc/vmcore's less. */
#define MAX_NOTES_SIZE (16u << 20)
/* Warnings about damaged program headers before they are only counted. */
#define MAX_PHDR_WARNINGS 8
/* Without VMCOREINFO's PAGESIZE: x86-64's, and the usual one of aarch64 kernels. */
#define DEFAULT_PAGE_SIZE 4096

/* In x86-64's kernel text mapping, where kexec puts the kernel-text PT_LOAD. */
#define X86_64_KERNEL_TEXT_START 0xffffffff80000000ull

struct elf_priv {
	struct vh_segmap map;
};

struct elf_info {
	Elf *elf;
	GElf_Ehdr ehdr;
	size_t phnum;
	uint64_t phoff;	  /* file offset of the program header table */
	size_t phentsize; /* bytes per program header in the file */
	size_t nloads;	  /* PT_LOAD entries */
	bool short_load;  /* some PT_LOAD has p_filesz < p_memsz */
	const char *producer;
	enum vh_seg_kind tail; /* what p_filesz < p_memsz leaves: zero or excluded */
	uint64_t notes_read;   /* bytes of notes read so far, all PT_NOTEs together */
	unsigned warned;       /* warnings about program headers given */
	unsigned suppressed;   /* ... and not given, past MAX_PHDR_WARNINGS */
};

/*
 * May a warning about a program header be given? A hostile table of 10^6
 * damaged entries must not make 10^6 warnings: past the limit they are counted.
 */
static bool may_warn(struct elf_info *ei)
{
	if (ei->warned >= MAX_PHDR_WARNINGS) {
		ei->suppressed++;
		return false;
	}
	ei->warned++;
	return true;
}

static bool elf_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)file_size;
	/* Any ELF file: open() explains why a non-core one is not a dump. */
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static uint64_t phdr_off(const struct elf_info *ei, size_t i)
{
	return ei->phoff + (uint64_t)i * ei->phentsize;
}

/*
 * A big-endian ELF file (aarch64_be, s390x, ppc64, ...): refused, naming its
 * machine when the header holds it, since "big-endian" alone does not tell an
 * analyst which machine's dump it is.
 */
static int big_endian(struct vh_dump *d, unsigned cls)
{
	uint8_t m[2];
	unsigned machine;

	if (vh_file_read(&d->file, 0x12, m, sizeof(m), "ELF header") != VH_OK)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: offset 0x%x: big-endian ELF (ELFDATA2MSB); only "
				    "little-endian dumps are supported",
				    d->file.path, EI_DATA);
	machine = (unsigned)m[0] << 8 | m[1];
	return vh_set_error(VH_ERR_UNSUPPORTED,
			    "%s: offset 0x%x: big-endian ELF%s (ELFDATA2MSB) of machine %u%s; "
			    "only little-endian dumps are supported",
			    d->file.path, EI_DATA, cls == ELFCLASS32 ? "32" : "64", machine,
			    machine == EM_AARCH64 ? " (EM_AARCH64: an aarch64_be kernel)" : "");
}

/*
 * e_ident (class, byte order, version) and the presence of the whole ELF
 * header, checked before libelf sees the file so each fault gets its offset.
 */
static int check_ident(struct vh_dump *d)
{
	unsigned char id[EI_NIDENT];
	size_t ehsize;
	int err = vh_file_read(&d->file, 0, id, sizeof(id), "ELF identification");

	if (err)
		return err;
	if (id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: ELF class %u, expected ELFCLASS64 (2) or "
				    "ELFCLASS32 (1)",
				    d->file.path, EI_CLASS, id[EI_CLASS]);
	if (id[EI_DATA] == ELFDATA2MSB)
		return big_endian(d, id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: ELF data encoding %u, expected little-endian "
				    "ELFDATA2LSB (1)",
				    d->file.path, EI_DATA, id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%x: ELF version %u, expected 1",
				    d->file.path, EI_VERSION, id[EI_VERSION]);
	ehsize = id[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (d->file.size < ehsize)
		return vh_set_error(
		    VH_ERR_TRUNCATED,
		    "%s: offset 0x%llx: file ends inside the ELF header (%zu bytes)", d->file.path,
		    (unsigned long long)d->file.size, ehsize);
	return VH_OK;
}

static int libelf_error(struct vh_dump *d, uint64_t off, const char *what)
{
	return vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%llx: %s: %s", d->file.path,
			    (unsigned long long)off, what, elf_errmsg(-1));
}

/*
 * The program header count: e_phnum, or with PN_XNUM (more than 65534, as
 * makedumpfile -E and QEMU write for fragmented memory) section 0's sh_info.
 * Read before libelf's elf_getphdrnum(), which would fail without saying why.
 */
static int get_phnum(struct vh_dump *d, struct elf_info *ei)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	ei->phnum = ei->ehdr.e_phnum;
	if (ei->phnum != PN_XNUM)
		return VH_OK;
	scn = elf_getscn(ei->elf, 0);
	if (!scn || !gelf_getshdr(scn, &sh))
		return libelf_error(d, ei->ehdr.e_shoff,
				    "e_phnum is PN_XNUM but section header 0, which holds the "
				    "program header count, is unreadable");
	ei->phnum = sh.sh_info;
	return VH_OK;
}

/* The ELF header: a core file of a machine we know, with a usable program header table. */
static int read_ehdr(struct vh_dump *d, struct elf_info *ei)
{
	bool is64 = ei->ehdr.e_ident[EI_CLASS] == ELFCLASS64;
	uint64_t table;
	int err;

	if (ei->ehdr.e_type != ET_CORE)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x10: ELF type %u, expected ET_CORE (4): an ELF "
				    "file but not a core dump",
				    d->file.path, ei->ehdr.e_type);
	if (ei->ehdr.e_machine == EM_X86_64)
		snprintf(d->arch, sizeof(d->arch), "x86_64");
	else if (ei->ehdr.e_machine == EM_386) /* QEMU, guest not yet in long mode */
		snprintf(d->arch, sizeof(d->arch), "i386");
	else if (ei->ehdr.e_machine == EM_AARCH64 && is64)
		snprintf(d->arch, sizeof(d->arch), "aarch64");
	else if (ei->ehdr.e_machine == EM_AARCH64 || ei->ehdr.e_machine == EM_ARM)
		return vh_set_error(
		    VH_ERR_UNSUPPORTED,
		    "%s: offset 0x12: %s in an ELF%s file: 32-bit Arm dumps are not "
		    "supported (aarch64 dumps are ELF64 EM_AARCH64 (183))",
		    d->file.path, ei->ehdr.e_machine == EM_ARM ? "EM_ARM (40)" : "EM_AARCH64",
		    is64 ? "64" : "32");
	else
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: offset 0x12: ELF machine %u is not supported (expected "
				    "EM_X86_64 (62), EM_AARCH64 (183) or EM_386 (3))",
				    d->file.path, ei->ehdr.e_machine);
	ei->phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (ei->ehdr.e_phentsize != ei->phentsize)
		return vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%x: e_phentsize %u, expected %zu",
				    d->file.path, is64 ? 0x36 : 0x2a, ei->ehdr.e_phentsize,
				    ei->phentsize);
	ei->phoff = ei->ehdr.e_phoff;
	err = get_phnum(d, ei);
	if (err)
		return err;
	if (ei->phnum == 0 || ei->phnum > MAX_PHNUM)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%x: %zu program headers, expected 1 to %u",
				    d->file.path, is64 ? 0x38 : 0x2c, ei->phnum, MAX_PHNUM);
	table = (uint64_t)ei->phnum * ei->phentsize;
	if (ei->phoff > d->file.size || table > d->file.size - ei->phoff)
		return vh_set_error(VH_ERR_TRUNCATED,
				    "%s: offset 0x%llx: program header table of %zu entries "
				    "(0x%llx bytes) runs past the end of the file (size 0x%llx)",
				    d->file.path, (unsigned long long)ei->phoff, ei->phnum,
				    (unsigned long long)table, (unsigned long long)d->file.size);
	return VH_OK;
}

static int get_phdr(struct vh_dump *d, struct elf_info *ei, size_t i, GElf_Phdr *ph)
{
	if (!gelf_getphdr(ei->elf, (int)i, ph))
		return libelf_error(d, phdr_off(ei, i), "program header");
	return VH_OK;
}

/* One PT_NOTE: read what the file holds of it (a cut one is still worth parsing). */
static int read_notes(struct vh_dump *d, struct elf_info *ei, const GElf_Phdr *ph, uint64_t where)
{
	uint64_t size = ph->p_filesz;
	uint8_t *buf;
	int err;

	if (size > MAX_NOTES_SIZE - ei->notes_read) {
		if (!may_warn(ei))
			return VH_OK;
		return vh_dump_add_warning(
		    d,
		    "%s: offset 0x%llx: PT_NOTE of 0x%llx bytes would take the notes "
		    "past 0x%x bytes, more than any real dump has; notes ignored",
		    d->file.path, (unsigned long long)where, (unsigned long long)size,
		    MAX_NOTES_SIZE);
	}
	if (ph->p_offset > d->file.size || size > d->file.size - ph->p_offset) {
		uint64_t have = ph->p_offset > d->file.size ? 0 : d->file.size - ph->p_offset;

		err = !may_warn(ei)
			  ? VH_OK
			  : vh_dump_add_warning(
				d,
				"%s: offset 0x%llx: PT_NOTE at 0x%llx of 0x%llx bytes runs "
				"past the end of the file; reading the 0x%llx bytes there",
				d->file.path, (unsigned long long)where,
				(unsigned long long)ph->p_offset, (unsigned long long)size,
				(unsigned long long)have);
		if (err)
			return err;
		size = have;
	}
	if (size == 0)
		return VH_OK;
	ei->notes_read += size;
	buf = malloc((size_t)size);
	if (!buf)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	err = vh_file_read(&d->file, ph->p_offset, buf, (size_t)size, "ELF notes");
	if (!err)
		err = vh_notes_parse(d, buf, (size_t)size, ph->p_offset);
	free(buf);
	return err;
}

/* First pass: notes, and what the PT_LOADs look like (for the producer guess). */
static int scan_phdrs(struct vh_dump *d, struct elf_info *ei)
{
	for (size_t i = 0; i < ei->phnum; i++) {
		GElf_Phdr ph;
		int err = get_phdr(d, ei, i, &ph);

		if (err)
			return err;
		if (ph.p_type == PT_NOTE) {
			err = read_notes(d, ei, &ph, phdr_off(ei, i));
			if (err)
				return err;
		} else if (ph.p_type == PT_LOAD) {
			ei->nloads++;
			ei->short_load |= ph.p_filesz < ph.p_memsz;
		}
	}
	return VH_OK;
}

static bool have_qemu_state(const struct vh_dump *d)
{
	for (size_t i = 0; i < d->ncpus; i++) {
		if (d->cpus[i].have_cr)
			return true;
	}
	return false;
}

static void guess_producer(const struct vh_dump *d, struct elf_info *ei)
{
	bool vmcore_notes = d->vmcoreinfo || d->ncpus;
	bool qemu = have_qemu_state(d);

	qemu |= d->qemu_notes; /* aarch64: NT_PRFPREG after each NT_PRSTATUS */
	if (qemu && ei->short_load)
		ei->producer = "QEMU (filtered) or makedumpfile -E of a QEMU dump";
	else if (qemu)
		ei->producer = "QEMU";
	else if (vmcore_notes && ei->short_load)
		ei->producer = "makedumpfile";
	else if (vmcore_notes)
		ei->producer = "kdump";
	else
		ei->producer = "unknown";
	ei->tail = vmcore_notes ? VH_SEG_EXCLUDED : VH_SEG_ZERO;
}

static int skip_load(struct vh_dump *d, struct elf_info *ei, uint64_t where, size_t i,
		     const char *why)
{
	if (!may_warn(ei))
		return VH_OK;
	return vh_dump_add_warning(d, "%s: offset 0x%llx: PT_LOAD %zu skipped: %s", d->file.path,
				   (unsigned long long)where, i, why);
}

/* Second pass helper: one PT_LOAD into the map. */
static int add_load(struct vh_dump *d, struct elf_info *ei, size_t i, const GElf_Phdr *ph)
{
	struct elf_priv *p = d->priv;
	uint64_t where = phdr_off(ei, i), avail = ph->p_filesz, memsz = ph->p_memsz;
	int err;

	if (ph->p_filesz > ph->p_memsz)
		return skip_load(d, ei, where, i, "p_filesz is larger than p_memsz");
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return skip_load(d, ei, where, i, "p_paddr + p_memsz wraps around");
	if (ph->p_paddr + ph->p_filesz > VH_MAX_PHYS_ADDR)
		return skip_load(
		    d, ei, where, i,
		    "p_paddr + p_filesz lies beyond the 52-bit physical address space");
	if (ph->p_paddr + memsz > VH_MAX_PHYS_ADDR) {
		/* The stored bytes are believable; only the claimed tail is not. */
		memsz = ph->p_filesz;
		err = !may_warn(ei)
			  ? VH_OK
			  : vh_dump_add_warning(d,
						"%s: offset 0x%llx: PT_LOAD %zu: p_memsz "
						"0x%llx reaches beyond the 52-bit physical "
						"address space; its tail is ignored",
						d->file.path, (unsigned long long)where, i,
						(unsigned long long)ph->p_memsz);
		if (err)
			return err;
	}
	if (ph->p_filesz && ph->p_offset + ph->p_filesz < ph->p_offset)
		return skip_load(d, ei, where, i, "p_offset + p_filesz wraps around");
	if (ph->p_filesz && (ph->p_offset > d->file.size || avail > d->file.size - ph->p_offset)) {
		avail = ph->p_offset > d->file.size ? 0 : d->file.size - ph->p_offset;
		err = !may_warn(ei)
			  ? VH_OK
			  : vh_dump_add_warning(d,
						"%s: offset 0x%llx: PT_LOAD %zu (physical 0x%llx) "
						"needs file bytes up to "
						"0x%llx but the file ends at 0x%llx (truncated "
						"dump); its last 0x%llx "
						"bytes are reported as not present",
						d->file.path, (unsigned long long)where, i,
						(unsigned long long)ph->p_paddr,
						(unsigned long long)(ph->p_offset + ph->p_filesz),
						(unsigned long long)d->file.size,
						(unsigned long long)(ph->p_filesz - avail));
		if (err)
			return err;
	}
	err =
	    vh_segmap_add(d, &p->map, ph->p_paddr, ph->p_paddr + avail, ph->p_offset, VH_SEG_FILE);
	if (!err)
		err = vh_segmap_add(d, &p->map, ph->p_paddr + ph->p_filesz, ph->p_paddr + memsz, 0,
				    ei->tail);
	return err;
}

/*
 * A kernel-text PT_LOAD (p_vaddr in the kernel text mapping) with p_paddr 0
 * does not say where it is in physical memory; its bytes are also in a RAM
 * PT_LOAD, so dropping it loses nothing and keeps it from shadowing page 0.
 */
static bool unplaced_kernel_text(const struct vh_dump *d, const GElf_Phdr *ph)
{
	return ph->p_paddr == 0 && ph->p_vaddr >= X86_64_KERNEL_TEXT_START &&
	       strcmp(d->arch, "x86_64") == 0;
}

static int add_loads(struct vh_dump *d, struct elf_info *ei)
{
	size_t at_zero = 0;

	for (size_t i = 0; i < ei->phnum; i++) {
		GElf_Phdr ph;
		int err = get_phdr(d, ei, i, &ph);

		if (err)
			return err;
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (unplaced_kernel_text(d, &ph)) {
			err = skip_load(d, ei, phdr_off(ei, i), i,
					"kernel text mapping with p_paddr 0 (no physical address)");
		} else {
			at_zero += ph.p_paddr == 0;
			err = add_load(d, ei, i, &ph);
		}
		if (err)
			return err;
	}
	/* Process core files (gdb, the kernel's coredump) put 0 in every p_paddr. */
	if (at_zero > 1 && at_zero == ei->nloads)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: offset 0x%llx: every PT_LOAD has p_paddr 0: this looks "
				    "like a process core file, not a vmcore",
				    d->file.path, (unsigned long long)ei->phoff);
	if (ei->suppressed)
		return vh_dump_add_warning(
		    d,
		    "%s: offset 0x%llx: %u more damaged or truncated program "
		    "headers (warnings not repeated)",
		    d->file.path, (unsigned long long)ei->phoff, ei->suppressed);
	return VH_OK;
}

/* PAGESIZE from VMCOREINFO when present and sane, else 4096. */
static int set_page_size(struct vh_dump *d)
{
	const char *v = vh_dump_vmcoreinfo_get(d, "PAGESIZE");
	char *end;
	unsigned long long ps;
	int err;

	if (v) {
		ps = strtoull(v, &end, 10);
		if (*v && *end == '\0' && vh_dump_set_page_size(d, ps, 0) == VH_OK)
			return VH_OK;
		err = vh_dump_add_warning(d,
					  "%s: VMCOREINFO PAGESIZE=%s is not a usable page size; "
					  "using 4096",
					  d->file.path, v);
		if (err)
			return err;
	}
	return vh_dump_set_page_size(d, DEFAULT_PAGE_SIZE, 0);
}

static int add_attrs(struct vh_dump *d, const struct elf_info *ei)
{
	int err = vh_dump_add_attr(d, "elf.class", "%s",
				   ei->ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? "ELF64" : "ELF32");

	if (!err)
		err = vh_dump_add_attr(d, "elf.phnum", "%zu", ei->phnum);
	if (!err)
		err = vh_dump_add_attr(d, "elf.loads", "%zu", ei->nloads);
	if (!err)
		err = vh_dump_add_attr(d, "elf.producer", "%s", ei->producer);
	if (!err && ei->short_load)
		err = vh_dump_add_attr(d, "elf.tail", "%s",
				       ei->tail == VH_SEG_ZERO ? "zero-filled (plain ELF)"
							       : "excluded by the dump tool");
	return err;
}

static int parse(struct vh_dump *d, struct elf_info *ei)
{
	struct elf_priv *p = d->priv;
	int err;

	if (!gelf_getehdr(ei->elf, &ei->ehdr))
		return libelf_error(d, 0, "ELF header");
	err = read_ehdr(d, ei);
	if (!err)
		err = scan_phdrs(d, ei);
	if (err)
		return err;
	guess_producer(d, ei);
	err = add_loads(d, ei);
	if (!err)
		err = set_page_size(d);
	if (err)
		return err;
	if (p->map.n == 0)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%llx: no usable PT_LOAD segment: the dump holds "
				    "no memory",
				    d->file.path, (unsigned long long)ei->phoff);
	err = vh_segmap_finish(d, &p->map);
	if (!err)
		err = add_attrs(d, ei);
	return err;
}

static int elf_open(struct vh_dump *d)
{
	struct elf_info ei = {0};
	struct elf_priv *p;
	int err = check_ident(d);

	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	d->priv = p;
	elf_version(EV_CURRENT);
	ei.elf = elf_begin(d->file.fd, ELF_C_READ, NULL);
	if (!ei.elf)
		return libelf_error(d, 0, "libelf cannot read the ELF file");
	err = parse(d, &ei);
	elf_end(ei.elf);
	return err;
}

static int elf_read_page(struct vh_dump *d, uint64_t pfn, void *buf)
{
	struct elf_priv *p = d->priv;

	return vh_segmap_read_page(d, &p->map, pfn, buf, "PT_LOAD data");
}

static bool elf_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	struct elf_priv *p = d->priv;

	return vh_segmap_next_present(d, &p->map, pfn, next);
}

static enum vh_page_state elf_page_state(struct vh_dump *d, uint64_t pfn)
{
	struct elf_priv *p = d->priv;

	return vh_segmap_page_state(d, &p->map, pfn);
}

static void elf_close(struct vh_dump *d)
{
	struct elf_priv *p = d->priv;

	if (!p)
		return;
	vh_segmap_free(&p->map);
	free(p);
	d->priv = NULL;
}

const struct vh_dump_ops vh_elf_ops = {
    .format = VH_FMT_ELF,
    .probe = elf_probe,
    .open = elf_open,
    .read_page = elf_read_page,
    .page_state = elf_page_state,
    .next_present = elf_next_present,
    .close = elf_close,
};
