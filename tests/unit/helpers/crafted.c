/* SPDX-License-Identifier: MIT */
#include "helpers/crafted.h"

#include <stdlib.h>
#include <string.h>

#include "helpers/kdump_writer.h"

#define PAGE	  4096u
#define PHOFF	  64u
#define NOTES_OFF 0x400u
#define DATA_OFF  0x1000u
#define TIB	  (1ull << 40)

/* A page the in-memory VMCOREINFO search stops at: it must be read and parsed. */
static const char vmci_text[] = "OSRELEASE=6.1.0-crafted\n"
				"PAGESIZE=4096\n"
				"SYMBOL(init_top_pgt)=ffffffff82a0a000\n"
				"NUMBER(phys_base)=0\n"
				"KERNELOFFSET=0\n";

enum kind {
	ELF_VMCI,
	ELF_NONOTES,
	KDUMP_HUGE_MAPNR,
	KDUMP_ALL_DUMPED,
	FLAT_ALL_DUMPED,
	FLAT_SPARSE,
	LIME_HUGE,
	RAW_TOP,
	CORE_HUGE,
	ELF_VMCI_KERNEL,
	ELF_NONOTES_KERNEL,
	KDUMP_KERNEL,
	FLAT_KERNEL,
	LIME_KERNEL,
};

static const struct vh_crafted list[] = {
    [ELF_VMCI] = {"elf-vmci-hugetail", "ELF vmcore, VMCOREINFO note, PT_LOAD of 2^51 bytes", 0, 1,
		  false},
    [ELF_NONOTES] = {"elf-nonotes-hugetails", "ELF vmcore, no notes, 8 PT_LOADs of 2^48 bytes", 0,
		     8, false},
    [KDUMP_HUGE_MAPNR] = {"kdump-huge-mapnr", "kdump, max_mapnr_64 of 2^40 pfns", 0, 0, false},
    [KDUMP_ALL_DUMPED] = {"kdump-all-dumped", "kdump, 2^19 pfns all dumped, no descriptors", 0, 0,
			  false},
    [FLAT_ALL_DUMPED] = {"flattened-all-dumped", "flattened kdump, 2^19 pfns all dumped", 0, 0,
			 false},
    [FLAT_SPARSE] = {"flattened-sparse", "flattened kdump, all dumped, a record at 1 TiB", 0, 0,
		     false},
    [LIME_HUGE] = {"lime-huge-range", "LiME, ranges near 2^63 and of 2^50 bytes", 0, 2, false},
    [RAW_TOP] = {"raw-top", "raw image opened at base 2^64 - 4 KiB", 0xfffffffffffff000ull, 0,
		 false},
    [CORE_HUGE] = {"core-huge-load", "process core, PT_LOAD of 2^46 bytes", 0, 1, false},
    [ELF_VMCI_KERNEL] = {"elf-vmci-kernel",
			 "ELF vmcore, VMCOREINFO note, kernel page tables, "
			 "PT_LOAD of 2^40 bytes",
			 0, 4, true},
    [ELF_NONOTES_KERNEL] = {"elf-nonotes-kernel",
			    "ELF vmcore, no notes, kernel page tables, "
			    "PT_LOADs of zeros up to 2^40",
			    0, 4, true},
    [KDUMP_KERNEL] = {"kdump-kernel-filtered",
		      "kdump, kernel page tables, 2^18 pfns in memory, 4 dumped", 0, 4, true},
    [FLAT_KERNEL] = {"flattened-kernel-undescribed",
		     "flattened kdump, kernel page tables, "
		     "2^18 pfns dumped without descriptors",
		     0, 4, true},
    [LIME_KERNEL] = {"lime-kernel", "LiME, kernel page tables, a range of 2^50 bytes", 0, 4, true},
};

/*
 * The kernel's pages: init_top_pgt (where vmci_text puts it), a PDPT, a PD
 * mapping the kernel image region from _text (16 MiB) to 1 GiB with 2 MiB
 * pages, then the VMCOREINFO page the in-memory search finds.
 */
#define KPGD	   0x2a0a000ull
#define KPAGES	   4u
#define KMAP_END   (1ull << 30)
#define KPFN_FIRST (KPGD / PAGE)

static void kernel_pages(uint8_t *p)
{
	kw_put_le64(p + 511 * 8, (KPGD + PAGE) | 3);		/* PML4[511]: present, rw */
	kw_put_le64(p + PAGE + 510 * 8, (KPGD + 2 * PAGE) | 3); /* PDPT[510] */
	for (uint64_t i = 8; i < 512; i++)			/* 2 MiB pages from _text */
		kw_put_le64(p + 2 * PAGE + i * 8, (i << 21) | 0x83);
	memcpy(p + 3 * PAGE, vmci_text, sizeof(vmci_text) - 1);
}

