/* ptewiden: the target of the lab module's pte_widened plant (see antiforensics/vh_af.c).
 * A read-only anonymous VMA of 4 pages (written first, so every page is present, then
 * mprotect'ed to PROT_READ), between PROT_NONE guard pages. /init hands the address of
 * its second page to the module, which makes that one PTE writable and executable. */
#include "lab.h"

#define PAGES 4

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char *area =
	    mmap(NULL, (PAGES + 2) * (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		lab_die("mmap");
	unsigned char *vma = area + ps;
	if (mprotect(vma, PAGES * (size_t)ps, PROT_READ | PROT_WRITE) < 0)
		lab_die("mprotect rw");
	for (int i = 0; i < PAGES; i++) {
		unsigned char *pg = vma + (size_t)i * (size_t)ps;
		memset(pg, 0x57, (size_t)ps); /* 'W' */
		snprintf((char *)pg, 64, "VMAHUNT-PTE-WIDEN page %d", i);
	}
	if (mprotect(vma, PAGES * (size_t)ps, PROT_READ) < 0)
		lab_die("mprotect r");
	uintptr_t page = (uintptr_t)vma + (uintptr_t)ps;
	lab_af_target("ptewiden", "pte_widened", page, page + (uintptr_t)ps, "r--p");
	lab_ready_and_wait();
}
