/* SPDX-License-Identifier: MIT */
/*
 * An ELF image found in memory, rebuilt as a file from its own headers.
 *
 * Memory that starts with an ELF header holds either a copy of the file
 * (what a loader reads before mapping it: every byte at its file offset) or
 * a loaded image (each PT_LOAD at base + p_vaddr - vbase, where vbase is the
 * address the first PT_LOAD gives file offset 0). vh_elfimg_plan() reads the
 * headers through a callback, decides the layout and says which bytes of
 * memory go to which file offsets; vh_elfimg_write() writes them. Every
 * count, offset and size of the headers is checked against the memory given
 * (hostile headers: huge counts, sums that overflow, segments past the end).
 */
#ifndef VH_EVIDENCE_ELFIMAGE_H
#define VH_EVIDENCE_ELFIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/evidence_internal.h"

/* Program headers looked at, at most (real files have a dozen). */
#define VH_ELFIMG_MAX_PHDRS 256

enum vh_elfimg_layout {
	VH_ELFIMG_FILE = 1, /* a copy of the file: written as it is */
	VH_ELFIMG_LOADED,   /* a loaded image: segments moved to their file offsets */
};

/* Bytes [mem_off, mem_off + len) of memory go to file offset file_off. */
struct vh_elfimg_piece {
	uint64_t file_off, mem_off, len;
};

/* The plan of a rebuild. */
struct vh_elfimg {
	enum vh_elfimg_layout layout;
	uint64_t size;	    /* bytes of the file */
	bool shdrs;	    /* the section header table is part of the file */
	bool cut;	    /* the headers name bytes past the memory given: the file stops there */
	unsigned bad_phdrs; /* program headers ignored (offset + size overflows, filesz > memsz) */
	uint16_t e_type, e_machine, phnum;
	size_t npieces; /* ascending file offsets, disjoint */
	struct vh_elfimg_piece pieces[VH_ELFIMG_MAX_PHDRS + 1];
	char why[160]; /* why this layout; or why nothing can be rebuilt */
};

/* Reads @len bytes at offset @off of the memory holding the image; 0 or a VH_ERR_* code. */
typedef int (*vh_elfimg_read_fn)(void *arg, uint64_t off, void *buf, size_t len);

/**
 * vh_elfimg_plan() - read an image's headers and plan its file.
 * @rd: reads the memory (offsets from the ELF header's first byte).
 * @arg: passed to @rd.
 * @avail: bytes of memory the image may use (its VMA and the ones after it).
 * @out: receives the plan.
 *
 * Return: VH_OK; VH_ERR_FORMAT when it is no ELF64 little-endian image with
 * program headers that can be read (out->why says what is wrong).
 */
int vh_elfimg_plan(vh_elfimg_read_fn rd, void *arg, uint64_t avail, struct vh_elfimg *out);

/**
 * vh_elfimg_write() - write the file a plan describes.
 * @img: the plan.
 * @rd: reads the memory, as for vh_elfimg_plan().
 * @arg: passed to @rd.
 * @f: the output file (empty).
 * @absent: receives the runs of file offsets whose memory could not be read
 *          (written as zeros) with the read's error.
 *
 * Bytes between pieces are zeros (holes), as between a loaded image's segments.
 *
 * Return: VH_OK, or the output's error (VH_ERR_IO, VH_ERR_NOMEM).
 */
int vh_elfimg_write(const struct vh_elfimg *img, vh_elfimg_read_fn rd, void *arg,
		    struct vh_ev_file *f, struct vh_ev_absent *absent);

#endif
