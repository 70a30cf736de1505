/* SPDX-License-Identifier: MIT */
/* Locating the kernel in a dump: page-table root, KASLR offset, phys_base. */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/vread.h"
#include "util/error.h"

#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_LA57 (1ull << 12)

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoull(s, &end, base);
	return *end == '\0' || *end == '\n';
}

/*
 * True when _text translates through @km's tables to where phys_base says it
 * is, and nothing is mapped in the 2 MiB below it: cleanup_highmap() unmaps
 * the kernel image region below _text, so an offset that is wrong by a few
 * pages of the (linearly mapped) image is still caught.
 */
static bool verify(struct vh_dump *d, const struct vh_kernel_map *km)
{
	uint64_t text = VH_X86_DEFAULT_TEXT + km->kaslr_offset;
	struct vh_translation t;

	if (vh_x86_64_translate(d, km->pgd, km->levels, text, &t) != VH_OK ||
	    t.paddr != text - VH_X86_START_KERNEL_MAP + km->phys_base)
		return false;
	return text - (2u << 20) < VH_X86_START_KERNEL_MAP ||
	       vh_x86_64_translate(d, km->pgd, km->levels, text - (2u << 20), &t) ==
		   VH_ERR_NOT_MAPPED;
}

/* A value from VMCOREINFO text: "KEY=VALUE\n" with KEY at a line start. */
static const char *vmci_value(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, "\n");

			if (n >= size)
				return NULL;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Fills @km from VMCOREINFO text; checks it against the page tables. */
static bool from_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km)
{
	static const char *const pgd_syms[] = {"SYMBOL(init_top_pgt)", "SYMBOL(swapper_pg_dir)"};
	char buf[64];
	uint64_t l5 = 0, pgd_va = 0;

	memset(km, 0, sizeof(*km));
	/* The kernel prints KERNELOFFSET with %lx, NUMBER() with %ld, SYMBOL() with %lx. */
	if (!parse_u64(vmci_value(text, "KERNELOFFSET", buf, sizeof(buf)), 16, &km->kaslr_offset))
		km->kaslr_offset = 0;
	if (!parse_u64(vmci_value(text, "NUMBER(phys_base)", buf, sizeof(buf)), 10, &km->phys_base))
		return false;
	parse_u64(vmci_value(text, "NUMBER(pgtable_l5_enabled)", buf, sizeof(buf)), 10, &l5);
	km->levels = l5 ? 5 : 4;
	for (size_t i = 0; i < sizeof(pgd_syms) / sizeof(pgd_syms[0]); i++) {
		if (parse_u64(vmci_value(text, pgd_syms[i], buf, sizeof(buf)), 16, &pgd_va) &&
		    pgd_va >= VH_X86_START_KERNEL_MAP) {
			km->pgd = pgd_va - VH_X86_START_KERNEL_MAP + km->phys_base;
			snprintf(km->pgd_source, sizeof(km->pgd_source), "%s", pgd_syms[i]);
			return verify(d, km);
		}
	}
	return false;
}

/* True when page @pfn lies whole inside one of the dump's ranges. */
static bool whole_page_in_ranges(const struct vh_phys_range *r, size_t n, uint64_t pfn, uint32_t ps)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first range ending after the page's start */
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].end <= pfn * ps)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].start <= pfn * ps && (pfn + 1) * ps <= r[lo].end;
}

/*
 * vmcoreinfo_data is a zeroed page of its own that starts with "OSRELEASE=".
 * Only stored pages are visited, in pfn order: a header declaring petabytes
 * of zeros or of pages without data costs nothing here.
 */
static bool from_memory(struct vh_dump *d, struct vh_kernel_map *km)
{
	uint32_t ps = vh_dump_page_size(d);
	char *page = malloc(ps + 1);
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);
	uint64_t pfn = 0;
	bool found = false;

	if (!page)
		return false;
	while (!found && vh_dump_next_present(d, pfn, &pfn) == VH_OK) {
		if (whole_page_in_ranges(r, n, pfn, ps) &&
		    vh_dump_read_phys(d, pfn * ps, page, ps) == VH_OK &&
		    memcmp(page, "OSRELEASE=", 10) == 0) {
			page[ps] = '\0';
			found = from_vmcoreinfo(d, page, km);
		}
		pfn++;
	}
	free(page);
	return found;
}