const struct vh_crafted *vh_crafted_list(size_t *n)
{
	*n = sizeof(list) / sizeof(list[0]);
	return list;
}

static void ehdr(uint8_t *p, uint16_t phnum)
{
	memcpy(p, "\177ELF", 4);
	p[4] = 2; /* ELFCLASS64 */
	p[5] = 1; /* little-endian */
	p[6] = 1;
	p[16] = 4;  /* ET_CORE */
	p[18] = 62; /* EM_X86_64 */
	p[20] = 1;
	kw_put_le64(p + 32, PHOFF);
	p[52] = 64;		/* e_ehsize */
	p[54] = 56;		/* e_phentsize */
	p[56] = (uint8_t)phnum; /* e_phnum */
}

static void phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr,
		 uint64_t filesz, uint64_t memsz)
{
	kw_put_le32(p, type);
	kw_put_le32(p + 4, 7);
	kw_put_le64(p + 8, off);
	kw_put_le64(p + 16, vaddr);
	kw_put_le64(p + 24, paddr);
	kw_put_le64(p + 32, filesz);
	kw_put_le64(p + 40, memsz);
	kw_put_le64(p + 48, PAGE);
}

/* One ELF note at @p; returns its size. */
static size_t note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t dlen)
{
	uint32_t nlen = (uint32_t)strlen(name) + 1, npad = (nlen + 3) & ~3u;

	kw_put_le32(p, nlen);
	kw_put_le32(p + 4, dlen);
	kw_put_le32(p + 8, type);
	memcpy(p + 12, name, nlen);
	memcpy(p + 12 + npad, desc, dlen);
	return 12 + npad + ((dlen + 3) & ~3u);
}

static uint8_t *elf_vmcore(bool notes, size_t *len)
{
	uint16_t nload = notes ? 1 : 8, ph = 0;
	uint8_t *b = calloc(1, DATA_OFF + PAGE);
	size_t nsz = 0;

	if (!b)
		return NULL;
	ehdr(b, (uint16_t)(nload + notes));
	if (notes) {
		nsz = note(b + NOTES_OFF, "VMCOREINFO", 0, vmci_text, sizeof(vmci_text) - 1);
		phdr(b + PHOFF, 4 /* PT_NOTE */, NOTES_OFF, 0, 0, nsz, nsz);
		ph++;
	}
	/* Each load stores one page and claims a zero tail reaching the next. */
	for (uint16_t i = 0; i < nload; i++, ph++)
		phdr(b + PHOFF + ph * 56u, 1 /* PT_LOAD */, DATA_OFF, 0, (uint64_t)i << 48, PAGE,
		     notes ? 1ull << 51 : 1ull << 48);
	memcpy(b + DATA_OFF, vmci_text, sizeof(vmci_text) - 1);
	*len = DATA_OFF + PAGE;
	return b;
}

/* A kdump image of header, sub-header, two bitmaps of @bm_blocks each; no descriptors. */
static uint8_t *kdump_image(uint64_t max_mapnr, uint32_t bm_blocks, size_t *len)
{
	size_t size = (2 + 2 * (size_t)bm_blocks) * PAGE;
	uint8_t *b = calloc(1, size);

	if (!b)
		return NULL;
	memcpy(b, "KDUMP   ", 8);
	kw_put_le32(b + KW_DH_VERSION, 6);
	memcpy(b + 12 + 4 * 65, "x86_64", 6); /* utsname.machine */
	kw_put_le32(b + KW_DH_BLOCK_SIZE, PAGE);
	kw_put_le32(b + KW_DH_SUB_HDR_SIZE, 1);
	kw_put_le32(b + KW_DH_BITMAP_BLOCKS, 2 * bm_blocks);
	kw_put_le32(b + KW_DH_MAX_MAPNR, (uint32_t)max_mapnr);
	b[PAGE + 8] = 31; /* dump_level */
	kw_put_le64(b + PAGE + KW_KH_MAX_MAPNR_64, max_mapnr);
	memset(b + 2 * PAGE, 0xff, 2 * (size_t)bm_blocks * PAGE); /* all in memory, all dumped */
	*len = size;
	return b;
}

static uint8_t *flatten(uint8_t *img, size_t ilen, bool sparse, size_t *len)
{
	uint8_t *out = calloc(1, PAGE);
	size_t olen = PAGE;
	static const uint8_t tail[8] = {1};

	if (!out)
		goto fail;
	memcpy(out, "makedumpfile", 12);
	out[16 + 7] = 1; /* type, big-endian */
	out[24 + 7] = 1; /* version */
	if (kw_append_record(&out, &olen, 0, (int64_t)ilen, img) ||
	    (sparse && kw_append_record(&out, &olen, (int64_t)TIB, 8, tail)) ||
	    kw_append_record(&out, &olen, -1, -1, NULL))
		goto fail;
	free(img);
	*len = olen;
	return out;
fail:
	free(img);
	free(out);
	return NULL;
}

