/* SPDX-License-Identifier: MIT */
/*
 * Locating an arm64 kernel from its VMCOREINFO: swapper_pg_dir (the TTBR1
 * tables), the virtual-address width, KASLR offset and kimage_voffset.
 */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <string.h>

#include "arch/kmap.h"

#define SZ_2M (2ull << 20)

/* Whether swapper_pg_dir at @va, read as the root at physical @pgd, maps itself there. */
static bool maps_itself(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t va, uint64_t pgd)
{
	struct vh_translation t;

	return vh_translate(d, mmu, pgd, va, &t) == VH_OK && t.paddr == pgd && !t.user;
}

/*
 * Without kimage_voffset (7.x no longer writes it), swapper_pg_dir's physical
 * address is found by trying the pages whose offset in 2 MiB is the
 * symbol's: the image is placed 2 MiB-aligned in both address spaces.
 */
static bool search_pgd(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t va, uint64_t *pgd)
{
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);

	for (size_t i = 0; i < n; i++) {
		uint64_t p = (r[i].start & ~(SZ_2M - 1)) | (va & (SZ_2M - 1));

		for (; p + 4096 <= r[i].end; p += SZ_2M)
			if (p >= r[i].start && maps_itself(d, mmu, va, p)) {
				*pgd = p;
				return true;
			}
	}
	return false;
}

/* The widths to try: TCR_EL1.T1SZ says the one in use; VA_BITS is the configured one. */
static int va_widths(const char *text, int out[2])
{
	char buf[32];
	uint64_t t1sz, va_bits;
	int n = 0;

	if (vh_vmci_u64(vh_vmci_value(text, "NUMBER(TCR_EL1_T1SZ)", buf, sizeof(buf)), 0, &t1sz) &&
	    t1sz > 0 && t1sz < 64)
		out[n++] = 64 - (int)t1sz;
	if (vh_vmci_u64(vh_vmci_value(text, "NUMBER(VA_BITS)", buf, sizeof(buf)), 0, &va_bits) &&
	    (!n || out[0] != (int)va_bits))
		out[n++] = (int)va_bits;
	/* a 52-bit kernel on a CPU without LPA2 runs 48 */
	if (n == 1 && out[0] == 52)
		out[n++] = 48;
	return n;
}

/*
 * __phys_to_virt(): PAGE_OFFSET is the bottom of the kernel half of the
 * configured width (VA_BITS, 52 on a 52-bit kernel running 48 bits), and
 * PHYS_OFFSET (memstart_addr) is moved to fit what runs, and by the linear
 * map's randomisation: their difference is the map of physical 0.
 */
static uint64_t linear_base(const char *text, const struct vh_mmu *mmu, uint64_t phys_offset)
{
	char buf[32];
	uint64_t va_bits;

	if (!vh_vmci_u64(vh_vmci_value(text, "NUMBER(VA_BITS)", buf, sizeof(buf)), 0, &va_bits) ||
	    va_bits < 36 || va_bits > 52)
		va_bits = (uint64_t)mmu->va_bits;
	return (~0ull << va_bits) - phys_offset;
}

bool vh_kmap_arm64_vmcoreinfo(struct vh_dump *d, const char *text, struct vh_kernel_map *km)
{
	char buf[64];
	uint64_t pgd_va, voff = 0, pgd;
	int widths[2], n = va_widths(text, widths);
	bool have_voff;

	memset(km, 0, sizeof(*km));
	if (!vh_vmci_u64(vh_vmci_value(text, "SYMBOL(swapper_pg_dir)", buf, sizeof(buf)), 16,
			 &pgd_va))
		return false;
	have_voff =
	    vh_vmci_u64(vh_vmci_value(text, "NUMBER(kimage_voffset)", buf, sizeof(buf)), 0, &voff);
	for (int i = 0; i < n; i++) {
		struct vh_mmu mmu;

		if (vh_mmu_arm64(&mmu, widths[i]) || pgd_va < vh_mmu_kernel_start(&mmu))
			continue;
		if (have_voff ? !maps_itself(d, &mmu, pgd_va, pgd = pgd_va - voff)
			      : !search_pgd(d, &mmu, pgd_va, &pgd))
			continue;
		km->pgd = pgd;
		km->mmu = mmu;
		km->kimage_voffset = pgd_va - pgd;
		if (!vh_vmci_u64(vh_vmci_value(text, "KERNELOFFSET", buf, sizeof(buf)), 16,
				 &km->kaslr_offset))
			km->kaslr_offset = 0;
		if (!vh_vmci_u64(vh_vmci_value(text, "NUMBER(PHYS_OFFSET)", buf, sizeof(buf)), 0,
				 &km->phys_base))
			km->phys_base = 0;
		km->linear_base = linear_base(text, &mmu, km->phys_base);
		snprintf(km->pgd_source, sizeof(km->pgd_source), "%s",
			 have_voff ? "SYMBOL(swapper_pg_dir)" : "SYMBOL(swapper_pg_dir), searched");
		return true;
	}
	return false;
}

/*
 * KIMAGE_VADDR, where an unrandomised _text is: MODULES_END, 2 GiB above the
 * middle of the kernel half since 6.? (a 2 GiB modules region), 128 MiB
 * before; the same for 48- and 52-bit kernels (VA_BITS_MIN is 48).
 */
static const uint64_t kimage_vaddrs[] = {0xffff800080000000ull, 0xffff800008000000ull};

/*
 * Whether the kernel image is at @text: the first page mapped in the 2 MiB
 * from there (_stext: the header's pages are given back to the allocator and
 * left unmapped) is where kimage_voffset puts it.
 */
static bool image_at(struct vh_dump *d, const struct vh_kernel_map *km, uint64_t text)
{
	struct vh_mapping first = {0};

	return vh_kmap_first_mapping(d, &km->mmu, km->pgd, text, text + SZ_2M, &first) &&
	       first.paddr == first.vaddr - km->kimage_voffset;
}

void vh_kmap_arm64_image(struct vh_dump *d, struct vh_kernel_map *km)
{
	for (size_t i = 0; i < sizeof(kimage_vaddrs) / sizeof(kimage_vaddrs[0]); i++) {
		uint64_t text = kimage_vaddrs[i] + km->kaslr_offset;

		if (image_at(d, km, text)) {
			km->text = km->image_start = text;
			km->image_end = text + (1ull << 30);
			return;
		}
	}
}
