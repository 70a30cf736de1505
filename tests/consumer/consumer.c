/* SPDX-License-Identifier: MIT */
/*
 * A program outside the tree, as a user of the installed libvmahunt writes
 * it: only <vmahunt/vmahunt.h>, compiled with pkg-config's flags
 * (tests/package/test_consumer.sh). It opens a kernel dump as a session,
 * prints what `vmahunt info` says about it and the count of processes (with
 * symbols and types from the dump itself), then scans it and writes the
 * findings as JSON Lines to SCAN_OUT through the report layer, which the test
 * compares with the CLI's output.
 */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "consumer: %s: %s: %s\n", what, vh_strerror(err), vh_errmsg());
	return 1;
}

/* `vmahunt scan --json DUMP` of the session, into @path. */
static int scan_report(struct vh_session *s, const char *path)
{
	struct vh_results *res;
	struct vh_report *r;
	FILE *out = fopen(path, "w");
	int err;

	if (!out) {
		perror(path);
		return 1;
	}
	err = vh_session_scan(s, NULL, &res);
	if (!err)
		err = vh_report_open(VH_REPORT_JSON, VH_REPORT_SCAN, s, out, stderr, &r);
	if (!err) {
		vh_report_session_warnings(r);
		vh_report_results(r, res);
		err = vh_report_close(r);
	}
	vh_results_free(res); /* NULL when the scan failed */
	if (fclose(out) && !err)
		err = VH_ERR_IO;
	return err ? fail("scan", err) : 0;
}

int main(int argc, char **argv)
{
	struct vh_session_options opts = {.symbols = VH_SYMBOLS_BTF};
	struct vh_session *s;
	struct vh_dump *d;
	const char *rel;
	int err, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: consumer DUMP SCAN_OUT\n");
		return 2;
	}
	/* The headers compiled in and the library loaded are the same release. */
	if (strcmp(vh_version(), VMAHUNT_VERSION_STRING) != 0) {
		fprintf(stderr, "consumer: library %s, headers %s\n", vh_version(),
			VMAHUNT_VERSION_STRING);
		return 1;
	}
	printf("version %s\n", vh_version());
	err = vh_session_open(argv[1], &opts, &s);
	if (err)
		return fail(argv[1], err);
	d = vh_session_dump(s);
	rel = vh_dump_vmcoreinfo_get(d, "OSRELEASE");
	printf("format %s\n", vh_dump_format_name(vh_dump_format(d)));
	printf("arch %s\n", vh_dump_arch(d));
	printf("osrelease %s\n", rel ? rel : "");
	printf("page_size %u\n", vh_dump_page_size(d));
	err = vh_session_load(s, VH_LOAD_CMDLINE | VH_LOAD_VMAS);
	if (err) {
		vh_session_close(s);
		return fail("task list", err);
	}
	printf("processes %zu\n", vh_session_tasks(s)->ngroups);
	rc = scan_report(s, argv[2]);
	vh_session_close(s);
	return rc;
}
