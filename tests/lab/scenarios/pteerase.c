/* pteerase: the targets of the lab module's PTE erasure and PTE remapping plants (see
 * antiforensics/vh_af.c), the two page-table techniques of "Hiding Process Memory via
 * Anti-Forensic Techniques" (Palutke et al., DFRWS 2020):
 * - 4 guarded pages "VMAHUNT-PTE-ERASE page N": after the truth, the module clears the
 *   PTE of page 1 and keeps its frame allocated;
 * - 4 guarded pages "VMAHUNT-PTE-REMAP page N" and a decoy page "VMAHUNT-REMAP-DECOY":
 *   the module points the PTE of page 1 at the decoy's frame and keeps the original
 *   frame allocated.
 * "#AF KIND PID START END PERMS PROGRAM [DECOY]" lines ask /init for both. */
#include "lab.h"

int main(void)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned char *erase = lab_guarded_pages(4, 'E', "VMAHUNT-PTE-ERASE");
	unsigned char *remap = lab_guarded_pages(4, 'R', "VMAHUNT-PTE-REMAP");
	unsigned char *decoy = lab_guarded_pages(1, 'D', "VMAHUNT-REMAP-DECOY");

	printf("#AF pte_erased %d 0x%lx 0x%lx rw-p pteerase\n", (int)getpid(),
	       (unsigned long)(uintptr_t)(erase + ps), (unsigned long)(uintptr_t)(erase + 2 * ps));
	printf("#AF pte_remapped %d 0x%lx 0x%lx rw-p pteerase 0x%lx\n", (int)getpid(),
	       (unsigned long)(uintptr_t)(remap + ps), (unsigned long)(uintptr_t)(remap + 2 * ps),
	       (unsigned long)(uintptr_t)decoy);
	fflush(stdout);
	lab_ready_and_wait();
}
