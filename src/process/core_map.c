/* SPDX-License-Identifier: MIT */
/*
 * A process core's memory map and task list, rebuilt from its segments and
 * notes the way /proc/PID/maps and ps showed them (docs/cores.md says what
 * a core cannot tell).
 */
#include <vmahunt/core.h>
#include <vmahunt/detect.h>

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* x86-64's fixed [vsyscall] page. */
#define VSYSCALL_ADDR 0xffffffffff600000ull
/* x86-64 places the brk heap up to 1 GiB (32 MiB on older kernels) after the program's end. */
#define BRK_RANDOM (1ull << 30)
#define PAGE	   4096ull
/* Mappings above a left-out one searched for its image's header mapping. */
#define IMAGE_MAPPINGS 16
/* Program headers looked at in an ELF image's first page. */
#define ELF_MAX_PHNUM 64

struct file_ref {
	uint64_t start;
	size_t i; /* index in NT_FILE */
};

struct map_build {
	const struct vh_core_info *c;
	struct vh_vma *v;
	size_t n, cap;
	struct file_ref *order; /* NT_FILE entries sorted by start */
};

static int push(struct map_build *b, const struct vh_vma *v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct vh_vma *nv = realloc(b->v, cap * sizeof(*nv));

		if (!nv)
			return VH_ERR_NOMEM;
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = *v;
	return VH_OK;
}

static void set_perms(struct vh_vma *v, uint32_t p_flags, bool known)
{
	v->flags = 0;
	if (known) {
		v->flags |= (p_flags & PF_R) ? VH_VM_READ : 0;
		v->flags |= (p_flags & PF_W) ? VH_VM_WRITE : 0;
		v->flags |= (p_flags & PF_X) ? VH_VM_EXEC : 0;
	}
	v->perms[0] = (v->flags & VH_VM_READ) ? 'r' : '-';
	v->perms[1] = (v->flags & VH_VM_WRITE) ? 'w' : '-';
	v->perms[2] = (v->flags & VH_VM_EXEC) ? 'x' : '-';
	v->perms[3] = 'p'; /* a core does not say which mappings were shared */
	v->perms[4] = '\0';
}

/* Names @v after NT_FILE entry @i, which covers it from @v->start on. */
static void set_file(struct vh_vma *v, const struct vh_core_file *f, size_t i)
{
	v->file = i + 1;
	v->path = f->path;
	v->offset = f->offset + (v->start - f->start);
	v->pgoff = v->offset / PAGE;
	v->found |= VH_VMA_IN_NT_FILE;
}

/* The NT_FILE entry covering [start, end), or -1: a binary search of b->order. */
static long file_covering(const struct map_build *b, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = b->c->nfiles;

	/* the last entry starting at or before @start */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->order[mid].start <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || b->c->files[b->order[lo - 1].i].end < end)
		return -1;
	return (long)b->order[lo - 1].i;
}

static int cmp_file(const void *a, const void *b)
{
	const struct file_ref *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* NT_FILE entries by start (the kernel writes them so; a hostile core need not). */
static int order_files(struct map_build *b)
{
	b->order = malloc((b->c->nfiles ? b->c->nfiles : 1) * sizeof(*b->order));
	if (!b->order)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < b->c->nfiles; i++) {
		b->order[i].start = b->c->files[i].start;
		b->order[i].i = i;
	}
	qsort(b->order, b->c->nfiles, sizeof(*b->order), cmp_file);
	return VH_OK;
}

static int add_loads(struct map_build *b)
{
	const struct vh_core_info *c = b->c;

	for (size_t i = 0; i < c->nloads; i++) {
		const struct vh_core_load *l = &c->loads[i];
		struct vh_vma v = {
		    .start = l->start, .end = l->end, .path = "", .found = VH_VMA_IN_LOAD};
		long fi = file_covering(b, l->start, l->end);

		set_perms(&v, l->p_flags, true);
		if (fi >= 0)
			set_file(&v, &c->files[fi], (size_t)fi);
		if (push(b, &v))
			return VH_ERR_NOMEM;
	}
	return VH_OK;
}

