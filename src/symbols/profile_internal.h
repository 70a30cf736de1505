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

/* TASK_COMM_LEN and XA_CHUNK_SHIFT from the types, when they have them. */
void vh_prof_derive_constants(struct vh_profile *p);

/* Monotonic seconds, for load statistics. */
double vh_prof_now(void);

#endif
