/* SPDX-License-Identifier: MIT */
/*
 * Library context: what a process's file mappings say about how code got
 * into it.
 *   writable-lib   executable mapping of a file in a world-writable directory
 *                  (/tmp, /dev/shm, ...): injected libraries, dropped programs
 *   static-loader  a dynamic loader or libc mapped into a statically linked
 *                  program (it has no loader of its own to map them)
 *   lib-twice      the same file mapped executable at two load addresses
 *   exe-unmapped   the program file (mm->exe_file) mapped by no VMA: process
 *                  hollowing, self-unmapping loaders
 * They read the kernel's file, dentry and inode structures (kernel dumps
 * only); static-loader also reads the program's ELF header from memory.
 */
#include <vmahunt/detect.h>

#include "detect/detectors.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define S_IWOTH_BIT 0002u
#define PT_INTERP   3u
/* Program headers read from an ELF header (a program has a dozen). */
#define MAX_PHDRS 64

static int kread_u64(const struct vh_detect_ctx *ctx, uint64_t addr, uint64_t *out)
{
	return vh_kernel_read(ctx->d, ctx->km, addr, out, sizeof(*out));
}

/* A pointer member: VH_ERR_UNSUPPORTED when the profile lacks it. */
static int kread_ptr(const struct vh_detect_ctx *ctx, uint64_t base, const struct vh_member *m,
		     uint64_t *out)
{
	if (!vh_present(m))
		return VH_ERR_UNSUPPORTED;
	return kread_u64(ctx, base + m->offset, out);
}

/* struct file * -> its struct inode *. */
static int file_inode(const struct vh_detect_ctx *ctx, uint64_t file, uint64_t *inode)
{
	return kread_ptr(ctx, file, &ctx->prof->file.f_inode, inode);
}

/* The mode of the directory holding @file (its dentry's parent's inode). */
static int parent_mode(const struct vh_detect_ctx *ctx, uint64_t file, uint32_t *mode)
{
	const struct vh_profile *p = ctx->prof;
	uint64_t dentry, parent, inode;
	uint16_t m16;
	int err;

	if (!vh_present(&p->file.f_path) || !vh_present(&p->path.dentry) ||
	    !vh_present(&p->inode.i_mode))
		return VH_ERR_UNSUPPORTED;
	err = kread_u64(ctx, file + p->file.f_path.offset + p->path.dentry.offset, &dentry);
	if (!err)
		err = kread_ptr(ctx, dentry, &p->dentry.d_parent, &parent);
	if (!err)
		err = kread_ptr(ctx, parent, &p->dentry.d_inode, &inode);
	if (!err)
		err = vh_kernel_read(ctx->d, ctx->km, inode + p->inode.i_mode.offset, &m16,
				     sizeof(m16));
	if (!err)
		*mode = m16;
	return err;
}

/* The process's program file (mm->exe_file), 0 when none. */
static int exe_file(const struct vh_detect_ctx *ctx, uint64_t *file)
{
	*file = 0;
	return kread_ptr(ctx, ctx->task->mm, &ctx->prof->mm_struct.exe_file, file);
}

/* The inode of the process's program file, 0 when none. */
static int exe_inode(const struct vh_detect_ctx *ctx, uint64_t *inode)
{
	uint64_t file;
	int err = exe_file(ctx, &file);

	*inode = 0;
	if (err || !file)
		return err;
	return file_inode(ctx, file, inode);
}

/* The last component of @file's name (its dentry's d_name), "?" when unreadable. */
static void file_name(const struct vh_detect_ctx *ctx, uint64_t file, char *out, size_t len)
{
	const struct vh_profile *p = ctx->prof;
	uint64_t dentry, name;

	snprintf(out, len, "?");
	if (!vh_present(&p->file.f_path) || !vh_present(&p->path.dentry) ||
	    !vh_present(&p->dentry.d_name) || !vh_present(&p->qstr.name) ||
	    kread_u64(ctx, file + p->file.f_path.offset + p->path.dentry.offset, &dentry) ||
	    kread_u64(ctx, dentry + p->dentry.d_name.offset + p->qstr.name.offset, &name) ||
	    vh_kernel_read(ctx->d, ctx->km, name, out, len - 1)) {
		snprintf(out, len, "?");
		return;
	}
	out[len - 1] = '\0';
	for (char *c = out; *c; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?'; /* bytes from the dump go into a one-line reason */
	}
}

