/* SPDX-License-Identifier: MIT */
/*
 * Physical memory sources: one interface over every dump format.
 *
 * A struct vh_dump is an open dump file. Whatever its format (ELF vmcore,
 * makedumpfile's compressed kdump, its flattened stream, LiME, a raw image),
 * it offers the same view: a sorted list of physical address ranges, and
 * vh_dump_read_phys() to read bytes at a physical address. The format is
 * detected from the file's content, never from its name.
 *
 * Lifetimes: everything a vh_dump_* getter returns belongs to the dump and
 * stays valid until vh_dump_close().
 */
#ifndef VMAHUNT_DUMP_H
#define VMAHUNT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vh_dump;

/* Formats vh_dump_open() recognises. */
enum vh_dump_format {
	VH_FMT_ELF, /* ELF vmcore: /proc/vmcore, QEMU dump-guest-memory, virsh dump, makedumpfile -E
		     */
	VH_FMT_KDUMP,	  /* makedumpfile compressed kdump ("KDUMP   ") or QEMU's kdump-* output */
	VH_FMT_FLATTENED, /* makedumpfile -F flattened stream, indexed on open */
	VH_FMT_LIME,	  /* LiME (lime-forensics) */
	VH_FMT_RAW,	  /* raw physical image, needs vh_dump_options.raw */
	VH_FMT_CORE, /* process core (ELF ET_CORE of one process, or zstd of one): see core.h */
	VH_FMT_COUNT
};

/* Page compression codecs of the kdump format. */
enum vh_codec {
	VH_CODEC_NONE,
	VH_CODEC_ZLIB,
	VH_CODEC_LZO,
	VH_CODEC_SNAPPY,
	VH_CODEC_ZSTD,
	VH_CODEC_COUNT
};

/* What a dump holds for one page frame. */
enum vh_page_state {
	VH_PAGE_ABSENT,	  /* outside every physical range of the dump */
	VH_PAGE_PRESENT,  /* stored in the dump */
	VH_PAGE_ZERO,	  /* known to be all zeros (not stored, or stored as a zero page) */
	VH_PAGE_EXCLUDED, /* existed, but the dump tool left it out (makedumpfile -d) */
};

/* Options for vh_dump_open(); a zeroed struct (or NULL) means the defaults. */
struct vh_dump_options {
	bool raw;	    /* treat the file as a raw physical image... */
	uint64_t raw_base;  /* ...whose first byte is this physical address */
	size_t cache_pages; /* decompressed pages to keep; 0 = default (1024) */
};

/* One contiguous physical address range [start, end) covered by the dump. */
struct vh_phys_range {
	uint64_t start;
	uint64_t end;
};

/* Page counts, by state and by codec (pages stored with each codec). */
struct vh_page_stats {
	uint64_t present;
	uint64_t zero;
	uint64_t excluded;
	uint64_t by_codec[VH_CODEC_COUNT];
};

/*
 * Registers of one CPU at the time of the dump (for a process core: of one
 * thread), from NT_PRSTATUS notes, QEMU's CPU state note, or the kdump
 * header's copies of them. Which set is filled follows vh_dump_arch(): the
 * x86-64 fields for "x86_64" (and any dump whose notes have the x86-64
 * layout), the aarch64 fields at the end for "aarch64"; the other set stays
 * zero. have_gp says whether the general registers of that set are valid.
 */
struct vh_cpu_regs {
	uint32_t cpu; /* index in the order the dump lists CPUs */
	/*
	 * pid of the task on the CPU (NT_PRSTATUS only, else 0). 0 too for
	 * QEMU's dumps, whose NT_PRSTATUS holds its CPU number there instead.
	 */
	uint32_t pid;
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, rflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
	bool have_gp;	    /* general registers (of the arch's set) are valid */
	uint64_t cr[5];	    /* cr0..cr4 (cr1 unused) */
	bool have_cr;	    /* control registers valid (QEMU CPU state note, x86 only) */
	const char *source; /* "NT_PRSTATUS" or "QEMU" */
	/* aarch64 (vh_dump_arch() "aarch64"): NT_PRSTATUS's user_pt_regs; have_gp says they are
	 * valid */
	uint64_t x[31]; /* x0..x30: x29 the frame pointer, x30 the link register */
	uint64_t sp, pc, pstate;
};

/* A format-specific fact for display by "vmahunt info" (name/value strings). */
struct vh_dump_attr {
	const char *name;
	const char *value;
};

/**
 * vh_dump_open() - open a dump file and detect its format.
 * @path: the file to open.
 * @opts: options, or NULL for the defaults.
 * @out: receives the dump on success.
 *
 * Headers are checked here; a damaged header fails the open with a message
 * naming the file and offset (vh_errmsg()). Page data is read lazily.
 *
 * Return: VH_OK, or VH_ERR_IO, VH_ERR_FORMAT, VH_ERR_TRUNCATED, VH_ERR_CORRUPT,
 * VH_ERR_NOMEM, VH_ERR_INVAL.
 */
VH_EXPORT int vh_dump_open(const char *path, const struct vh_dump_options *opts,
			   struct vh_dump **out);