/* Index of the first segment ending after @addr. */
static size_t first_load_after(const struct vh_core_info *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nloads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->loads[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_uncovered(struct map_build *b, size_t fi, uint64_t start, uint64_t end)
{
	struct vh_vma v = {.start = start, .end = end, .found = VH_VMA_NO_PERMS};

	set_perms(&v, 0, false);
	set_file(&v, &b->c->files[fi], fi);
	return push(b, &v);
}

/* The parts of NT_FILE mappings no segment covers (gcore leaves such mappings out). */
static int add_file_only(struct map_build *b)
{
	const struct vh_core_info *c = b->c;

	for (size_t fi = 0; fi < c->nfiles; fi++) {
		const struct vh_core_file *f = &c->files[fi];
		uint64_t at = f->start;

		for (size_t i = first_load_after(c, at);
		     i < c->nloads && c->loads[i].start < f->end; i++) {
			if (c->loads[i].start > at && add_uncovered(b, fi, at, c->loads[i].start))
				return VH_ERR_NOMEM;
			at = c->loads[i].end;
		}
		if (at < f->end && add_uncovered(b, fi, at, f->end))
			return VH_ERR_NOMEM;
	}
	return VH_OK;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct vh_vma *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool anon(const struct vh_vma *v)
{
	return !v->file && !v->path[0];
}

static struct vh_vma *containing(struct map_build *b, uint64_t addr)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].start <= addr && addr < b->v[i].end)
			return &b->v[i];
	return NULL;
}

/* [vdso] at AT_SYSINFO_EHDR, [vvar] (and newer kernels' [vvar_vclock]) right below it. */
static void name_vdso(struct map_build *b)
{
	uint64_t ehdr;
	size_t i;

	if (!vh_core_auxv_get(b->c, VH_AT_SYSINFO_EHDR, &ehdr))
		return;
	for (i = 0; i < b->n && b->v[i].start != ehdr; i++)
		;
	if (i == b->n || !anon(&b->v[i]))
		return;
	b->v[i].path = "[vdso]";
	if (i == 0 || !anon(&b->v[i - 1]) || b->v[i - 1].end != ehdr ||
	    (b->v[i - 1].flags & (VH_VM_WRITE | VH_VM_EXEC)))
		return;
	if (i >= 2 && anon(&b->v[i - 2]) && b->v[i - 2].end == b->v[i - 1].start &&
	    !(b->v[i - 2].flags & (VH_VM_WRITE | VH_VM_EXEC))) {
		b->v[i - 2].path = "[vvar]";
		b->v[i - 1].path = "[vvar_vclock]";
	} else {
		b->v[i - 1].path = "[vvar]";
	}
}

/* [stack]: the mapping holding the strings exec put at the top of the stack. */
static void name_stack(struct map_build *b, uint64_t leader_rsp)
{
	static const uint64_t types[] = {VH_AT_EXECFN, VH_AT_RANDOM};
	struct vh_vma *v = NULL;
	uint64_t addr;

	for (size_t i = 0; i < 2 && !v; i++)
		if (vh_core_auxv_get(b->c, types[i], &addr))
			v = containing(b, addr);
	if (!v && leader_rsp)
		v = containing(b, leader_rsp);
	if (v && anon(v))
		v->path = "[stack]";
}

/*
 * [heap]: the brk area starts behind the program's last mapping (its bss
 * directly adjoins it) after a random gap; the heap is the run of adjoining
 * anonymous mappings there (mprotect splits it).
 */
