/* SPDX-License-Identifier: MIT */
/*
 * unmapped-payload: code kept in shared memory that no VMA of its holder maps,
 * the shared-memory subversion of "Hiding Process Memory via Anti-Forensic
 * Techniques" (Palutke et al., DFRWS 2020). A payload written into a memfd, a
 * POSIX shm object (/dev/shm, a tmpfs file) or a SysV segment and unmapped
 * again (or never mapped) is in no process's memory map, so no VMA detector
 * sees it; it stays in the shmem page cache as long as a descriptor or an IPC
 * id holds it. This detector reads those files' pages from the page cache:
 *   - every shmem/tmpfs file of each process's file table (task->files) that no
 *     VMA of the process maps (kind "memfd", "posix-shm" for /dev/shm, or
 *     "tmpfs-file" for other tmpfs files: /tmp, /run, an initramfs, where
 *     compilers, installers and module loaders hold ELF files, so those are
 *     low, medium when unlinked);
 *   - every SysV segment of the initial IPC namespace
 *     (init_ipc_ns.ids[IPC_SHM_IDS].ipcs_idr) and of the processes' own
 *     (task->nsproxy->ipc_ns: containers), held by its creator's tgid
 *     (shm_cprid), that no VMA of the creator maps (kind "sysv-shm"),
 * and reports an ELF image or shellcode (a NOP sled and a raw syscall stub in
 * one page) in them as high. A file some VMA maps is the VMA detectors' to
 * judge (memfd-exec, writable-lib...). The file tables of a process are its
 * leader's and those of its threads that have their own (clone() without
 * CLONE_FILES). Pages read are bounded per file and per run; a cap reached is
 * said in a warning. Not looked at: hugetlbfs files (said in a warning for a
 * SysV segment), a namespace whose every process exited.
 */
#include <vmahunt/detect.h>

#include "arch/vread.h"
#include "detect/detectors.h"
#include "kernel/fdtable.h"
#include "kernel/kmem.h"
#include "kernel/maps_internal.h"
#include "kernel/pagecache.h"
#include "kernel/pages.h"
#include "kernel/xarray.h"
#include "util/grow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE ((uint64_t)4096)
/* Pages of one file looked at (its first ones), and of all files of a run. */
#define FILE_PAGES 256
#define STR(x)	   #x
#define XSTR(x)	   STR(x)
#define RUN_PAGES  65536
/* SysV segments read at most (the kernel's default SHMMNI is 4096 per namespace). */
#define MAX_SEGMENTS 4096
/* IPC namespaces whose segments are read (the initial one and containers'). */
#define MAX_IPC_NS 64
/* include/linux/ipc_namespace.h: ids[IPC_SEM_IDS, IPC_MSG_IDS, IPC_SHM_IDS] */
#define IPC_SHM_IDS 2
/* Warnings about files cut at FILE_PAGES, per run; more are counted. */
#define MAX_CUT_WARNINGS 8
/* Warnings about unreadable files, per process (a hostile table has a million); more counted. */
#define MAX_FILE_WARNINGS 8

/* One SysV segment, read once per run. */
struct segment {
	int32_t key, id, cpid, lpid;
	uint64_t file, segsz, nattch;
	uint64_t ns;	    /* its struct ipc_namespace (ipc_ns[0]: the initial one) */
	bool deleted, done; /* done: reported (or judged) with its creator's process */
};

struct um_state {
	bool tried, ok;
	struct vh_vread kr;
	struct vh_vmemmap vm;
	uint64_t max_pfn;
	struct vh_maps *maps;	     /* names of struct files, as VMAs name them */
	bool sysv_ok, sysv_warned;   /* the layout is there; its absence was said */
	uint64_t ipc_ns[MAX_IPC_NS]; /* namespaces read */
	size_t nns;
	bool ns_capped;
	struct segment *segs;
	size_t nsegs, capsegs;
	uint64_t pages_read; /* this run */
	bool run_capped;
	size_t cut_warnings;
	size_t file_warnings; /* this process's */
	bool fds_warned;      /* the profile lacks the file table's layout: said */
	unsigned char page[PAGE_SIZE];
};

static int um_init(const struct vh_detector *self, void **state)
{
	(void)self;
	*state = calloc(1, sizeof(struct um_state));
	return *state ? VH_OK : VH_ERR_NOMEM;
}

static void um_fini(void *state)
{
	struct um_state *s = state;

	if (s) {
		vh_maps_close(s->maps);
		free(s->segs);
	}
	free(s);
}

/* --- what a page holds ------------------------------------------------- */