/**
 * vh_dump_open_parts() - open several files as one dump: the parts of a split
 * kdump (makedumpfile --split), or a single dump file.
 * @paths: the files, in any order.
 * @n: how many; at least 1.
 * @opts: options, or NULL for the defaults (raw images are single files: with
 *        opts->raw set this fails with VH_ERR_INVAL).
 * @out: receives the dump on success.
 *
 * Each part of a split dump is a kdump file whose sub-header names the page
 * frames it holds, [start_pfn, end_pfn); its bitmaps and page descriptors are
 * used for that range only. The dump opened is their union: one physical
 * memory, format VH_FMT_KDUMP, attrs "split" ("N parts joined") and one
 * "part_K" per file (its path and pfn range; K its number counting parts in
 * pfn order, a missing range counting as one part), vh_dump_path() the
 * parts' paths in pfn order joined by " + ". A part may be empty
 * ([max_mapnr, max_mapnr): makedumpfile writes those when memory is smaller
 * than its split blocks).
 *
 * Refused (nothing is opened): a file that is not a split part when @n > 1
 * (VH_ERR_FORMAT), a part of another dump: header timestamp, max_mapnr, page
 * size, dump level, phys_base or VMCOREINFO differ from the first file's
 * (VH_ERR_FORMAT), two parts whose pfn ranges overlap (VH_ERR_FORMAT), the
 * same file given twice (VH_ERR_INVAL), and any error of vh_dump_open() on one
 * of the files.
 *
 * Missing parts: page frames no file holds are VH_PAGE_ABSENT, and each
 * missing range gets a warning (vh_dump_warnings()) naming its pfns, the
 * number the missing part has when parts are numbered in pfn order (as
 * makedumpfile numbers its output files) and the files around it. A single
 * split part opens this way too, with those warnings. With @n == 1 and a file
 * that is not a split part, this is vh_dump_open().
 *
 * Return: VH_OK, or VH_ERR_IO, VH_ERR_FORMAT, VH_ERR_TRUNCATED, VH_ERR_CORRUPT,
 * VH_ERR_NOMEM, VH_ERR_INVAL, with vh_errmsg() naming the file.
 */
VH_EXPORT int vh_dump_open_parts(const char *const *paths, size_t n,
				 const struct vh_dump_options *opts, struct vh_dump **out);

/**
 * vh_dump_close() - close a dump and free everything it owns.
 * @d: the dump, or NULL (then nothing happens).
 */
VH_EXPORT void vh_dump_close(struct vh_dump *d);

/**
 * vh_dump_read_phys() - read bytes at a physical address.
 * @d: the dump.
 * @paddr: first physical address to read.
 * @buf: receives @len bytes.
 * @len: number of bytes; may cross page boundaries.
 *
 * Return: VH_OK when all @len bytes were read. VH_ERR_NOT_PRESENT when part of
 * the range is outside the dump, VH_ERR_EXCLUDED when a page was left out by the
 * dump tool, VH_ERR_CORRUPT or VH_ERR_TRUNCATED when stored data is damaged,
 * VH_ERR_IO on a read error. On error @buf's content is unspecified.
 */
VH_EXPORT int vh_dump_read_phys(struct vh_dump *d, uint64_t paddr, void *buf, size_t len);

/**
 * vh_dump_page_state() - what the dump holds for one page frame.
 * @d: the dump.
 * @pfn: page frame number (physical address / page size).
 *
 * Return: one of enum vh_page_state.
 */
VH_EXPORT enum vh_page_state vh_dump_page_state(struct vh_dump *d, uint64_t pfn);

/**
 * vh_dump_next_present() - the first stored page at or after a page frame.
 * @d: the dump.
 * @pfn: where to start looking.
 * @next: receives the first pfn >= @pfn whose state is VH_PAGE_PRESENT and
 *        whose data the file holds (a kdump page whose descriptor was never
 *        written is skipped: reading it could only fail).
 *
 * For walking every stored page: the cost is bounded by what the file stores
 * (segments, bitmap words, descriptors), never by the memory its headers
 * declare, so a small hostile file cannot make a walk over its pages slow.
 * Pages come in increasing pfn order.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT when no stored page lies at or after
 * @pfn (*@next is then left unchanged; no message is set).
 */
VH_EXPORT int vh_dump_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next);

/**
 * vh_dump_format() - the detected format.
 * @d: the dump.
 *
 * Return: one of enum vh_dump_format.
 */
VH_EXPORT enum vh_dump_format vh_dump_format(const struct vh_dump *d);

/**
 * vh_dump_format_name() - short name of a format ("elf", "kdump", ...).
 * @fmt: one of enum vh_dump_format.
 *
 * Return: a static string.
 */
VH_EXPORT const char *vh_dump_format_name(enum vh_dump_format fmt);

/**
 * vh_codec_name() - short name of a codec ("none", "zlib", "lzo", ...).
 * @codec: one of enum vh_codec.
 *
 * Return: a static string.
 */
VH_EXPORT const char *vh_codec_name(enum vh_codec codec);

/**
 * vh_dump_path() - the path the dump was opened with.
 * @d: the dump.
 *
 * Return: the path.
 */
