/* inject: code injection traces.
 * 1. an anonymous RWX mapping holding a NOP sled followed by a real syscall stub
 *    (x86-64: mov eax,39 (getpid); syscall; ret. arm64: mov x8,#172 (getpid); svc #0;
 *    ret), which is executed once to prove it is code;
 * 2. part of the brk heap holding the same stub, made executable with mprotect. */
#include "lab.h"

#if defined(__x86_64__)
static const unsigned char stub[] = {
    0xb8, 0x27, 0x00, 0x00, 0x00, /* mov eax, 39 (SYS_getpid) */
    0x0f, 0x05,			  /* syscall */
    0xc3,			  /* ret */
};
#define STUB_HEX "b8270000000f05c3"
#define SLED	 512

static void plant_code(unsigned char *p)
{
	memset(p, 0x90, SLED);
	memcpy(p + SLED, stub, sizeof stub);
}
#define FILL(p, len) memset(p, 0xcc, len) /* int3 */
#elif defined(__aarch64__)
static const unsigned char stub[] = {
    0x88, 0x15, 0x80, 0xd2, /* mov x8, #172 (__NR_getpid) */
    0x01, 0x00, 0x00, 0xd4, /* svc #0 */
    0xc0, 0x03, 0x5f, 0xd6, /* ret */
};
#define STUB_HEX "881580d2010000d4c0035fd6"
#define SLED	 512

static void plant_code(unsigned char *p)
{
	for (int i = 0; i < SLED; i += 4)
		memcpy(p + i, "\x1f\x20\x03\xd5", 4); /* nop (0xd503201f) */
	memcpy(p + SLED, stub, sizeof stub);
	__builtin___clear_cache((char *)p, (char *)p + SLED + sizeof stub);
}

static void FILL(unsigned char *p, size_t len) /* brk #0 (0xd4200000) */
{
	for (size_t i = 0; i + 4 <= len; i += 4)
		memcpy(p + i, "\x00\x00\x20\xd4", 4);
}
#else
#error "inject: no stub for this architecture"
#endif

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = 4 * (size_t)ps;
	unsigned char *rwx =
	    mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rwx == MAP_FAILED)
		lab_die("mmap rwx");
	FILL(rwx, len);
	plant_code(rwx);
	long r = ((long (*)(void))rwx)();
	char extra[256];
	snprintf(extra, sizeof extra,
		 "\"sled_len\":%d,\"stub_offset\":%d,\"stub_hex\":\"" STUB_HEX "\",\"executed_"
		 "ret\":%ld",
		 SLED, SLED, r);
	lab_plant("inject", "anon_rwx_code", (uintptr_t)rwx, (uintptr_t)rwx + len, "rwxp", extra);

	/* heap: a brk allocation (below the mmap threshold), 2 pages of it made RWX */
	unsigned char *heap = malloc(16 * (size_t)ps);
	if (!heap)
		lab_die("malloc");
	memset(heap, 0x41, 16 * (size_t)ps);
	uintptr_t hp = lab_page_up((uintptr_t)heap + (uintptr_t)ps);
	plant_code((unsigned char *)hp);
	if (mprotect((void *)hp, 2 * (size_t)ps, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		lab_die("mprotect heap");
	r = ((long (*)(void))hp)();
	snprintf(extra, sizeof extra,
		 "\"sled_len\":%d,\"stub_offset\":%d,\"stub_hex\":\"" STUB_HEX "\",\"executed_"
		 "ret\":%ld",
		 SLED, SLED, r);
	lab_plant("inject", "heap_exec", hp, hp + 2 * (size_t)ps, "rwxp", extra);
	lab_ready_and_wait();
}
