/* ptewiden: the target of the lab module's pte_widened plant (see antiforensics/vh_af.c).
 * A read-only anonymous VMA of 4 pages (written first, so every page is present, then
 * mprotect'ed to PROT_READ), between PROT_NONE guard pages. /init hands the address of
 * its second page to the module, which makes that one PTE writable and executable. */
#include "lab.h"

#define PAGES 4

int main(void)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *vma = lab_guarded_pages(PAGES, 0x57 /* 'W' */, "VMAHUNT-PTE-WIDEN");

	if (mprotect(vma, PAGES * ps, PROT_READ) < 0)
		lab_die("mprotect r");
	uintptr_t page = (uintptr_t)vma + ps;
	lab_af_target("ptewiden", "pte_widened", page, page + ps, "r--p");
	lab_ready_and_wait();
}
