/* threads: 8 threads (besides the main thread) sharing one mm, each named vh-worker-N.
 * Each worker then sleeps in a raw pause() syscall with marker values in r12-r15, so
 * its user registers as the kernel saved them (pt_regs) are known: the truth lists them
 * ("regs"), and a process core written from the dump must show them for each thread. */
#include "lab.h"
#include <pthread.h>
#include <sys/prctl.h>

#define NTHREADS 8
static pid_t tids[NTHREADS];
static pthread_barrier_t bar;

extern const char vh_park_ret[]; /* the instruction after the parking syscall */

static uint64_t marker(int i, int reg)
{
	return 0x5648000000000000ull | ((uint64_t)reg << 32) | (uint64_t)(i + 1);
}

/* Never returns: pause() forever with r12-r15 = marker(i, 12..15). One call site, so the
 * label after the syscall exists once. */
__attribute__((noinline, noreturn)) static void park(int i)
{
	register uint64_t r12 __asm__("r12") = marker(i, 12);
	register uint64_t r13 __asm__("r13") = marker(i, 13);
	register uint64_t r14 __asm__("r14") = marker(i, 14);
	register uint64_t r15 __asm__("r15") = marker(i, 15);
	for (;;) {
		long rax = SYS_pause;
		__asm__ volatile("syscall\n"
				 ".globl vh_park_ret\n"
				 "vh_park_ret:\n"
				 : "+a"(rax)
				 : "r"(r12), "r"(r13), "r"(r14), "r"(r15)
				 : "rcx", "r11", "memory");
	}
}

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	char name[16];
	snprintf(name, sizeof name, "vh-worker-%d", i);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	tids[i] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&bar);
	park(i);
}

int main(void)
{
	pthread_barrier_init(&bar, NULL, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, (void *)(intptr_t)i) != 0)
			lab_die("pthread_create");
	}
	pthread_barrier_wait(&bar);
	char extra[4096];
	int o = snprintf(extra, sizeof extra, "\"threads\":%d,\"tids\":[", NTHREADS + 1);
	o += snprintf(extra + o, sizeof extra - (size_t)o, "%d", (int)getpid());
	for (int i = 0; i < NTHREADS; i++)
		o += snprintf(extra + o, sizeof extra - (size_t)o, ",%d", (int)tids[i]);
	o += snprintf(extra + o, sizeof extra - (size_t)o, "],\"regs\":[");
	for (int i = 0; i < NTHREADS; i++)
		o += snprintf(extra + o, sizeof extra - (size_t)o,
			      "%s{\"tid\":%d,\"rip\":\"0x%lx\",\"orig_rax\":%d,\"r12\":\"0x%llx\","
			      "\"r13\":\"0x%llx\",\"r14\":\"0x%llx\",\"r15\":\"0x%llx\"}",
			      i ? "," : "", (int)tids[i], (unsigned long)(uintptr_t)vh_park_ret,
			      SYS_pause, (unsigned long long)marker(i, 12),
			      (unsigned long long)marker(i, 13), (unsigned long long)marker(i, 14),
			      (unsigned long long)marker(i, 15));
	snprintf(extra + o, sizeof extra - (size_t)o, "]");
	lab_plant("threads", "threads", 0, 0, "----", extra);
	lab_ready_and_wait();
}
