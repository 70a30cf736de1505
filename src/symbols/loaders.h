/* SPDX-License-Identifier: MIT */
/*
 * The profile's sources: a vmlinux's ELF symbols and DWARF types, and BTF.
 * They fill a profile through profile_internal.h; the profile itself knows
 * none of them (load_vmlinux.c and from_dump.c put them together).
 */
#ifndef VH_SYMBOLS_LOADERS_H
#define VH_SYMBOLS_LOADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/symbols.h>

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

/* BTF (btf.c): parsed over a buffer the caller keeps alive; @what names it in messages. */
struct vh_btf;
int vh_btf_parse(const void *data, size_t size, const char *what, struct vh_btf **out);
void vh_btf_free(struct vh_btf *b);
/* Number of types (ids 1..count). */
uint32_t vh_btf_count(const struct vh_btf *b);
/* Fills the profile's struct, member and enum rows from @b. */
int vh_btf_fill(struct vh_btf *b, struct vh_profile *p);

#endif
