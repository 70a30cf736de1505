/* SPDX-License-Identifier: MIT */
/*
 * The input of fuzz_kernel and how it is run, shared with its unit test
 * (tests/unit/test_fuzz_kernel.c), which builds the seeds.
 *
 * An input is a header and the kernel memory behind it:
 *
 *   u8  kernel   which layout (mod VH_TEST_NKERNELS): the lab's 5.10 (VMAs in
 *                a vm_next list and an rbtree) or 6.1 (VMAs in a maple tree)
 *   u8  flags    FK_CMDLINE: read command lines; FK_SCAN: run the detectors
 *   u16 unused
 *   u32 sym[FK_NSYMS]  where the symbols are: offsets into the memory, or
 *                FK_NOSYM for a symbol the kernel lacks
 *   ...          the memory, at physical FK_MEM_PHYS, direct-mapped at
 *                FUZZ_BASE (0xffff888000100000): every pointer of a seed
 *                is FUZZ_BASE + an offset into it
 *
 * The harness puts the kernel's page tables in front of the memory (a PML4
 * and a PDPT mapping the first GiB of physical memory at 0xffff888000000000
 * with one 1 GiB page) and opens the whole as a raw dump, so every read goes
 * through the library's own page-table walk and dump reader. A process's
 * page tables (mm->pgd) and the pages they map are in the fuzzed memory.
 * The profile is the kernel's real one (layouts/kernel_profiles.h, from the
 * lab's BTF), with the symbols the input places.
 */
#ifndef VH_FUZZ_KERNEL_H
#define VH_FUZZ_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmahunt/vmahunt.h>

#include "fuzz_common.h"
#include "layouts/kernel_profiles.h"
#include "symbols/profile_internal.h"

/* Symbols an input places (struct vh_prof_symbols). */
enum fk_sym {
	FK_INIT_TASK,
	FK_INIT_PID_NS,
	FK_SPECIAL_MAPPING_VMOPS,
	FK_GATE_VMA,
	FK_VSYSCALL_MODE,
	FK_SIMPLE_DNAME,
	FK_ANON_INODEFS_DNAME,
	FK_VMEMMAP_BASE,
	FK_SYS_CALL_TABLE,
	FK_STEXT,
	FK_ETEXT,
	FK_MODULES,
	FK_INIT_IPC_NS,
	FK_NSYMS
};

#define FK_NOSYM   0xffffffffu
#define FK_CMDLINE 0x1u
#define FK_SCAN	   0x2u
#define FK_HEADER  (4 + 4 * FK_NSYMS)

/* Physical layout of the raw dump: kernel PML4, PDPT, then the memory. */
#define FK_PGD_PHYS  0xfe000ull
#define FK_PDPT_PHYS 0xff000ull
#define FK_MEM_PHYS  0x100000ull /* FUZZ_BASE in the direct map */
#define FK_DIRECT    0xffff888000000000ull

/* What a run found (for the unit test's checks). */
struct fk_result {
	int tasks_err, maps_err, scan_err;
	size_t ntasks, ngroups, nprocs; /* processes whose VMAs were read */
	bool task_list_complete;
	enum vh_pid_table_state pid_table;
	size_t nvmas, npartial, ncmdlines, nfindings; /* npartial: paths not read whole */
	size_t task_warnings, vma_warnings, scan_warnings;
	char first_warning[256];
	char paths[512]; /* the first processes' VMA names, ';'-separated */
	char cmdline[64];
};

