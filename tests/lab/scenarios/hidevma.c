/* hidevma: the target of the lab module's hidden_vma plant (see antiforensics/vh_af.c).
 * An anonymous read-write VMA of 8 pages between two PROT_NONE guard pages (so it merges
 * with nothing), every page touched with a recognisable pattern. /init hands its address
 * to the module, which takes the VMA out of the VMA tree after the truth was printed. */
#include "lab.h"

#define PAGES 8

int main(void)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *vma = lab_guarded_pages(PAGES, 0x48 /* 'H' */, "VMAHUNT-HIDDEN-VMA");

	lab_af_target("hidevma", "hidden_vma", (uintptr_t)vma, (uintptr_t)vma + PAGES * ps, "rw-p");
	lab_ready_and_wait();
}