static void name_heap(struct map_build *b)
{
	uint64_t entry, prog_end = 0;
	struct vh_vma *exe;
	size_t i = 0;

	if (!vh_core_auxv_get(b->c, VH_AT_ENTRY, &entry) || !(exe = containing(b, entry)) ||
	    !exe->file)
		return;
	for (size_t k = 0; k < b->n; k++)
		if (b->v[k].file && !strcmp(b->v[k].path, exe->path) && b->v[k].end > prog_end)
			prog_end = b->v[k].end;
	while (i < b->n && b->v[i].start < prog_end)
		i++;
	/* the bss: anonymous memory adjoining the program */
	while (i < b->n && anon(&b->v[i]) && b->v[i].start == prog_end)
		prog_end = b->v[i++].end;
	if (i == b->n || !anon(&b->v[i]) || b->v[i].start - prog_end > BRK_RANDOM)
		return;
	b->v[i].path = "[heap]";
	for (i++; i < b->n && anon(&b->v[i]) && b->v[i].start == b->v[i - 1].end; i++)
		b->v[i].path = "[heap]";
}

/* An ELF file's program headers, read from its first page in the core. */
struct elf_loads {
	Elf64_Phdr ph[ELF_MAX_PHNUM];
	size_t n;
};

static bool read_elf_loads(struct vh_dump *d, const struct vh_vma *head, struct elf_loads *el)
{
	Elf64_Ehdr eh;

	el->n = 0;
	if (vh_dump_read_phys(d, head->start, &eh, sizeof(eh)) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > ELF_MAX_PHNUM ||
	    eh.e_phoff > head->end - head->start ||
	    eh.e_phnum * sizeof(Elf64_Phdr) > head->end - head->start - eh.e_phoff)
		return false;
	if (vh_dump_read_phys(d, head->start + eh.e_phoff, el->ph, eh.e_phnum * sizeof(Elf64_Phdr)))
		return false;
	el->n = eh.e_phnum;
	return true;
}

/* The p_flags of the PT_LOAD the loader mapped at file offset @off, or -1. */
static long flags_at(const struct elf_loads *el, uint64_t off)
{
	for (size_t i = 0; i < el->n; i++) {
		const Elf64_Phdr *ph = &el->ph[i];

		if (ph->p_type == PT_LOAD && off >= (ph->p_offset & ~(PAGE - 1)) &&
		    off < ph->p_offset + ph->p_filesz)
			return (long)ph->p_flags;
	}
	return -1;
}

/*
 * A file mapping gcore left out has no permissions in the core; when it is
 * part of an ELF image whose first page is in the core, the image's own
 * program headers say how the loader mapped that part of the file.
 */
static void infer_perms(struct vh_dump *d, struct map_build *b)
{
	struct elf_loads el;

	for (size_t i = 0; i < b->n; i++) {
		struct vh_vma *v = &b->v[i];
		const struct vh_vma *head = NULL;
		long fl;

		if (!(v->found & VH_VMA_NO_PERMS))
			continue;
		/* an image's mappings are adjacent: its header is a few lines up */
		for (size_t k = i; k > 0 && i - k < IMAGE_MAPPINGS && !head; k--)
			if (b->v[k - 1].file && b->v[k - 1].offset == 0 &&
			    !(b->v[k - 1].found & VH_VMA_NO_PERMS) &&
			    !strcmp(b->v[k - 1].path, v->path))
				head = &b->v[k - 1];
		if (!head || !read_elf_loads(d, head, &el) || (fl = flags_at(&el, v->offset)) < 0)
			continue;
		set_perms(v, (uint32_t)fl, true);
		v->found = (v->found & ~VH_VMA_NO_PERMS) | VH_VMA_PERMS_ELF;
	}
}

static void name_specials(struct map_build *b, uint64_t leader_rsp)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].start == VSYSCALL_ADDR && anon(&b->v[i]))
			b->v[i].path = "[vsyscall]";
	name_vdso(b);
	name_stack(b, leader_rsp);
	name_heap(b);
}

/* The stack pointer (rsp, aarch64's sp) of the thread whose id is the process id. */
static uint64_t leader_rsp(struct vh_dump *d, const struct vh_core_info *c)
{
	bool aarch64 = strcmp(vh_dump_arch(d), "aarch64") == 0;

	for (size_t i = 0; i < vh_dump_ncpus(d); i++) {
		const struct vh_cpu_regs *r = vh_dump_cpu(d, i);

		if (r->have_gp && (int32_t)r->pid == c->pid)
			return aarch64 ? r->sp : r->rsp;
	}
	return 0;
}

