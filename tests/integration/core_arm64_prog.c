/* SPDX-License-Identifier: MIT */
/*
 * The aarch64 program of test_core_arm64.sh, run under qemu-aarch64: two
 * threads, an anonymous rwx mapping starting with a marker, a heap block.
 * It prints what it knows about itself as one JSON object (pid, thread ids,
 * its addresses, the /proc/self/maps QEMU shows it, which is what QEMU's core
 * holds), then dies of SIGABRT in the main thread while the second thread
 * waits, so that QEMU writes its core (qemu_PROG_*.core).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MARKER "VMAHUNT-ARM64-RWX"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long worker_tid;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	worker_tid = syscall(SYS_gettid);
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause(); /* still here when the main thread aborts */
	return NULL;
}

/* /proc/self/maps as one JSON string (paths here have no quotes or backslashes). */
static void print_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	printf("\"maps\":\"");
	while (f && fgets(line, sizeof(line), f)) {
		for (char *c = line; *c; c++) {
			if (*c == '\n')
				fputs("\\n", stdout);
			else
				putchar(*c == '"' || *c == '\\' ? '?' : *c);
		}
	}
	printf("\"");
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	pthread_t t;
	char *heap = malloc(64 << 10);
	unsigned char *rwx = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!heap || rwx == MAP_FAILED)
		return 1;
	memset(rwx, 0xd5, 3 * 4096);
	memcpy(rwx, MARKER, strlen(MARKER));
	strcpy(heap, "heap-marker");
	pthread_mutex_lock(&lock);
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	while (!worker_tid)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	printf("{\"pid\":%d,\"tids\":[%d,%ld],\"ppid\":%d,\"argc\":%d,\"arg0\":\"%s\","
	       "\"rwx\":\"%p\",\"heap\":\"%p\",\"main\":\"%p\",\"marker\":\"%s\",",
	       getpid(), getpid(), worker_tid, getppid(), argc, argv[0], (void *)rwx, (void *)heap,
	       (void *)main, MARKER);
	print_maps();
	printf("}\n");
	fflush(stdout);
	abort();
}
