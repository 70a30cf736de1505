/* SPDX-License-Identifier: MIT */
/*
 * Memory maps: the VMAs of an mm_struct, named as the kernel's show_map_vma()
 * names them (fs/proc/task_mmu.c), with paths built as d_path() builds them
 * (fs/d_path.c). See include/vmahunt/vma.h.
 */
#include <vmahunt/vma.h>

#include <vmahunt/error.h>

#include "kernel/features.h"
#include "kernel/kmem.h"
#include "kernel/maps_internal.h"
#include "util/warnings.h"
#include "kernel/maple.h"
#include "util/error.h"
#include "util/grow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 200
#define MAX_VMAS     (1u << 22) /* far above the kernel's max_map_count (65530) */
#define MAX_RB_DEPTH 128	/* a valid rbtree of 4M nodes is under 46 deep */
#define MAX_PATH_LEN 4096	/* PATH_MAX: longer paths are cut (and marked) */
#define MAX_DEPTH    1024	/* components of one path */
#define MAX_STRUCT   2048	/* the largest struct read whole */
#define NAME_MAX_LEN 256	/* anon_vma_name (80 in the kernel), special mappings */

/* vsyscall_mode's NONE (arch/x86/entry/vsyscall/vsyscall_64.c: EMULATE, XONLY, NONE). */
#define VSYSCALL_NONE 2

/* A cached name: a file's path and device, an anon_vma_name, a special mapping's name. */
struct name_entry {
	uint64_t ptr;  /* where the name was read from (0: free slot) */
	unsigned kind; /* enum name_kind */
	const char *str;
	uint32_t major, minor;
	uint64_t ino;
	bool partial;
};

enum name_kind { NK_FILE = 1, NK_ANON = 2, NK_SPECIAL = 3, NK_SHMEM = 4 };

struct vh_maps {
	struct vh_dump *d;
	const struct vh_kernel_map *km;
	const struct vh_profile *p;
	struct vh_maple_layout ml;
	bool maple;
	unsigned page_shift;
	bool heap_strict;	/* vh_vma_heap_strict(): [heap] needs an overlap */
	bool anon_name_any;	/* vh_vma_anon_name_any(): file VMAs may be named */
	uint64_t special_vmops; /* &special_mapping_vmops, relocated; 0 if unknown */
	bool have_gate;
	struct vh_vma gate;
	struct vh_vread kr;
	struct name_entry *names;
	size_t names_cap, names_n;
	char **strs; /* every string handed out; freed by vh_maps_close() */
	size_t strs_n, strs_cap;
	struct vh_vma_list *cur; /* the list being built (for warnings) */
	uint64_t partial_said;	 /* the cached partial file path last warned about in cur */
	unsigned dropped_warnings;
	bool nomem;
};

/* --- small helpers ----------------------------------------------------- */

static void warn(struct vh_maps *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct vh_maps *m, const char *fmt, ...)
{
	struct vh_vma_list *l = m->cur;
	va_list ap;

	if (!l)
		return;
	l->partial = true;
	if (l->nwarnings >= MAX_WARNINGS) {
		m->dropped_warnings++;
		return;
	}
	va_start(ap, fmt);
	if (vh_warnings_vadd(&l->warnings, &l->nwarnings, fmt, ap))
		m->nomem = true;
	va_end(ap);
}

static int kread(struct vh_maps *m, uint64_t vaddr, void *buf, size_t len)
{
	return vh_vread(&m->kr, vaddr, buf, len);
}

static bool kptr_ok(const struct vh_maps *m, uint64_t v)
{
	return vh_kptr_ok(&m->kr, v);
}

/* An integer member of a struct image (1, 2, 4 or 8 bytes); 0 when absent. */
static uint64_t get(const unsigned char *img, size_t size, const struct vh_member *mb)
{
	return vh_member_get(img, size, mb);
}

/* Reads a pointer-sized member of a struct at @base. */
static int read_u64(struct vh_maps *m, uint64_t base, const struct vh_member *mb, uint64_t *out)
{
	return vh_member_read(&m->kr, base, mb, out);
}

static const char *keep(struct vh_maps *m, char *s)
{
	if (!s) {
		m->nomem = true;
		return "";
	}
	if (m->strs_n == m->strs_cap) {
		size_t cap = m->strs_cap ? m->strs_cap * 2 : 64;
		char **g = realloc(m->strs, cap * sizeof(*g));

		if (!g) {
			free(s);
			m->nomem = true;
			return "";
		}
		m->strs = g;
		m->strs_cap = cap;
	}
	m->strs[m->strs_n++] = s;
	return s;
}

static size_t name_hash(uint64_t ptr, unsigned kind, size_t mask)
{
	return (size_t)((ptr * 0x9e3779b97f4a7c15ull) ^ kind) & mask;
}

/* The slot of (ptr, kind): its entry, or the free slot where it would go. */
static struct name_entry *name_slot(struct vh_maps *m, uint64_t ptr, unsigned kind)
{
	size_t mask = m->names_cap - 1;
	size_t i = name_hash(ptr, kind, mask);

	while (m->names[i].ptr && (m->names[i].ptr != ptr || m->names[i].kind != kind))
		i = (i + 1) & mask;
	return &m->names[i];
}

static struct name_entry *name_find(struct vh_maps *m, uint64_t ptr, enum name_kind k)
{
	if (!m->names_cap || !ptr)
		return NULL;
	struct name_entry *e = name_slot(m, ptr, k);

	return e->ptr ? e : NULL;
}

