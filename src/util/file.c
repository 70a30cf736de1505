/* SPDX-License-Identifier: MIT */
#include "util/file.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vh_file_open(struct vh_file *f, const char *path)
{
	struct stat st;

	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return vh_set_error(VH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = errno;

		close(f->fd);
		f->fd = -1;
		if (e == 0 || S_ISDIR(st.st_mode))
			return vh_set_error(VH_ERR_IO, "%s: not a regular file", path);
		return vh_set_error(VH_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
	}
	f->size = (uint64_t)st.st_size;
	f->path = strdup(path);
	if (!f->path) {
		close(f->fd);
		f->fd = -1;
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", path);
	}
	return VH_OK;
}

void vh_file_close(struct vh_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
}

int vh_file_read(const struct vh_file *f, uint64_t off, void *buf, size_t len, const char *what)
{
	size_t done = 0;

	if (off > f->size || len > f->size - off)
		return vh_set_error(
		    VH_ERR_TRUNCATED,
		    "%s: offset 0x%llx: %s of %zu bytes runs past the end of the file "
		    "(size 0x%llx)",
		    f->path, (unsigned long long)off, what, len, (unsigned long long)f->size);
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vh_set_error(VH_ERR_IO, "%s: offset 0x%llx: reading %s: %s", f->path,
					    (unsigned long long)(off + done), what,
					    strerror(errno));
		if (n == 0)
			return vh_set_error(VH_ERR_TRUNCATED,
					    "%s: offset 0x%llx: file ends inside %s", f->path,
					    (unsigned long long)(off + done), what);
		done += (size_t)n;
	}
	return VH_OK;
}
