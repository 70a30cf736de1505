/* SPDX-License-Identifier: MIT */
/* An ELF image found in memory, rebuilt as a file: see evidence/elfimage.h. */
#include "evidence/elfimage.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ELF64 (include/uapi/linux/elf.h): header, program and section header sizes. */
#define EHDR_SIZE  64u
#define PHENT_SIZE 56u
#define SHENT_SIZE 64u
#define PT_LOAD	   1u
#define SHT_NOBITS 8u
#define SHT_STRTAB 3u
/* Section headers checked, at most (the rest are taken as they come). */
#define SHDRS_CHECKED 64u

static uint16_t u16(const unsigned char *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t u32(const unsigned char *b)
{
	return (uint32_t)u16(b) | (uint32_t)u16(b + 2) << 16;
}

static uint64_t u64(const unsigned char *b)
{
	return (uint64_t)u32(b) | (uint64_t)u32(b + 4) << 32;
}

static int refuse(struct vh_elfimg *img, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(struct vh_elfimg *img, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(img->why, sizeof(img->why), fmt, ap);
	va_end(ap);
	img->npieces = 0;
	img->size = 0;
	return VH_ERR_FORMAT;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* a + b, or false when it overflows. */
static bool add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	*sum = a + b;
	return *sum >= a;
}

/*
 * Whether a section header table is at @shoff: the first entry all zeros,
 * known section types, sections (other than NOBITS) inside @limit, and the
 * section names' table (e_shstrndx) a SHT_STRTAB (zeros are no table).
 */
static bool shdrs_look_right(vh_elfimg_read_fn rd, void *arg, uint64_t shoff, unsigned shnum,
			     unsigned shstrndx, uint64_t limit)
{
	unsigned char sh[SHDRS_CHECKED * SHENT_SIZE];
	unsigned n = shnum < SHDRS_CHECKED ? shnum : SHDRS_CHECKED;
	static const unsigned char zero[SHENT_SIZE];

	if (!shstrndx || shstrndx >= shnum || rd(arg, shoff, sh, (size_t)n * SHENT_SIZE))
		return false;
	if (memcmp(sh, zero, SHENT_SIZE))
		return false;
	for (unsigned i = 1; i < n; i++) {
		const unsigned char *e = sh + (size_t)i * SHENT_SIZE;
		uint32_t type = u32(e + 4);
		uint64_t end;

		if (type > 19 && type < 0x60000000u)
			return false;
		if (type != SHT_NOBITS && type != 0 &&
		    (!add_ok(u64(e + 24), u64(e + 32), &end) || end > limit))
			return false;
		if (i == shstrndx && type != SHT_STRTAB)
			return false;
	}
	if (shstrndx >= n) { /* past the entries checked: read it alone */
		if (rd(arg, shoff + (uint64_t)shstrndx * SHENT_SIZE, sh, SHENT_SIZE) ||
		    u32(sh + 4) != SHT_STRTAB)
			return false;
	}
	return true;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct vh_elfimg_piece *x = a, *y = b;

	return x->file_off < y->file_off ? -1 : x->file_off > y->file_off;
}

/* The loaded layout's pieces: the PT_LOADs (and the headers), sorted, overlaps cut. */
static void plan_loaded(struct vh_elfimg *img, const struct vh_elfimg_piece *loads, size_t nloads,
			uint64_t hdr_end, uint64_t avail)
{
	size_t n = 0;
	uint64_t end = 0;
	bool hdr_covered = false;

	for (size_t i = 0; i < nloads; i++) {
		struct vh_elfimg_piece p = loads[i];

		if (p.file_off == 0 && p.len >= hdr_end)
			hdr_covered = true;
		/* the file is no larger than the memory: a hostile p_offset makes no huge file */
		if (p.mem_off >= avail || p.file_off >= avail) {
			img->cut = true;
			continue;
		}
		if (p.len > avail - p.mem_off || p.len > avail - p.file_off) {
			p.len = avail - (p.mem_off > p.file_off ? p.mem_off : p.file_off);
			img->cut = true;
		}
		if (p.len)
			img->pieces[n++] = p;
	}
	if (!hdr_covered && hdr_end <= avail)
		img->pieces[n++] = (struct vh_elfimg_piece){0, 0, hdr_end};
	qsort(img->pieces, n, sizeof(img->pieces[0]), cmp_piece);
	img->npieces = 0;
	for (size_t i = 0; i < n; i++) {
		struct vh_elfimg_piece p = img->pieces[i];

		if (p.file_off < end) { /* overlaps the one before: its bytes are written already */
			uint64_t skip = end - p.file_off;

			if (skip >= p.len)
				continue;
			p.file_off += skip;
			p.mem_off += skip;
			p.len -= skip;
		}
		img->pieces[img->npieces++] = p;
		end = p.file_off + p.len;
	}
	img->size = end;
}

int vh_elfimg_plan(vh_elfimg_read_fn rd, void *arg, uint64_t avail, struct vh_elfimg *img)
{
	unsigned char eh[EHDR_SIZE], ph[VH_ELFIMG_MAX_PHDRS * PHENT_SIZE];
	struct vh_elfimg_piece loads[VH_ELFIMG_MAX_PHDRS];
	uint64_t phoff, shoff, file_end, load_end = 0, hdr_end, vbase = 0, shend = 0;
	unsigned phnum, phentsize, shnum, shentsize;
	size_t nloads = 0;
	bool differ = false, load_bad = false, sh_ok = false;
	int err;

	memset(img, 0, sizeof(*img));
	if (avail < EHDR_SIZE)
		return refuse(img, "%" PRIu64 " bytes: shorter than an ELF header", avail);
	if ((err = rd(arg, 0, eh, sizeof(eh))))
		return refuse(img, "ELF header unreadable (%s)", vh_strerror(err));
	if (memcmp(eh,
		   "\x7f"
		   "ELF",
		   4))
		return refuse(img, "no ELF magic");
	if (eh[4] != 2 || eh[5] != 1 || eh[6] != 1)
		return refuse(img, "not a 64-bit little-endian ELF (class %u, data %u, version %u)",
			      eh[4], eh[5], eh[6]);
	img->e_type = u16(eh + 16);
	img->e_machine = u16(eh + 18);
	phoff = u64(eh + 32);
	shoff = u64(eh + 40);
	phentsize = u16(eh + 54);
	phnum = u16(eh + 56);
	shentsize = u16(eh + 58);
	shnum = u16(eh + 60);
	img->phnum = (uint16_t)phnum;
	if (!phnum)
		return refuse(img, "no program headers");
	if (phentsize != PHENT_SIZE)
		return refuse(img, "e_phentsize %u, expected %u", phentsize, PHENT_SIZE);
	if (phnum > VH_ELFIMG_MAX_PHDRS)
		return refuse(img, "e_phnum %u: more than %u program headers", phnum,
			      VH_ELFIMG_MAX_PHDRS);
	if (phoff > avail || (uint64_t)phnum * PHENT_SIZE > avail - phoff)
		return refuse(img,
			      "program headers at %#" PRIx64 " (%u) past the %#" PRIx64
			      " bytes of memory",
			      phoff, phnum, avail);
	if ((err = rd(arg, phoff, ph, (size_t)phnum * PHENT_SIZE)))
		return refuse(img, "program headers unreadable (%s)", vh_strerror(err));
	hdr_end = max_u64(EHDR_SIZE, phoff + (uint64_t)phnum * PHENT_SIZE);
	file_end = hdr_end;
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *p = ph + (size_t)i * PHENT_SIZE;
		uint32_t type = u32(p);
		uint64_t off = u64(p + 8), vaddr = u64(p + 16), filesz = u64(p + 32);
		uint64_t memsz = u64(p + 40), end, mem_off, mem_end;

		if (!type)
			continue;
		if (!add_ok(off, filesz, &end) || (type == PT_LOAD && filesz > memsz)) {
			img->bad_phdrs++;
			continue;
		}
		file_end = max_u64(file_end, end);
		if (type != PT_LOAD)
			continue;
		if (!nloads) {
			if (vaddr < off)
				load_bad = true;
			vbase = vaddr - off;
		}
		mem_off = vaddr - vbase;
		if (vaddr < vbase || !add_ok(mem_off, filesz, &mem_end)) {
			load_bad = true;
			continue;
		}
		if (mem_off != off)
			differ = true;
		load_end = max_u64(load_end, mem_end);
		loads[nloads++] = (struct vh_elfimg_piece){off, mem_off, filesz};
	}
	if (!nloads)
		return refuse(img, "no usable PT_LOAD");
	if (shnum && shentsize == SHENT_SIZE && shoff >= EHDR_SIZE &&
	    add_ok(shoff, (uint64_t)shnum * SHENT_SIZE, &shend) && shend <= avail)
		sh_ok =
		    shdrs_look_right(rd, arg, shoff, shnum, u16(eh + 62), max_u64(file_end, shoff));
	if (!differ)
		snprintf(img->why, sizeof(img->why),
			 "every PT_LOAD is at its file offset: both layouts are the same");
	else if (load_bad)
		snprintf(img->why, sizeof(img->why),
			 "a PT_LOAD lies below the image's base: not a loaded image");
	else if (sh_ok)
		snprintf(img->why, sizeof(img->why),
			 "section headers at e_shoff %#" PRIx64 ": a copy of the file", shoff);
	else if (file_end <= avail && load_end > avail)
		snprintf(img->why, sizeof(img->why),
			 "the segments at their addresses would not fit in the memory");
	else {
		img->layout = VH_ELFIMG_LOADED;
		snprintf(img->why, sizeof(img->why),
			 "no section headers at e_shoff: segments taken at their addresses");
		plan_loaded(img, loads, nloads, hdr_end, avail);
		img->shdrs = false;
		return VH_OK;
	}
	img->layout = VH_ELFIMG_FILE;
	img->size = file_end;
	if (sh_ok) {
		img->shdrs = true;
		img->size = max_u64(img->size, shend);
	}
	if (img->size > avail) {
		img->size = avail;
		img->cut = true;
	}
	img->pieces[0] = (struct vh_elfimg_piece){0, 0, img->size};
	img->npieces = 1;
	return VH_OK;
}

int vh_elfimg_write(const struct vh_elfimg *img, vh_elfimg_read_fn rd, void *arg,
		    struct vh_ev_file *f, struct vh_ev_absent *absent)
{
	unsigned char buf[VH_EV_PAGE];
	uint64_t pos = 0;
	int err;

	for (size_t i = 0; i < img->npieces; i++) {
		const struct vh_elfimg_piece *p = &img->pieces[i];

		if (p->file_off > pos) {
			if ((err = vh_ev_file_zeros(f, p->file_off - pos)))
				return err;
			pos = p->file_off;
		}
		for (uint64_t done = 0; done < p->len;) {
			uint64_t a = p->mem_off + done;
			size_t n = VH_EV_PAGE - (size_t)(a % VH_EV_PAGE);
			int r;

			if (n > p->len - done)
				n = (size_t)(p->len - done);
			r = rd(arg, a, buf, n);
			if (r) {
				err = vh_ev_file_zeros(f, n);
				if (!err)
					err = vh_ev_absent_add(absent, pos, pos + n, r);
			} else {
				err = vh_ev_file_write(f, buf, n);
			}
			if (err)
				return err;
			pos += n;
			done += n;
		}
	}
	if (img->size > pos)
		return vh_ev_file_zeros(f, img->size - pos);
	return VH_OK;
}
