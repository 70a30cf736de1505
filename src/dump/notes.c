/* SPDX-License-Identifier: MIT */
/*
 * ELF notes of a vmcore: VMCOREINFO, NT_PRSTATUS per CPU, QEMU's CPU state.
 *
 * NT_PRSTATUS has one layout per architecture (struct elf_prstatus: the same
 * 112-byte prefix with pr_pid, then pr_reg, the arch's register set): x86-64's
 * user_regs_struct or aarch64's user_pt_regs. d->arch says which; a kdump
 * whose header names no machine gets the layout the note's size matches.
 * Notes vmahunt does not use (NT_PRFPREG, NT_ARM_SVE, NT_ARM_PAC_MASK, Xen,
 * VMCOREDD, ...) are skipped without a word.
 *
 * Used for the PT_NOTE segments of ELF dumps and for the note area that the
 * kdump format copies from /proc/vmcore. Notes are little-endian (only such
 * dumps are accepted) and, as the kernel, QEMU and makedumpfile write them,
 * name and descriptor are each padded to 4 bytes, in ELF32 and ELF64 alike;
 * the note header is 12 bytes in both classes.
 *
 * Damage policy: a note whose sizes run past the end of the buffer ends the
 * parse with a warning that names its offset; the notes before it are kept,
 * because the memory of the dump is still usable without the rest. An
 * all-zero note header ends the list silently (padding). A known note with an
 * unexpected size is skipped with a warning. At most MAX_NOTE_WARNINGS
 * warnings per buffer, then one that counts the rest, none at all once the
 * dump has MAX_DUMP_WARNINGS, and at most MAX_CPUS CPUs: hostile notes cannot
 * make the dump's arrays grow without bound.
 */
#include "dump/dump_internal.h"
#include "util/error.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define NOTE_HDR_SIZE	  12
#define NT_PRSTATUS	  1
#define NT_PRFPREG	  2
#define MAX_NOTE_WARNINGS 8
/* Past this many warnings in the dump, note parsing adds none (many PT_NOTEs). */
#define MAX_DUMP_WARNINGS 64
#define MAX_CPUS	  8192 /* the kernel's largest NR_CPUS on x86-64 (arm64: 4096) */

/* struct elf_prstatus of x86-64 (kernel and QEMU agree): pr_pid, then pr_reg. */
#define PRSTATUS_X86_64_SIZE 336
#define PRSTATUS_PID_OFF     32
#define PRSTATUS_REG_OFF     112
/*
 * struct elf_prstatus of aarch64 (kernel and QEMU agree): the same prefix,
 * pr_reg = struct user_pt_regs (x0..x30, sp, pc, pstate: 34 u64) at 112,
 * then pr_fpvalid and padding to 8 bytes.
 */
#define PRSTATUS_AARCH64_SIZE 392
#define AARCH64_NGREG	      31

/*
 * QEMUCPUState (QEMU target/i386/arch_dump.c), version 1: version, size,
 * 16 general registers rax..r15, rip, rflags, 10 segments of 24 bytes
 * (selector, limit, flags, pad, base) cs ds es fs gs ss ldt tr gdt idt,
 * cr[5]. Later QEMUs append fields and grow 'size' without a version bump.
 */
#define QEMU_CPUSTATE_MIN_SIZE 432
#define QEMU_GP_OFF	       8
#define QEMU_RIP_OFF	       136
#define QEMU_RFLAGS_OFF	       144
#define QEMU_SEG_OFF	       152
#define QEMU_SEG_SIZE	       24
#define QEMU_SEG_BASE_OFF      16
#define QEMU_CR_OFF	       392
enum { QSEG_CS, QSEG_DS, QSEG_ES, QSEG_FS, QSEG_GS, QSEG_SS };

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct note {
	const char *name; /* not NUL-terminated: namelen bytes */
	size_t namelen;	  /* without the trailing NUL */
	uint32_t type;
	const uint8_t *desc;
	uint32_t descsz;
	uint64_t off;	      /* file offset of the note header */
	unsigned *warned;     /* warnings given so far for this buffer */
	unsigned *suppressed; /* warnings not given (over MAX_NOTE_WARNINGS) */
};

/* Skips note @n with a warning saying why (or counts it, past the limit). */
static int skip_note(struct vh_dump *d, const struct note *n, const char *why)
{
	if (*n->warned >= MAX_NOTE_WARNINGS || d->nwarnings >= MAX_DUMP_WARNINGS) {
		(*n->suppressed)++;
		return VH_OK;
	}
	(*n->warned)++;
	return vh_dump_add_warning(d, "%s: offset 0x%llx: %s; note skipped", d->file.path,
				   (unsigned long long)n->off, why);
}

