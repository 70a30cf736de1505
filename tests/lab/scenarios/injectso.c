/* injectso: a ptrace injector, as the first step of every shared-object injector.
 * Forks a victim that only sleeps, copies a shared object to /tmp, attaches to the
 * victim with ptrace and makes it run open() + mmap(PROT_READ|PROT_EXEC) + close() of
 * that file through injected syscalls (written over the victim's code at its current
 * instruction, then restored), then detaches. The victim ends up with a .so from /tmp
 * mapped executable that it never asked for. No relocation is done: the memory left
 * behind is what forensics sees of an injected library. The text page the syscalls
 * were written into stays a private copy (as after any ptrace code write).
 * arm64: the registers through PTRACE_GETREGSET/SETREGSET (NT_PRSTATUS), the code
 * "svc #0; brk #0", open as openat(AT_FDCWD, ...) (arm64 has no open syscall). */
#include "lab.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#if defined(__aarch64__)
#include <sys/uio.h>
#elif !defined(__x86_64__)
#error "injectso: no remote syscall for this architecture"
#endif

#define SO_SRC "/lab/lib/libvhinject.so"
#define SO_DST "/tmp/libvhinject.so"

static void copy_file(const char *from, const char *to, size_t *len)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;

	if (in < 0 || out < 0)
		lab_die("open for copy");
	*len = 0;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (write(out, buf, (size_t)n) != n)
			lab_die("write copy");
		*len += (size_t)n;
	}
	close(in);
	close(out);
}

static void poke(pid_t pid, uintptr_t addr, const void *src, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(long)) {
		long word;
		memcpy(&word, (const char *)src + i, sizeof word);
		if (ptrace(PTRACE_POKEDATA, pid, (void *)(addr + i), (void *)word) < 0)
			lab_die("PTRACE_POKEDATA");
	}
}

static void peek(pid_t pid, uintptr_t addr, void *dst, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(long)) {
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + i), NULL);
		if (errno)
			lab_die("PTRACE_PEEKDATA");
		memcpy((char *)dst + i, &word, sizeof word);
	}
}

#if defined(__x86_64__)
/* Runs one syscall in the stopped victim at @code (holding "syscall; int3"). */
static long remote_syscall(pid_t pid, const struct user_regs_struct *base, uintptr_t code, long nr,
			   long a1, long a2, long a3, long a4, long a5, long a6)
{
	struct user_regs_struct r = *base;
	int status;

	r.rip = code;
	r.rax = (unsigned long)nr;
	r.orig_rax = (unsigned long)-1; /* not inside a syscall: nothing to restart */
	r.rdi = (unsigned long)a1;
	r.rsi = (unsigned long)a2;
	r.rdx = (unsigned long)a3;
	r.r10 = (unsigned long)a4;
	r.r8 = (unsigned long)a5;
	r.r9 = (unsigned long)a6;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &r) < 0 || ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
		lab_die("PTRACE_SETREGS/CONT");
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
		lab_die("victim did not trap after the injected syscall");
	if (ptrace(PTRACE_GETREGS, pid, NULL, &r) < 0)
		lab_die("PTRACE_GETREGS");
	return (long)r.rax;
}
#else
static void getregs(pid_t pid, struct user_regs_struct *r)
{
	struct iovec io = {r, sizeof *r};

	if (ptrace(PTRACE_GETREGSET, pid, (void *)(uintptr_t)NT_PRSTATUS, &io) < 0)
		lab_die("PTRACE_GETREGSET");
}

static int setregs(pid_t pid, const struct user_regs_struct *r)
{
	struct iovec io = {(void *)r, sizeof *r};

	return (int)ptrace(PTRACE_SETREGSET, pid, (void *)(uintptr_t)NT_PRSTATUS, &io);
}

/* Runs one syscall in the stopped victim at @code (holding "svc #0; brk #0"). The victim
 * was stopped in pause(): the kernel already rewound that interrupted call before the
 * stop (pc on its svc, syscallno forgotten), so a new pc needs no restart fix-up. */
