/* SPDX-License-Identifier: MIT */
/* A task's open files: see kernel/fdtable.h. */
#include "kernel/fdtable.h"

#include "kernel/kmem.h"
#include "util/warnings.h"
#include "util/grow.h"

#include <vmahunt/error.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 16
#define CHUNK	     512 /* pointers: one page of the array */

static void warn(struct vh_fd_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct vh_fd_list *l, const char *fmt, ...)
{
	va_list ap;

	l->partial = true;
	if (l->nwarnings >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vh_warnings_vadd(&l->warnings, &l->nwarnings, fmt, ap);
	va_end(ap);
}

static int push(struct vh_fd_list *l, size_t *cap, int32_t fd, uint64_t file)
{
	if (l->n == *cap) {
		struct vh_fd *n = vh_grow(l->fds, l->n, cap, sizeof(*n), 16);

		if (!n)
			return VH_ERR_NOMEM;
		l->fds = n;
	}
	l->fds[l->n++] = (struct vh_fd){fd, file};
	return VH_OK;
}

int vh_fds_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t task,
		struct vh_fd_list *out)
{
	uint64_t files = 0, fdt = 0, max_fds = 0, arr = 0, bad = 0;
	uint64_t buf[CHUNK];
	size_t cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!vh_present(&p->task_struct.files) || !vh_present(&p->files_struct.fdt) ||
	    !vh_present(&p->fdtable.max_fds) || !vh_present(&p->fdtable.fd))
		return VH_ERR_NOT_PRESENT;
	err = vh_member_read(kr, task, &p->task_struct.files, &files);
	if (err) {
		warn(out, "task %#" PRIx64 ": files cannot be read (%s)", task, vh_strerror(err));
		return err;
	}
	if (!files)
		return VH_OK;
	if (!vh_kptr_ok(kr, files) ||
	    (err = vh_member_read(kr, files, &p->files_struct.fdt, &fdt)) || !vh_kptr_ok(kr, fdt) ||
	    (err = vh_member_read(kr, fdt, &p->fdtable.max_fds, &max_fds)) ||
	    (err = vh_member_read(kr, fdt, &p->fdtable.fd, &arr)) || !vh_kptr_ok(kr, arr)) {
		warn(out,
		     "task %#" PRIx64 ": files %#" PRIx64 " fdtable %#" PRIx64 " fd array %#" PRIx64
		     " cannot be read",
		     task, files, fdt, arr);
		return err ? err : VH_ERR_CORRUPT;
	}
	out->max_fds = max_fds;
	if (max_fds > VH_FDS_MAX) {
		warn(out, "fdtable %#" PRIx64 ": max_fds %" PRIu64 ", read up to %u", fdt, max_fds,
		     VH_FDS_MAX);
		max_fds = VH_FDS_MAX;
	}
	for (uint64_t i = 0; i < max_fds;) {
		uint64_t a = arr + 8 * i;
		size_t n = (size_t)((4096 - (a & 4095)) / 8);

		if (n > max_fds - i)
			n = (size_t)(max_fds - i);
		if (n > CHUNK)
			n = CHUNK;
		err = vh_vread(kr, a, buf, 8 * n);
		if (err) {
			warn(out,
			     "fd array %#" PRIx64 ": fds %" PRIu64 "-%" PRIu64
			     " cannot be read (%s)",
			     arr, i, i + n - 1, vh_strerror(err));
			i += n;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (!buf[k])
				continue;
			if (!vh_kptr_ok(kr, buf[k])) {
				if (!bad++)
					warn(out,
					     "fd array %#" PRIx64 ": fd %" PRIu64 " holds %#" PRIx64
					     ", no kernel address",
					     arr, i + k, buf[k]);
				continue;
			}
			if (push(out, &cap, (int32_t)(i + k), buf[k]))
				return VH_ERR_NOMEM;
		}
		i += n;
	}
	if (bad > 1)
		warn(out, "fd array %#" PRIx64 ": %" PRIu64 " entries hold no kernel address", arr,
		     bad);
	return VH_OK;
}

void vh_fd_list_free(struct vh_fd_list *l)
{
	if (!l)
		return;
	vh_warnings_free(l->warnings, l->nwarnings);
	free(l->fds);
	memset(l, 0, sizeof(*l));
}