static void lime_hdr(uint8_t *p, uint64_t s, uint64_t e)
{
	kw_put_le32(p, 0x4C694D45u);
	kw_put_le32(p + 4, 1);
	kw_put_le64(p + 8, s);
	kw_put_le64(p + 16, e);
}

static uint8_t *lime(size_t *len)
{
	size_t size = 2 * (32 + PAGE);
	uint8_t *b = calloc(1, size);

	if (!b)
		return NULL;
	lime_hdr(b, 1ull << 63, (1ull << 63) + PAGE - 1);
	memcpy(b + 32, vmci_text, sizeof(vmci_text) - 1);
	lime_hdr(b + 32 + PAGE, 0, (1ull << 50) - 1); /* stores one page of it */
	*len = size;
	return b;
}

static uint8_t *core(size_t *len)
{
	uint8_t *b = calloc(1, DATA_OFF + PAGE), prpsinfo[136] = {0};
	size_t nsz;

	if (!b)
		return NULL;
	ehdr(b, 2);
	memcpy(prpsinfo + 40, "crafted", 7); /* pr_fname */
	nsz = note(b + NOTES_OFF, "CORE", 3 /* NT_PRPSINFO */, prpsinfo, sizeof(prpsinfo));
	phdr(b + PHOFF, 4, NOTES_OFF, 0, 0, nsz, 0);
	phdr(b + PHOFF + 56, 1, DATA_OFF, 0x400000, 0, PAGE, 1ull << 46);
	memcpy(b + DATA_OFF, "\177ELF", 4);
	*len = DATA_OFF + PAGE;
	return b;
}

static uint8_t *elf_kernel(bool notes, size_t *len)
{
	uint8_t *b = calloc(1, DATA_OFF + KPAGES * PAGE);
	uint16_t ph = 0;

	if (!b)
		return NULL;
	ehdr(b, notes ? 2 : 3);
	if (notes) {
		size_t nsz = note(b + NOTES_OFF, "VMCOREINFO", 0, vmci_text, sizeof(vmci_text) - 1);

		phdr(b + PHOFF, 4 /* PT_NOTE */, NOTES_OFF, 0, 0, nsz, nsz);
		ph++;
	} else {
		/* zeros from _text to the tables: a tail of nothing but zeros */
		phdr(b + PHOFF + 56u * ph++, 1, DATA_OFF, 0, 16u << 20, 0, KPGD - (16u << 20));
	}
	/* the tables, then a tail (excluded with notes, zeros without) */
	phdr(b + PHOFF + 56u * ph, 1 /* PT_LOAD */, DATA_OFF, 0, KPGD, KPAGES * PAGE,
	     (1ull << 40) - KPGD);
	kernel_pages(b + DATA_OFF);
	*len = DATA_OFF + KPAGES * PAGE;
	return b;
}

/*
 * A kdump of the kernel's pages: 2^18 pfns (the kernel image region) in
 * memory, only the tables' four pages dumped, the rest filtered out.
 */
static uint8_t *kdump_kernel(size_t *len)
{
	const uint64_t npfns = KMAP_END / PAGE, half = npfns / 8;
	const size_t off = 2 * PAGE + 2 * half; /* header, sub-header, bitmaps */
	uint8_t *b = calloc(1, off + KPAGES * (24 + PAGE));

	if (!b)
		return NULL;
	memcpy(b, "KDUMP   ", 8);
	kw_put_le32(b + KW_DH_VERSION, 6);
	memcpy(b + 12 + 4 * 65, "x86_64", 6);
	kw_put_le32(b + KW_DH_BLOCK_SIZE, PAGE);
	kw_put_le32(b + KW_DH_SUB_HDR_SIZE, 1);
	kw_put_le32(b + KW_DH_BITMAP_BLOCKS, (uint32_t)(2 * half / PAGE));
	kw_put_le32(b + KW_DH_MAX_MAPNR, (uint32_t)npfns);
	b[PAGE + 8] = 31;
	kw_put_le64(b + PAGE + KW_KH_MAX_MAPNR_64, npfns);
	memset(b + 2 * PAGE, 0xff, half); /* all in memory */
	for (unsigned i = 0; i < KPAGES; i++) {
		uint64_t pfn = KPFN_FIRST + i;
		uint8_t *pd = b + off + 24 * i;

		b[2 * PAGE + half + pfn / 8] |= (uint8_t)(1u << (pfn % 8)); /* dumped */
		kw_put_le64(pd, off + KPAGES * 24 + i * PAGE);		    /* raw page data */
		kw_put_le32(pd + 8, PAGE);
	}
	kernel_pages(b + off + KPAGES * 24);
	*len = off + KPAGES * (24 + PAGE);
	return b;
}

