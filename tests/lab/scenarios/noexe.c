/* noexe: a process whose executable is no longer mapped (what process hollowing and
 * self-unmapping loaders leave): it copies a small stub into anonymous memory, prints its
 * plant, jumps to the stub, and the stub unmaps every mapping of the program file, then
 * sleeps in pause() forever. mm->exe_file still names the program; no VMA maps it. */
#include "lab.h"

#if defined(__x86_64__)
/* The stub, position-independent: rdi points at {count, {start, length} * count}. */
__asm__(".text\n"
	".globl vh_stub_start, vh_stub_end\n"
	"vh_stub_start:\n"
	"	mov %rdi, %rbx\n"
	"	mov (%rbx), %rcx\n"
	"	lea 8(%rbx), %rbx\n"
	"1:	test %rcx, %rcx\n"
	"	jz 2f\n"
	"	push %rcx\n"
	"	mov (%rbx), %rdi\n"
	"	mov 8(%rbx), %rsi\n"
	"	mov $11, %eax\n" /* munmap */
	"	syscall\n"
	"	pop %rcx\n"
	"	add $16, %rbx\n"
	"	dec %rcx\n"
	"	jmp 1b\n"
	"2:	mov $34, %eax\n" /* pause */
	"	syscall\n"
	"	jmp 2b\n"
	"vh_stub_end:\n");
#elif defined(__aarch64__)
/* The stub, position-independent: x0 points at {count, {start, length} * count}; then
 * ppoll(NULL, 0, NULL, NULL) forever (arm64 has no pause syscall). */
__asm__(".text\n"
	".globl vh_stub_start, vh_stub_end\n"
	"vh_stub_start:\n"
	"	mov x19, x0\n"
	"	ldr x20, [x19], #8\n"
	"1:	cbz x20, 2f\n"
	"	ldp x0, x1, [x19], #16\n"
	"	mov x8, #215\n" /* munmap */
	"	svc #0\n"
	"	sub x20, x20, #1\n"
	"	b 1b\n"
	"2:	mov x0, #0\n"
	"	mov x1, #0\n"
	"	mov x2, #0\n"
	"	mov x3, #0\n"
	"	mov x8, #73\n" /* ppoll */
	"	svc #0\n"
	"	b 2b\n"
	"vh_stub_end:\n");
#else
#error "noexe: no stub for this architecture"
#endif
extern const unsigned char vh_stub_start[], vh_stub_end[];

int main(void)
{
	char exe[256], line[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	FILE *maps = fopen("/proc/self/maps", "r");
	uint64_t table[1 + 2 * 32];
	size_t count = 0;

	if (n <= 0 || !maps)
		lab_die("readlink/maps");
	exe[n] = '\0';
	while (fgets(line, sizeof line, maps) && count < 32) {
		unsigned long s, e;
		char *path = strchr(line, '/');
		if (!path || sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (strcmp(path, exe) == 0) {
			table[1 + 2 * count] = s;
			table[2 + 2 * count] = e - s;
			count++;
		}
	}
	fclose(maps);
	table[0] = count;
	size_t code_len = (size_t)(vh_stub_end - vh_stub_start), ps = 4096;
	unsigned char *stub =
	    mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stub == MAP_FAILED || code_len + sizeof table > ps)
		lab_die("mmap stub");
	memcpy(stub, vh_stub_start, code_len);
	memcpy(stub + 64 * ((code_len + 63) / 64), table, sizeof table);
#if defined(__aarch64__)
	__builtin___clear_cache((char *)stub, (char *)stub + code_len);
#endif
	if (mprotect(stub, ps, PROT_READ | PROT_EXEC) < 0)
		lab_die("mprotect stub");
	char extra[320];
	snprintf(extra, sizeof extra, "\"exe\":\"%s\",\"unmapped\":%zu", exe, count);
	/* the range is the stub's page: what is left of the program's code */
	lab_plant("noexe", "exe_unmapped", (uintptr_t)stub, (uintptr_t)stub + ps, "r-xp", extra);
	printf("#READY\n");
	fflush(stdout);
	void (*run)(const uint64_t *) = (void (*)(const uint64_t *))(uintptr_t)stub;
	run((const uint64_t *)(stub + 64 * ((code_len + 63) / 64)));
	return 0;
}
