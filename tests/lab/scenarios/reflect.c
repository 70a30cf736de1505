/* reflect: the program's own ELF image copied into anonymous memory, then made R-X
 * (what a reflective loader leaves behind: an ELF header in an anonymous executable VMA). */
#include "lab.h"

int main(void)
{
	size_t len;
	unsigned char *self = lab_read_self(&len);
	size_t maplen = lab_page_up(len);
	unsigned char *m =
	    mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		lab_die("mmap");
	memcpy(m, self, len);
	if (mprotect(m, maplen, PROT_READ | PROT_EXEC) < 0)
		lab_die("mprotect");
	char extra[128];
	snprintf(extra, sizeof extra, "\"elf_size\":%zu,\"magic\":\"7f454c46\"", len);
	lab_plant("reflect", "anon_elf_exec", (uintptr_t)m, (uintptr_t)m + maplen, "r-xp", extra);
	/* the copied image is the program file: /init hashes it (truth: sha256, file_size) */
	printf("#FILE anon_elf_exec %d /proc/%d/exe\n", (int)getpid(), (int)getpid());
	lab_ready_and_wait();
}