/* e_type or e_machine: two bytes at @off in the header's byte order (EI_DATA 1: little). */
static uint16_t elf_half(const unsigned char *b, size_t off)
{
	return b[5] == 1 ? (uint16_t)(b[off] | b[off + 1] << 8)
			 : (uint16_t)(b[off] << 8 | b[off + 1]);
}

void vh_payload_page(const struct vh_isa *isa, const unsigned char *b, size_t n,
		     struct vh_payload_hit *hit)
{
	static const unsigned char magic[4] = {0x7f, 'E', 'L', 'F'};
	long sled, stub;

	memset(hit, 0, sizeof(*hit));
	/* an ELF header: magic, a class, a byte order, version 1, code (REL, EXEC, DYN) */
	if (n >= 64 && !memcmp(b, magic, 4) && (b[4] == 1 || b[4] == 2) &&
	    (b[5] == 1 || b[5] == 2) && b[6] == 1) {
		uint16_t type = elf_half(b, 16), machine = elf_half(b, 18);

		if (type >= 1 && type <= 3) {
			hit->sign = VH_PAYLOAD_ELF;
			hit->e_type = type;
			hit->e_machine = machine;
			return;
		}
	}
	sled = isa->find_sled(b, n);
	stub = isa->find_syscall_stub(b, n);
	if (sled >= 0 && stub >= 0) {
		hit->sign = VH_PAYLOAD_SHELLCODE;
		hit->offset = (size_t)sled;
	} else if (stub >= 0) {
		hit->sign = VH_PAYLOAD_STUB;
		hit->offset = (size_t)stub;
	} else if (sled >= 0) {
		hit->sign = VH_PAYLOAD_SLED;
		hit->offset = (size_t)sled;
	}
}

enum vh_severity vh_payload_severity(enum vh_payload_sign sign)
{
	/* one weak sign alone is found in data now and then: worth knowing only */
	return sign == VH_PAYLOAD_ELF || sign == VH_PAYLOAD_SHELLCODE ? VH_SEV_HIGH : VH_SEV_INFO;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

const char *vh_payload_file_kind(const char *path, enum vh_severity *cap)
{
	*cap = VH_SEV_HIGH;
	if (!strncmp(path, "/memfd:", 7))
		return "memfd";
	if (!strncmp(path, "/dev/shm/", 9))
		return "posix-shm";
	/* /tmp, /run, an initramfs: code there is mostly a build's or an installer's */
	*cap = ends_with(path, " (deleted)") ? VH_SEV_MEDIUM : VH_SEV_LOW;
	return "tmpfs-file";
}

static const char *sign_text(const struct vh_isa *isa, const struct vh_payload_hit *h, char *buf,
			     size_t len)
{
	static const char *const types[] = {"", "ET_REL", "ET_EXEC", "ET_DYN"};

	switch (h->sign) {
	case VH_PAYLOAD_ELF:
		snprintf(buf, len, "an ELF image (%s, e_machine %u)", types[h->e_type],
			 (unsigned)h->e_machine);
		break;
	case VH_PAYLOAD_SHELLCODE:
		snprintf(buf, len, "shellcode (a NOP sled and a raw syscall stub)");
		break;
	case VH_PAYLOAD_STUB:
		snprintf(buf, len, "a raw syscall stub (%s) alone", isa->stub_what);
		break;
	case VH_PAYLOAD_SLED:
		snprintf(buf, len, "a NOP sled alone");
		break;
	default:
		snprintf(buf, len, "nothing");
	}
	return buf;
}

/* --- set-up ------------------------------------------------------------- */

static const char *not_ready(struct um_state *s, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	const char *why = NULL;

	if (!p || !ctx->km)
		return "no kernel profile";
	if (!vh_present(&p->file.f_inode) || !vh_present(&p->file.f_mapping) ||
	    !vh_present(&p->inode.i_size) || !vh_present(&p->inode.i_sb) ||
	    !vh_present(&p->super_block.s_magic) || !vh_present(&p->address_space.i_pages) ||
	    !vh_present(&p->page.mapping))
		return "no file, inode or page cache layout";
	vh_vread_kernel(&s->kr, ctx->d, ctx->km);
	if (vh_vmemmap_find(ctx->d, ctx->km, p, &s->vm, &why))
		return why ? why : "struct pages not found";
	s->max_pfn = vh_detect_ram_pfns(ctx->d, 40);
	if (vh_maps_open(ctx->d, ctx->km, p, &s->maps))
		return "the VMA reader cannot name files";
	return NULL;
}

static bool ready(struct um_state *s, struct vh_detect_ctx *ctx)
{
	const char *why;

	if (s->tried)
		return s->ok;
	s->tried = true;
	why = not_ready(s, ctx);
	if (why)
		vh_detect_warn_run(ctx, "unmapped-payload", "skipped: %s", why);
	s->ok = !why;
	return s->ok;
}

/* --- a file's pages ------------------------------------------------------ */

/* What the look at one file found. */
struct look {
	struct vh_payload_hit hit; /* the strongest sign, at its first page */
	uint64_t at;		   /* the file offset of the sign */
	uint64_t pages, cached, read, unread, swapped;
	bool cut;		 /* more pages than FILE_PAGES */
	unsigned char bytes[32]; /* the first bytes at the sign */
};

/* One cached page, read and judged; true when nothing stronger can be found. */
static bool look_page(struct um_state *s, struct vh_detect_ctx *ctx, uint64_t pfn, uint64_t idx,
		      struct look *lk)
{
	struct vh_payload_hit h;