VH_EXPORT const char *vh_dump_path(const struct vh_dump *d);

/**
 * vh_dump_arch() - the machine the dump was taken on: "x86_64", "aarch64"
 * (also "i386" for QEMU's dump of an x86 guest not yet in long mode).
 * @d: the dump.
 *
 * From the ELF header's e_machine (ELF vmcores, process cores), or the kdump
 * header's utsname.machine; when that says nothing (empty, or "Unknown" as in
 * QEMU's kdump output of an aarch64 guest), from VMCOREINFO entries only one architecture writes
 * (aarch64: NUMBER(PHYS_OFFSET), NUMBER(TCR_EL1_T1SZ), NUMBER(kimage_voffset),
 * KERNELPACMASK; x86-64: NUMBER(phys_base), SYMBOL(init_top_pgt),
 * NUMBER(pgtable_l5_enabled)), else from the layout of its NT_PRSTATUS notes.
 *
 * Return: the name, or "unknown" when the dump does not say.
 */
VH_EXPORT const char *vh_dump_arch(const struct vh_dump *d);

/**
 * vh_dump_page_size() - page size of the dumped machine, in bytes: the unit of
 * pfns in vh_dump_page_state() and vh_dump_next_present().
 * @d: the dump.
 *
 * The kernel's page size: VMCOREINFO's PAGESIZE when the dump has it, else
 * what the format says (a kdump's block size) or 4096. A kdump may store
 * memory in blocks larger than the kernel's pages (QEMU writes 64 KiB blocks
 * for any aarch64 guest): pfns are still in pages of this size, a page's
 * state is its block's, and the "block_size" attr gives the block size. A
 * process core's is 4096 (its addresses are virtual, byte-granular).
 *
 * Return: the page size (4096 on x86-64; 4096, 16384 or 65536 on aarch64).
 */
VH_EXPORT uint32_t vh_dump_page_size(const struct vh_dump *d);

/**
 * vh_dump_ranges() - the physical ranges the dump covers, sorted, disjoint.
 * @d: the dump.
 * @n: receives the number of ranges.
 *
 * Return: the array of ranges (owned by the dump).
 */
VH_EXPORT const struct vh_phys_range *vh_dump_ranges(const struct vh_dump *d, size_t *n);

/**
 * vh_dump_page_stats() - page counts by state and codec.
 * @d: the dump.
 * @st: receives the counts.
 */
VH_EXPORT void vh_dump_page_stats(const struct vh_dump *d, struct vh_page_stats *st);

/**
 * vh_dump_vmcoreinfo() - the VMCOREINFO text the dump carries.
 * @d: the dump.
 * @len: receives its length in bytes (may be NULL).
 *
 * Return: the NUL-terminated text ("OSRELEASE=...\nPAGESIZE=...\n..."), or
 * NULL when the dump has none.
 */
VH_EXPORT const char *vh_dump_vmcoreinfo(const struct vh_dump *d, size_t *len);

/**
 * vh_dump_vmcoreinfo_get() - look up one VMCOREINFO entry by key.
 * @d: the dump.
 * @key: the text before '=', e.g. "OSRELEASE" or "SYMBOL(init_uts_ns)".
 *
 * Return: the value as a NUL-terminated string owned by the dump, or NULL.
 */
VH_EXPORT const char *vh_dump_vmcoreinfo_get(const struct vh_dump *d, const char *key);

/**
 * vh_dump_ncpus() - number of CPUs whose registers the dump holds.
 * @d: the dump.
 *
 * Return: the count (0 when the dump has no register notes).
 */
VH_EXPORT size_t vh_dump_ncpus(const struct vh_dump *d);

/**
 * vh_dump_cpu() - registers of one CPU.
 * @d: the dump.
 * @i: index, below vh_dump_ncpus().
 *
 * Return: the registers, or NULL when @i is out of range.
 */
VH_EXPORT const struct vh_cpu_regs *vh_dump_cpu(const struct vh_dump *d, size_t i);

/**
 * vh_dump_attrs() - format-specific facts (header version, dump level, ...).
 * @d: the dump.
 * @n: receives the number of entries.
 *
 * Return: the array, in the order the reader found them.
 */
VH_EXPORT const struct vh_dump_attr *vh_dump_attrs(const struct vh_dump *d, size_t *n);

/**
 * vh_dump_warnings() - damage the reader worked around (incomplete dump, ...).
 * @d: the dump.
 * @n: receives the number of warnings.
 *
 * Return: array of one-line messages naming file and offset.
 */
VH_EXPORT const char *const *vh_dump_warnings(const struct vh_dump *d, size_t *n);

/**
 * vh_dump_convert_flattened() - rewrite a flattened kdump as a plain kdump file.
 * @in_path: makedumpfile -F output.
 * @out_path: file to create (the same bytes makedumpfile -R would write).
 *
 * Return: VH_OK, or an error code with vh_errmsg() set.
 */
VH_EXPORT int vh_dump_convert_flattened(const char *in_path, const char *out_path);

#ifdef __cplusplus
}
#endif
#endif
