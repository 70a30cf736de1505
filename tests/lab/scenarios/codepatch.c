/* codepatch: code patched in memory. The process writes into one page of its own
 * executable file mapping through /proc/self/mem (as a debugger or an injector would):
 * the kernel copies that private page on write, so the page becomes anonymous memory
 * while the VMA still maps /lab/bin/codepatch r-xp. The patched page holds victim(), a
 * page-aligned function that is never called; its first bytes become
 * "mov eax,39; syscall; ret" (getpid; arm64: "mov x8,#172; svc #0; ret") and the marker
 * string follows. */
#include "lab.h"

__attribute__((noinline, aligned(4096))) int victim(int x)
{
	return x * 3 + 1;
}

#if defined(__x86_64__)
static const unsigned char patch[] = {
    0xb8, 0x27, 0x00, 0x00, 0x00, /* mov eax, 39 (SYS_getpid) */
    0x0f, 0x05,			  /* syscall */
    0xc3,			  /* ret */
    'V',  'M',	'A',  'H',  'U',  'N', 'T', '-', 'P', 'A', 'T', 'C', 'H', 'E', 'D',
};
#define PATCH_HEX "b8270000000f05c3"
#elif defined(__aarch64__)
static const unsigned char patch[] = {
    0x88, 0x15, 0x80, 0xd2, /* mov x8, #172 (__NR_getpid) */
    0x01, 0x00, 0x00, 0xd4, /* svc #0 */
    0xc0, 0x03, 0x5f, 0xd6, /* ret */
    'V',  'M',	'A',  'H',  'U', 'N', 'T', '-', 'P', 'A', 'T', 'C', 'H', 'E', 'D',
};
#define PATCH_HEX "881580d2010000d4" /* the first 8 bytes, as on x86-64 */
#else
#error "codepatch: no patch for this architecture"
#endif

int main(void)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t page = (uintptr_t)victim & ~(ps - 1);
	if (victim(1) != 4)
		lab_die("victim");
	int fd = open("/proc/self/mem", O_RDWR);
	if (fd < 0)
		lab_die("open /proc/self/mem");
	if (pwrite(fd, patch, sizeof patch, (off_t)(uintptr_t)victim) != (ssize_t)sizeof patch)
		lab_die("pwrite /proc/self/mem");
	close(fd);
	char extra[128];
	snprintf(extra, sizeof extra,
		 "\"name\":\"/lab/bin/codepatch\",\"patch_offset\":%lu,\"patch_len\":%zu,"
		 "\"patch_hex\":\"" PATCH_HEX "\"",
		 (unsigned long)((uintptr_t)victim - page), sizeof patch);
	lab_plant("codepatch", "code_modified", page, page + ps, "r-xp", extra);
	lab_ready_and_wait();
}