/* A new entry for (ptr, kind), ptr non-zero; NULL when out of memory. */
static struct name_entry *name_add(struct vh_maps *m, uint64_t ptr, enum name_kind k)
{
	if ((m->names_n + 1) * 2 > m->names_cap) {
		size_t cap = m->names_cap ? m->names_cap * 2 : 256;
		struct name_entry *old = m->names;
		size_t old_cap = m->names_cap;

		m->names = calloc(cap, sizeof(*m->names));
		if (!m->names) {
			m->names = old;
			m->nomem = true;
			return NULL;
		}
		m->names_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].ptr)
				*name_slot(m, old[i].ptr, old[i].kind) = old[i];
		free(old);
	}
	struct name_entry *e = name_slot(m, ptr, k);

	e->ptr = ptr;
	e->kind = k;
	m->names_n++;
	return e;
}

/* A NUL-terminated string of at most @max bytes at @addr, read page by page. */
static char *read_cstr(struct vh_maps *m, uint64_t addr, size_t max, bool *cut)
{
	char *s = malloc(max + 1);
	size_t n = 0;

	*cut = false;
	if (!s)
		return NULL;
	while (n < max) {
		size_t chunk = 4096 - (size_t)((addr + n) & 0xfff);

		if (chunk > max - n)
			chunk = max - n;
		if (kread(m, addr + n, s + n, chunk)) {
			*cut = true;
			break;
		}
		void *z = memchr(s + n, '\0', chunk);

		if (z) {
			return s;
		}
		n += chunk;
	}
	s[n] = '\0';
	if (n == max)
		*cut = true;
	return s;
}

/* --- d_path ------------------------------------------------------------ */

/* Prepends @len bytes to the path being built backwards in buf[*pos..]. */
static bool prepend(char *buf, size_t *pos, const char *s, size_t len)
{
	if (len > *pos)
		return false;
	*pos -= len;
	memcpy(buf + *pos, s, len);
	return true;
}

