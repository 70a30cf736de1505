/* SPDX-License-Identifier: MIT */
/*
 * Locating the kernel in a dump: page-table root, translation regime, KASLR
 * offset; each architecture's finder in kmap_*.c.
 */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/kmap.h"
#include "arch/vread.h"
#include "util/error.h"

bool vh_vmci_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoull(s, &end, base);
	return *end == '\0' || *end == '\n';
}

/* A value from VMCOREINFO text: "KEY=VALUE\n" with KEY at a line start. */
const char *vh_vmci_value(const char *text, const char *key, char *buf, size_t size)
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

static int stop_at_first(const struct vh_mapping *m, int present, void *arg)
{
	if (!present)
		return 0;
	*(struct vh_mapping *)arg = *m;
	return 1;
}

bool vh_kmap_first_mapping(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root,
			   uint64_t start, uint64_t end, struct vh_mapping *first)
{
	return vh_walk(d, mmu, root, start, end, stop_at_first, first, NULL) == 1;
}

bool vh_vmci_is_arm64(const char *text)
{
	static const char *const keys[] = {"NUMBER(VA_BITS)", "NUMBER(TCR_EL1_T1SZ)",
					   "NUMBER(kimage_voffset)", "KERNELPACMASK"};
	char buf[32];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vh_vmci_value(text, keys[i], buf, sizeof(buf)))
			return true;
	return false;
}

/* Fills @km from VMCOREINFO text of the dump's architecture (by its keys when unknown). */
static bool from_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km)
{
	const char *arch = vh_dump_arch(d);
	bool arm64 = !strcmp(arch, "aarch64") || (strcmp(arch, "x86_64") && vh_vmci_is_arm64(text));
	char rel[65];

	if (!(arm64 ? vh_kmap_arm64_vmcoreinfo(d, text, km)
		    : vh_kmap_x86_64_vmcoreinfo(d, text, km)))
		return false;
	vh_mmu_set_release(&km->mmu, vh_vmci_value(text, "OSRELEASE", rel, sizeof(rel)));
	return true;
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

/* Records how the kernel was found and where its image is. */
static int found(struct vh_dump *d, struct vh_kernel_map *km, const char *method)
{
	km->method = method;
	if (km->mmu.arch == VH_ARCH_ARM64)
		vh_kmap_arm64_image(d, km);
	else
		vh_kmap_x86_64_image(km);
	return VH_OK;
}

int vh_kernel_map_find(struct vh_dump *d, struct vh_kernel_map *km)
{
	const char *note = vh_dump_vmcoreinfo(d, NULL);
	/* arm64 dumps hold no register that gives the kernel's tables (TTBR1) */
	bool arm64 = !strcmp(vh_dump_arch(d), "aarch64");

	if (note && from_vmcoreinfo(d, note, km))
		return found(d, km, "vmcoreinfo");
	if (!arm64 && vh_kmap_x86_64_cpu(d, km))
		return found(d, km, "cr3");
	if (from_memory(d, km))
		return found(d, km, "vmcoreinfo-in-memory");
	memset(km, 0, sizeof(*km));
	return vh_set_error(
	    VH_ERR_NOT_PRESENT,
	    "%s: cannot locate the kernel: %s, %sand no VMCOREINFO page in memory%s",
	    vh_dump_path(d),
	    note ? "the VMCOREINFO note does not match the page tables" : "no VMCOREINFO note",
	    arm64 ? "" : "no CPU state with a usable CR3, ",
	    vh_dump_format(d) == VH_FMT_RAW
		? " (a raw image must be physical memory page for page from "
		  "--raw-base on; LiME's format=raw is not: it concatenates the RAM "
		  "ranges without their addresses, so vmahunt cannot read it; "
		  "capture with format=lime, or format=padded and --raw-base 0)"
		: "");
}

uint64_t vh_kernel_half_start(const struct vh_kernel_map *km)
{
	return vh_mmu_kernel_start(&km->mmu);
}

int vh_kernel_read(struct vh_dump *d, const struct vh_kernel_map *km, uint64_t vaddr, void *buf,
		   size_t len)
{
	return vh_vread_once(d, &km->mmu, km->pgd, vaddr, buf, len);
}

bool vh_kernel_in_image(const struct vh_kernel_map *km, uint64_t addr)
{
	return addr >= km->image_start && addr < km->image_end;
}