static int stop_at_first(const struct vh_mapping *m, int present, void *arg)
{
	if (!present)
		return 0;
	*(struct vh_mapping *)arg = *m;
	return 1;
}

/* _text is the first page mapped in the kernel image region (cleanup_highmap() clears the rest). */
static bool from_root(struct vh_dump *d, uint64_t root, int levels, struct vh_kernel_map *km)
{
	struct vh_mapping first = {0};

	if (vh_x86_64_walk(d, root, levels, VH_X86_START_KERNEL_MAP,
			   VH_X86_START_KERNEL_MAP + (1ull << 30), stop_at_first, &first,
			   NULL) != 1)
		return false;
	km->pgd = root;
	km->levels = levels;
	km->kaslr_offset = first.vaddr - VH_X86_DEFAULT_TEXT;
	km->phys_base = first.paddr - (first.vaddr - VH_X86_START_KERNEL_MAP);
	return verify(d, km);
}

static bool from_cr3(struct vh_dump *d, struct vh_kernel_map *km)
{
	for (size_t i = 0; i < vh_dump_ncpus(d); i++) {
		const struct vh_cpu_regs *c = vh_dump_cpu(d, i);
		int levels = (c->cr[4] & X86_CR4_LA57) ? 5 : 4;
		uint64_t root = c->cr[3] & VH_X86_PTE_ADDR_MASK;

		if (!c->have_cr || !(c->cr[0] & X86_CR0_PG))
			continue;
		memset(km, 0, sizeof(*km));
		/*
		 * With page-table isolation a CPU in user mode runs on the user copy
		 * of the pgd, one page above the kernel's (PTI_USER_PGTABLE_BIT).
		 */
		if (from_root(d, root, levels, km) ||
		    ((root & 0x1000) && from_root(d, root & ~0x1000ull, levels, km))) {
			snprintf(km->pgd_source, sizeof(km->pgd_source), "CR3 of cpu %zu", i);
			return true;
		}
	}
	return false;
}

int vh_kernel_map_find(struct vh_dump *d, struct vh_kernel_map *km)
{
	const char *note = vh_dump_vmcoreinfo(d, NULL);

	if (note && from_vmcoreinfo(d, note, km)) {
		km->method = "vmcoreinfo";
		return VH_OK;
	}
	if (from_cr3(d, km)) {
		km->method = "cr3";
		return VH_OK;
	}
	if (from_memory(d, km)) {
		km->method = "vmcoreinfo-in-memory";
		return VH_OK;
	}
	memset(km, 0, sizeof(*km));
	return vh_set_error(
	    VH_ERR_NOT_PRESENT,
	    "%s: cannot locate the kernel: %s, no CPU state with a usable CR3, "
	    "and no VMCOREINFO page in memory%s",
	    vh_dump_path(d),
	    note ? "the VMCOREINFO note does not match the page tables" : "no VMCOREINFO note",
	    vh_dump_format(d) == VH_FMT_RAW
		? " (a raw image must be physical memory page for page from "
		  "--raw-base on; LiME's format=raw is not: it concatenates the RAM "
		  "ranges without their addresses, so vmahunt cannot read it; "
		  "capture with format=lime, or format=padded and --raw-base 0)"
		: "");
}

uint64_t vh_kernel_half_start(const struct vh_kernel_map *km)
{
	/* Sign-extension of the top virtual-address bit: 47 (4 levels) or 56 (5). */
	return km->levels == 5 ? 0xff00000000000000ull : 0xffff800000000000ull;
}

int vh_kernel_read(struct vh_dump *d, const struct vh_kernel_map *km, uint64_t vaddr, void *buf,
		   size_t len)
{
	return vh_vread_once(d, km->pgd, km->levels, vaddr, buf, len);
}
