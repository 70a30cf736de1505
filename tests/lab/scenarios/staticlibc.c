/* staticlibc: a statically linked program that loads a libc into itself, as a hand-made
 * loader (or malware carrying its own loader) does: libc.so.6's PT_LOAD segments mapped
 * from the file at their offsets with their protections, inside one reserved area. A
 * static program has no dynamic loader: a libc in its map is not its own doing. */
#include "lab.h"
#include <elf.h>

#define LIBC "/lab/lib/libc.so.6"

int main(void)
{
	int fd = open(LIBC, O_RDONLY);
	Elf64_Ehdr eh;
	Elf64_Phdr ph[32];

	if (fd < 0)
		lab_die("open libc");
	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || eh.e_phnum > 32 ||
	    pread(fd, ph, sizeof(Elf64_Phdr) * eh.e_phnum, (off_t)eh.e_phoff) !=
		(ssize_t)(sizeof(Elf64_Phdr) * eh.e_phnum))
		lab_die("read libc headers");
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE), span = 0;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > span)
			span = ph[i].p_vaddr + ph[i].p_memsz;
	unsigned char *base = mmap(NULL, lab_page_up(span), PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		lab_die("reserve");
	uintptr_t text_start = 0, text_end = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t va = (uintptr_t)base + (ph[i].p_vaddr & ~(ps - 1));
		uintptr_t off = ph[i].p_offset & ~(ps - 1);
		size_t len = lab_page_up((ph[i].p_vaddr & (ps - 1)) + ph[i].p_filesz);
		int prot = ((ph[i].p_flags & PF_R) ? PROT_READ : 0) |
			   ((ph[i].p_flags & PF_W) ? PROT_WRITE : 0) |
			   ((ph[i].p_flags & PF_X) ? PROT_EXEC : 0);
		if (mmap((void *)va, len, prot, MAP_PRIVATE | MAP_FIXED, fd, (off_t)off) == MAP_FAILED)
			lab_die("map libc segment");
		if (ph[i].p_flags & PF_X)
			text_start = va, text_end = va + len;
	}
	close(fd);
	char extra[128];
	snprintf(extra, sizeof extra, "\"name\":\"%s\"", LIBC);
	lab_plant("staticlibc", "static_libc", text_start, text_end, "r-xp", extra);
	lab_ready_and_wait();
}
