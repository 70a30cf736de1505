/* threads: 8 threads (besides the main thread) sharing one mm, each named vh-worker-N.
 * Each worker then sleeps in a raw pause() syscall with marker values in r12-r15 (arm64:
 * a raw ppoll(NULL, 0, NULL, NULL) syscall, arm64 has no pause, with markers in x19-x28),
 * so its user registers as the kernel saved them (pt_regs) are known: the truth lists them
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

#if defined(__x86_64__)
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
#elif defined(__aarch64__)
#define FIRST_REG 19 /* x19 .. x28: callee-saved, so nothing else holds them at the svc */
#define NREGS	  10
/* Never returns: ppoll(NULL, 0, NULL, NULL) forever (it sleeps until a signal) with
 * x19-x28 = marker(i, 19..28). One call site, so the label after the svc exists once. */
__attribute__((noinline, noreturn)) static void park(int i)
{
	register uint64_t x19 __asm__("x19") = marker(i, 19);
	register uint64_t x20 __asm__("x20") = marker(i, 20);
	register uint64_t x21 __asm__("x21") = marker(i, 21);
	register uint64_t x22 __asm__("x22") = marker(i, 22);
	register uint64_t x23 __asm__("x23") = marker(i, 23);
	register uint64_t x24 __asm__("x24") = marker(i, 24);
	register uint64_t x25 __asm__("x25") = marker(i, 25);
	register uint64_t x26 __asm__("x26") = marker(i, 26);
	register uint64_t x27 __asm__("x27") = marker(i, 27);
	register uint64_t x28 __asm__("x28") = marker(i, 28);
	for (;;) {
		register long x8 __asm__("x8") = SYS_ppoll;
		register long x0 __asm__("x0") = 0;
		register long x1 __asm__("x1") = 0;
		register long x2 __asm__("x2") = 0;
		register long x3 __asm__("x3") = 0;
		__asm__ volatile("svc #0\n"
				 ".globl vh_park_ret\n"
				 "vh_park_ret:\n"
				 : "+r"(x0)
				 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x19), "r"(x20), "r"(x21),
				   "r"(x22), "r"(x23), "r"(x24), "r"(x25), "r"(x26), "r"(x27),
				   "r"(x28)
				 : "memory");
	}
}
#else
#error "threads: no parking syscall for this architecture"
#endif

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
#if defined(__x86_64__)
	for (int i = 0; i < NTHREADS; i++)
		o += snprintf(extra + o, sizeof extra - (size_t)o,
			      "%s{\"tid\":%d,\"rip\":\"0x%lx\",\"orig_rax\":%d,\"r12\":\"0x%llx\","
			      "\"r13\":\"0x%llx\",\"r14\":\"0x%llx\",\"r15\":\"0x%llx\"}",
			      i ? "," : "", (int)tids[i], (unsigned long)(uintptr_t)vh_park_ret,
			      SYS_pause, (unsigned long long)marker(i, 12),
			      (unsigned long long)marker(i, 13), (unsigned long long)marker(i, 14),
			      (unsigned long long)marker(i, 15));
#elif defined(__aarch64__)
	/* pc: the instruction after the svc (ELR_EL1 of a system call); syscallno: what
	 * the kernel keeps in pt_regs.syscallno while the thread sleeps in it */
	for (int i = 0; i < NTHREADS; i++) {
		o += snprintf(extra + o, sizeof extra - (size_t)o,
			      "%s{\"tid\":%d,\"pc\":\"0x%lx\",\"syscallno\":%d", i ? "," : "",
			      (int)tids[i], (unsigned long)(uintptr_t)vh_park_ret, SYS_ppoll);
		for (int r = FIRST_REG; r < FIRST_REG + NREGS; r++)
			o += snprintf(extra + o, sizeof extra - (size_t)o, ",\"x%d\":\"0x%llx\"", r,
				      (unsigned long long)marker(i, r));
		o += snprintf(extra + o, sizeof extra - (size_t)o, "}");
	}
#endif
	snprintf(extra + o, sizeof extra - (size_t)o, "]");
	lab_plant("threads", "threads", 0, 0, "----", extra);
	lab_ready_and_wait();
}
