/* kpageflags: not a scenario but a truth helper. Prints, from /proc/kpageflags, the
 * physical page frames the kernel flags as slab pages, as runs "START COUNT" (pfns,
 * decimal), one per line. A -d 31 makedumpfile output must keep them (they hold the
 * task_structs, mm_structs, VMAs ...): tests/lab/dumpcheck.py checks that it does. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define KPF_SLAB   7
#define KPF_NOPAGE 20

int main(void)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0) {
		perror("open /proc/kpageflags");
		return 1;
	}
	static uint64_t buf[4096];
	uint64_t pfn = 0, run_start = 0, run_len = 0, total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n / 8; i++, pfn++) {
			int slab = (buf[i] >> KPF_SLAB) & 1 && !((buf[i] >> KPF_NOPAGE) & 1);
			if (slab) {
				if (run_len && run_start + run_len == pfn) {
					run_len++;
				} else {
					if (run_len)
						printf("%llu %llu\n", (unsigned long long)run_start,
						       (unsigned long long)run_len);
					run_start = pfn;
					run_len = 1;
				}
				total++;
			}
		}
	}
	if (run_len)
		printf("%llu %llu\n", (unsigned long long)run_start, (unsigned long long)run_len);
	fprintf(stderr, "kpageflags: %llu slab pages of %llu\n", (unsigned long long)total,
		(unsigned long long)pfn);
	return 0;
}
