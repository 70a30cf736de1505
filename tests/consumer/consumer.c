/* SPDX-License-Identifier: MIT */
/*
 * A program outside the tree, as a user of the installed libvmahunt writes
 * it: only <vmahunt/vmahunt.h>, compiled with pkg-config's flags
 * (tests/package/test_consumer.sh). It opens a kernel dump, prints what
 * `vmahunt info` says about it, then walks the kernel's task list with
 * symbols and types from the dump itself and prints the count of processes,
 * which the test compares with the CLI's.
 */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "consumer: %s: %s: %s\n", what, vh_strerror(err), vh_errmsg());
	return 1;
}

int main(int argc, char **argv)
{
	struct vh_dump *d = NULL;
	struct vh_kernel_map km;
	struct vh_profile *prof = NULL;
	struct vh_task_list *tl = NULL;
	const char *rel;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer DUMP\n");
		return 2;
	}
	/* The headers compiled in and the library loaded are the same release. */
	if (strcmp(vh_version(), VMAHUNT_VERSION_STRING) != 0) {
		fprintf(stderr, "consumer: library %s, headers %s\n", vh_version(),
			VMAHUNT_VERSION_STRING);
		return 1;
	}
	printf("version %s\n", vh_version());
	err = vh_dump_open(argv[1], NULL, &d);
	if (err)
		return fail(argv[1], err);
	rel = vh_dump_vmcoreinfo_get(d, "OSRELEASE");
	printf("format %s\n", vh_dump_format_name(vh_dump_format(d)));
	printf("arch %s\n", vh_dump_arch(d));
	printf("osrelease %s\n", rel ? rel : "");
	printf("page_size %u\n", vh_dump_page_size(d));
	err = vh_kernel_map_find(d, &km);
	if (!err)
		err = vh_profile_open_kernel(d, &km, NULL, VH_SYMBOLS_BTF, &prof);
	if (!err)
		err = vh_tasks_read(d, &km, prof, 0, &tl);
	if (!err)
		printf("processes %zu\n", tl->ngroups);
	vh_task_list_free(tl);
	vh_profile_free(prof);
	vh_dump_close(d);
	return err ? fail("task list", err) : 0;
}
