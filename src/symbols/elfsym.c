/* SPDX-License-Identifier: MIT */
/*
 * The ELF side of a vmlinux: symbol addresses from .symtab, the release string
 * from linux_banner, the GNU build id from the notes, and reads of initialised
 * data at a kernel virtual address (for init_uts_ns).
 */
#include "symbols/loaders.h"
#include "symbols/profile_internal.h"
#include "util/error.h"

#include <ctype.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vh_vmlinux {
	int fd;
	uint64_t file_size;
	Elf *elf;
	const char *path;
};

int vh_vmlinux_open(const char *path, struct vh_vmlinux **out)
{
	struct vh_vmlinux *v;
	struct stat st;
	GElf_Ehdr eh;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", path);
	v->path = path;
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		free(v);
		return vh_set_error(VH_ERR_IO, "%s: cannot open: %m", path);
	}
	if (fstat(v->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		vh_vmlinux_close(v);
		return vh_set_error(VH_ERR_IO, "%s: not a regular file", path);
	}
	v->file_size = (uint64_t)st.st_size;
	elf_version(EV_CURRENT);
	/* Mapped, not read: only the pages the lookups touch are ever loaded. */
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF || !gelf_getehdr(v->elf, &eh)) {
		/* libelf has an error to tell only when a call failed: not for a non-ELF kind */
		const char *why =
		    v->elf && elf_kind(v->elf) != ELF_K_ELF ? "no ELF magic" : elf_errmsg(-1);
		int err =
		    vh_set_error(VH_ERR_FORMAT, "%s: offset 0x0: not an ELF file (%s)", path, why);

		vh_vmlinux_close(v);
		return err;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		vh_vmlinux_close(v);
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x10: ELF type %u is not an executable: "
				    "expected a linked vmlinux",
				    path, (unsigned)eh.e_type);
	}
	*out = v;
	return VH_OK;
}

void vh_vmlinux_close(struct vh_vmlinux *v)
{
	if (!v)
		return;
	if (v->elf)
		elf_end(v->elf);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}

struct Elf *vh_vmlinux_elf(struct vh_vmlinux *v)
{
	return v->elf;
}

/* Sorted index of the symbol names the table wants: name -> (row, alternative). */
struct want {
	const char *name;
	size_t row;
	uint8_t alt;
};

static int cmp_want(const void *a, const void *b)
{
	return strcmp(((const struct want *)a)->name, ((const struct want *)b)->name);
}

static int cmp_key(const void *key, const void *b)
{
	return strcmp(key, ((const struct want *)b)->name);
}

static struct want *symbol_wants(size_t *n)
{
	struct want *w = calloc(vh_prof_table_len * VH_PROF_MAX_ALTS, sizeof(*w));

	*n = 0;
	if (!w)
		return NULL;
	for (size_t i = 0; i < vh_prof_table_len; i++) {
		const struct vh_prof_desc *d = &vh_prof_table[i];

		if (d->kind != VH_PROF_SYMBOL)
			continue;
		for (uint8_t a = 0; a < VH_PROF_MAX_ALTS && d->alts[a]; a++)
			w[(*n)++] = (struct want){d->alts[a], i, a};
	}
	qsort(w, *n, sizeof(*w), cmp_want);
	return w;
}

/*
 * A better match replaces an earlier one: a preferred alternative, or a global
 * symbol over a local one of the same name (a static variable somewhere).
 */
static void take_symbol(struct vh_profile *p, const struct want *w, const GElf_Sym *sym,
			bool *global)
{
	struct vh_symbol *s = vh_prof_field(p, &vh_prof_table[w->row]);
	bool is_global = GELF_ST_BIND(sym->st_info) != STB_LOCAL;

	if (s->source != VH_SRC_NONE) {
		if (w->alt > s->alt)
			return;
		if (w->alt == s->alt && (global[w->row] || !is_global))
			return;
	}
	s->addr = sym->st_value;
	s->source = VH_SRC_SYMTAB;
	s->alt = w->alt;
	global[w->row] = is_global;
}

static int read_symtab(struct vh_vmlinux *v, Elf_Scn *scn, const GElf_Shdr *sh,
		       struct vh_profile *p)
{
	size_t n, nsyms;
	struct want *w = symbol_wants(&n);
	bool *global = calloc(vh_prof_table_len, sizeof(bool));
	Elf_Data *data = elf_getdata(scn, NULL);
	int err = VH_OK;

