/* manyvmas: about 20 000 VMAs: one reserved region of N pages whose pages alternate
 * between PROT_READ and PROT_READ|PROT_WRITE so that no two neighbours merge. Pages are
 * not touched (no memory is used), except the first byte of every 1000th RW page. */
#include "lab.h"

#define NVMAS 20000

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)NVMAS * (size_t)ps;
	unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		lab_die("mmap");
	for (size_t i = 1; i < NVMAS; i += 2) {
		if (mprotect(m + i * (size_t)ps, (size_t)ps, PROT_READ | PROT_WRITE) < 0)
			lab_die("mprotect");
		if (i % 1000 == 1)
			m[i * (size_t)ps] = (unsigned char)(i & 0xff);
	}
	char extra[128];
	snprintf(extra, sizeof extra, "\"vmas\":%d,\"pattern\":\"r--p,rw-p alternating\"", NVMAS);
	lab_plant("manyvmas", "many_vmas", (uintptr_t)m, (uintptr_t)m + len, "r--p", extra);
	lab_ready_and_wait();
}