static struct vh_cpu_regs *new_cpu(struct vh_dump *d, const struct note *n, int *err)
{
	*err = VH_OK;
	if (d->ncpus >= MAX_CPUS) {
		*err = skip_note(d, n,
				 strcmp(d->arch, "aarch64") == 0
				     ? "more CPUs than vmahunt reads (8192; arm64 kernels have at "
				       "most 4096)"
				     : "more CPUs than any x86-64 kernel supports (8192)");
		return NULL;
	}
	struct vh_cpu_regs *c = vh_dump_add_cpu(d);

	if (!c)
		*err = VH_ERR_NOMEM;
	return c;
}

static bool note_is(const struct note *n, const char *name, uint32_t type)
{
	return n->type == type && n->namelen == strlen(name) && !memcmp(n->name, name, n->namelen);
}

/* Where each pr_reg slot (struct user_regs_struct order) goes. */
#define REG(name) offsetof(struct vh_cpu_regs, name)
static const size_t prstatus_regs[] = {
    REG(r15),	  REG(r14),	 REG(r13), REG(r12), REG(rbp),	  REG(rbx), REG(r11),
    REG(r10),	  REG(r9),	 REG(r8),  REG(rax), REG(rcx),	  REG(rdx), REG(rsi),
    REG(rdi),	  REG(orig_rax), REG(rip), REG(cs),  REG(rflags), REG(rsp), REG(ss),
    REG(fs_base), REG(gs_base),	 REG(ds),  REG(es),  REG(fs),	  REG(gs),
};

static void set_reg(struct vh_cpu_regs *c, size_t off, uint64_t v)
{
	memcpy((char *)c + off, &v, sizeof(v));
}

/*
 * An aarch64 NT_PRSTATUS? By d->arch, or, for a dump that does not say (a
 * kdump with an empty utsname), by its size, which no x86-64 writer uses.
 */
static bool aarch64_layout(struct vh_dump *d, const struct note *n)
{
	if (strcmp(d->arch, "aarch64") == 0)
		return true;
	if (strcmp(d->arch, "x86_64") == 0 || strcmp(d->arch, "i386") == 0)
		return false;
	/* The first note decides for all: one dump's CPUs have one register set. */
	if (d->notes_arch)
		return strcmp(d->notes_arch, "aarch64") == 0;
	if (n->descsz == PRSTATUS_AARCH64_SIZE) {
		d->notes_arch = "aarch64";
		return true;
	}
	if (n->descsz == PRSTATUS_X86_64_SIZE)
		d->notes_arch = "x86_64";
	return false;
}

static int parse_prstatus_aarch64(struct vh_dump *d, const struct note *n)
{
	const uint8_t *reg = n->desc + PRSTATUS_REG_OFF;
	struct vh_cpu_regs *c;
	char why[96];
	int err;

	if (n->descsz != PRSTATUS_AARCH64_SIZE) {
		snprintf(why, sizeof(why), "NT_PRSTATUS of %u bytes is not the aarch64 layout (%d)",
			 n->descsz, PRSTATUS_AARCH64_SIZE);
		return skip_note(d, n, why);
	}
	c = new_cpu(d, n, &err);
	if (!c)
		return err;
	for (int i = 0; i < AARCH64_NGREG; i++)
		c->x[i] = le64(reg + 8 * i);
	c->sp = le64(reg + 8 * AARCH64_NGREG);
	c->pc = le64(reg + 8 * (AARCH64_NGREG + 1));
	c->pstate = le64(reg + 8 * (AARCH64_NGREG + 2));
	c->pid = le32(n->desc + PRSTATUS_PID_OFF);
	c->have_gp = true;
	c->source = "NT_PRSTATUS";
	return VH_OK;
}

/*
 * QEMU's aarch64 dumps follow each NT_PRSTATUS with an NT_PRFPREG (then
 * perhaps NT_ARM_SVE, NT_ARM_PAC_MASK); the kernel's crash notes never have
 * one. So in a vmcore it marks QEMU as the writer, and the pr_pid before it
 * as QEMU's CPU number, not a pid (as x86-64's QEMU note does). A process
 * core has NT_PRFPREG per thread from the kernel itself: nothing to undo.
 */
static void parse_prfpreg(struct vh_dump *d)
{
	struct vh_cpu_regs *c;

	if (d->ops == &vh_core_ops || !d->ncpus)
		return;
	c = &d->cpus[d->ncpus - 1];
	if (strcmp(d->arch, "aarch64") && !(d->notes_arch && !strcmp(d->notes_arch, "aarch64")))
		return;
	c->pid = 0;
	d->qemu_notes = true;
}