/* The last path component, without " (deleted)". */
static void base_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	const char *del = strstr(path, " (deleted)");
	size_t n;

	b = b ? b + 1 : path;
	n = del && del > b ? (size_t)(del - b) : strlen(b);
	if (n >= len)
		n = len - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

static bool is_loader_or_libc(const char *base)
{
	static const char *const prefixes[] = {"ld-linux", "ld-musl", "ld.so",
					       "libc.so",  "libc-2.", "libc.musl"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (!strncmp(base, prefixes[i], strlen(prefixes[i])))
			return true;
	}
	return false;
}

static bool exec_file_vma(const struct vh_vma *v)
{
	return v->file && (v->flags & VH_VM_EXEC) && !(v->found & VH_VMA_GATE);
}

/* memfds, SysV shm and anonymous inodes live in the kernel's own mounts: memfd-exec's. */
static bool kernel_internal_file(const struct vh_vma *v)
{
	return !strncmp(v->path, "/memfd:", 7) || !strncmp(v->path, "/SYSV", 5) ||
	       v->path[0] != '/';
}

/*
 * Per process: the struct inode * of each file VMA (read once per struct
 * file, which consecutive VMAs of one mapping share), and the program's.
 */
struct proc_files {
	uint64_t exe;	    /* the program's inode; 0 when unknown */
	uint64_t last_file; /* cache: the last struct file read and its inode */
	uint64_t last_inode;
};

static int vma_inode(const struct vh_detect_ctx *ctx, struct proc_files *pf, const struct vh_vma *v,
		     uint64_t *inode)
{
	int err = VH_OK;

	if (v->file != pf->last_file) {
		pf->last_inode = 0;
		err = file_inode(ctx, v->file, &pf->last_inode);
		pf->last_file = v->file;
	}
	*inode = pf->last_inode;
	return err;
}

