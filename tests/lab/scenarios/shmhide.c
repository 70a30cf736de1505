/* shmhide: payloads kept in shared memory that no VMA maps at the time of the dump, held
 * only by a file descriptor or an IPC id ("Hiding Process Memory via Anti-Forensic
 * Techniques", Palutke et al., DFRWS 2020, shared-memory subversion):
 * 1. a memfd holding the program's own ELF image, mapped r-x once, unmapped, fd kept;
 * 2. a POSIX shm object (/dev/shm, shm_open) holding a NOP sled and a raw syscall stub
 *    (exit: x86-64 "mov eax,60; syscall", arm64 "mov x8,#93; svc #0"), written through a
 *    brief mapping, unmapped, fd kept;
 * 3. a SysV shm segment holding the program's ELF image, attached, written, detached:
 *    held by its id only;
 * 3b. the same in a child of its own IPC namespace (unshare(CLONE_NEWIPC), a container's);
 * 4. the benign control, in a child: a memfd of plain text, unmapped, fd kept;
 * 5. a memfd holding the ELF image, never mapped, in the file table of a thread that
 *    made its own (unshare(CLONE_FILES)): the leader's table does not hold it.
 * The children are forked before the parent's plants (no descriptor of them inherited).
 * Each plant spans 0x0-0x0 (no address) and names its payload kind, fd or key/shmid. */
#include "lab.h"

#include <pthread.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define SHM_NAME  "/vmahunt-shmhide"
#define SYSV_KEY  0x56481500
#define SYSV_SIZE (64 * 1024)
#define SC_OFFSET 0x1800 /* where the shellcode sits in the POSIX shm object */

/* Writes @len bytes of @src into a fresh mapping of @fd (@prot), then unmaps it. */
static void write_mapped(int fd, const void *src, size_t len, int prot)
{
	void *m = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		lab_die("mmap shared");
	if (prot & PROT_WRITE)
		memcpy(m, src, len);
	else
		(void)*(volatile unsigned char *)m; /* fault a page in, as a loader would */
	if (munmap(m, len) < 0)
		lab_die("munmap");
}

static void plant(const char *kind, const char *payload, const char *what, size_t size)
{
	char extra[256];

	snprintf(extra, sizeof extra, "\"payload\":\"%s\",%s,\"size\":%zu", payload, what, size);
	lab_plant("shmhide", kind, 0, 0, "----", extra);
}

static void memfd_elf(const unsigned char *self, size_t len)
{
	char what[128];
	int fd = (int)syscall(SYS_memfd_create, "vmahunt-shmhide-elf", 0);

	if (fd < 0)
		lab_die("memfd_create");
	if (write(fd, self, len) != (ssize_t)len)
		lab_die("write memfd");
	write_mapped(fd, NULL, len, PROT_READ | PROT_EXEC); /* run briefly, then hidden */
	snprintf(what, sizeof what, "\"fd\":%d,\"name\":\"/memfd:vmahunt-shmhide-elf (deleted)\"",
		 fd);
	plant("unmapped_memfd", "memfd", what, len);
}

static void posix_shm(void)
{
	size_t len = 3 * 4096;
	unsigned char *buf = calloc(1, len);
#if defined(__x86_64__)
	static const unsigned char stub[] = {0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05}; /* exit(...) */
#elif defined(__aarch64__)
	static const unsigned char stub[] = {
	    0xa8, 0x0b, 0x80, 0xd2, /* mov x8, #93 (__NR_exit) */
	    0x01, 0x00, 0x00, 0xd4, /* svc #0 */
	};
#else
#error "shmhide: no stub for this architecture"
#endif
	char what[128];
	int fd = shm_open(SHM_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || !buf)
		lab_die("shm_open");
	if (ftruncate(fd, (off_t)len) < 0)
		lab_die("ftruncate shm");
	snprintf((char *)buf, 64, "VMAHUNT-SHMHIDE posix shm");
#if defined(__x86_64__)
	memset(buf + SC_OFFSET, 0x90, 64);
#else
	for (int i = 0; i < 64; i += 4)
		memcpy(buf + SC_OFFSET + i, "\x1f\x20\x03\xd5", 4); /* nop (0xd503201f) */
#endif
	memcpy(buf + SC_OFFSET + 64, stub, sizeof stub);
	write_mapped(fd, buf, len, PROT_READ | PROT_WRITE);
	snprintf(what, sizeof what, "\"fd\":%d,\"name\":\"/dev/shm%s\",\"offset\":%d", fd, SHM_NAME,
		 SC_OFFSET);
	plant("unmapped_shm", "posix-shm", what, len);
	free(buf);
}

