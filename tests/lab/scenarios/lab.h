/* Shared helpers for the vmahunt lab scenario programs (run inside the guest).
 * Every planted object is printed as one JSON object per line on stdout;
 * the last line is "#READY". The guest's /init forwards these lines to the host. */
#ifndef VMAHUNT_LAB_H
#define VMAHUNT_LAB_H
#define _GNU_SOURCE
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
#endif