/*
 * A flattened kdump of 2^18 pfns (the kernel image region), every page from
 * the tables' on dumped: the tables' descriptors and data are written, the
 * other 2^18 - 0x2a0e descriptors never are (holes in the stream).
 */
static uint8_t *flat_kernel(size_t *len)
{
	const uint64_t npfns = KMAP_END / PAGE, half = npfns / 8;
	const uint64_t bm_off = 2 * PAGE, desc_off = bm_off + 2 * half;
	const uint64_t ndumped = npfns - KPFN_FIRST, data_off = desc_off + ndumped * 24;
	uint8_t *hdr = calloc(1, desc_off + KPAGES * 24), *data = calloc(1, KPAGES * PAGE);
	uint8_t *out = calloc(1, PAGE);
	size_t olen = PAGE;

	if (!hdr || !data || !out)
		goto fail;
	memcpy(hdr, "KDUMP   ", 8);
	kw_put_le32(hdr + KW_DH_VERSION, 6);
	memcpy(hdr + 12 + 4 * 65, "x86_64", 6);
	kw_put_le32(hdr + KW_DH_BLOCK_SIZE, PAGE);
	kw_put_le32(hdr + KW_DH_SUB_HDR_SIZE, 1);
	kw_put_le32(hdr + KW_DH_BITMAP_BLOCKS, (uint32_t)(2 * half / PAGE));
	kw_put_le32(hdr + KW_DH_MAX_MAPNR, (uint32_t)npfns);
	hdr[PAGE + 8] = 31;
	kw_put_le64(hdr + PAGE + KW_KH_MAX_MAPNR_64, npfns);
	memset(hdr + bm_off, 0xff, half); /* all in memory */
	for (uint64_t pfn = KPFN_FIRST; pfn < npfns; pfn++)
		hdr[bm_off + half + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
	for (unsigned i = 0; i < KPAGES; i++) {
		kw_put_le64(hdr + desc_off + 24 * i, data_off + i * PAGE);
		kw_put_le32(hdr + desc_off + 24 * i + 8, PAGE);
	}
	kernel_pages(data);
	memcpy(out, "makedumpfile", 12);
	out[16 + 7] = 1;
	out[24 + 7] = 1;
	if (kw_append_record(&out, &olen, 0, (int64_t)(desc_off + KPAGES * 24), hdr) ||
	    kw_append_record(&out, &olen, (int64_t)data_off, KPAGES * PAGE, data) ||
	    kw_append_record(&out, &olen, -1, -1, NULL))
		goto fail;
	free(hdr);
	free(data);
	*len = olen;
	return out;
fail:
	free(hdr);
	free(data);
	free(out);
	return NULL;
}

/* LiME: the tables' range, then one of 2^50 bytes the file ends in. */
static uint8_t *lime_kernel(size_t *len)
{
	size_t size = 32 + KPAGES * PAGE + 32;
	uint8_t *b = calloc(1, size);

	if (!b)
		return NULL;
	lime_hdr(b, KPGD, KPGD + KPAGES * PAGE - 1);
	kernel_pages(b + 32);
	lime_hdr(b + 32 + KPAGES * PAGE, KPGD + KPAGES * PAGE, (1ull << 50) - 1);
	*len = size;
	return b;
}

int vh_crafted_build(size_t i, uint8_t **buf, size_t *len)
{
	size_t ilen = 0;

	switch ((enum kind)i) {
	case ELF_VMCI:
	case ELF_NONOTES:
		*buf = elf_vmcore(i == ELF_VMCI, len);
		break;
	case KDUMP_HUGE_MAPNR:
		*buf = kdump_image(1ull << 40, 1, len);
		break;
	case KDUMP_ALL_DUMPED:
		*buf = kdump_image(16 * PAGE * 8, 16, len);
		break;
	case FLAT_ALL_DUMPED:
	case FLAT_SPARSE:
		*buf = kdump_image(16 * PAGE * 8, 16, &ilen);
		*buf = *buf ? flatten(*buf, ilen, i == FLAT_SPARSE, len) : NULL;
		break;
	case LIME_HUGE:
		*buf = lime(len);
		break;
	case RAW_TOP:
		*buf = calloc(1, 2 * PAGE);
		*len = 2 * PAGE;
		break;
	case CORE_HUGE:
		*buf = core(len);
		break;
	case ELF_VMCI_KERNEL:
	case ELF_NONOTES_KERNEL:
		*buf = elf_kernel(i == ELF_VMCI_KERNEL, len);
		break;
	case KDUMP_KERNEL:
		*buf = kdump_kernel(len);
		break;
	case FLAT_KERNEL:
		*buf = flat_kernel(len);
		break;
	case LIME_KERNEL:
		*buf = lime_kernel(len);
		break;
	default:
		return -1;
	}
	return *buf ? 0 : -1;
}