static int emit(struct vh_detect_ctx *ctx, const char *id, enum vh_severity sev,
		const struct vh_vma *v, uint64_t start, uint64_t end, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int emit(struct vh_detect_ctx *ctx, const char *id, enum vh_severity sev,
		const struct vh_vma *v, uint64_t start, uint64_t end, const char *fmt, ...)
{
	struct vh_finding f;
	char reason[320];
	va_list ap;

	memset(&f, 0, sizeof(f));
	f.detector = id;
	f.severity = sev;
	f.pid = ctx->task->pid;
	f.comm = ctx->task->comm;
	f.start = start;
	f.end = end;
	f.vm_flags = v ? v->flags : 0;
	f.path = v ? v->path : "";
	f.reason = reason;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return vh_detect_emit(ctx, &f, v, v ? start : 0);
}

/* --- writable-lib ------------------------------------------------------- */

static int writable_lib_task(void *st, struct vh_detect_ctx *ctx)
{
	const struct vh_vma_list *l = ctx->vmas;
	struct proc_files pf = {0};
	uint64_t reported = 0; /* the last struct file reported: one finding per mapping */
	int err = VH_OK;

	(void)st;
	if (exe_inode(ctx, &pf.exe))
		pf.exe = 0;
	for (size_t i = 0; i < l->nvmas && err != VH_ERR_NOMEM; i++) {
		const struct vh_vma *v = &l->vmas[i];
		uint32_t mode;
		uint64_t inode;
		bool is_exe;

		if (!exec_file_vma(v) || kernel_internal_file(v) || v->file == reported)
			continue;
		if (parent_mode(ctx, v->file, &mode) || !(mode & S_IWOTH_BIT))
			continue;
		reported = v->file;
		is_exe = !vma_inode(ctx, &pf, v, &inode) && inode && inode == pf.exe;
		err = is_exe ? emit(ctx, "writable-lib", VH_SEV_MEDIUM, v, v->start, v->end,
				    "the program runs from a world-writable directory (mode %04o)",
				    mode & 07777)
			     : emit(ctx, "writable-lib", VH_SEV_HIGH, v, v->start, v->end,
				    "file mapped executable from a world-writable directory (mode "
				    "%04o): a library anyone could have planted, or injected",
				    mode & 07777);
	}
	return err;
}

/* --- static-loader ------------------------------------------------------ */

/* Whether the ELF image whose header is at @addr names a program interpreter. */
static int has_interp(const struct vh_detect_ctx *ctx, uint64_t addr, uint64_t limit, bool *interp)
{
	unsigned char eh[64];
	uint64_t phoff;
	uint16_t phentsize, phnum;
	int err = vh_detect_read(ctx, addr, eh, sizeof(eh));

	if (err)
		return err;
	if (memcmp(eh, "\177ELF", 4) || eh[4] != 2)
		return VH_ERR_FORMAT;
	memcpy(&phoff, eh + 32, 8);
	memcpy(&phentsize, eh + 54, 2);
	memcpy(&phnum, eh + 56, 2);
	if (phentsize != 56 || phnum > MAX_PHDRS || phoff > limit - addr ||
	    (uint64_t)phnum * 56 > limit - addr - phoff)
		return VH_ERR_FORMAT;
	*interp = false;
	for (uint16_t i = 0; i < phnum && !err; i++) {
		uint32_t type;

		err = vh_detect_read(ctx, addr + phoff + (uint64_t)i * 56, &type, sizeof(type));
		if (!err && type == PT_INTERP)
			*interp = true;
	}
	return err;
}

/* The VMA mapping the start of the program file (its ELF header), or NULL. */
static const struct vh_vma *exe_header_vma(const struct vh_detect_ctx *ctx, struct proc_files *pf)
{
	for (size_t i = 0; i < ctx->vmas->nvmas; i++) {
		const struct vh_vma *v = &ctx->vmas->vmas[i];
		uint64_t inode;

		if (v->file && v->offset == 0 && !vma_inode(ctx, pf, v, &inode) && inode == pf->exe)
			return v;
	}
	return NULL;
}

static int static_loader_task(void *st, struct vh_detect_ctx *ctx)
{
	const struct vh_vma_list *l = ctx->vmas;
	struct proc_files pf = {0};
	const struct vh_vma *hdr;
	char base[64];
	bool interp = true;
	int err = VH_OK;

	(void)st;
	if (exe_inode(ctx, &pf.exe) || !pf.exe || !(hdr = exe_header_vma(ctx, &pf)))
		return VH_OK;
	base_name(hdr->path, base, sizeof(base));
	/* a loader run as a program ("ld.so --library-path ... prog") maps libc itself */
	if (is_loader_or_libc(base) || has_interp(ctx, hdr->start, hdr->end, &interp) || interp)
		return VH_OK;
	for (size_t i = 0; i < l->nvmas && err != VH_ERR_NOMEM; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (!exec_file_vma(v))
			continue;
		base_name(v->path, base, sizeof(base));
		if (is_loader_or_libc(base))
			err = emit(ctx, "static-loader", VH_SEV_HIGH, v, v->start, v->end,
				   "%s mapped executable into a statically linked program (no "
				   "PT_INTERP): loaded by hand, not by the system's loader",
				   base);
	}
	return err;
}

/* --- lib-twice ---------------------------------------------------------- */

/* One executable file image: its inode and load address (vm_start - vm_pgoff pages). */
struct image {
	uint64_t inode, base;
	const struct vh_vma *v; /* its first executable VMA */
};

#define MAX_IMAGES 512

/* Collects the executable images of the process, one per (inode, load address). */
static size_t collect_images(const struct vh_detect_ctx *ctx, struct proc_files *pf,
			     struct image *img, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ctx->vmas->nvmas && n < max; i++) {
		const struct vh_vma *v = &ctx->vmas->vmas[i];
		uint64_t inode, base = v->start - v->pgoff * 4096;
		bool seen = false;

		if (!exec_file_vma(v) || kernel_internal_file(v) || vma_inode(ctx, pf, v, &inode) ||
		    !inode)
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = img[k].inode == inode && img[k].base == base;
		if (!seen)
			img[n++] = (struct image){inode, base, v};
	}
	return n;
}