/* Sets one profile row by its entry name; false when the profile has none. */
static inline bool fk_set_row(struct vh_profile *p, const struct vh_test_prof_row *r)
{
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		const struct vh_prof_desc *d = &vh_prof_table[i];
		void *f;

		if (strcmp(d->name, r->name))
			continue;
		f = vh_prof_field(p, d);
		switch (d->kind) {
		case VH_PROF_STRUCT: {
			struct vh_struct_size *s = f;

			s->size = (uint32_t)r->value;
			s->source = VH_SRC_BTF;
			break;
		}
		case VH_PROF_MEMBER: {
			struct vh_member *m = f;

			m->offset = (uint32_t)r->value;
			m->size = r->size;
			m->nelem = r->nelem;
			m->bit_offset = r->bit_offset;
			m->bit_size = r->bit_size;
			m->source = VH_SRC_BTF;
			break;
		}
		case VH_PROF_ENUM:
		case VH_PROF_CONST: {
			struct vh_const *c = f;

			c->value = r->value;
			c->source = VH_SRC_BTF;
			break;
		}
		case VH_PROF_SYMBOL:
			return false;
		}
		return true;
	}
	return false;
}

/* Kernel @k's profile without symbols, built once (the walkers only read it). */
static inline const struct vh_profile *fk_profile(unsigned k)
{
	static struct vh_profile *cache[VH_TEST_NKERNELS];
	const struct vh_test_kernel *tk = &vh_test_kernels[k];

	if (!cache[k]) {
		if (vh_profile_new(&cache[k]))
			abort();
		for (size_t i = 0; i < tk->nrows; i++) {
			if (!fk_set_row(cache[k], &tk->rows[i]))
				abort(); /* kernel_profiles.h and the profile disagree */
		}
		snprintf(cache[k]->osrelease, sizeof(cache[k]->osrelease), "%s", tk->release);
		cache[k]->types_from = "btf";
	}
	return cache[k];
}

static inline struct vh_symbol *fk_symbol(struct vh_profile *p, enum fk_sym s)
{
	switch (s) {
	case FK_INIT_TASK:
		return &p->sym.init_task;
	case FK_INIT_PID_NS:
		return &p->sym.init_pid_ns;
	case FK_SPECIAL_MAPPING_VMOPS:
		return &p->sym.special_mapping_vmops;
	case FK_GATE_VMA:
		return &p->sym.gate_vma;
	case FK_VSYSCALL_MODE:
		return &p->sym.vsyscall_mode;
	case FK_SIMPLE_DNAME:
		return &p->sym.simple_dname;
	case FK_ANON_INODEFS_DNAME:
		return &p->sym.anon_inodefs_dname;
	case FK_SYS_CALL_TABLE:
		return &p->sym.sys_call_table;
	case FK_STEXT:
		return &p->sym._stext;
	case FK_ETEXT:
		return &p->sym._etext;
	case FK_MODULES:
		return &p->sym.modules;
	case FK_INIT_IPC_NS:
		return &p->sym.init_ipc_ns;
	default:
		return &p->sym.vmemmap_base;
	}
}

