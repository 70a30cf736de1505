/* SPDX-License-Identifier: MIT */
/* vmahunt scan: run the detectors, print findings by process, most severe first. */
#include "cli/cli.h"
#include "report/json.h"

#include <vmahunt/detect.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A finding kept until the end of the run (the output is sorted). */
struct kept {
	struct vh_finding f;
	char comm[65];
	char *path;
	int proc_sev; /* the highest severity of its process (the grouping key) */
};

struct scan_run {
	struct vh_cli_opts opts;
	struct vh_cli_kernel k;
	struct vh_json j;
	const struct vh_detector *dets[VH_SCAN_MAX_DETECTORS];
	size_t ndets;
	struct kept *found;
	size_t nfound, cap;
};

static int keep(const struct vh_finding *f, void *arg)
{
	struct scan_run *r = arg;
	struct kept *k;

	if (r->nfound == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct kept *n = realloc(r->found, cap * sizeof(*n));

		if (!n)
			return VH_ERR_NOMEM;
		r->found = n;
		r->cap = cap;
	}
	k = &r->found[r->nfound];
	k->f = *f;
	snprintf(k->comm, sizeof(k->comm), "%s", f->comm ? f->comm : "");
	k->path = strdup(f->path ? f->path : "");
	if (!k->path)
		return VH_ERR_NOMEM;
	k->f.comm = NULL; /* k->comm moves with the array: set when printed */
	k->f.path = k->path;
	r->nfound++;
	return VH_OK;
}

static void warning(struct scan_run *r, const char *msg)
{
	vh_cli_warning(r->opts.json ? &r->j : NULL, msg);
}

static void scan_warning(const char *msg, void *arg)
{
	warning(arg, msg);
}

/* Fills r->dets from --detector (all when not given). Returns an exit code. */
static int select_detectors(struct scan_run *r)
{
	size_t n;
	const struct vh_detector *const *all = vh_detectors(&n);
	char buf[1024], *save = NULL;

	if (!r->opts.detectors) {
		for (size_t i = 0; i < n && i < VH_SCAN_MAX_DETECTORS; i++)
			r->dets[r->ndets++] = all[i];
		return VH_EXIT_OK;
	}
	snprintf(buf, sizeof(buf), "%s", r->opts.detectors);
	for (char *id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const struct vh_detector *d = vh_detector_find(id);

		if (!d) {
			vh_cli_error("scan: unknown detector '%s'", id);
			return VH_EXIT_USAGE;
		}
		if (r->ndets < VH_SCAN_MAX_DETECTORS)
			r->dets[r->ndets++] = d;
	}
	return VH_EXIT_OK;
}

static int cmp_kept(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->proc_sev != y->proc_sev)
		return y->proc_sev - x->proc_sev;
	if (x->f.pid != y->f.pid)
		return x->f.pid < y->f.pid ? -1 : 1;
	if (x->f.severity != y->f.severity)
		return (int)y->f.severity - (int)x->f.severity;
	return x->f.start < y->f.start ? -1 : x->f.start > y->f.start;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	return x->f.pid < y->f.pid ? -1 : x->f.pid > y->f.pid;
}

/* Processes with the most severe findings first, then by pid, severity, address. */
static void sort_findings(struct scan_run *r)
{
	size_t i = 0;

	if (!r->nfound)
		return; /* qsort() must not get the NULL array */
	qsort(r->found, r->nfound, sizeof(*r->found), cmp_pid);
	while (i < r->nfound) {
		size_t e = i;
		int max = 0;

		for (; e < r->nfound && r->found[e].f.pid == r->found[i].f.pid; e++)
			if ((int)r->found[e].f.severity > max)
				max = (int)r->found[e].f.severity;
		for (; i < e; i++)
			r->found[i].proc_sev = max;
	}
	qsort(r->found, r->nfound, sizeof(*r->found), cmp_kept);
}

static void hex_bytes(const struct vh_finding *f, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < f->nbytes && used + 3 <= len; i++)
		used += (size_t)snprintf(out + used, len - used, "%02x", f->bytes[i]);
}

