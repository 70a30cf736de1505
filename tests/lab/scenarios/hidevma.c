/* hidevma: the target of the lab module's hidden_vma plant (see antiforensics/vh_af.c).
 * An anonymous read-write VMA of 8 pages between two PROT_NONE guard pages (so it merges
 * with nothing), every page touched with a recognisable pattern. /init hands its address
 * to the module, which takes the VMA out of the VMA tree after the truth was printed. */
#include "lab.h"

#define PAGES 8

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char *area =
	    mmap(NULL, (PAGES + 2) * (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		lab_die("mmap");
	unsigned char *vma = area + ps;
	if (mprotect(vma, PAGES * (size_t)ps, PROT_READ | PROT_WRITE) < 0)
		lab_die("mprotect");
	for (int i = 0; i < PAGES; i++) {
		unsigned char *pg = vma + (size_t)i * (size_t)ps;
		memset(pg, 0x48, (size_t)ps); /* 'H' */
		snprintf((char *)pg, 64, "VMAHUNT-HIDDEN-VMA page %d", i);
	}
	lab_af_target("hidevma", "hidden_vma", (uintptr_t)vma, (uintptr_t)vma + PAGES * (size_t)ps,
		      "rw-p");
	lab_ready_and_wait();
}
