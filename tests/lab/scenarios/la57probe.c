/* la57probe: does the guest run 5-level paging? An mmap hint above 2^47 is honoured
 * only with 5-level page tables; the mapping is kept (and touched) so the dump has a
 * VMA above the 4-level limit when la57 is on. */
#include "lab.h"

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	void *hint = (void *)(1UL << 48);
	unsigned char *m =
	    mmap(hint, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		lab_die("mmap");
	memcpy(m, "VMAHUNT-LA57-PROBE", 18);
	int la57 = (uintptr_t)m >= (1UL << 47);
	char extra[128];
	snprintf(extra, sizeof extra, "\"la57\":%s,\"hint\":\"0x%lx\"", la57 ? "true" : "false",
		 (unsigned long)hint);
	lab_plant("la57probe", "la57_probe", (uintptr_t)m, (uintptr_t)m + (size_t)ps, "rw-p",
		  extra);
	lab_ready_and_wait();
}
