/* SPDX-License-Identifier: MIT */
/* vmahunt scan: run the detectors, print findings by process, most severe first. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* Every built-in detector, then every plugin's. */
static void all_detectors(const struct vh_plugins *ps, const struct vh_detector **dets,
			  size_t *ndets)
{
	size_t n, np = 0;
	const struct vh_detector *const *all = vh_detectors(&n);
	const struct vh_detector *const *more = ps ? vh_plugins_detectors(ps, &np) : NULL;

	for (size_t i = 0; i < n && *ndets < VH_SCAN_MAX_DETECTORS; i++)
		dets[(*ndets)++] = all[i];
	for (size_t i = 0; i < np && *ndets < VH_SCAN_MAX_DETECTORS; i++)
		dets[(*ndets)++] = more[i];
}

/* The detectors --detector names (all when not given). Returns an exit code. */
int vh_cli_select_detectors(const struct vh_cli_opts *opts, const struct vh_plugins *ps,
			    const struct vh_detector **dets, size_t *ndets, const char *cmd)
{
	char buf[1024], *save = NULL;

	*ndets = 0;
	if (!opts->detectors) {
		all_detectors(ps, dets, ndets);
		return VH_EXIT_OK;
	}
	snprintf(buf, sizeof(buf), "%s", opts->detectors);
	for (char *id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const struct vh_detector *d = vh_detector_find(id);

		if (!d && ps)
			d = vh_plugins_find_detector(ps, id);

		if (!d) {
			vh_cli_error("%s: unknown detector '%s'", cmd, id);
			return VH_EXIT_USAGE;
		}
		if (*ndets < VH_SCAN_MAX_DETECTORS)
			dets[(*ndets)++] = d;
	}
	return VH_EXIT_OK;
}

int vh_cmd_scan(int argc, char **argv)
{
	struct vh_cli_opts opts;
	const struct vh_detector *dets[VH_SCAN_MAX_DETECTORS];
	struct vh_scan_options so = {.detectors = dets};
	struct vh_plugins *ps = NULL;
	struct vh_session *s;
	struct vh_report *r;
	int code =
	    vh_cli_parse_dump(argc, argv, &opts,
			      "vmahunt scan DUMP [--vmlinux FILE] [--symbols auto|dwarf|btf] "
			      "[--json] [--fail-on SEVERITY] [--detector ID,...] [--pid N]");

	if (code >= 0)
		return code;
	/* plugins load and start before the dump is opened: nothing runs half-way */
	if (opts.nplugins || opts.nplugin_opts) {
		code = vh_cli_plugins(&opts, "scan", &ps);
		if (code != VH_EXIT_OK)
			return code;
	}
	code = vh_cli_select_detectors(&opts, ps, dets, &so.ndetectors, "scan");
	if (code == VH_EXIT_OK) {
		so.by_pid = opts.have_pid;
		so.pid = opts.pid;
		code = vh_cli_session(&opts, "scan", VH_LOAD_CMDLINE | VH_LOAD_VMAS, &s);
	}
	if (code != VH_EXIT_OK) {
		vh_plugins_free(ps);
		return vh_cli_finish_output(code);
	}
	r = vh_cli_report(&opts, VH_REPORT_SCAN, s);
	code = VH_EXIT_FAILURE;
	if (r) {
		vh_report_session_warnings(r);
		code = vh_cli_scan(&opts, s, r, &so, "scan");
	}
	code = vh_cli_close(r, s, code);
	vh_plugins_free(ps);
	return code;
}
