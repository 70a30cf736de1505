/* reflect: the program's own ELF image in anonymous memory, twice, as reflective loaders
 * leave it:
 * 1. copied whole into one anonymous mapping, then made R-X (an ELF header in an
 *    anonymous executable VMA: anon_elf_exec);
 * 2. loaded segment by segment: each PT_LOAD copied to anonymous memory at its place
 *    relative to the first and given its own protections, so the header page is r--p
 *    and the code after it r-xp, anonymous (anon_elf_loaded: the range spans the image).
 *    Nothing is relocated or run: the memory is what forensics sees. */
#include "lab.h"
#include <elf.h>

static void load_segments(const unsigned char *self, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)self;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(self + eh->e_phoff);
	uintptr_t first = UINTPTR_MAX, span = 0, ps = (uintptr_t)sysconf(_SC_PAGESIZE);

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (first == UINTPTR_MAX)
			first = ph[i].p_vaddr & ~(ps - 1);
		span = ph[i].p_vaddr + ph[i].p_memsz - first;
	}
	unsigned char *base = mmap(NULL, lab_page_up(span), PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		lab_die("mmap image");
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset + ph[i].p_filesz > len)
			continue;
		memcpy(base + (ph[i].p_vaddr - first), self + ph[i].p_offset, ph[i].p_filesz);
	}
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t s = (ph[i].p_vaddr - first) & ~(ps - 1);
		uintptr_t e = lab_page_up(ph[i].p_vaddr - first + ph[i].p_memsz);
		int prot = ((ph[i].p_flags & PF_R) ? PROT_READ : 0) |
			   ((ph[i].p_flags & PF_W) ? PROT_WRITE : 0) |
			   ((ph[i].p_flags & PF_X) ? PROT_EXEC : 0);
		if (mprotect(base + s, e - s, prot) < 0)
			lab_die("mprotect segment");
	}
	char extra[128];
	snprintf(extra, sizeof extra, "\"magic\":\"7f454c46\",\"segments\":\"loaded\"");
	lab_plant("reflect", "anon_elf_loaded", (uintptr_t)base,
		  (uintptr_t)base + lab_page_up(span), "r--p", extra);
}

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
	load_segments(self, len);
	lab_ready_and_wait();
}