/* seq_file_path(m, file, "\n"): a newline in a name is printed as \012. */
static char *mangle_newlines(const char *p)
{
	size_t n = 0;

	for (const char *c = p; *c; c++)
		n += *c == '\n' ? 4 : 1;
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *c = p; *c; c++) {
		if (*c == '\n') {
			memcpy(o, "\\012", 4);
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return out;
}

struct dpath {
	char buf[MAX_PATH_LEN + 16];
	size_t pos;
	bool partial;
};

/* One dentry's name prepended with its '/'. */
static bool prepend_dentry_name(struct vh_maps *m, uint64_t dentry, struct dpath *dp)
{
	const struct vh_profile *p = m->p;
	uint64_t nameptr = 0, len = 0;
	uint64_t qbase = dentry + p->dentry.d_name.offset;
	char name[256];

	if (read_u64(m, qbase, &p->qstr.name, &nameptr) || read_u64(m, qbase, &p->qstr.len, &len) ||
	    !nameptr) {
		warn(m, "dentry %#" PRIx64 ": name cannot be read", dentry);
		return false;
	}
	if (len > 255) {
		warn(m, "dentry %#" PRIx64 ": name length %" PRIu64 " over NAME_MAX", dentry, len);
		return false;
	}
	if (kread(m, nameptr, name, (size_t)len)) {
		warn(m, "dentry %#" PRIx64 ": name at %#" PRIx64 " cannot be read", dentry,
		     nameptr);
		return false;
	}
	/* the kernel copies len bytes, stopping at a NUL (prepend_name()) */
	size_t n = strnlen(name, (size_t)len);

	if (!prepend(dp->buf, &dp->pos, name, n) || !prepend(dp->buf, &dp->pos, "/", 1)) {
		dp->partial = true;
		return false;
	}
	return true;
}

/*
 * prepend_path() up to the namespace's root: a mount's root dentry leads to
 * the mountpoint in the parent mount; a mount that is its own parent is the top.
 */
static void walk_path(struct vh_maps *m, uint64_t dentry, uint64_t vfsmnt, struct dpath *dp)
{
	const struct vh_profile *p = m->p;
	uint32_t mnt_off = p->mount.mnt.offset;
	uint64_t mnt = vfsmnt - mnt_off;

	for (int steps = 0;; steps++) {
		uint64_t root = 0, parent = 0;

		if (steps >= MAX_DEPTH) {
			warn(m, "path through dentry %#" PRIx64 " deeper than %d: cut", dentry,
			     MAX_DEPTH);
			dp->partial = true;
			return;
		}
		if (!kptr_ok(m, dentry) || read_u64(m, vfsmnt, &p->vfsmount.mnt_root, &root)) {
			warn(m, "mount %#" PRIx64 " / dentry %#" PRIx64 " cannot be read", mnt,
			     dentry);
			dp->partial = true;
			return;
		}
		if (dentry == root) {
			uint64_t pm = 0, mp = 0;

			if (read_u64(m, mnt, &p->mount.mnt_parent, &pm) ||
			    read_u64(m, mnt, &p->mount.mnt_mountpoint, &mp) || !kptr_ok(m, pm)) {
				warn(m, "mount %#" PRIx64 ": parent cannot be read", mnt);
				dp->partial = true;
				return;
			}
			if (pm == mnt)
				return; /* the global root */
			dentry = mp;
			mnt = pm;
			vfsmnt = pm + mnt_off;
			continue;
		}
		if (read_u64(m, dentry, &p->dentry.d_parent, &parent)) {
			warn(m, "dentry %#" PRIx64 " cannot be read", dentry);
			dp->partial = true;
			return;
		}
		if (parent == dentry)
			return; /* escaped: a root that is not the mount's (prepend_path's 3) */
		if (!prepend_dentry_name(m, dentry, dp)) {
			dp->partial = true;
			return;
		}
		dentry = parent;
	}
}

/* d_unlinked(): unhashed (d_hash.pprev NULL) and not a root. */
static bool dentry_unlinked(struct vh_maps *m, uint64_t dentry)
{
	const struct vh_profile *p = m->p;
	uint64_t pprev = 1, parent = 0;

	if (!vh_present(&p->dentry.d_hash))
		return false;
	if (read_u64(m, dentry + p->dentry.d_hash.offset, &p->hlist_node.pprev, &pprev) ||
	    read_u64(m, dentry, &p->dentry.d_parent, &parent))
		return false;
	return pprev == 0 && parent != dentry;
}

/*
 * d_path() asks the dentry's d_dname() first, unless the dentry is its mount's
 * root: pseudo files (memfd, shmem, anon inodes) are named that way. The
 * functions vmahunt knows are emulated; another gives the bare name and a
 * warning. Returns true when d_dname() named the path.
 */
static bool dname_path(struct vh_maps *m, uint64_t dentry, uint64_t vfsmnt, struct dpath *dp)
{
	const struct vh_profile *p = m->p;
	uint64_t dop = 0, fn = 0, parent = 0, root = 0, off = m->km->kaslr_offset;

	if (!vh_present(&p->dentry.d_op) || !vh_present(&p->dentry_operations.d_dname) ||
	    read_u64(m, dentry, &p->dentry.d_op, &dop) || !kptr_ok(m, dop) ||
	    read_u64(m, dop, &p->dentry_operations.d_dname, &fn) || !fn)
		return false;
	if (read_u64(m, dentry, &p->dentry.d_parent, &parent) ||
	    read_u64(m, vfsmnt, &p->vfsmount.mnt_root, &root))
		return false;
	if (parent == dentry && dentry == root)
		return false;
	if (vh_present(&p->sym.simple_dname) && fn == p->sym.simple_dname.addr + off) {
		/* simple_dname(): "/" NAME " (deleted)" */
		prepend(dp->buf, &dp->pos, " (deleted)", 10);
		if (!prepend_dentry_name(m, dentry, dp))
			dp->partial = true;
		return true;
	}
	if (!prepend_dentry_name(m, dentry, dp)) {
		dp->partial = true;
		return true;
	}
	dp->pos++; /* no leading '/' */
	if (vh_present(&p->sym.anon_inodefs_dname) && fn == p->sym.anon_inodefs_dname.addr + off) {
		prepend(dp->buf, &dp->pos, "anon_inode:", 11);
	} else {
		warn(m, "dentry %#" PRIx64 ": name from d_dname() %#" PRIx64 " (not emulated)",
		     dentry, fn);
		dp->partial = true;
	}
	return true;
}

static void file_name(struct vh_maps *m, uint64_t file, struct name_entry *e)
{
	const struct vh_profile *p = m->p;
	uint64_t fp = file + p->file.f_path.offset;
	uint64_t dentry = 0, vfsmnt = 0, inode = 0, sb = 0, dev = 0;
	struct dpath *dp = malloc(sizeof(*dp));

	e->str = "";
	if (!dp) {
		m->nomem = true;
		return;
	}
	dp->pos = MAX_PATH_LEN;
	dp->buf[dp->pos] = '\0';
	dp->partial = false;
	if (read_u64(m, fp, &p->path.dentry, &dentry) || read_u64(m, fp, &p->path.mnt, &vfsmnt) ||
	    !kptr_ok(m, dentry) || !kptr_ok(m, vfsmnt)) {
		warn(m, "file %#" PRIx64 " cannot be read: no path", file);
		e->str = VH_VMA_UNREADABLE_FILE; /* not "": that would look anonymous */
		e->partial = true;
		free(dp);
		return;
	}
	if (!read_u64(m, file, &p->file.f_inode, &inode) && kptr_ok(m, inode) &&
	    !read_u64(m, inode, &p->inode.i_sb, &sb) && kptr_ok(m, sb) &&
	    !read_u64(m, sb, &p->super_block.s_dev, &dev)) {
		unsigned bits = (unsigned)m->p->c.MINORBITS.value;

		e->major = (uint32_t)(dev >> bits);
		e->minor = (uint32_t)(dev & ((1ull << bits) - 1));
		read_u64(m, inode, &p->inode.i_ino, &e->ino);
	} else {
		/* the device is also the dentry's superblock's (the inode number is lost) */
		warn(m, "file %#" PRIx64 ": inode or superblock %#" PRIx64 " cannot be read", file,
		     inode);
		e->partial = true;
		if (!read_u64(m, dentry, &p->dentry.d_sb, &sb) && kptr_ok(m, sb) &&
		    !read_u64(m, sb, &p->super_block.s_dev, &dev)) {
			unsigned bits = (unsigned)m->p->c.MINORBITS.value;

			e->major = (uint32_t)(dev >> bits);
			e->minor = (uint32_t)(dev & ((1ull << bits) - 1));
		}
	}
	if (dname_path(m, dentry, vfsmnt, dp)) {
		/* the name came from the dentry's d_dname() */
	} else {
		if (dentry_unlinked(m, dentry))
			prepend(dp->buf, &dp->pos, " (deleted)", 10);
		walk_path(m, dentry, vfsmnt, dp);
		/*
		 * A walk cut short by a page the dump lacks must not pass for a
		 * real path ("/" or "/busybox"): say what part is missing.
		 */
		if (dp->partial) {
			if (dp->pos == MAX_PATH_LEN || dp->buf[dp->pos] == ' ') {
				e->str = VH_VMA_UNREADABLE_FILE;
				e->partial = true;
				free(dp);
				return;
			}
			prepend(dp->buf, &dp->pos, VH_VMA_UNREADABLE_PREFIX,
				sizeof(VH_VMA_UNREADABLE_PREFIX) - 1);
		}
	}
	if (dp->pos == MAX_PATH_LEN || dp->buf[dp->pos] == ' ')
		prepend(dp->buf, &dp->pos, "/", 1); /* the root itself */
	e->partial |= dp->partial;
	e->str = keep(m, mangle_newlines(dp->buf + dp->pos));
	free(dp);
}

static const char *file_path(struct vh_maps *m, uint64_t file, struct vh_vma *v)
{
	struct name_entry *e = name_find(m, file, NK_FILE);

	if (!e) {
		struct name_entry tmp = {0};

		file_name(m, file, &tmp);
		e = name_add(m, file, NK_FILE);
		if (!e)
			return "";
		tmp.ptr = e->ptr;
		tmp.kind = e->kind;
		*e = tmp;
	} else if (e->partial && m->partial_said != file) {
		/* read for a process sharing the file (a fork): the warnings were that one's */
		m->partial_said = file;
		warn(m, "file %#" PRIx64 ": path read only in part (%s)", file, e->str);
	}
	v->major = e->major;
	v->minor = e->minor;
	v->inode = e->ino;
	v->path_partial = e->partial;
	return e->str;
}

void vh_maps_file_name(struct vh_maps *m, uint64_t file, struct vh_file_name *out)
{
	struct vh_vma v = {0};

	out->path = file_path(m, file, &v);
	out->major = v.major;
	out->minor = v.minor;
	out->ino = v.inode;
	out->partial = v.path_partial;
}

/* A name read from kernel memory and formatted (fmt has one %s), cached by pointer. */
static const char *cached_name(struct vh_maps *m, uint64_t ptr, enum name_kind k, const char *fmt)
{
	struct name_entry *e = name_find(m, ptr, k);
	bool cut;

	if (e)
		return e->str;
	char *raw = read_cstr(m, ptr, NAME_MAX_LEN, &cut);
	char *s = NULL;

	if (!raw) {
		m->nomem = true;
		return "";
	}
	if (cut)
		warn(m, "name at %#" PRIx64 " cannot be read whole", ptr);
	if (asprintf(&s, fmt, raw) < 0)
		s = NULL;
	free(raw);
	e = name_add(m, ptr, k);
	const char *kept = keep(m, s);

	if (e)
		e->str = kept;
	return kept;
}

/* --- one VMA ----------------------------------------------------------- */

struct mm_info {
	uint64_t addr;
	uint64_t start_brk, brk, start_stack;
};

static void set_perms(const struct vh_maps *m, struct vh_vma *v)
{
	const struct vh_prof_consts *c = &m->p->c;

	v->perms[0] = v->flags & (uint64_t)c->VM_READ.value ? 'r' : '-';
	v->perms[1] = v->flags & (uint64_t)c->VM_WRITE.value ? 'w' : '-';
	v->perms[2] = v->flags & (uint64_t)c->VM_EXEC.value ? 'x' : '-';
	v->perms[3] = v->flags & (uint64_t)c->VM_MAYSHARE.value ? 's' : 'p';
	v->perms[4] = '\0';
}

/* The name get_vma_name() / show_map_vma() gives an anonymous or special VMA. */
static const char *anon_vma_label(struct vh_maps *m, const struct mm_info *mi,
				  const struct vh_vma *v, uint64_t vm_ops, uint64_t priv,
				  uint64_t anon_name)
{
	const struct vh_profile *p = m->p;
	uint64_t name = 0;

	if (vm_ops && vm_ops == m->special_vmops && kptr_ok(m, priv)) {
		/* struct vm_special_mapping starts with its name */
		if (!kread(m, priv, &name, 8) && kptr_ok(m, name & ~7ull))
			return cached_name(m, name, NK_SPECIAL, "%s");
	}
	if (m->heap_strict ? (v->start < mi->brk && v->end > mi->start_brk)
			   : (v->start <= mi->brk && v->end >= mi->start_brk))
		return "[heap]";
	if (v->start <= mi->start_stack && v->end >= mi->start_stack)
		return "[stack]";
	if (anon_name && kptr_ok(m, anon_name)) {
		uint32_t off =
		    vh_present(&p->anon_vma_name.name) ? p->anon_vma_name.name.offset : 4;

		return cached_name(m, anon_name + off, NK_ANON, "[anon:%s]");
	}
	return "";
}

/* Reads the vm_area_struct at @addr into @v; false when it cannot be used. */
static bool read_vma(struct vh_maps *m, const struct mm_info *mi, uint64_t addr, struct vh_vma *v,
		     uint64_t *next, uint64_t *prev)
{
	const struct vh_prof_vm_area_struct *s = &m->p->vm_area_struct;
	size_t size = s->type.size;
	unsigned char img[MAX_STRUCT];
	int err;

	memset(v, 0, sizeof(*v));
	v->addr = addr;
	if (!kptr_ok(m, addr)) {
		warn(m, "VMA pointer %#" PRIx64 " is not a kernel address", addr);
		return false;
	}
	err = kread(m, addr, img, size);
	if (err) {
		warn(m, "VMA %#" PRIx64 " cannot be read (%s)", addr, vh_strerror(err));
		return false;
	}
	v->start = get(img, size, &s->vm_start);
	v->end = get(img, size, &s->vm_end);
	v->flags = get(img, size, &s->vm_flags);
	v->pgoff = get(img, size, &s->vm_pgoff);
	v->file = get(img, size, &s->vm_file);
	if (next)
		*next = get(img, size, &s->vm_next);
	if (prev)
		*prev = get(img, size, &s->vm_prev);
	if (v->end <= v->start) {
		warn(m, "VMA %#" PRIx64 ": end %#" PRIx64 " not above start %#" PRIx64, addr,
		     v->end, v->start);
		return false;
	}
	v->vm_mm = vh_present(&s->vm_mm) ? get(img, size, &s->vm_mm) : mi->addr;
	if (v->vm_mm != mi->addr)
		warn(m, "VMA %#" PRIx64 " belongs to mm %#" PRIx64 ", not %#" PRIx64, addr,
		     get(img, size, &s->vm_mm), mi->addr);
	set_perms(m, v);
	uint64_t anon_name = get(img, size, &s->anon_name);

	if (v->file) {
		if (anon_name && m->anon_name_any && kptr_ok(m, anon_name)) {
			uint32_t off = vh_present(&m->p->anon_vma_name.name)
					   ? m->p->anon_vma_name.name.offset
					   : 4;

			/* get_vma_name(): a named shmem VMA shows its name, not the file */
			file_path(m, v->file, v);
			v->path = cached_name(m, anon_name + off, NK_SHMEM, "[anon_shmem:%s]");
		} else {
			v->path = file_path(m, v->file, v);
		}
		v->offset = v->pgoff << m->page_shift;
	} else {
		v->path = anon_vma_label(m, mi, v, get(img, size, &s->vm_ops),
					 get(img, size, &s->vm_private_data), anon_name);
	}
	return true;
}

/* --- collecting VMA pointers -------------------------------------------- */

struct ptrs {
	uint64_t *v;
	uint64_t *lo, *hi; /* maple: the index range each was stored at */
	size_t n, cap;
};

static int ptrs_push(struct ptrs *pp, uint64_t v, uint64_t lo, uint64_t hi)
{
	if (pp->n == pp->cap) {
		size_t cap = pp->cap ? pp->cap * 2 : 64;
		uint64_t *a = realloc(pp->v, cap * sizeof(*a));

		if (!a)
			return VH_ERR_NOMEM;
		pp->v = a;
		a = realloc(pp->lo, cap * sizeof(*a));
		if (!a)
			return VH_ERR_NOMEM;
		pp->lo = a;
		a = realloc(pp->hi, cap * sizeof(*a));
		if (!a)
			return VH_ERR_NOMEM;
		pp->hi = a;
		pp->cap = cap;
	}
	pp->v[pp->n] = v;
	pp->lo[pp->n] = lo;
	pp->hi[pp->n] = hi;
	pp->n++;
	return VH_OK;
}

static void ptrs_free(struct ptrs *pp)
{
	free(pp->v);
	free(pp->lo);
	free(pp->hi);
}

struct maple_ctx {
	struct vh_maps *m;
	struct ptrs *pp;
};

static int maple_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct maple_ctx *c = arg;

	if (addr < c->m->kr.kernel_start)
		return VH_ERR_NOT_MAPPED;
	return kread(c->m, addr, buf, len);
}