	if (!w || !global) {
		err = vh_set_error(VH_ERR_NOMEM, "%s: out of memory", v->path);
		goto out;
	}
	if (!data || sh->sh_entsize == 0) {
		err = vh_set_error(VH_ERR_FORMAT, "%s: offset 0x%llx: unreadable symbol table (%s)",
				   v->path, (unsigned long long)sh->sh_offset, elf_errmsg(-1));
		goto out;
	}
	nsyms = data->d_size / sh->sh_entsize;
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		const char *name;
		const struct want *hit;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_name == 0)
			continue;
		name = elf_strptr(v->elf, sh->sh_link, sym.st_name);
		if (!name || !name[0])
			continue;
		hit = bsearch(name, w, n, sizeof(*w), cmp_key);
		if (hit)
			take_symbol(p, hit, &sym, global);
	}
out:
	free(w);
	free(global);
	return err;
}

static Elf_Scn *symtab(struct vh_vmlinux *v, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, sh) && sh->sh_type == SHT_SYMTAB)
			return scn;
	}
	return NULL;
}

int vh_vmlinux_functions(struct vh_vmlinux *v, const char *const *names, size_t n, uint64_t *addrs)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symtab(v, &sh);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	size_t nsyms;

	memset(addrs, 0, n * sizeof(*addrs));
	if (!data || sh.sh_entsize == 0)
		return VH_OK; /* no anchors: the loader lists units instead */
	nsyms = data->d_size / sh.sh_entsize;
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_name == 0 || sym.st_value == 0)
			continue;
		name = elf_strptr(v->elf, sh.sh_link, sym.st_name);
		for (size_t k = 0; name && k < n; k++) {
			if (names[k] && !addrs[k] && strcmp(names[k], name) == 0)
				addrs[k] = sym.st_value;
		}
	}
	return VH_OK;
}

int vh_vmlinux_read(struct vh_vmlinux *v, uint64_t addr, void *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		uint64_t off;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		if (addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size ||
		    len > sh.sh_size - (addr - sh.sh_addr))
			continue;
		off = sh.sh_offset + (addr - sh.sh_addr);
		if (off < sh.sh_offset || off > v->file_size || len > v->file_size - off)
			return vh_set_error(VH_ERR_TRUNCATED,
					    "%s: offset 0x%llx: section data for address 0x%llx "
					    "lies beyond the end of the file",
					    v->path, (unsigned long long)off,
					    (unsigned long long)addr);
		if (pread(v->fd, buf, len, (off_t)off) != (ssize_t)len)
			return vh_set_error(VH_ERR_IO, "%s: offset 0x%llx: read failed", v->path,
					    (unsigned long long)off);
		return VH_OK;
	}
	return vh_set_error(VH_ERR_NOT_PRESENT,
			    "%s: address 0x%llx (+%zu bytes) is in no initialised section", v->path,
			    (unsigned long long)addr, len);
}

/* Copies a release string: printable, no blanks, at most @size - 1 bytes. */
static bool copy_release(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = 0;

	while (n < len && src[n] && !isspace((unsigned char)src[n])) {
		if (!isprint((unsigned char)src[n]) || n + 1 >= size)
			return false;
		n++;
	}
	if (n == 0)
		return false;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

/* "Linux version 6.1.0-26-cloud-amd64 (debian-kernel@...) ..." */
static void read_banner(struct vh_vmlinux *v, struct vh_profile *p)
{
	static const char prefix[] = "Linux version ";
	char buf[160] = "";

	if (!vh_present(&p->sym.linux_banner))
		return;
	/* The banner may sit near a section's end: read less until it fits. */
	for (size_t len = sizeof(buf) - 1; len >= sizeof(prefix) + 1; len /= 2) {
		if (vh_vmlinux_read(v, p->sym.linux_banner.addr, buf, len) == VH_OK) {
			buf[len] = '\0';
			break;
		}
	}
	if (strncmp(buf, prefix, sizeof(prefix) - 1) != 0 ||
	    !copy_release(p->osrelease, sizeof(p->osrelease), buf + sizeof(prefix) - 1,
			  sizeof(buf) - sizeof(prefix)))
		vh_prof_warn(p, "%s: linux_banner at 0x%llx does not read \"Linux version REL\"",
			     v->path, (unsigned long long)p->sym.linux_banner.addr);
}

static void read_build_id(struct vh_vmlinux *v, struct vh_profile *p)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const uint8_t *desc = (const uint8_t *)data->d_buf + desc_off;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4) != 0 ||
			    nh.n_descsz == 0 || nh.n_descsz * 2 >= sizeof(p->build_id))
				continue;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(p->build_id + 2 * i, 3, "%02x", desc[i]);
			return;
		}
	}
}

int vh_vmlinux_symbols(struct vh_vmlinux *v, struct vh_profile *p)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symtab(v, &sh);
	int err;

	if (!scn)
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: no symbol table (.symtab): expected an "
				    "unstripped vmlinux",
				    v->path);
	err = read_symtab(v, scn, &sh, p);
	if (err)
		return err;
	read_banner(v, p);
	read_build_id(v, p);
	return VH_OK;
}