static inline uint32_t fk_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The raw dump: the kernel's PML4 and PDPT, then @mem padded to a page. */
static inline int fk_dump_file(const uint8_t *mem, size_t len, char *path, size_t pathlen)
{
	static uint8_t tables[8192];
	uint64_t e;
	int fd;

	e = FK_PDPT_PHYS | VH_X86_PTE_PRESENT | VH_X86_PTE_RW;
	memcpy(tables + 8 * ((FK_DIRECT >> 39) & 511), &e, 8);
	e = 0 | VH_X86_PTE_PRESENT | VH_X86_PTE_RW | VH_X86_PTE_PSE; /* 1 GiB at 0 */
	memcpy(tables + 4096, &e, 8);
	fd = fuzz_memfd(tables, sizeof(tables), path, pathlen);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, mem + off, len - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (ftruncate(fd, (off_t)(sizeof(tables) + ((len + 4095) & ~(size_t)4095)))) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int fk_on_finding(const struct vh_finding *f, void *arg)
{
	struct fk_result *r = arg;

	(void)f;
	r->nfindings++;
	return 0;
}

static inline void fk_warning(struct fk_result *r, size_t *count, const char *msg)
{
	if (!r->task_warnings && !r->vma_warnings && !r->scan_warnings)
		snprintf(r->first_warning, sizeof(r->first_warning), "%s", msg);
	(*count)++;
}

static inline void fk_on_warning(const char *msg, void *arg)
{
	struct fk_result *r = arg;

	fk_warning(r, &r->scan_warnings, msg);
}

/* Runs the walkers (and the detectors) over one input. */
static inline void fk_run(const uint8_t *data, size_t size, struct fk_result *r)
{
	struct vh_dump_options o = {.raw = true, .raw_base = FK_PGD_PHYS, .cache_pages = 64};
	struct vh_kernel_map km = {.pgd = FK_PGD_PHYS,
				   .mmu = {.arch = VH_ARCH_X86_64, .levels = 4, .va_bits = 48},
				   .method = "fuzz"};
	struct vh_profile p;
	struct vh_task_list *tl = NULL;
	struct vh_maps *maps = NULL;
	struct vh_dump *d = NULL;
	unsigned flags;
	char path[64];
	int fd;

	memset(r, 0, sizeof(*r));
	r->tasks_err = r->maps_err = r->scan_err = VH_ERR_INVAL;
	if (size < FK_HEADER)
		return;
	p = *fk_profile(data[0] % VH_TEST_NKERNELS);
	flags = data[1];
	for (int s = 0; s < FK_NSYMS; s++) {
		uint32_t off = fk_le32(data + 4 + 4 * s);

		if (off != FK_NOSYM)
			*fk_symbol(&p, (enum fk_sym)s) =
			    (struct vh_symbol){.addr = FUZZ_BASE + off, .source = VH_SRC_SYMTAB};
	}
	fd = fk_dump_file(data + FK_HEADER, size - FK_HEADER, path, sizeof(path));
	if (fd < 0)
		return;
	if (vh_dump_open(path, &o, &d))
		goto out;
	r->tasks_err = vh_tasks_read(d, &km, &p, flags & FK_CMDLINE ? VH_TASKS_CMDLINE : 0, &tl);
	if (r->tasks_err)
		goto out;
	r->ntasks = tl->ntasks;
	r->ngroups = tl->ngroups;
	r->task_list_complete = tl->task_list_complete;
	r->pid_table = tl->pid_table;
	for (size_t i = 0; i < tl->nwarnings; i++)
		fk_warning(r, &r->task_warnings, tl->warnings[i]);
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];

		if (t->cmdline_state != VH_CMDLINE_OK)
			continue;
		if (!r->ncmdlines++)
			memcpy(r->cmdline, t->cmdline,
			       t->cmdline_len < sizeof(r->cmdline) - 1 ? t->cmdline_len
								       : sizeof(r->cmdline) - 1);
	}
	r->maps_err = vh_maps_open(d, &km, &p, &maps);
	if (r->maps_err)
		goto out;
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];
		struct vh_vma_list *l;

		if (!t->leader || !t->mm || vh_vmas_read(maps, t->mm, &l))
			continue;
		r->nprocs++;
		r->nvmas += l->nvmas;
		for (size_t j = 0; j < l->nwarnings; j++)
			fk_warning(r, &r->vma_warnings, l->warnings[j]);
		for (size_t j = 0; j < l->nvmas; j++) {
			char line[4200];
			size_t n = strlen(r->paths);

			vh_vma_format(&l->vmas[j], line, sizeof(line));
			r->npartial += l->vmas[j].path_partial;
			if (l->vmas[j].path[0] &&
			    n + strlen(l->vmas[j].path) + 2 < sizeof(r->paths))
				snprintf(r->paths + n, sizeof(r->paths) - n, "%s;",
					 l->vmas[j].path);
		}
		vh_vma_list_free(l);
	}
	if (flags & FK_SCAN) {
		size_t ndets;
		const struct vh_detector *const *dets = vh_detectors(&ndets);
		struct vh_scan s = {.sink = fk_on_finding, .sink_arg = r, .warn = fk_on_warning};

		s.dets = (const struct vh_detector **)dets;
		s.ndets = ndets;
		r->scan_err = vh_scan_run(&s, d, &km, &p, maps, tl);
	}
out:
	vh_maps_close(maps);
	vh_task_list_free(tl);
	vh_dump_close(d);
	close(fd);
}

#endif
