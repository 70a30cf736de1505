/* SPDX-License-Identifier: MIT */
/* The dump's facts: what VMCOREINFO, the CPU state and the kernel map say. */
#include "session/session_internal.h"

#include <stdlib.h>
#include <string.h>

#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_LA57 (1ull << 12)

static bool parse_num(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoull(s, &end, base);
	return *end == '\0';
}

/*
 * Paging levels from VMCOREINFO (x86-64: pgtable_l5_enabled; arm64: the
 * width TCR_EL1.T1SZ gives), else from a CPU's CR4 (its LA57 bit).
 */
static void paging_from_notes(struct vh_dump *d, struct vh_dump_facts *x)
{
	const char *v = vh_dump_vmcoreinfo_get(d, "NUMBER(pgtable_l5_enabled)");
	const char *t1sz = vh_dump_vmcoreinfo_get(d, "NUMBER(TCR_EL1_T1SZ)");
	struct vh_mmu mmu;
	uint64_t n;

	if (v) {
		x->paging_levels = strcmp(v, "0") ? 5 : 4;
		x->paging_source = "VMCOREINFO";
	} else if (parse_num(t1sz, 0, &n) && n < 64 && !vh_mmu_arm64(&mmu, 64 - (int)n)) {
		x->paging_levels = mmu.levels;
		x->paging_source = "VMCOREINFO";
	}
	for (size_t i = 0; !x->paging_levels && i < vh_dump_ncpus(d); i++) {
		const struct vh_cpu_regs *c = vh_dump_cpu(d, i);

		/* CR4 only means something once the CPU is in long mode (CR0.PG set). */
		if (c->have_cr && (c->cr[0] & X86_CR0_PG)) {
			x->paging_levels = (c->cr[4] & X86_CR4_LA57) ? 5 : 4;
			x->paging_source = "CR4";
		}
	}
}

/* The kernel map confirms (or, without VMCOREINFO, supplies) what the notes say. */
static void from_kernel_map(struct vh_session *s, struct vh_dump_facts *x)
{
	vh_session_locate(s);
	if (s->core) {
		x->prof_error = "the kernel is not located";
		return;
	}
	if (s->kmap_err) {
		x->kmap_error = s->kmap_msg ? s->kmap_msg : "out of memory";
		x->prof_error = "the kernel is not located";
		return;
	}
	x->kmap = &s->km;
	x->have_kaslr = x->have_phys_base = true;
	x->kaslr_offset = s->km.kaslr_offset;
	x->phys_base = s->km.phys_base;
	x->paging_levels = s->km.mmu.levels;
	x->paging_source = s->km.method;
	x->prof = s->prof;
	if (s->prof_err)
		x->prof_error = s->prof_msg ? s->prof_msg : "out of memory";
}

void vh_session_facts(struct vh_session *s, struct vh_dump_facts *x)
{
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(s->d, &n);

	memset(x, 0, sizeof(*x));
	x->kmap_error = x->prof_error = "";
	x->osrelease = vh_dump_vmcoreinfo_get(s->d, "OSRELEASE");
	/* The kernel prints KERNELOFFSET with %lx and phys_base with %ld. */
	x->have_kaslr =
	    parse_num(vh_dump_vmcoreinfo_get(s->d, "KERNELOFFSET"), 16, &x->kaslr_offset);
	x->have_phys_base =
	    parse_num(vh_dump_vmcoreinfo_get(s->d, "NUMBER(phys_base)"), 10, &x->phys_base);
	paging_from_notes(s->d, x);
	for (size_t i = 0; i < n; i++)
		x->ram_bytes += r[i].end - r[i].start;
	x->is_core = s->core;
	from_kernel_map(s, x);
}
