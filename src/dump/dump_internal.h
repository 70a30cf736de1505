/* SPDX-License-Identifier: MIT */
/*
 * What every dump reader implements, and the state the common layer keeps.
 *
 * A reader (elf.c, kdump.c, flattened.c, lime.c, raw.c) fills, in its open():
 * page_size, the sorted ranges, and whatever notes it has (VMCOREINFO, CPU
 * registers, attrs, stats). The common layer (dump.c) does range checks, the
 * page cache, and splitting reads at page boundaries; a reader only ever
 * produces whole pages.
 */
#ifndef VH_DUMP_INTERNAL_H
#define VH_DUMP_INTERNAL_H

#include <vmahunt/vmahunt.h>

#include "util/file.h"

struct vh_page_cache;

/*
 * No machine vmahunt reads has physical addresses above 52 bits (x86-64's
 * architectural MAXPHYADDR; arm64 with LPA). A range beyond is a damaged
 * header, and believing it would make walkers visit petabytes of nothing.
 */
#define VH_MAX_PHYS_ADDR (1ull << 52)

struct vh_dump_ops {
	enum vh_dump_format format;
	/*
	 * probe() - does the file look like this format? @head holds the first
	 * @len bytes (up to 4096; fewer for a short file). Returns true or false;
	 * never fails: a damaged header is reported by open().
	 */
	bool (*probe)(const uint8_t *head, size_t len, uint64_t file_size);
	/* open() - parse headers, fill the dump's fields. Returns VH_OK or an error with message.
	 */
	int (*open)(struct vh_dump *d);
	/*
	 * read_page() - fill @buf (page_size bytes) with page @pfn. Called only
	 * for pfns whose page_state() is PRESENT or ZERO. Parts of the page outside
	 * every range may be left as zeros.
	 */
	int (*read_page)(struct vh_dump *d, uint64_t pfn, void *buf);
	/* page_state() - see enum vh_page_state. */
	enum vh_page_state (*page_state)(struct vh_dump *d, uint64_t pfn);
	/*
	 * next_present() - first pfn >= @pfn whose page_state() is PRESENT and
	 * whose data the file holds, or false. Must cost what the file stores
	 * (segments, bitmap words, descriptors), not what headers declare. @pfn
	 * is below 2^64 >> page_shift.
	 */
	bool (*next_present)(struct vh_dump *d, uint64_t pfn, uint64_t *next);
	/* close() - free the reader's private state (d->priv). */
	void (*close)(struct vh_dump *d);
};

struct vh_dump {
	struct vh_file file;
	struct vh_dump_options opts;
	const struct vh_dump_ops *ops;
	void *priv; /* the reader's own state */

	char arch[16];
	/*
	 * What the notes (notes.c) told about the machine, for a reader whose
	 * header may not say (a kdump with an empty utsname): the arch whose
	 * NT_PRSTATUS layout they had when d->arch was not known yet, or NULL;
	 * and whether QEMU wrote them (set for aarch64, whose QEMU dumps have an
	 * NT_PRFPREG after each NT_PRSTATUS: the kernel's never do).
	 */
	const char *notes_arch;
	bool qemu_notes;
	uint32_t page_size;
	uint32_t page_shift;

	struct vh_phys_range *ranges; /* sorted, disjoint */
	size_t nranges;

	struct vh_page_stats stats;

	char *vmcoreinfo; /* NUL-terminated, or NULL */
	size_t vmcoreinfo_len;
	struct vh_kv *vmcoreinfo_kv; /* parsed on first lookup */
	size_t vmcoreinfo_nkv;

	struct vh_cpu_regs *cpus;
	size_t ncpus;

	struct vh_dump_attr *attrs; /* name and value strings are owned here */
	size_t nattrs;

	char **warnings;
	size_t nwarnings;

	struct vh_page_cache *cache;

	/*
	 * Work done, for tests that check a hostile file cannot make a walk
	 * expensive (wall-clock limits are too noisy to assert): pages asked
	 * about, pages read from the file, and next-present lookups.
	 */
	struct {
		uint64_t page_states;
		uint64_t page_reads;
		uint64_t next_present;
	} work;
};

/* Helpers for readers. All return VH_OK or VH_ERR_NOMEM. */
int vh_dump_add_range(struct vh_dump *d, uint64_t start, uint64_t end);
/* Sort ranges and merge overlapping or adjacent ones. */
void vh_dump_finish_ranges(struct vh_dump *d);
int vh_dump_add_attr(struct vh_dump *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vh_dump_add_warning(struct vh_dump *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copies @len bytes of VMCOREINFO text (not necessarily NUL-terminated). */
int vh_dump_set_vmcoreinfo(struct vh_dump *d, const char *text, size_t len);
/* Appends one CPU; returns a pointer to fill, or NULL when out of memory. */
struct vh_cpu_regs *vh_dump_add_cpu(struct vh_dump *d);
/* Sets page_size and page_shift; fails with VH_ERR_FORMAT unless a power of two in [512, 1 MiB]. */
int vh_dump_set_page_size(struct vh_dump *d, uint64_t page_size, uint64_t where);

/*
 * NT_PRSTATUS / QEMU CPU-state note parsing, shared by the ELF, kdump and core
 * readers. NT_PRSTATUS is read with the layout of d->arch ("x86_64" or
 * "aarch64"); when d->arch names neither, with the layout its size matches
 * (recorded in d->notes_arch).
 */
int vh_notes_parse(struct vh_dump *d, const uint8_t *buf, size_t len, uint64_t file_off);

/*
 * vh_dump_infer_arch() - for a reader whose header names no machine: sets
 * d->arch from VMCOREINFO entries only one architecture writes, else from
 * d->notes_arch. Leaves "unknown" when neither says, or VMCOREINFO names
 * both (with a warning). Sets *@from to what decided, or NULL.
 * Returns VH_OK or VH_ERR_NOMEM.
 */
int vh_dump_infer_arch(struct vh_dump *d, const char **from);

extern const struct vh_dump_ops vh_elf_ops;
extern const struct vh_dump_ops vh_kdump_ops;
extern const struct vh_dump_ops vh_flattened_ops;
extern const struct vh_dump_ops vh_lime_ops;
extern const struct vh_dump_ops vh_raw_ops;
extern const struct vh_dump_ops vh_core_ops;

#endif
