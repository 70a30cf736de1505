/* SPDX-License-Identifier: MIT */
/*
 * vh-files: vh_evidence_files() from the command line, for the tests (until
 * the CLI has `vmahunt files`).
 *
 *   vh-files [--vmlinux FILE] [--pid N] [--no-anon-elf] [--force] DUMP OUTDIR
 *
 * Writes OUTDIR (files/, anon-elf/, manifest.json); one JSON record per file
 * on stdout, progress lines on stderr. Exit 0; 2 usage; 3 when the dump does
 * not open or load; 4 when the evidence cannot be written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmahunt/evidence.h>
#include <vmahunt/vmahunt.h>

static int usage(void)
{
	fprintf(stderr, "usage: vh-files [--vmlinux FILE] [--pid N] [--no-anon-elf] [--force] "
			"DUMP OUTDIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct vh_session_options so = {0};
	struct vh_evidence_options eo = {.records = stdout, .progress = stderr};
	struct vh_files_request req = {0};
	struct vh_evidence_dir *d = NULL;
	struct vh_session *s = NULL;
	const char *args[2];
	int nargs = 0, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vmlinux") && i + 1 < argc)
			so.vmlinux = argv[++i];
		else if (!strcmp(argv[i], "--pid") && i + 1 < argc)
			req.by_pid = true, req.pid = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-anon-elf"))
			req.no_anon_elf = true;
		else if (!strcmp(argv[i], "--force"))
			eo.force = true;
		else if (argv[i][0] == '-' || nargs == 2)
			return usage();
		else
			args[nargs++] = argv[i];
	}
	if (nargs != 2)
		return usage();
	if (vh_session_open(args[0], &so, &s) || vh_session_load(s, VH_LOAD_VMAS)) {
		fprintf(stderr, "vh-files: %s: %s\n", args[0], vh_errmsg());
		vh_session_close(s);
		return 3;
	}
	if (vh_evidence_dir_open(args[1], "files", args[0], &eo, &d)) {
		fprintf(stderr, "vh-files: %s\n", vh_errmsg());
		vh_session_close(s);
		return 4;
	}
	err = vh_evidence_files(s, &req, d);
	if (err)
		fprintf(stderr, "vh-files: %s\n", vh_errmsg());
	if (vh_evidence_dir_close(d, !err) && !err) {
		fprintf(stderr, "vh-files: %s\n", vh_errmsg());
		err = VH_ERR_IO;
	}
	vh_session_close(s);
	return err == VH_ERR_INVAL ? 2 : err ? 4 : 0;
}