static int on_maple_entry(void *arg, uint64_t min, uint64_t max, uint64_t entry)
{
	struct maple_ctx *c = arg;

	if (c->pp->n >= MAX_VMAS) {
		warn(c->m, "more than %u VMAs: the rest are not listed", MAX_VMAS);
		return 1;
	}
	return ptrs_push(c->pp, entry, min, max);
}

static void on_maple_warn(void *arg, const char *msg)
{
	struct maple_ctx *c = arg;

	warn(c->m, "%s", msg);
}

static int collect_maple(struct vh_maps *m, uint64_t mm, struct ptrs *pp)
{
	const struct vh_profile *p = m->p;
	uint64_t tree = mm + p->mm_struct.mm_mt.offset, root = 0;
	struct maple_ctx c = {m, pp};
	struct vh_maple_ops ops = {maple_read, on_maple_entry, on_maple_warn, &c, 0};
	struct vh_maple_stats st;
	int err = read_u64(m, tree, &p->maple_tree.ma_root, &root);

	if (err) {
		warn(m, "mm %#" PRIx64 ": maple tree root cannot be read (%s)", mm,
		     vh_strerror(err));
		m->cur->walk_partial = true;
		return VH_OK;
	}
	err = vh_maple_walk(&m->ml, root, tree, &ops, &st);
	if (st.partial)
		m->cur->walk_partial = true;
	m->cur->nmaple = pp->n;
	if (err == VH_ERR_NOMEM)
		return err;
	return VH_OK;
}

