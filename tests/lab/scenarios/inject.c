/* inject: code injection traces.
 * 1. an anonymous RWX mapping holding a NOP sled followed by a real syscall stub
 *    (mov eax,39 (getpid); syscall; ret), which is executed once to prove it is code;
 * 2. part of the brk heap holding the same stub, made executable with mprotect. */
#include "lab.h"

static const unsigned char stub[] = {
    0xb8, 0x27, 0x00, 0x00, 0x00, /* mov eax, 39 (SYS_getpid) */
    0x0f, 0x05,			  /* syscall */
    0xc3,			  /* ret */
};
#define SLED 512

static void plant_code(unsigned char *p)
{
	memset(p, 0x90, SLED);
	memcpy(p + SLED, stub, sizeof stub);
}

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = 4 * (size_t)ps;
	unsigned char *rwx =
	    mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rwx == MAP_FAILED)
		lab_die("mmap rwx");
	memset(rwx, 0xcc, len);
	plant_code(rwx);
	long r = ((long (*)(void))rwx)();
	char extra[256];
	snprintf(extra, sizeof extra,
		 "\"sled_len\":%d,\"stub_offset\":%d,\"stub_hex\":\"b8270000000f05c3\",\"executed_"
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
		 "\"sled_len\":%d,\"stub_offset\":%d,\"stub_hex\":\"b8270000000f05c3\",\"executed_"
		 "ret\":%ld",
		 SLED, SLED, r);
	lab_plant("inject", "heap_exec", hp, hp + 2 * (size_t)ps, "rwxp", extra);
	lab_ready_and_wait();
}
