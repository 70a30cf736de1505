/* SPDX-License-Identifier: MIT */
/*
 * The profile's table: one row per entry of struct vh_profile, naming the
 * kernel names to look for and where the result goes. The loaders (DWARF, ELF
 * symbols, VMCOREINFO) and the generic listing all work from this table, so a
 * new entry is one field in symbols.h plus one row in profile_table.c.
 */
#ifndef VH_SYMBOLS_PROFILE_INTERNAL_H
#define VH_SYMBOLS_PROFILE_INTERNAL_H

#include <vmahunt/vmahunt.h>

#define VH_PROF_MAX_ALTS 3

struct vh_prof_desc {
	enum vh_prof_kind kind;
	const char *name;		    /* entry name: "task_struct.state" */
	const char *alts[VH_PROF_MAX_ALTS]; /* kernel names tried, in order of preference:
					       symbol names, struct tags, member paths
					       ("thread_info.cpu"), enumerator or constant names */
	const char *enum_type;		    /* VH_PROF_ENUM: the enum's tag ("maple_type") */
	size_t off;			    /* offsetof(struct vh_profile, ...) */
	bool has_builtin;		    /* VH_PROF_CONST with a built-in value */
	int64_t builtin;
};

extern const struct vh_prof_desc vh_prof_table[];
extern const size_t vh_prof_table_len;

/* The library's own part of a profile. */
struct vh_profile_priv {
	char *vmlinux_path;
	char **warnings;
	size_t nwarnings;
};

/* Typed pointers into a profile for row @d. */
static inline void *vh_prof_field(struct vh_profile *p, const struct vh_prof_desc *d)
{
	return (char *)p + d->off;
}

/* Index of the struct row a member row belongs to (the nearest one above). */
size_t vh_prof_parent(size_t member_row);

/* Sets every entry absent, then the built-in constants. */
void vh_prof_reset(struct vh_profile *p);

/* Appends a warning to the profile; returns VH_OK or VH_ERR_NOMEM. */
int vh_prof_warn(struct vh_profile *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ELF side of a vmlinux (elfsym.c). */
struct vh_vmlinux;
int vh_vmlinux_open(const char *path, struct vh_vmlinux **out);
void vh_vmlinux_close(struct vh_vmlinux *v);
/* The libelf handle, for libdw. */
struct Elf *vh_vmlinux_elf(struct vh_vmlinux *v);
/* Fills symbol rows from .symtab, osrelease from linux_banner, build_id from the notes. */
int vh_vmlinux_symbols(struct vh_vmlinux *v, struct vh_profile *p);
/*
 * Addresses of the function symbols @names (NULL entries allowed) into @addrs,
 * 0 for those the symbol table lacks. For the DWARF loader's anchors.
 */
int vh_vmlinux_functions(struct vh_vmlinux *v, const char *const *names, size_t n, uint64_t *addrs);
/* Reads @len bytes at unrelocated virtual address @addr from the file's allocated sections. */
int vh_vmlinux_read(struct vh_vmlinux *v, uint64_t addr, void *buf, size_t len);

/* DWARF side (dwarf.c): struct, member and enum rows. @full reads every unit. */
int vh_dwarf_load(struct vh_vmlinux *v, const char *path, struct vh_profile *p, bool full);

/* TASK_COMM_LEN and XA_CHUNK_SHIFT from the types, when they have them. */
void vh_prof_derive_constants(struct vh_profile *p);

/* Monotonic seconds, for load statistics. */
double vh_prof_now(void);

/* BTF (btf.c): parsed over a buffer the caller keeps alive; @what names it in messages. */
struct vh_btf;
int vh_btf_parse(const void *data, size_t size, const char *what, struct vh_btf **out);
void vh_btf_free(struct vh_btf *b);
/* Number of types (ids 1..count). */
uint32_t vh_btf_count(const struct vh_btf *b);
/* Fills the profile's struct, member and enum rows from @b. */
int vh_btf_fill(struct vh_btf *b, struct vh_profile *p);

#endif
