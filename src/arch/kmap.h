/* SPDX-License-Identifier: MIT */
/* Locating the kernel: what kernel_map.c shares with each architecture's finder. */
#ifndef VH_ARCH_KMAP_H
#define VH_ARCH_KMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* A value from VMCOREINFO text ("KEY=VALUE\n", KEY at a line start), or NULL. */
const char *vh_vmci_value(const char *text, const char *key, char *buf, size_t size);

/* Parses @s in @base (0: C prefixes) up to its end or a newline. */
bool vh_vmci_u64(const char *s, int base, uint64_t *out);

/* x86-64 (kmap_x86_64.c): from VMCOREINFO text, or from the dump's CPU state (CR3). */
bool vh_kmap_x86_64_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km);
bool vh_kmap_x86_64_cpu(struct vh_dump *d, struct vh_kernel_map *km);

/* Sets km->text and the image region of an x86-64 kernel (from its KASLR offset). */
void vh_kmap_x86_64_image(struct vh_kernel_map *km);

/* arm64 (kmap_arm64.c): from VMCOREINFO text. */
bool vh_kmap_arm64_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km);

/*
 * Sets km->text and the image region of an arm64 kernel: _text is
 * KIMAGE_VADDR (of its generation) + the KASLR offset, where the image's first
 * pages are mapped kimage_voffset above their physical addresses.
 */
void vh_kmap_arm64_image(struct vh_dump *d, struct vh_kernel_map *km);

/* The first present mapping in [start, end) of the tables at @root, into @first. */
bool vh_kmap_first_mapping(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root,
			   uint64_t start, uint64_t end, struct vh_mapping *first);

/* Whether VMCOREINFO text is an arm64 kernel's (it names VA_BITS, TCR_EL1_T1SZ, ...). */
bool vh_vmci_is_arm64(const char *text);

#endif