/* A small visited set of pointers. */
struct pset {
	uint64_t *k;
	size_t cap, n;
};

static int pset_add(struct pset *s, uint64_t key, bool *added)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *k = calloc(cap, sizeof(*k));

		if (!k)
			return VH_ERR_NOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->k[i])
				continue;
			size_t j = (size_t)((s->k[i] >> 3) * 0x9e3779b97f4a7c15ull) & (cap - 1);

			while (k[j])
				j = (j + 1) & (cap - 1);
			k[j] = s->k[i];
		}
		free(s->k);
		s->k = k;
		s->cap = cap;
	}
	size_t j = (size_t)((key >> 3) * 0x9e3779b97f4a7c15ull) & (s->cap - 1);

	while (s->k[j] && s->k[j] != key)
		j = (j + 1) & (s->cap - 1);
	*added = !s->k[j];
	if (*added) {
		s->k[j] = key;
		s->n++;
	}
	return VH_OK;
}

static bool pset_has(const struct pset *s, uint64_t key)
{
	if (!s->cap)
		return false;
	size_t j = (size_t)((key >> 3) * 0x9e3779b97f4a7c15ull) & (s->cap - 1);

	while (s->k[j] && s->k[j] != key)
		j = (j + 1) & (s->cap - 1);
	return s->k[j] == key;
}