static void sysv_elf(const unsigned char *self, size_t len, const char *ns)
{
	char what[128];
	int id = shmget(SYSV_KEY, SYSV_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	void *m;

	if (id < 0)
		lab_die("shmget");
	m = shmat(id, NULL, 0);
	if (m == (void *)-1)
		lab_die("shmat");
	memcpy(m, self, len < SYSV_SIZE ? len : SYSV_SIZE);
	if (shmdt(m) < 0)
		lab_die("shmdt");
	snprintf(what, sizeof what, "\"key\":\"0x%x\",\"shmid\":%d,\"ipc_ns\":\"%s\"", SYSV_KEY, id,
		 ns);
	plant("unmapped_sysv", "sysv-shm", what, SYSV_SIZE);
}

/* A child in an IPC namespace of its own holding a SysV segment with the ELF; it tells
 * the parent through @ready once its plant is printed. */
static void container_child(const unsigned char *self, size_t len, int ready)
{
	if (unshare(CLONE_NEWIPC) < 0)
		lab_die("unshare CLONE_NEWIPC");
	sysv_elf(self, len, "own");
	if (write(ready, "1", 1) != 1)
		lab_die("write ready");
	for (;;)
		pause();
}

/* Forks @fn's child and waits until it says it is ready. */
static void child(void (*fn)(const unsigned char *, size_t, int), const unsigned char *self,
		  size_t len)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		lab_die("pipe");
	fflush(stdout);
	switch (fork()) {
	case -1:
		lab_die("fork");
		break;
	case 0:
		close(p[0]);
		fn(self, len, p[1]);
		break;
	default:
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			lab_die("read ready");
		close(p[0]);
	}
}

/* The benign control: a child holding a memfd of text, unmapped; it prints its plant,
 * then tells the parent through @ready. */
static void benign_child(const unsigned char *self, size_t len, int ready)
{
	static const char text[] = "VMAHUNT-SHMHIDE benign: plain data, no code\n";
	char page[4096];
	int fd = (int)syscall(SYS_memfd_create, "vmahunt-shmhide-data", 0);

	(void)self;
	(void)len;
	if (fd < 0)
		lab_die("memfd_create benign");
	for (size_t i = 0; i < sizeof page; i++)
		page[i] = text[i % (sizeof text - 1)];
	for (int i = 0; i < 2; i++)
		if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
			lab_die("write benign");
	write_mapped(fd, NULL, 2 * sizeof page, PROT_READ);
	lab_plant("shmhide", "benign", 0, 0, "----",
		  "\"payload\":\"memfd\",\"name\":\"/memfd:vmahunt-shmhide-data (deleted)\"");
	if (write(ready, "1", 1) != 1)
		lab_die("write ready");
	for (;;)
		pause();
}

struct thread_arg {
	const unsigned char *self;
	size_t len;
	int ready;
};

/* Plant 5: a thread with a file table of its own holding an unmapped memfd. */
static void *own_table_thread(void *p)
{
	const struct thread_arg *a = p;
	char what[160];
	int fd;

	if (unshare(CLONE_FILES) < 0)
		lab_die("unshare CLONE_FILES");
	fd = (int)syscall(SYS_memfd_create, "vmahunt-shmhide-thread", 0);
	if (fd < 0)
		lab_die("memfd_create thread");
	if (write(fd, a->self, a->len) != (ssize_t)a->len)
		lab_die("write thread memfd");
	snprintf(what, sizeof what,
		 "\"fd\":%d,\"thread\":%d,\"name\":\"/memfd:vmahunt-shmhide-thread (deleted)\"", fd,
		 (int)syscall(SYS_gettid));
	plant("unmapped_memfd", "memfd", what, a->len);
	if (write(a->ready, "1", 1) != 1)
		lab_die("write ready");
	for (;;)
		pause();
	return NULL;
}

static void thread_plant(const unsigned char *self, size_t len)
{
	static struct thread_arg a;
	pthread_t t;
	int p[2];
	char c;

	if (pipe(p) < 0)
		lab_die("pipe");
	a = (struct thread_arg){self, len, p[1]};
	if (pthread_create(&t, NULL, own_table_thread, &a))
		lab_die("pthread_create");
	if (read(p[0], &c, 1) != 1)
		lab_die("read ready");
}

int main(void)
{
	size_t len;
	unsigned char *self = lab_read_self(&len);

	/* the children first: they must not inherit the payloads' descriptors */
	child(benign_child, self, len);
	child(container_child, self, len);
	memfd_elf(self, len);
	posix_shm();
	sysv_elf(self, len, "initial");
	thread_plant(self, len);
	lab_ready_and_wait();
}
