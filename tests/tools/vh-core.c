/* SPDX-License-Identifier: MIT */
/*
 * vh-core: write the ELF core of one process of a kernel dump through the
 * library (vh_evidence_core()), for the tests of the core writer.
 *
 *   vh-core [--vmlinux FILE | --btf] [--cmdline] [--force] DUMP PID OUT
 *
 * The core's record (one JSON line) goes to stdout. --cmdline loads the
 * command lines with the tasks (else the writer reads the process's
 * arguments itself); --btf takes the kernel's types from the dump's own BTF. Exit 0, 1 when the
 * core could not be written, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmahunt/evidence.h>
#include <vmahunt/vmahunt.h>

int main(int argc, char **argv)
{
	struct vh_session_options o = {0};
	struct vh_core_request req = {.records = stdout};
	unsigned what = VH_LOAD_VMAS;
	struct vh_session *s;
	int i = 1, err;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--vmlinux") && i + 1 < argc)
			o.vmlinux = argv[++i];
		else if (!strcmp(argv[i], "--btf"))
			o.symbols = VH_SYMBOLS_BTF;
		else if (!strcmp(argv[i], "--cmdline"))
			what |= VH_LOAD_CMDLINE;
		else if (!strcmp(argv[i], "--force"))
			req.force = true;
		else
			break;
	}
	if (argc - i != 3) {
		fprintf(
		    stderr,
		    "usage: vh-core [--vmlinux FILE | --btf] [--cmdline] [--force] DUMP PID OUT\n");
		return 2;
	}
	req.pid = (int32_t)strtol(argv[i + 1], NULL, 0);
	req.path = argv[i + 2];
	err = vh_session_open(argv[i], &o, &s);
	if (!err)
		err = vh_session_load(s, what);
	if (!err)
		err = vh_evidence_core(s, &req);
	if (err)
		fprintf(stderr, "vh-core: %s\n", vh_errmsg());
	vh_session_close(s);
	return err ? 1 : 0;
}
