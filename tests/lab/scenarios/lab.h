/* Shared helpers for the vmahunt lab scenario programs (run inside the guest).
 * Every planted object is printed as one JSON object per line on stdout;
 * the last line is "#READY". The guest's /init forwards these lines to the host. */
#ifndef VMAHUNT_LAB_H
#define VMAHUNT_LAB_H
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void lab_die(const char *what)
{
	printf("{\"error\":\"%s\",\"errno\":%d}\n", what, errno);
	fflush(stdout);
	exit(1);
}

static inline void lab_plant(const char *prog, const char *kind, uintptr_t start, uintptr_t end,
			     const char *perms, const char *extra_json)
{
	printf(
	    "{\"pid\":%d,\"program\":\"%s\",\"kind\":\"%s\",\"start\":\"0x%lx\",\"end\":\"0x%lx\","
	    "\"perms\":\"%s\"%s%s}\n",
	    (int)getpid(), prog, kind, (unsigned long)start, (unsigned long)end, perms,
	    extra_json && *extra_json ? "," : "", extra_json ? extra_json : "");
	fflush(stdout);
}

/* A target for the lab's anti-forensics module (tests/lab/antiforensics): not a plant
 * yet. /init reads "#AF KIND PID START END PERMS PROGRAM", loads the module on it after
 * the truth was printed, and prints the plant with what the module did. */
static inline void lab_af_target(const char *prog, const char *kind, uintptr_t start, uintptr_t end,
				 const char *perms)
{
	printf("#AF %s %d 0x%lx 0x%lx %s %s\n", kind, (int)getpid(), (unsigned long)start,
	       (unsigned long)end, perms, prog);
	fflush(stdout);
}

static inline void lab_ready_and_wait(void)
{
	printf("#READY\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* Read /proc/self/exe into a malloc'ed buffer. */
static inline unsigned char *lab_read_self(size_t *len)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		lab_die("open /proc/self/exe");
	struct stat st;
	if (fstat(fd, &st) < 0)
		lab_die("fstat");
	unsigned char *buf = malloc((size_t)st.st_size);
	if (!buf)
		lab_die("malloc");
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			lab_die("read self");
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

static inline uintptr_t lab_page_up(uintptr_t x)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	return (x + ps - 1) & ~(ps - 1);
}

/* @pages anonymous read-write pages between two PROT_NONE guard pages (so the VMA merges
 * with nothing), each filled with @fill and starting with "@label page N": every page is
 * present and recognisable in a dump. */
static inline unsigned char *lab_guarded_pages(int pages, int fill, const char *label)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *area =
	    mmap(NULL, (size_t)(pages + 2) * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		lab_die("mmap");
	if (mprotect(area + ps, (size_t)pages * ps, PROT_READ | PROT_WRITE) < 0)
		lab_die("mprotect rw");
	for (int i = 0; i < pages; i++) {
		unsigned char *pg = area + ps + (size_t)i * ps;
		memset(pg, fill, ps);
		snprintf((char *)pg, 64, "%s page %d", label, i);
	}
	return area + ps;
}
/* Maps the shared object @path as a hand-made loader does: its PT_LOAD segments from the
 * file at their offsets, with their protections, inside one reserved area; the executable
 * segment's range goes to @text_start/@text_end. */
static inline void lab_map_library(const char *path, uintptr_t *text_start, uintptr_t *text_end)
{
	int fd = open(path, O_RDONLY);
	Elf64_Ehdr eh;
	Elf64_Phdr ph[32];

	if (fd < 0)
		lab_die("open library");
	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || eh.e_phnum > 32 ||
	    pread(fd, ph, sizeof(Elf64_Phdr) * eh.e_phnum, (off_t)eh.e_phoff) !=
		(ssize_t)(sizeof(Elf64_Phdr) * eh.e_phnum))
		lab_die("read library headers");
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE), span = 0;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > span)
			span = ph[i].p_vaddr + ph[i].p_memsz;
	unsigned char *base =
	    mmap(NULL, lab_page_up(span), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		lab_die("reserve");
	*text_start = *text_end = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t va = (uintptr_t)base + (ph[i].p_vaddr & ~(ps - 1));
		uintptr_t off = ph[i].p_offset & ~(ps - 1);
		size_t len = lab_page_up((ph[i].p_vaddr & (ps - 1)) + ph[i].p_filesz);
		int prot = ((ph[i].p_flags & PF_R) ? PROT_READ : 0) |
			   ((ph[i].p_flags & PF_W) ? PROT_WRITE : 0) |
			   ((ph[i].p_flags & PF_X) ? PROT_EXEC : 0);
		if (mmap((void *)va, len, prot, MAP_PRIVATE | MAP_FIXED, fd, (off_t)off) ==
		    MAP_FAILED)
			lab_die("map library segment");
		if (ph[i].p_flags & PF_X)
			*text_start = va, *text_end = va + len;
	}
	close(fd);
}
#endif