static int lib_twice_task(void *st, struct vh_detect_ctx *ctx)
{
	static _Thread_local struct image img[MAX_IMAGES];
	struct proc_files pf = {0};
	size_t n = collect_images(ctx, &pf, img, MAX_IMAGES);
	int err = VH_OK;

	(void)st;
	for (size_t i = 0; i < n && err != VH_ERR_NOMEM; i++) {
		uint64_t lo = img[i].v->start, hi = img[i].v->end;
		size_t copies = 1;
		bool first = true;

		for (size_t k = 0; k < n; k++) {
			if (k == i || img[k].inode != img[i].inode)
				continue;
			first &= k > i; /* one finding per file: at its first image */
			copies++;
			lo = img[k].v->start < lo ? img[k].v->start : lo;
			hi = img[k].v->end > hi ? img[k].v->end : hi;
		}
		if (copies < 2 || !first)
			continue;
		err = emit(ctx, "lib-twice", VH_SEV_MEDIUM, img[i].v, lo, hi,
			   "the same file mapped executable at %zu load addresses: a second copy "
			   "loaded by hand (to call around hooks), or two loader namespaces",
			   copies);
	}
	return err;
}

/* --- exe-unmapped ------------------------------------------------------- */

static int exe_unmapped_task(void *st, struct vh_detect_ctx *ctx)
{
	const struct vh_vma_list *l = ctx->vmas;
	struct proc_files pf = {0};
	bool any_file = false;
	uint64_t file;
	char name[64];

	(void)st;
	if (exe_inode(ctx, &pf.exe) || !pf.exe)
		return VH_OK;
	for (size_t i = 0; i < l->nvmas; i++) {
		uint64_t inode;

		if (!l->vmas[i].file || (l->vmas[i].found & VH_VMA_GATE))
			continue;
		any_file = true;
		if (!vma_inode(ctx, &pf, &l->vmas[i], &inode) && inode == pf.exe)
			return VH_OK;
	}
	/* a map read only in part may have lost the program's VMAs: not evidence */
	if (l->partial)
		return VH_OK;
	if (exe_file(ctx, &file) || !file)
		return VH_OK;
	file_name(ctx, file, name, sizeof(name));
	return emit(ctx, "exe-unmapped", VH_SEV_HIGH, NULL, 0, 0,
		    "the program file %s (mm->exe_file) is mapped by no VMA%s: its code was "
		    "replaced or unmapped (process hollowing, a self-unmapping loader)",
		    name, any_file ? "" : " (no file is mapped at all)");
}

const struct vh_detector vh_detector_writable_lib = {
    .id = "writable-lib",
    .summary = "executable mapping of a file in a world-writable directory (/tmp, /dev/shm)",
    .task = writable_lib_task,
};

const struct vh_detector vh_detector_static_loader = {
    .id = "static-loader",
    .summary = "dynamic loader or libc mapped into a statically linked program",
    .needs = VH_DETECT_CONTENT,
    .task = static_loader_task,
};

const struct vh_detector vh_detector_lib_twice = {
    .id = "lib-twice",
    .summary = "the same file mapped executable at two load addresses",
    .task = lib_twice_task,
};

const struct vh_detector vh_detector_exe_unmapped = {
    .id = "exe-unmapped",
    .summary = "the program's executable file mapped by no VMA",
    .task = exe_unmapped_task,
};
