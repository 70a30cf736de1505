/* fileless: 1. memfd_create + the program's own ELF written into it + mapped R-X;
 * 2. a file (copy of the program) mapped R-X and then unlinked (deleted mapping). */
#include "lab.h"

int main(void)
{
	size_t len;
	unsigned char *self = lab_read_self(&len);

	int mfd = (int)syscall(SYS_memfd_create, "vmahunt-fileless", 0);
	if (mfd < 0)
		lab_die("memfd_create");
	if (write(mfd, self, len) != (ssize_t)len)
		lab_die("write memfd");
	void *m = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, mfd, 0);
	if (m == MAP_FAILED)
		lab_die("mmap memfd");
	char extra[256];
	snprintf(extra, sizeof extra, "\"name\":\"/memfd:vmahunt-fileless (deleted)\",\"size\":%zu",
		 len);
	lab_plant("fileless", "memfd_exec", (uintptr_t)m, lab_page_up((uintptr_t)m + len), "r-xp",
		  extra);
	/* /init hashes the memfd's bytes through our fd (truth: sha256, file_size) */
	printf("#FILE memfd_exec %d /proc/%d/fd/%d\n", (int)getpid(), (int)getpid(), mfd);

	const char *path = "/tmp/vmahunt-deleted.bin";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0700);
	if (fd < 0)
		lab_die("open deleted");
	if (write(fd, self, len) != (ssize_t)len)
		lab_die("write deleted");
	void *d = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (d == MAP_FAILED)
		lab_die("mmap deleted");
	close(fd);
	if (unlink(path) < 0)
		lab_die("unlink");
	snprintf(extra, sizeof extra, "\"name\":\"%s (deleted)\",\"size\":%zu", path, len);
	lab_plant("fileless", "deleted_file_exec", (uintptr_t)d, lab_page_up((uintptr_t)d + len),
		  "r-xp", extra);
	/* the unlinked file is reachable only through its mapping */
	printf("#FILE deleted_file_exec %d /proc/%d/map_files/%lx-%lx\n", (int)getpid(),
	       (int)getpid(), (unsigned long)(uintptr_t)d,
	       (unsigned long)lab_page_up((uintptr_t)d + len));
	lab_ready_and_wait();
}