static int parse_prstatus(struct vh_dump *d, const struct note *n)
{
	struct vh_cpu_regs *c;
	char why[96];
	int err;

	if (aarch64_layout(d, n))
		return parse_prstatus_aarch64(d, n);
	if (n->descsz != PRSTATUS_X86_64_SIZE) {
		snprintf(why, sizeof(why), "NT_PRSTATUS of %u bytes is not the x86-64 layout (%d)",
			 n->descsz, PRSTATUS_X86_64_SIZE);
		return skip_note(d, n, why);
	}
	c = new_cpu(d, n, &err);
	if (!c)
		return err;
	for (size_t i = 0; i < sizeof(prstatus_regs) / sizeof(prstatus_regs[0]); i++)
		set_reg(c, prstatus_regs[i], le64(n->desc + PRSTATUS_REG_OFF + 8 * i));
	c->pid = le32(n->desc + PRSTATUS_PID_OFF);
	c->have_gp = true;
	c->source = "NT_PRSTATUS";
	return VH_OK;
}

static uint64_t qemu_seg(const uint8_t *st, int seg, size_t field)
{
	return field == QEMU_SEG_BASE_OFF ? le64(st + QEMU_SEG_OFF + seg * QEMU_SEG_SIZE + field)
					  : le32(st + QEMU_SEG_OFF + seg * QEMU_SEG_SIZE + field);
}

/* General registers from QEMU's state, for a CPU that has no NT_PRSTATUS. */
static void qemu_fill_gp(struct vh_cpu_regs *c, const uint8_t *st)
{
	uint64_t *gp[] = {&c->rax, &c->rbx, &c->rcx, &c->rdx, &c->rsi, &c->rdi, &c->rsp, &c->rbp,
			  &c->r8,  &c->r9,  &c->r10, &c->r11, &c->r12, &c->r13, &c->r14, &c->r15};

	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++)
		*gp[i] = le64(st + QEMU_GP_OFF + 8 * i);
	c->rip = le64(st + QEMU_RIP_OFF);
	c->rflags = le64(st + QEMU_RFLAGS_OFF);
	c->cs = qemu_seg(st, QSEG_CS, 0);
	c->ds = qemu_seg(st, QSEG_DS, 0);
	c->es = qemu_seg(st, QSEG_ES, 0);
	c->fs = qemu_seg(st, QSEG_FS, 0);
	c->gs = qemu_seg(st, QSEG_GS, 0);
	c->ss = qemu_seg(st, QSEG_SS, 0);
	c->fs_base = qemu_seg(st, QSEG_FS, QEMU_SEG_BASE_OFF);
	c->gs_base = qemu_seg(st, QSEG_GS, QEMU_SEG_BASE_OFF);
	c->have_gp = true;
	c->source = "QEMU";
}

/*
 * QEMU writes one NT_PRSTATUS per CPU, then one QEMU note per CPU in the same
 * order, so the k-th QEMU note belongs to the first CPU still without control
 * registers. Its NT_PRSTATUS pr_pid is then QEMU's CPU number, not a pid.
 */
static int parse_qemu_cpustate(struct vh_dump *d, const struct note *n)
{
	const uint8_t *st = n->desc;
	struct vh_cpu_regs *c = NULL;
	uint32_t version, size;
	char why[128];
	int err;

	if (n->descsz < QEMU_CPUSTATE_MIN_SIZE) {
		snprintf(why, sizeof(why),
			 "QEMU CPU state note of %u bytes is shorter than version 1's %d",
			 n->descsz, QEMU_CPUSTATE_MIN_SIZE);
		return skip_note(d, n, why);
	}
	version = le32(st);
	size = le32(st + 4);
	if (version != 1 || size < QEMU_CPUSTATE_MIN_SIZE || size > n->descsz) {
		snprintf(why, sizeof(why),
			 "QEMU CPU state note has version %u size %u, expected version 1 and a "
			 "size in [%d, %u]",
			 version, size, QEMU_CPUSTATE_MIN_SIZE, n->descsz);
		return skip_note(d, n, why);
	}
	for (size_t i = 0; i < d->ncpus && !c; i++) {
		if (!d->cpus[i].have_cr)
			c = &d->cpus[i];
	}
	if (c) {
		c->pid = 0;
	} else {
		c = new_cpu(d, n, &err);
		if (!c)
			return err;
		qemu_fill_gp(c, st);
	}
	for (int i = 0; i < 5; i++)
		c->cr[i] = le64(st + QEMU_CR_OFF + 8 * i);
	c->have_cr = true;
	return VH_OK;
}