/* The vm_next list (before 6.1), checking each vm_prev. */
static int collect_list(struct vh_maps *m, uint64_t mm, struct ptrs *pp)
{
	const struct vh_profile *p = m->p;
	const struct vh_prof_vm_area_struct *s = &p->vm_area_struct;
	uint64_t v = 0, prev = 0;
	struct pset seen = {0};
	int err = read_u64(m, mm, &p->mm_struct.mmap, &v);

	if (err) {
		warn(m, "mm %#" PRIx64 ": VMA list head cannot be read (%s)", mm, vh_strerror(err));
		m->cur->walk_partial = true;
		return VH_OK;
	}
	/* a walk that ends other than at a NULL vm_next is partial */
	m->cur->walk_partial = true;
	while (v) {
		uint64_t next = 0, back = 0;
		bool added;

		if (pp->n >= MAX_VMAS) {
			warn(m, "more than %u VMAs in the list: stopped", MAX_VMAS);
			break;
		}
		if (!kptr_ok(m, v)) {
			warn(m,
			     "VMA list: %#" PRIx64 " (after %#" PRIx64 ") is not a kernel address",
			     v, prev);
			break;
		}
		err = pset_add(&seen, v, &added);
		if (err)
			break;
		if (!added) {
			warn(m, "VMA list: %#" PRIx64 " reached twice (a cycle after %#" PRIx64 ")",
			     v, prev);
			break;
		}
		if (read_u64(m, v, &s->vm_next, &next)) {
			warn(m, "VMA list: VMA %#" PRIx64 " cannot be read", v);
			break;
		}
		if (vh_present(&s->vm_prev) && !read_u64(m, v, &s->vm_prev, &back) && back != prev)
			warn(m, "VMA %#" PRIx64 ": vm_prev %#" PRIx64 ", expected %#" PRIx64, v,
			     back, prev);
		err = ptrs_push(pp, v, 0, 0);
		if (err)
			break;
		prev = v;
		v = next;
	}
	if (!v)
		m->cur->walk_partial = false;
	m->cur->nlist = pp->n;
	free(seen.k);
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

/* The mm_rb tree (before 6.1), in order, with an explicit bounded stack. */
static int collect_rb(struct vh_maps *m, uint64_t mm, struct ptrs *pp)
{
	const struct vh_profile *p = m->p;
	uint32_t rb_off = p->vm_area_struct.vm_rb.offset;
	uint64_t stack[MAX_RB_DEPTH];
	size_t sp = 0;
	uint64_t node = 0;
	struct pset seen = {0};
	size_t warned = m->cur->nwarnings + m->dropped_warnings;
	int err = read_u64(m, mm + p->mm_struct.mm_rb.offset, &p->rb_root.rb_node, &node);

	if (err) {
		warn(m, "mm %#" PRIx64 ": mm_rb cannot be read (%s)", mm, vh_strerror(err));
		m->cur->walk_partial = true;
		return VH_OK;
	}
	err = VH_OK;
	while ((node || sp) && !err) {
		while (node) {
			bool added;
			uint64_t left = 0;

			if (!kptr_ok(m, node)) {
				warn(m, "mm_rb: node %#" PRIx64 " is not a kernel address", node);
				break;
			}
			err = pset_add(&seen, node, &added);
			if (err)
				break;
			if (!added) {
				warn(m, "mm_rb: node %#" PRIx64 " reached twice (a cycle)", node);
				break;
			}
			if (sp == MAX_RB_DEPTH) {
				warn(m, "mm_rb: deeper than %d at node %#" PRIx64, MAX_RB_DEPTH,
				     node);
				break;
			}
			if (read_u64(m, node, &p->rb_node.rb_left, &left)) {
				warn(m, "mm_rb: node %#" PRIx64 " cannot be read", node);
				break;
			}
			stack[sp++] = node;
			node = left;
		}
		if (err || !sp)
			break;
		node = stack[--sp];
		if (pp->n >= MAX_VMAS) {
			warn(m, "more than %u VMAs in mm_rb: stopped", MAX_VMAS);
			break;
		}
		err = ptrs_push(pp, node - rb_off, 0, 0);
		if (!err && read_u64(m, node, &p->rb_node.rb_right, &node)) {
			warn(m, "mm_rb: node %#" PRIx64 " cannot be read", node);
			node = 0;
		}
	}
	/* every break of this walk warned */
	if (m->cur->nwarnings + m->dropped_warnings != warned)
		m->cur->walk_partial = true;
	m->cur->nrb = pp->n;
	free(seen.k);
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

/* --- the list ---------------------------------------------------------- */

static int vma_push(struct vh_vma_list *l, size_t *cap, const struct vh_vma *v)
{
	if (l->nvmas == *cap) {
		struct vh_vma *g = vh_grow(l->vmas, l->nvmas, cap, sizeof(*g), 64);

		if (!g)
			return VH_ERR_NOMEM;
		l->vmas = g;
	}
	l->vmas[l->nvmas++] = *v;
	return VH_OK;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct vh_vma *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Before 6.1: both structures, compared; the union is listed. */
static int collect_old(struct vh_maps *m, uint64_t mm, struct ptrs *list, struct ptrs *rb)
{
	struct pset in_list = {0}, in_rb = {0};
	bool added;
	int err = collect_list(m, mm, list);

	if (!err && vh_present(&m->p->mm_struct.mm_rb) && vh_present(&m->p->vm_area_struct.vm_rb))
		err = collect_rb(m, mm, rb);
	for (size_t i = 0; !err && i < list->n; i++)
		err = pset_add(&in_list, list->v[i], &added);
	for (size_t i = 0; !err && i < rb->n; i++)
		err = pset_add(&in_rb, rb->v[i], &added);
	if (!err && rb->n) {
		size_t only = 0;

		for (size_t i = 0; i < list->n; i++) {
			if (!pset_has(&in_rb, list->v[i]) && only++ < 8)
				warn(m, "VMA %#" PRIx64 " is in the VMA list but not in mm_rb",
				     list->v[i]);
		}
		for (size_t i = 0; i < rb->n; i++) {
			if (!pset_has(&in_list, rb->v[i]) && only++ < 8)
				warn(m, "VMA %#" PRIx64 " is in mm_rb but not in the VMA list",
				     rb->v[i]);
		}
		if (only > 8)
			warn(m, "mm %#" PRIx64 ": %zu VMAs are in only one of list and mm_rb", mm,
			     only);
	}
	/* the rbtree-only ones join the list */
	size_t nlist = list->n;

	for (size_t i = 0; !err && i < rb->n; i++) {
		if (!pset_has(&in_list, rb->v[i]))
			err = ptrs_push(list, rb->v[i], 0, 0);
	}
	free(in_list.k);
	for (size_t i = 0; !err && i < list->n; i++) {
		/* where each was found, as VH_VMA_* bits in lo */
		list->lo[i] = (pset_has(&in_rb, list->v[i]) ? VH_VMA_IN_RB : 0) |
			      (i < nlist ? VH_VMA_IN_LIST : 0);
	}
	free(in_rb.k);
	return err;
}

static int read_mm(struct vh_maps *m, uint64_t mm, struct mm_info *mi, int32_t *map_count)
{
	const struct vh_prof_mm_struct *s = &m->p->mm_struct;
	uint64_t mc = 0;
	int err;

	memset(mi, 0, sizeof(*mi));
	mi->addr = mm;
	if (!kptr_ok(m, mm))
		return vh_set_error(VH_ERR_INVAL, "mm %#" PRIx64 " is not a kernel address", mm);
	err = read_u64(m, mm, &s->start_brk, &mi->start_brk);
	if (!err)
		err = read_u64(m, mm, &s->brk, &mi->brk);
	if (!err)
		err = read_u64(m, mm, &s->start_stack, &mi->start_stack);
	if (err)
		return vh_set_error(err, "mm_struct %#" PRIx64 " cannot be read: %s", mm,
				    vh_strerror(err));
	*map_count = read_u64(m, mm, &s->map_count, &mc) ? -1 : (int32_t)mc;
	return VH_OK;
}

static int build(struct vh_maps *m, const struct mm_info *mi, struct ptrs *pp,
		 struct vh_vma_list *l)
{
	size_t cap = 0;
	uint64_t last_end = 0;
	bool sorted = true;
	int err = VH_OK;

	for (size_t i = 0; i < pp->n && !err; i++) {
		struct vh_vma v;
		bool old = !m->maple;

		if (!read_vma(m, mi, pp->v[i], &v, NULL, NULL))
			continue;
		if (m->maple) {
			v.found = VH_VMA_IN_MAPLE;
			if (v.start != pp->lo[i] || v.end - 1 != pp->hi[i]) {
				l->misplaced++;
				warn(m,
				     "VMA %#" PRIx64 " (%#" PRIx64 "-%#" PRIx64
				     ") is stored at %#" PRIx64 "-%#" PRIx64 " in the maple tree",
				     v.addr, v.start, v.end, pp->lo[i], pp->hi[i] + 1);
			}
		} else {
			v.found = (unsigned)pp->lo[i];
		}
		if (l->nvmas && v.start < last_end) {
			const struct vh_vma *pv = &l->vmas[l->nvmas - 1];

			/* before 6.1, VMAs only mm_rb had come after the list's: no order there */
			if (!old || (v.found & VH_VMA_IN_LIST)) {
				l->unsorted++;
				warn(m,
				     "VMA %#" PRIx64 " (%#" PRIx64 "-%#" PRIx64
				     ") overlaps or precedes VMA %#" PRIx64 " (%#" PRIx64
				     "-%#" PRIx64 ")",
				     v.addr, v.start, v.end, pv->addr, pv->start, pv->end);
			}
			sorted = false;
		}
		if (v.end > last_end)
			last_end = v.end;
		err = vma_push(l, &cap, &v);
	}
	if (!sorted)
		qsort(l->vmas, l->nvmas, sizeof(*l->vmas), cmp_vma);
	if (!err && m->have_gate)
		err = vma_push(l, &cap, &m->gate);
	return err;
}

int vh_vmas_read(struct vh_maps *m, uint64_t mm, struct vh_vma_list **out)
{
	struct vh_vma_list *l = calloc(1, sizeof(*l));
	struct ptrs pp = {0}, rb = {0};
	struct mm_info mi;
	int err;

	*out = NULL;
	if (!l)
		return VH_ERR_NOMEM;
	l->mm = mm;
	err = read_mm(m, mm, &mi, &l->map_count);
	if (err) {
		free(l);
		return err;
	}
	m->cur = l;
	m->partial_said = 0;
	m->dropped_warnings = 0;
	m->nomem = false;
	if (m->maple)
		err = collect_maple(m, mm, &pp);
	else
		err = collect_old(m, mm, &pp, &rb);
	if (!err)
		err = build(m, &mi, &pp, l);
	if (!err && l->map_count >= 0 && (size_t)l->map_count != pp.n)
		warn(m, "mm %#" PRIx64 ": map_count %" PRId32 " but %zu VMAs found", mm,
		     l->map_count, pp.n);
	if (m->dropped_warnings) {
		/* one line past the cap says how many were left out */
		char *msg = NULL,
		     **grown = realloc(l->warnings, (l->nwarnings + 1) * sizeof(*grown));

		if (grown) {
			l->warnings = grown;
			if (asprintf(&msg, "mm %#" PRIx64 ": %u more warnings not shown", mm,
				     m->dropped_warnings) >= 0)
				l->warnings[l->nwarnings++] = msg;
		}
	}
	ptrs_free(&pp);
	ptrs_free(&rb);
	m->cur = NULL;
	if (!err && m->nomem)
		err = VH_ERR_NOMEM;
	if (err) {
		vh_vma_list_free(l);
		return err;
	}
	*out = l;
	return VH_OK;
}

void vh_vma_list_free(struct vh_vma_list *l)
{
	if (!l)
		return;
	vh_warnings_free(l->warnings, l->nwarnings);
	free(l->vmas);
	free(l);
}

/* --- context ------------------------------------------------------------ */

/* x86-64's gate VMA: printed last for every process unless vsyscall=none. */
static void find_gate(struct vh_maps *m)
{
	const struct vh_profile *p = m->p;
	uint64_t off = m->km->kaslr_offset;
	uint32_t mode = 0;
	struct mm_info none = {0};
	struct vh_vma_list scratch = {0};

	if (!vh_present(&p->sym.gate_vma) || !vh_present(&p->sym.vsyscall_mode))
		return;
	if (kread(m, p->sym.vsyscall_mode.addr + off, &mode, sizeof(mode)) || mode == VSYSCALL_NONE)
		return;
	m->cur = &scratch;
	if (read_vma(m, &none, p->sym.gate_vma.addr + off, &m->gate, NULL, NULL)) {
		m->gate.path = "[vsyscall]";
		m->gate.found = VH_VMA_GATE;
		m->have_gate = true;
	}
	m->cur = NULL;
	for (size_t i = 0; i < scratch.nwarnings; i++)
		free(scratch.warnings[i]);
	free(scratch.warnings);
}

int vh_maps_open(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		 struct vh_maps **out)
{
	const struct vh_prof_vm_area_struct *s = &p->vm_area_struct;
	struct vh_maps *m;

	*out = NULL;
	if (!vh_present(&s->vm_start) || !vh_present(&s->vm_end) || !vh_present(&s->vm_flags) ||
	    !s->type.size || s->type.size > MAX_STRUCT)
		return vh_set_error(VH_ERR_INVAL, "the profile lacks the vm_area_struct layout");
	if (!vh_present(&p->mm_struct.mm_mt) && !vh_present(&p->mm_struct.mmap))
		return vh_set_error(VH_ERR_INVAL,
				    "the profile has neither mm_struct.mm_mt nor mm_struct.mmap");
	m = calloc(1, sizeof(*m));
	if (!m)
		return VH_ERR_NOMEM;
	m->d = d;
	m->km = km;
	vh_vread_kernel(&m->kr, d, km);
	m->p = p;
	m->page_shift = 12;
	for (uint32_t ps = p->page_size; ps > 4096 && ps < (1u << 30); ps >>= 1)
		m->page_shift++;
	if (vh_present(&p->mm_struct.mm_mt)) {
		int err = vh_maple_layout_from_profile(p, &m->ml);

		if (err) {
			free(m);
			return vh_set_error(VH_ERR_INVAL,
					    "the profile lacks the maple tree's node layout");
		}
		m->maple = true;
	}
	m->heap_strict = vh_vma_heap_strict(p);
	m->anon_name_any = vh_vma_anon_name_any(p);
	if (vh_present(&p->sym.special_mapping_vmops))
		m->special_vmops = p->sym.special_mapping_vmops.addr + km->kaslr_offset;
	find_gate(m);
	*out = m;
	return VH_OK;
}

void vh_maps_close(struct vh_maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->strs_n; i++)
		free(m->strs[i]);
	free(m->strs);
	free(m->names);
	free(m);
}

int vh_vma_format(const struct vh_vma *v, char *buf, size_t len)
{
	/* show_map_vma(): seq_setwidth(25 + sizeof(void *) * 6 - 1), then seq_pad(' ') */
	const int width = 25 + 8 * 6 - 1;
	int n = snprintf(buf, len,
			 "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02" PRIx32 ":%02" PRIx32
			 " %" PRIu64 " ",
			 v->start, v->end, v->perms, v->offset, v->major, v->minor, v->inode);

	if (n < 0 || !v->path || !v->path[0])
		return n;
	int pad = n < width ? width - n : 0;
	int m = snprintf(len > (size_t)n ? buf + n : NULL, len > (size_t)n ? len - (size_t)n : 0,
			 "%*s %s", pad, "", v->path);

	return m < 0 ? m : n + m;
}