	if (s->pages_read >= RUN_PAGES) {
		s->run_capped = true;
		lk->unread++;
		return false;
	}
	s->pages_read++;
	if (vh_dump_read_phys(ctx->d, pfn * PAGE_SIZE, s->page, PAGE_SIZE)) {
		lk->unread++; /* not in the dump (filtered), or a frame past it */
		return false;
	}
	lk->read++;
	vh_payload_page(vh_detect_isa(ctx), s->page, PAGE_SIZE, &h);
	if (h.sign > lk->hit.sign) {
		size_t n = PAGE_SIZE - h.offset < sizeof(lk->bytes) ? PAGE_SIZE - h.offset
								    : sizeof(lk->bytes);

		lk->hit = h;
		lk->at = idx * PAGE_SIZE + h.offset;
		memset(lk->bytes, 0, sizeof(lk->bytes));
		memcpy(lk->bytes, s->page + h.offset, n);
	}
	return vh_payload_severity(lk->hit.sign) == VH_SEV_HIGH;
}

/*
 * The first FILE_PAGES pages of the file whose page cache is @mapping and size
 * @size, judged; damage of its page cache is warned about with @what.
 */
static int look_file(struct um_state *s, struct vh_detect_ctx *ctx, uint64_t mapping, uint64_t size,
		     const char *what, struct look *lk)
{
	struct vh_pc_list pc;
	uint64_t want;
	bool done = false;
	int err;

	memset(lk, 0, sizeof(*lk));
	lk->pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	want = lk->pages;
	if (want > FILE_PAGES) {
		want = FILE_PAGES;
		lk->cut = true;
	}
	err = vh_pagecache_read(&s->kr, ctx->prof, mapping, want, &pc);
	for (size_t i = 0; i < pc.nwarnings; i++)
		vh_detect_warn(ctx, "unmapped-payload: %s: %s", what, pc.warnings[i]);
	if (err && err != VH_ERR_NOMEM && !pc.nwarnings)
		vh_detect_warn(ctx, "unmapped-payload: %s: page cache %#" PRIx64 " unreadable (%s)",
			       what, mapping, vh_strerror(err));
	for (size_t i = 0; i < pc.n; i++) {
		if (vh_pc_is_value(pc.e[i].entry))
			lk->swapped += pc.e[i].n; /* shmem's value entries are swap entries */
		else
			lk->cached += pc.e[i].n;
	}
	for (size_t i = 0; !err && !done && i < pc.n; i++) {
		const struct vh_pc_entry *e = &pc.e[i];
		uint64_t pfn, owner;
		int ferr;

		if (vh_pc_is_value(e->entry))
			continue;
		ferr = vh_pagecache_folio(&s->kr, ctx->prof, &s->vm, s->max_pfn, mapping, e->entry,
					  &pfn, &owner);
		if (ferr) {
			vh_detect_warn(ctx,
				       "unmapped-payload: %s: page cache index %" PRIu64
				       ": %#" PRIx64 " is not its page (%s)",
				       what, e->index, e->entry, vh_strerror(ferr));
			lk->unread += e->n;
			continue;
		}
		for (uint64_t k = 0; k < e->n && !done; k++)
			done = look_page(s, ctx, pfn + k, e->index + k, lk);
	}
	vh_pc_list_free(&pc);
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

/* --- findings ------------------------------------------------------------ */

/* Who holds the file and how, for the finding. */
struct holder {
	const char *kind;     /* "memfd", "posix-shm", "tmpfs-file", "sysv-shm" */
	enum vh_severity cap; /* the most severe it may be (vh_payload_file_kind()) */
	const char *path;
	char how[160]; /* "held open as fd 4", "SysV key 0x... shmid 3" */
	int32_t pid;   /* in finish(): the process named */
	const char *comm;
};

static void hex_bytes(const unsigned char *b, size_t n, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", b[i]);
}

static int report(struct um_state *s, struct vh_detect_ctx *ctx, const struct holder *h,
		  uint64_t size, const struct look *lk)
{
	char reason[512], sign[96], at[24], sz[24], bytes[72], pages[96];
	struct vh_finding_note notes[4];
	struct vh_finding f;

	(void)s;
	if (lk->hit.sign == VH_PAYLOAD_NONE)
		return VH_OK;
	snprintf(reason, sizeof(reason),
		 "%s %s, %s, mapped by no VMA of the process: %s at offset %#" PRIx64 " (%" PRIu64
		 " bytes; %" PRIu64 " of %" PRIu64 " pages read%s)",
		 h->kind, h->path, h->how,
		 sign_text(vh_detect_isa(ctx), &lk->hit, sign, sizeof(sign)), lk->at, size,
		 lk->read, lk->pages,
		 lk->cut ? ", only the first " XSTR(FILE_PAGES) " looked at" : "");
	/* read stops at the first high sign: "1 of 190 pages read" is no truncation */
	snprintf(at, sizeof(at), "%#" PRIx64, lk->at);
	snprintf(sz, sizeof(sz), "%" PRIu64, size);
	hex_bytes(lk->bytes, sizeof(lk->bytes), bytes, sizeof(bytes));
	snprintf(pages, sizeof(pages),
		 "%" PRIu64 " in the file, %" PRIu64 " cached, %" PRIu64 " read, %" PRIu64
		 " swapped",
		 lk->pages, lk->cached, lk->read, lk->swapped);
	notes[0] = (struct vh_finding_note){"offset", at};
	notes[1] = (struct vh_finding_note){"size", sz};
	notes[2] = (struct vh_finding_note){"bytes", bytes};
	notes[3] = (struct vh_finding_note){"pages", pages};
	memset(&f, 0, sizeof(f));
	f.detector = "unmapped-payload";
	f.kind = h->kind;
	f.severity = vh_payload_severity(lk->hit.sign);
	if (f.severity > h->cap) {
		f.severity = h->cap;
		strncat(reason,
			"; a file of a tmpfs, not shared memory: compilers, installers and module "
			"loaders hold ELF files there",
			sizeof(reason) - strlen(reason) - 1);
	}
	f.pid = h->pid;
	f.comm = h->comm;
	f.path = h->path;
	f.reason = reason;
	f.notes = notes;
	f.nnotes = 4;
	return vh_detect_emit(ctx, &f, NULL, 0);
}

/* A file cut at FILE_PAGES with nothing found in what was read: said, not hidden. */
static void warn_cut(struct um_state *s, struct vh_detect_ctx *ctx, const struct holder *h,
		     const struct look *lk)
{
	if (!lk->cut || vh_payload_severity(lk->hit.sign) == VH_SEV_HIGH)
		return;
	if (s->cut_warnings++ < MAX_CUT_WARNINGS)
		vh_detect_warn(ctx,
			       "unmapped-payload: %s %s (%s): %" PRIu64
			       " pages, only the first %d looked at",
			       h->kind, h->path, h->how, lk->pages, FILE_PAGES);
}

/* --- the mapped files of a process ------------------------------------- */

/* The (device, inode number) of each file VMA: what the process maps. */
static bool mapped(const struct vh_vma_list *l, const struct vh_file_name *n)
{
	for (size_t i = 0; l && i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (v->file && v->inode == n->ino && v->major == n->major && v->minor == n->minor)
			return true;
	}
	return false;
}

static void warn_file(struct um_state *s, struct vh_detect_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A file of the process that cannot be read: the first MAX_FILE_WARNINGS are told. */
static void warn_file(struct um_state *s, struct vh_detect_ctx *ctx, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	if (s->file_warnings++ >= MAX_FILE_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vh_detect_warn(ctx, "unmapped-payload: %s", msg);
}

/* The inode, page cache and size of a struct file; false when unreadable (warned). */
static bool file_facts(struct um_state *s, struct vh_detect_ctx *ctx, uint64_t file,
		       const char *what, uint64_t *mapping, uint64_t *size, uint32_t *magic)
{
	const struct vh_profile *p = ctx->prof;
	uint64_t inode = 0;

	if (vh_member_read(&s->kr, file, &p->file.f_inode, &inode) || !vh_kptr_ok(&s->kr, inode) ||
	    vh_inode_fs_magic(&s->kr, p, inode, magic)) {
		warn_file(s, ctx, "%s: file %#" PRIx64 " inode %#" PRIx64 " cannot be read", what,
			  file, inode);
		return false;
	}
	if (*magic != VH_TMPFS_MAGIC)
		return true; /* not shared memory: nothing more needed */
	if (vh_member_read(&s->kr, file, &p->file.f_mapping, mapping) ||
	    !vh_kptr_ok(&s->kr, *mapping) ||
	    vh_member_read(&s->kr, inode, &p->inode.i_size, size)) {
		warn_file(s, ctx, "%s: inode %#" PRIx64 " mapping or size cannot be read", what,
			  inode);
		return false;
	}
	return true;
}

/* --- a process's file table -------------------------------------------- */

static int one_fd(struct um_state *s, struct vh_detect_ctx *ctx, const struct vh_task *t,
		  const struct vh_fd *fd, uint64_t *seen, size_t *nseen)
{
	struct vh_file_name n;
	struct holder h;
	struct look lk;
	uint64_t mapping = 0, size = 0;
	uint32_t magic = 0;
	char what[32];
	int err;

	snprintf(what, sizeof(what), "fd %d", (int)fd->fd);
	if (!file_facts(s, ctx, fd->file, what, &mapping, &size, &magic) || magic != VH_TMPFS_MAGIC)
		return VH_OK;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == mapping)
			return VH_OK; /* the same file under another descriptor */
	seen[(*nseen)++] = mapping;
	vh_maps_file_name(s->maps, fd->file, &n);
	if (mapped(ctx->vmas, &n))
		return VH_OK; /* the VMA detectors' to judge */
	memset(&h, 0, sizeof(h));
	h.kind = vh_payload_file_kind(n.path, &h.cap);
	h.path = n.path;
	if (t->pid == ctx->task->pid)
		snprintf(h.how, sizeof(h.how), "held open as fd %d", (int)fd->fd);
	else
		snprintf(h.how, sizeof(h.how), "held open as fd %d of thread %d's own file table",
			 (int)fd->fd, (int)t->pid);
	if ((int64_t)size < 0)
		size = 0;
	err = look_file(s, ctx, mapping, size, n.path, &lk);
	if (err)
		return err;
	warn_cut(s, ctx, &h, &lk);
	return report(s, ctx, &h, size, &lk);
}

/* Files of a process's tables looked at, at most (shared memory is a few of them). */
#define MAX_SHM_FILES 1024
/* File tables of one process read, at most (threads rarely have their own). */
#define MAX_TABLES 64

/* One file table, task @t's; @seen: the shared-memory files of the process looked at. */
static int file_table(struct um_state *s, struct vh_detect_ctx *ctx, const struct vh_task *t,
		      uint64_t *seen, size_t *nseen)
{
	struct vh_fd_list fl;
	int err = vh_fds_read(&s->kr, ctx->prof, t->addr, &fl);

	for (size_t i = 0; i < fl.nwarnings; i++)
		vh_detect_warn(ctx, "unmapped-payload: %s", fl.warnings[i]);
	if (err == VH_ERR_NOT_PRESENT && !fl.nwarnings && !s->fds_warned) {
		s->fds_warned = true; /* said once per run */
		vh_detect_warn_run(ctx, "unmapped-payload",
				   "the profile lacks files_struct/fdtable: open files not read");
	}
	for (size_t i = 0; !err && i < fl.n && *nseen < MAX_SHM_FILES; i++)
		err = one_fd(s, ctx, t, &fl.fds[i], seen, nseen);
	vh_fd_list_free(&fl);
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

/*
 * The file tables of the process: its leader's, then each thread's that is
 * its own (a files_struct no earlier task of the group uses), at most
 * MAX_TABLES.
 */
static int file_tables(struct um_state *s, struct vh_detect_ctx *ctx)
{
	const struct vh_task_list *tl = ctx->tasks;
	uint64_t tables[MAX_TABLES], *seen = calloc(MAX_SHM_FILES, sizeof(*seen));
	size_t ntables = 0, nseen = 0, skipped = 0;
	int err = VH_OK;

	if (!seen)
		return VH_ERR_NOMEM;
	s->file_warnings = 0;
	err = file_table(s, ctx, ctx->task, seen, &nseen);
	if (!vh_member_read(&s->kr, ctx->task->addr, &ctx->prof->task_struct.files, &tables[0]))
		ntables = 1;
	for (size_t i = vh_detect_group_start(tl, ctx->task->tgid);
	     !err && tl && i < tl->ntasks && tl->tasks[i].tgid == ctx->task->tgid; i++) {
		const struct vh_task *t = &tl->tasks[i];
		uint64_t files = 0;
		size_t k = 0;

		if (t->pid == ctx->task->pid ||
		    vh_member_read(&s->kr, t->addr, &ctx->prof->task_struct.files, &files) ||
		    !files)
			continue;
		while (k < ntables && tables[k] != files)
			k++;
		if (k < ntables)
			continue; /* CLONE_FILES: the leader's table (or another thread's) */
		if (ntables == MAX_TABLES) {
			skipped++;
			continue;
		}
		tables[ntables++] = files;
		err = file_table(s, ctx, t, seen, &nseen);
	}
	if (skipped)
		vh_detect_warn(ctx,
			       "unmapped-payload: %zu more threads with file tables of their "
			       "own: not read",
			       skipped);
	if (s->file_warnings > MAX_FILE_WARNINGS)
		vh_detect_warn(ctx, "unmapped-payload: %zu more open files cannot be read",
			       s->file_warnings - MAX_FILE_WARNINGS);
	if (nseen == MAX_SHM_FILES)
		vh_detect_warn(ctx,
			       "unmapped-payload: more than %d shared-memory files open: "
			       "the rest not looked at",
			       MAX_SHM_FILES);
	free(seen);
	return err;
}

/* --- SysV shared memory -------------------------------------------------- */

/* A struct pid's number in the initial namespace (numbers[0].nr); 0 when unknown. */
static int32_t pid_nr(struct um_state *s, const struct vh_profile *p, uint64_t pid)
{
	uint64_t nr = 0;

	if (!vh_kptr_ok(&s->kr, pid) || !vh_present(&p->pid.numbers) || !vh_present(&p->upid.nr))
		return 0;
	if (vh_vread(&s->kr, pid + p->pid.numbers.offset + p->upid.nr.offset, &nr, 4))
		return 0;
	return (int32_t)(uint32_t)nr;
}

/* shm_cprid / shm_lprid: a struct pid * since 4.17, a pid_t before. */
static int32_t shm_pid(struct um_state *s, const struct vh_profile *p, uint64_t shp,
		       const struct vh_member *m)
{
	uint64_t v = 0;

	if (vh_member_read(&s->kr, shp, m, &v))
		return 0;
	return m->size == 8 ? pid_nr(s, p, v) : (int32_t)(uint32_t)v;
}

struct idr_walk {
	struct um_state *s;
	struct vh_detect_ctx *ctx;
	size_t bad; /* entries that could not be read (the first 8 warned about) */
	uint64_t ns;
	bool nomem, capped;
};

static int idr_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct idr_walk *w = arg;

	if (!vh_kptr_ok(&w->s->kr, addr))
		return VH_ERR_CORRUPT;
	return vh_vread(&w->s->kr, addr, buf, len);
}

static void idr_warn(void *arg, const char *msg)
{
	struct idr_walk *w = arg;

	vh_detect_warn_run(w->ctx, "unmapped-payload", "SysV shm ids: %s", msg);
}

/* One segment: entry is its struct kern_ipc_perm, shm_perm of its struct shmid_kernel. */
static int idr_entry(void *arg, uint64_t index, uint64_t perm)
{
	struct idr_walk *w = arg;
	struct um_state *s = w->s;
	const struct vh_profile *p = w->ctx->prof;
	uint64_t shp = perm - p->shmid_kernel.shm_perm.offset, v = 0;
	struct segment *g;

	if (s->nsegs >= MAX_SEGMENTS) {
		w->capped = true;
		return 1;
	}
	if (!vh_kptr_ok(&s->kr, perm)) {
		if (w->bad++ < 8)
			vh_detect_warn_run(w->ctx, "unmapped-payload",
					   "SysV shm id index %" PRIu64 ": %#" PRIx64
					   " is no kernel address",
					   index, perm);
		return 0;
	}
	if (s->nsegs == s->capsegs) {
		struct segment *n = vh_grow(s->segs, s->nsegs, &s->capsegs, sizeof(*n), 16);

		if (!n) {
			w->nomem = true;
			return 1;
		}
		s->segs = n;
	}
	g = &s->segs[s->nsegs];
	memset(g, 0, sizeof(*g));
	g->ns = w->ns;
	if (vh_member_read(&s->kr, shp, &p->shmid_kernel.shm_file, &g->file) ||
	    !vh_kptr_ok(&s->kr, g->file) ||
	    vh_member_read(&s->kr, shp, &p->shmid_kernel.shm_segsz, &g->segsz)) {
		if (w->bad++ < 8)
			vh_detect_warn_run(w->ctx, "unmapped-payload",
					   "SysV shm id index %" PRIu64 ": shmid_kernel %#" PRIx64
					   " cannot be read",
					   index, shp);
		return 0;
	}
	if (!vh_member_read(&s->kr, perm, &p->kern_ipc_perm.key, &v))
		g->key = (int32_t)(uint32_t)v;
	if (!vh_member_read(&s->kr, perm, &p->kern_ipc_perm.id, &v))
		g->id = (int32_t)(uint32_t)v;
	if (!vh_member_read(&s->kr, perm, &p->kern_ipc_perm.deleted, &v))
		g->deleted = v & 1;
	vh_member_read(&s->kr, shp, &p->shmid_kernel.shm_nattch, &g->nattch);
	g->cpid = shm_pid(s, p, shp, &p->shmid_kernel.shm_cprid);
	g->lpid = shm_pid(s, p, shp, &p->shmid_kernel.shm_lprid);
	s->nsegs++;
	return 0;
}

static const char *sysv_missing(const struct vh_profile *p)
{
	if (!vh_present(&p->sym.init_ipc_ns) || !vh_present(&p->ipc_namespace.ids) ||
	    !p->ipc_ids.type.size || !vh_present(&p->ipc_ids.ipcs_idr) ||
	    !vh_present(&p->idr.idr_rt) || !vh_present(&p->xarray.xa_head))
		return "no init_ipc_ns or ipc_ids layout";
	if (!vh_present(&p->shmid_kernel.shm_perm) || !vh_present(&p->shmid_kernel.shm_file) ||
	    !vh_present(&p->shmid_kernel.shm_segsz) || !vh_present(&p->kern_ipc_perm.key))
		return "no shmid_kernel layout (a kernel without SysV IPC?)";
	return NULL;
}

/* Every segment of the IPC namespace at @ns (a struct ipc_namespace), once per run. */
static int read_segments(struct um_state *s, struct vh_detect_ctx *ctx, uint64_t ns)
{
	const struct vh_profile *p = ctx->prof;
	struct idr_walk w = {.s = s, .ctx = ctx, .ns = ns};
	struct vh_xa_ops ops = {
	    .read = idr_read, .entry = idr_entry, .warn = idr_warn, .arg = &w, .max_nodes = 4096};
	struct vh_xa_layout lay;
	struct vh_xa_stats st;
	uint64_t ids, head = 0;

	for (size_t i = 0; i < s->nns; i++)
		if (s->ipc_ns[i] == ns)
			return VH_OK;
	if (s->nns == MAX_IPC_NS) {
		if (!s->ns_capped)
			vh_detect_warn_run(
			    ctx, "unmapped-payload",
			    "more than %d IPC namespaces: the SysV segments of the rest not "
			    "looked at",
			    MAX_IPC_NS);
		s->ns_capped = true;
		return VH_OK;
	}
	s->ipc_ns[s->nns++] = ns;
	if (vh_xa_layout_from_profile(p, &lay))
		return VH_OK; /* checked by sysv_missing() */
	ids = ns + p->ipc_namespace.ids.offset + IPC_SHM_IDS * (uint64_t)p->ipc_ids.type.size;
	if (!vh_kptr_ok(&s->kr, ns) ||
	    vh_member_read(&s->kr, ids + p->ipc_ids.ipcs_idr.offset + p->idr.idr_rt.offset,
			   &p->xarray.xa_head, &head)) {
		vh_detect_warn_run(ctx, "unmapped-payload",
				   "SysV shared memory of IPC namespace %#" PRIx64
				   " not looked at: its "
				   "ipc_ids unreadable",
				   ns);
		return VH_OK;
	}
	vh_xa_walk(&lay, head, &ops, &st);
	if (w.nomem)
		return VH_ERR_NOMEM;
	if (w.capped)
		vh_detect_warn_run(ctx, "unmapped-payload",
				   "more than %d SysV shm segments: the rest not looked at",
				   MAX_SEGMENTS);
	if (w.bad > 8)
		vh_detect_warn_run(ctx, "unmapped-payload", "%zu more SysV shm ids cannot be read",
				   w.bad - 8);
	return VH_OK;
}

/*
 * The segments of the initial IPC namespace, and of the process's own when it
 * is another (a container's: task->nsproxy->ipc_ns).
 */
static int process_segments(struct um_state *s, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	const char *why = sysv_missing(p);
	struct vh_xa_layout lay;
	uint64_t nsproxy = 0, ns = 0;
	int err;

	if (!why && vh_xa_layout_from_profile(p, &lay))
		why = "no xa_node layout";
	if (why) {
		if (!s->sysv_warned)
			vh_detect_warn_run(ctx, "unmapped-payload",
					   "SysV shared memory not looked at: %s", why);
		s->sysv_warned = true;
		return VH_OK;
	}
	err = read_segments(s, ctx, p->sym.init_ipc_ns.addr + ctx->km->kaslr_offset);
	if (err || !vh_present(&p->task_struct.nsproxy) || !vh_present(&p->nsproxy.ipc_ns))
		return err;
	if (vh_member_read(&s->kr, ctx->task->addr, &p->task_struct.nsproxy, &nsproxy) ||
	    !vh_kptr_ok(&s->kr, nsproxy) ||
	    vh_member_read(&s->kr, nsproxy, &p->nsproxy.ipc_ns, &ns) || !ns)
		return VH_OK; /* an exiting task has no nsproxy */
	return read_segments(s, ctx, ns);
}

/* A segment held by the process of ctx (ctx->task NULL: by no process scanned). */
static int one_segment(struct um_state *s, struct vh_detect_ctx *ctx, struct segment *g)
{
	struct vh_file_name n;
	struct holder h;
	struct look lk;
	uint64_t mapping = 0, size = 0;
	uint32_t magic = 0;
	char what[64];
	int err;

	g->done = true;
	snprintf(what, sizeof(what), "SysV shmid %d", (int)g->id);
	if (!file_facts(s, ctx, g->file, what, &mapping, &size, &magic) ||
	    (magic != VH_TMPFS_MAGIC && magic != VH_HUGETLBFS_MAGIC))
		return VH_OK;
	if (magic == VH_HUGETLBFS_MAGIC) {
		vh_detect_warn(ctx, "unmapped-payload: %s (SHM_HUGETLB) not looked at", what);
		return VH_OK;
	}
	vh_maps_file_name(s->maps, g->file, &n);
	if (ctx->vmas && mapped(ctx->vmas, &n))
		return VH_OK;
	memset(&h, 0, sizeof(h));
	h.kind = "sysv-shm";
	h.cap = VH_SEV_HIGH;
	h.path = n.path;
	h.pid = g->cpid;
	h.comm = "";
	snprintf(h.how, sizeof(h.how),
		 "SysV key %#x shmid %d (creator %d, last %d, %" PRIu64 " attached%s%s)",
		 (unsigned)g->key, (int)g->id, (int)g->cpid, (int)g->lpid, g->nattch,
		 g->deleted ? ", removed" : "",
		 g->ns != s->ipc_ns[0] ? ", another IPC namespace" : "");
	err = look_file(s, ctx, mapping, g->segsz < size || !size ? g->segsz : size, what, &lk);
	if (err)
		return err;
	warn_cut(s, ctx, &h, &lk);
	return report(s, ctx, &h, g->segsz, &lk);
}

/* --- callbacks ------------------------------------------------------------ */

static int um_task(void *state, struct vh_detect_ctx *ctx)
{
	struct um_state *s = state;
	int err;

	if (!ready(s, ctx))
		return VH_OK;
	if ((err = process_segments(s, ctx)))
		return err;
	err = file_tables(s, ctx);
	for (size_t i = 0; i < s->nsegs && !err; i++)
		if (!s->segs[i].done && s->segs[i].cpid == ctx->task->tgid)
			err = one_segment(s, ctx, &s->segs[i]);
	return err;
}

/* Segments whose creator was not scanned (it exited: the id alone holds them). */
static int um_finish(void *state, struct vh_detect_ctx *ctx)
{
	struct um_state *s = state;
	int err = VH_OK;

	if (!s->ok)
		return VH_OK;
	for (size_t i = 0; i < s->nsegs && !err; i++)
		if (!s->segs[i].done)
			err = one_segment(s, ctx, &s->segs[i]);
	if (s->run_capped)
		vh_detect_warn_run(
		    ctx, "unmapped-payload",
		    "%d pages read in all: the pages of further files were not looked at",
		    RUN_PAGES);
	if (s->cut_warnings > MAX_CUT_WARNINGS)
		vh_detect_warn_run(ctx, "unmapped-payload", "%zu more files cut at %d pages",
				   s->cut_warnings - MAX_CUT_WARNINGS, FILE_PAGES);
	return err;
}

const struct vh_detector vh_detector_unmapped_payload = {
    .id = "unmapped-payload",
    .summary = "ELF or shellcode in memfd/shm/SysV shared memory no VMA of its holder maps",
    .needs = VH_DETECT_CONTENT,
    .init = um_init,
    .task = um_task,
    .finish = um_finish,
    .fini = um_fini,
};