static int handle_note(struct vh_dump *d, const struct note *n)
{
	if (note_is(n, "VMCOREINFO", 0)) {
		if (d->vmcoreinfo)
			return skip_note(d, n, "second VMCOREINFO note");
		return vh_dump_set_vmcoreinfo(d, (const char *)n->desc, n->descsz);
	}
	if (note_is(n, "CORE", NT_PRSTATUS))
		return parse_prstatus(d, n);
	if (note_is(n, "CORE", NT_PRFPREG)) {
		parse_prfpreg(d);
		return VH_OK;
	}
	if (note_is(n, "QEMU", 0)) {
		/* QEMU writes it for x86 guests only; its registers are x86's. */
		if (strcmp(d->arch, "aarch64") == 0)
			return skip_note(d, n, "QEMU CPU state note (x86 only) in an aarch64 dump");
		return parse_qemu_cpustate(d, n);
	}
	return VH_OK; /* other notes (NT_PRPSINFO, Xen, VMCOREDD, ERASEINFO...) are not needed */
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/* A damaged note header ends the notes: warns and returns VH_OK (or VH_ERR_NOMEM). */
static int stop(struct vh_dump *d, uint64_t off, const char *why, uint64_t a, uint64_t b)
{
	if (d->nwarnings >= MAX_DUMP_WARNINGS)
		return VH_OK;
	return vh_dump_add_warning(
	    d,
	    "%s: offset 0x%llx: ELF note %s (0x%llx bytes, 0x%llx left in the "
	    "note segment); this note and the ones after it are ignored",
	    d->file.path, (unsigned long long)off, why, (unsigned long long)a,
	    (unsigned long long)b);
}

/*
 * One note header at @h, file offset @off (@left bytes remain). Fills @n and
 * @size and clears @end; at the end of the notes (the zero padding after the
 * last one, or a damaged header, which it warns about here, where the sizes
 * the warning names are known) sets @end. Returns VH_OK or VH_ERR_NOMEM.
 */
static int note_header(struct vh_dump *d, uint64_t off, const uint8_t *h, uint64_t left,
		       struct note *n, uint64_t *size, bool *end)
{
	uint64_t namesz, descsz, name_room, desc_room;

	*end = true;
	if (left < NOTE_HDR_SIZE)
		return all_zero(h, left) ? VH_OK : stop(d, off, "header is cut short", left, left);
	namesz = le32(h);
	descsz = le32(h + 4);
	n->type = le32(h + 8);
	if (namesz == 0 && descsz == 0 && n->type == 0)
		return VH_OK; /* end-of-notes padding */
	/* 64-bit arithmetic: neither rounding nor the sums can wrap. */
	name_room = (namesz + 3) & ~3ull;
	desc_room = (descsz + 3) & ~3ull;
	if (name_room > left - NOTE_HDR_SIZE)
		return stop(d, off, "name size runs past the end", namesz, left - NOTE_HDR_SIZE);
	/* The last descriptor may lack its padding: only its bytes must be there. */
	if (descsz > left - NOTE_HDR_SIZE - name_room)
		return stop(d, off, "descriptor size runs past the end", descsz,
			    left - NOTE_HDR_SIZE - name_room);
	n->name = (const char *)h + NOTE_HDR_SIZE;
	n->namelen = strnlen(n->name, namesz);
	n->desc = h + NOTE_HDR_SIZE + name_room;
	n->descsz = (uint32_t)descsz;
	*size = NOTE_HDR_SIZE + name_room + desc_room;
	*end = false;
	return VH_OK;
}

int vh_notes_parse(struct vh_dump *d, const uint8_t *buf, size_t len, uint64_t file_off)
{
	unsigned warned = 0, suppressed = 0;
	size_t off = 0;
	int err = VH_OK;

	while (off < len && !err) {
		struct note n = {.warned = &warned, .suppressed = &suppressed};
		uint64_t size;
		bool end;

		err = note_header(d, file_off + off, buf + off, len - off, &n, &size, &end);
		if (err || end)
			break;
		n.off = file_off + off;
		err = handle_note(d, &n);
		if (size >= len - off)
			break;
		off += size;
	}
	if (!err && suppressed && d->nwarnings < MAX_DUMP_WARNINGS)
		err = vh_dump_add_warning(d,
					  "%s: offset 0x%llx: %u more notes of this note segment "
					  "skipped (warnings not repeated)",
					  d->file.path, (unsigned long long)file_off, suppressed);
	return err;
}