static void json_finding(struct scan_run *r, const struct vh_finding *f)
{
	struct vh_json *j = &r->j;
	char hex[2 * VH_EVIDENCE_BYTES + 1];

	hex_bytes(f, hex, sizeof(hex));
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "finding");
	vh_json_str(j, "detector", f->detector);
	if (f->kind)
		vh_json_str(j, "kind", f->kind);
	vh_json_str(j, "severity", vh_severity_name(f->severity));
	vh_json_u64(j, "pid", (uint64_t)f->pid);
	vh_json_str(j, "comm", f->comm);
	vh_json_hex(j, "start", f->start);
	vh_json_hex(j, "end", f->end);
	vh_json_str(j, "reason", f->reason);
	vh_json_begin_object(j, "evidence");
	vh_json_hex(j, "vm_flags", f->vm_flags);
	vh_json_str(j, "path", f->path);
	if (f->nbytes) {
		vh_json_hex(j, "at", f->at);
		vh_json_str(j, "bytes", hex);
		vh_json_str(j, "disasm", f->disasm);
	} else {
		vh_json_null(j, "at");
		vh_json_null(j, "bytes");
		vh_json_null(j, "disasm");
	}
	vh_json_end_object(j);
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void print_comm(const char *comm)
{
	for (const unsigned char *c = (const unsigned char *)comm; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
}

static void text_finding(const struct vh_finding *f)
{
	char hex[2 * VH_EVIDENCE_BYTES + 1];

	printf("  %-6s %-12s %016" PRIx64 "-%016" PRIx64 " %s\n", vh_severity_name(f->severity),
	       f->detector, f->start, f->end, f->reason);
	printf("         vm_flags 0x%" PRIx64 "%s", f->vm_flags, f->path[0] ? " path " : "");
	print_comm(f->path); /* a path is bytes from the dump: printed as comm is */
	putchar('\n');
	if (!f->nbytes)
		return;
	hex_bytes(f, hex, sizeof(hex));
	printf("         bytes at 0x%" PRIx64 ": %s\n", f->at, hex);
	for (const char *l = f->disasm; *l;) {
		const char *nl = strchr(l, '\n');
		int n = nl ? (int)(nl - l) : (int)strlen(l);

		printf("           %.*s\n", n, l);
		l += n + (nl ? 1 : 0);
	}
}

static void print_findings(struct scan_run *r)
{
	for (size_t i = 0; i < r->nfound; i++) {
		const struct vh_finding *f = &r->found[i].f;

		r->found[i].f.comm = r->found[i].comm;
		if (r->opts.json) {
			json_finding(r, f);
			continue;
		}
		if (!i || r->found[i - 1].f.pid != f->pid) {
			printf("%s# pid %" PRId32 " ", i ? "\n" : "", f->pid);
			print_comm(f->comm);
			putchar('\n');
		}
		text_finding(f);
	}
	if (!r->opts.json && !r->nfound)
		puts("no findings");
}

/* The one warning of a dump without user pages, naming what was skipped. */
static void warn_skipped(struct scan_run *r)
{
	char msg[512] = "the dump holds no user-process pages (makedumpfile -d 31?): "
			"content detectors skipped:";
	size_t n = 0;

	for (size_t i = 0; i < r->ndets; i++) {
		if (!(r->dets[i]->needs & VH_DETECT_CONTENT) ||
		    (r->k.core && !(r->dets[i]->needs & VH_DETECT_PROCESS)))
			continue;
		strncat(msg, n++ ? ", " : " ", sizeof(msg) - strlen(msg) - 1);
		strncat(msg, r->dets[i]->id, sizeof(msg) - strlen(msg) - 1);
	}
	if (n)
		warning(r, msg);
}

/* --pid N: the process of task N (a thread id names its process, as /proc/N does). */
static bool select_process(struct scan_run *r, struct vh_scan *s)
{
	for (size_t i = 0; i < r->k.tl->ntasks; i++) {
		if (r->k.tl->tasks[i].pid == r->opts.pid) {
			s->tgid = r->k.tl->tasks[i].tgid;
			return true;
		}
	}
	vh_cli_error("scan: no process %" PRId32 " in the dump", r->opts.pid);
	return false;
}

/* The one warning of a process core, naming the detectors that need a kernel. */
static void warn_kernel_only(struct scan_run *r)
{
	char msg[512] = "process core: detectors that need a kernel skipped:";
	size_t n = 0;

	for (size_t i = 0; i < r->ndets; i++) {
		if (r->dets[i]->needs & VH_DETECT_PROCESS)
			continue;
		strncat(msg, n++ ? ", " : " ", sizeof(msg) - strlen(msg) - 1);
		strncat(msg, r->dets[i]->id, sizeof(msg) - strlen(msg) - 1);
	}
	if (n)
		warning(r, msg);
}

/* A process core's memory is read through its segments. */
static int core_read(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	return vh_dump_read_phys(arg, uaddr, buf, len);
}

/* A process core: one process, its map rebuilt from the core, its segments for memory. */
static int run_core(struct scan_run *r, struct vh_scan *s)
{
	const struct vh_core_info *c = vh_core_info(r->k.d);
	bool user_pages = false;

	for (size_t i = 0; i < c->nloads; i++)
		user_pages |= c->loads[i].filesz > 0;
	warn_kernel_only(r);
	return vh_scan_run_process(s, r->k.d, &r->k.tl->tasks[0], r->k.core_vmas, user_pages,
				   core_read, r->k.d);
}

static int scan(struct scan_run *r)
{
	struct vh_scan s = {
	    .dets = r->dets, .ndets = r->ndets, .sink = keep, .sink_arg = r, .warn = scan_warning};
	int err;

	vh_cli_kernel_warnings(&r->k, r->opts.json ? &r->j : NULL);
	if (r->opts.have_pid && !select_process(r, &s))
		return VH_EXIT_FAILURE;
	err = r->k.core ? run_core(r, &s)
			: vh_scan_run(&s, r->k.d, &r->k.km, r->k.prof, r->k.maps, r->k.tl);

	if (err) {
		vh_cli_error("scan: %s", vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
		return VH_EXIT_FAILURE;
	}
	if (!s.user_pages)
		warn_skipped(r);
	sort_findings(r);
	print_findings(r);
	for (size_t i = 0; r->opts.fail_on >= 0 && i < r->nfound; i++)
		if ((int)r->found[i].f.severity >= r->opts.fail_on)
			return VH_EXIT_FINDINGS;
	return VH_EXIT_OK;
}

int vh_cmd_scan(int argc, char **argv)
{
	struct scan_run r;
	int code;

	memset(&r, 0, sizeof(r));
	code = vh_cli_parse_dump(argc, argv, &r.opts,
				 "vmahunt scan DUMP [--vmlinux FILE] [--symbols auto|dwarf|btf] "
				 "[--json] [--fail-on SEVERITY] [--detector ID,...] [--pid N]");
	if (code >= 0)
		return code;
	vh_json_init(&r.j, stdout);
	code = select_detectors(&r);
	if (code == VH_EXIT_OK)
		code = vh_cli_kernel_open(&r.opts, "scan", VH_TASKS_CMDLINE, true, &r.k);
	if (code == VH_EXIT_OK)
		code = scan(&r);
	for (size_t i = 0; i < r.nfound; i++)
		free(r.found[i].path);
	free(r.found);
	vh_cli_kernel_close(&r.k);
	return vh_cli_finish_output(code);
}