int vh_core_vmas(struct vh_dump *d, struct vh_vma_list **out)
{
	const struct vh_core_info *c = vh_core_info(d);
	struct map_build b = {.c = c};
	struct vh_vma_list *l;

	*out = NULL;
	if (!c)
		return VH_ERR_INVAL;
	l = calloc(1, sizeof(*l));
	if (!l || order_files(&b) || add_loads(&b) || add_file_only(&b)) {
		free(b.order);
		free(b.v);
		free(l);
		return VH_ERR_NOMEM;
	}
	free(b.order);
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), cmp_vma);
	infer_perms(d, &b);
	name_specials(&b, leader_rsp(d, c));
	l->vmas = b.v;
	l->nvmas = b.n;
	l->map_count = -1;
	*out = l;
	return VH_OK;
}

/* pr_psargs: the arguments joined by spaces; split back at spaces (the best a core allows). */
static int set_cmdline(struct vh_task *t, const struct vh_core_info *c)
{
	size_t n = strlen(c->psargs);

	while (n && c->psargs[n - 1] == ' ')
		n--;
	if (!n) {
		t->cmdline_state = VH_CMDLINE_NONE;
		return VH_OK;
	}
	t->cmdline = malloc(n + 1);
	if (!t->cmdline)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		t->cmdline[i] = c->psargs[i] == ' ' ? '\0' : c->psargs[i];
	t->cmdline[n] = '\0';
	t->cmdline_len = n + 1;
	t->cmdline_state = VH_CMDLINE_OK;
	t->cmdline_truncated = n >= 79; /* the kernel keeps ELF_PRARGSZ - 1 bytes */
	return VH_OK;
}

static void fill_task(struct vh_task *t, const struct vh_core_info *c, int32_t pid)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tgid = c->pid;
	t->ppid = c->ppid;
	t->leader = pid == c->pid;
	memcpy(t->comm, c->comm, sizeof(c->comm));
	t->state = t->leader && c->state ? c->state : '?';
	t->flags = (uint32_t)c->flag;
	t->have_cred = c->have_prpsinfo;
	t->uid = c->uid;
	t->gid = c->gid;
	t->cmdline_state = VH_CMDLINE_NONE;
}

static int cmp_task(const void *a, const void *b)
{
	const struct vh_task *x = a, *y = b;

	if (x->leader != y->leader)
		return x->leader ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int vh_core_tasks(struct vh_dump *d, struct vh_task_list **out)
{
	const struct vh_core_info *c = vh_core_info(d);
	size_t n = vh_dump_ncpus(d), nt = 0;
	bool have_leader = false;
	struct vh_task_list *tl;

	*out = NULL;
	if (!c)
		return VH_ERR_INVAL;
	tl = calloc(1, sizeof(*tl));
	if (tl)
		tl->tasks = calloc(n + 1, sizeof(*tl->tasks));
	if (!tl || !tl->tasks) {
		free(tl);
		return VH_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int32_t pid = (int32_t)vh_dump_cpu(d, i)->pid;

		fill_task(&tl->tasks[nt++], c, pid);
		have_leader |= pid == c->pid;
	}
	/* the leader may have exited before its threads: the process still is one line */
	if (!have_leader)
		fill_task(&tl->tasks[nt++], c, c->pid);
	tl->ntasks = nt;
	tl->ngroups = 1;
	tl->tasks[0].via = VH_VIA_TASKS;
	qsort(tl->tasks, nt, sizeof(*tl->tasks), cmp_task);
	tl->tasks[0].nr_threads = (uint32_t)nt;
	if (set_cmdline(&tl->tasks[0], c)) {
		vh_task_list_free(tl);
		return VH_ERR_NOMEM;
	}
	*out = tl;
	return VH_OK;
}