static long remote_syscall(pid_t pid, const struct user_regs_struct *base, uintptr_t code, long nr,
			   long a1, long a2, long a3, long a4, long a5, long a6)
{
	struct user_regs_struct r = *base;
	int status;

	r.pc = code;
	r.regs[8] = (unsigned long)nr;
	r.regs[0] = (unsigned long)a1;
	r.regs[1] = (unsigned long)a2;
	r.regs[2] = (unsigned long)a3;
	r.regs[3] = (unsigned long)a4;
	r.regs[4] = (unsigned long)a5;
	r.regs[5] = (unsigned long)a6;
	if (setregs(pid, &r) < 0 || ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
		lab_die("PTRACE_SETREGSET/CONT");
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
		lab_die("victim did not trap after the injected syscall");
	getregs(pid, &r);
	return (long)r.regs[0];
}
#endif

int main(void)
{
	size_t len;
	pid_t victim = fork();

	if (victim < 0)
		lab_die("fork");
	if (victim == 0) {
		prctl(PR_SET_NAME, "vh-victim", 0, 0, 0);
		for (;;)
			pause();
	}
	copy_file(SO_SRC, SO_DST, &len);
	usleep(200000); /* the victim is asleep in pause() */
	if (ptrace(PTRACE_ATTACH, victim, NULL, NULL) < 0)
		lab_die("PTRACE_ATTACH");
	int status;
	if (waitpid(victim, &status, 0) != victim || !WIFSTOPPED(status))
		lab_die("waitpid attach");
	struct user_regs_struct saved;
#if defined(__x86_64__)
	if (ptrace(PTRACE_GETREGS, victim, NULL, &saved) < 0)
		lab_die("PTRACE_GETREGS");
	/* the path below the victim's red zone; the code over its current instruction */
	char path[32] = SO_DST;
	uintptr_t path_at = (saved.rsp - 1024) & ~(uintptr_t)15;
	uintptr_t code_at = saved.rip & ~(uintptr_t)7;
	unsigned char orig[8], code[8] = {0x0f, 0x05, 0xcc, 0x90, 0x90, 0x90, 0x90, 0x90};
#else
	getregs(victim, &saved);
	char path[32] = SO_DST;
	uintptr_t path_at = (saved.sp - 1024) & ~(uintptr_t)15;
	uintptr_t code_at = saved.pc & ~(uintptr_t)7;
	unsigned char orig[8], code[8] = {0x01, 0x00, 0x00, 0xd4,  /* svc #0 */
					  0x00, 0x00, 0x20, 0xd4}; /* brk #0 */
#endif
	peek(victim, code_at, orig, sizeof orig);
	poke(victim, path_at, path, sizeof path);
	poke(victim, code_at, code, sizeof code);
#if defined(__x86_64__)
	long fd =
	    remote_syscall(victim, &saved, code_at, SYS_open, (long)path_at, O_RDONLY, 0, 0, 0, 0);
#else
	long fd = remote_syscall(victim, &saved, code_at, SYS_openat, AT_FDCWD, (long)path_at,
				 O_RDONLY, 0, 0, 0);
#endif
	if (fd < 0)
		lab_die("injected open");
	long map = remote_syscall(victim, &saved, code_at, SYS_mmap, 0, (long)len,
				  PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (map < 0 && map > -4096)
		lab_die("injected mmap");
	remote_syscall(victim, &saved, code_at, SYS_close, fd, 0, 0, 0, 0, 0);
	poke(victim, code_at, orig, sizeof orig);
#if defined(__x86_64__)
	if (ptrace(PTRACE_SETREGS, victim, NULL, &saved) < 0 ||
	    ptrace(PTRACE_DETACH, victim, NULL, NULL) < 0)
#else
	if (setregs(victim, &saved) < 0 || ptrace(PTRACE_DETACH, victim, NULL, NULL) < 0)
#endif
		lab_die("restore and detach");

	char extra[256];
	snprintf(extra, sizeof extra, "\"name\":\"%s\",\"injector_pid\":%d,\"size\":%zu", SO_DST,
		 (int)getpid(), len);
	printf("{\"pid\":%d,\"program\":\"injectso\",\"kind\":\"injected_lib\",\"start\":\"0x%lx\","
	       "\"end\":\"0x%lx\",\"perms\":\"r-xp\",%s}\n",
	       (int)victim, (unsigned long)map, (unsigned long)lab_page_up((uintptr_t)map + len),
	       extra);
	/* the victim's text page the syscalls were written into: a private copy now */
	printf("{\"pid\":%d,\"program\":\"injectso\",\"kind\":\"ptrace_cow\",\"start\":\"0x%lx\","
	       "\"end\":\"0x%lx\",\"perms\":\"r-xp\",\"name\":\"/lab/bin/injectso\"}\n",
	       (int)victim, (unsigned long)(code_at & ~(uintptr_t)4095),
	       (unsigned long)((code_at & ~(uintptr_t)4095) + 4096));
	fflush(stdout);
	lab_ready_and_wait();
}
