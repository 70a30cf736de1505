/* la57probe: does the guest run 5-level paging? An mmap hint above 2^47 is honoured
 * only with 5-level page tables; the mapping is kept (and touched) so the dump has a
 * VMA above the 4-level limit when la57 is on.
 * arm64: the same question for 52-bit virtual addresses (kind va52_probe): user space
 * ends at 2^48 under a 48-bit VA, and a kernel built for 52 bits running on a CPU that
 * has them (LPA2 with 4 KiB pages; -cpu max, not cortex-a72) honours a hint above 2^48
 * (above: a hint of exactly 2^48 still gets the 48-bit window), here 2^50. */
#include "lab.h"

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
#if defined(__aarch64__)
	void *hint = (void *)(1UL << 50);
#else
	void *hint = (void *)(1UL << 48);
#endif
	unsigned char *m =
	    mmap(hint, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		lab_die("mmap");
	memcpy(m, "VMAHUNT-LA57-PROBE", 18);
#if defined(__x86_64__)
	int la57 = (uintptr_t)m >= (1UL << 47);
	char extra[128];
	snprintf(extra, sizeof extra, "\"la57\":%s,\"hint\":\"0x%lx\"", la57 ? "true" : "false",
		 (unsigned long)hint);
	lab_plant("la57probe", "la57_probe", (uintptr_t)m, (uintptr_t)m + (size_t)ps, "rw-p",
		  extra);
#elif defined(__aarch64__)
	int va52 = (uintptr_t)m >= (1UL << 48);
	char extra[128];
	snprintf(extra, sizeof extra, "\"va52\":%s,\"hint\":\"0x%lx\"", va52 ? "true" : "false",
		 (unsigned long)hint);
	lab_plant("la57probe", "va52_probe", (uintptr_t)m, (uintptr_t)m + (size_t)ps, "rw-p",
		  extra);
#else
#error "la57probe: no probe for this architecture"
#endif
	lab_ready_and_wait();
}
