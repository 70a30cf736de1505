/* SPDX-License-Identifier: MIT */
#ifndef VH_CLI_H
#define VH_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

struct vh_plugins;

/* Exit codes, documented in the README and in --help. */
enum vh_exit {
	VH_EXIT_OK = 0,
	VH_EXIT_FINDINGS = 1, /* scan: a finding at or above --fail-on */
	VH_EXIT_USAGE = 2,    /* bad command line */
	VH_EXIT_DUMP = 3,     /* the dump cannot be opened or is malformed */
	VH_EXIT_FAILURE = 4,  /* anything else: output error, out of memory */
};

#define VH_CLI_MAX_PLUGINS     16
#define VH_CLI_MAX_PLUGIN_OPTS 64
#define VH_CLI_MAX_DUMP_PARTS  64 /* DUMP files of one split dump */

/* Options shared by every command. */
struct vh_cli_opts {
	const char *dump_path;			       /* the first DUMP given */
	const char *dump_parts[VH_CLI_MAX_DUMP_PARTS]; /* every DUMP: the parts of a split dump */
	size_t ndump_parts;
	bool json;
	const char *vmlinux;   /* --vmlinux FILE: the kernel's DWARF vmlinux */
	int symbols;	       /* --symbols: enum vh_symbols_mode (VH_SYMBOLS_AUTO by default) */
	bool threads;	       /* --threads: one line per thread, not per process */
	bool have_pid;	       /* --pid N given */
	int32_t pid;	       /* maps: only this process */
	int fail_on;	       /* scan: --fail-on severity (enum vh_severity), -1 when not given */
	const char *detectors; /* scan: --detector ID,... (NULL: all) */
	const char *plugins[VH_CLI_MAX_PLUGINS]; /* scan: --plugin NAME|PATH, in order */
	size_t nplugins;
	const char *plugin_opts[VH_CLI_MAX_PLUGIN_OPTS]; /* scan: --plugin-opt NAME.KEY=VALUE */
	size_t nplugin_opts;
	const char *output;  /* report, core: -o/--output FILE */
	bool force;	     /* report, core, dump, files: --force, overwrite existing files */
	const char *out_dir; /* dump, files: --out DIR */
	int region_select;   /* dump: enum vh_region_select, -1 when none was given */
	uint64_t range_start, range_end; /* dump: --range START-END; --vma ADDR in start */
	bool no_hidden;			 /* dump: --no-hidden */
	bool no_anon_elf;		 /* files: --no-anon-elf */
	struct vh_dump_options dump_opts;
};

/*
 * vh_cli_parse() - parse the common options of a command (argv[0] is the
 * command name). Positional arguments go to @pos (at most @max_pos).
 * Returns the number of positionals, or -1 after printing a usage error, or
 * -2 when --help was asked for (usage already printed).
 */
int vh_cli_parse(int argc, char **argv, struct vh_cli_opts *opts, const char **pos, int max_pos);
const char *vh_cli_usage(void);

/*
 * vh_cli_parse_dump() - parse a command that takes one DUMP (or, as several
 * positionals, the parts of one split dump); @usage is its usage line
 * ("vmahunt ps DUMP [--threads] ..."). Returns -1 when the command goes on
 * (opts->dump_path and opts->dump_parts set), else the exit code to return
 * (help printed, or a usage error printed).
 */
int vh_cli_parse_dump(int argc, char **argv, struct vh_cli_opts *opts, const char *usage);

/* Prints "vmahunt: MSG" on stderr. */
void vh_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Flushes stdout; returns VH_EXIT_FAILURE (with a message) when writing failed. */
int vh_cli_finish_output(int code);

/*
 * vh_cli_session() - open opts->dump_parts (one dump, or the parts of a split
 * dump) as a session and load what @load
 * asks for (VH_LOAD_*; 0: open only). On failure prints one line (prefixed
 * with @cmd when loading failed) and returns VH_EXIT_DUMP (the file cannot be
 * opened) or VH_EXIT_FAILURE, with *s NULL; else VH_EXIT_OK.
 */
int vh_cli_session(const struct vh_cli_opts *opts, const char *cmd, unsigned load,
		   struct vh_session **s);

/*
 * vh_cli_report() - a report of @kind on stdout (stderr for text warnings),
 * in the format opts->json says. Returns NULL after printing an error.
 */
struct vh_report *vh_cli_report(const struct vh_cli_opts *opts, enum vh_report_kind kind,
				struct vh_session *s);

/*
 * vh_cli_close() - end @r (may be NULL) and @s (may be NULL); returns @code,
 * or VH_EXIT_FAILURE with a message when writing the output failed.
 */
int vh_cli_close(struct vh_report *r, struct vh_session *s, int code);

int vh_cmd_info(int argc, char **argv);
int vh_cmd_convert(int argc, char **argv);
int vh_cmd_ps(int argc, char **argv);
int vh_cmd_maps(int argc, char **argv);
int vh_cmd_scan(int argc, char **argv);
int vh_cmd_plugins(int argc, char **argv);
int vh_cmd_report(int argc, char **argv);
int vh_cmd_dump(int argc, char **argv);
int vh_cmd_core(int argc, char **argv);
int vh_cmd_files(int argc, char **argv);

/*
 * What the evidence commands (dump, core, files) share, in cmd_evidence.c.
 * vh_ev_cli_start() parses and refuses the options of other commands: -1 when
 * the command goes on, else the exit code. vh_ev_cli_load() opens and loads
 * the dump, printing its warnings on stderr. vh_ev_cli_into_dir() runs @fn
 * into opts->out_dir (records on stdout, progress on stderr) and writes the
 * manifest. vh_ev_cli_need() prints "missing WHAT" unless @given.
 * vh_ev_cli_error() is the message of the last library error.
 */
struct vh_evidence_dir;
int vh_ev_cli_start(int argc, char **argv, struct vh_cli_opts *opts, const char *usage,
		    struct vh_session **s);
int vh_ev_cli_load(const struct vh_cli_opts *opts, const char *cmd, struct vh_session **s);
int vh_ev_cli_into_dir(const struct vh_cli_opts *opts, const char *cmd, struct vh_session *s,
		       int (*fn)(struct vh_session *s, const void *req, struct vh_evidence_dir *d),
		       const void *req);
int vh_ev_cli_need(const char *cmd, bool given, const char *what, const char *usage);
const char *vh_ev_cli_error(int err);

/*
 * vh_cli_maps() - report every process's VMAs (with --pid, that task's
 * process), each process whose VMAs cannot be read as its header and a
 * warning. Errors are printed prefixed with @cmd. Returns an exit code.
 */
int vh_cli_maps(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const char *cmd);

/*
 * vh_cli_scan() - run the scan @so describes and report its warnings and
 * findings; a failure is printed prefixed with @what. Returns VH_EXIT_OK,
 * VH_EXIT_FINDINGS (a finding at or above --fail-on) or VH_EXIT_FAILURE.
 */
int vh_cli_scan(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const struct vh_scan_options *so, const char *what);

/* scan and report: the detectors --detector and --plugin select. Returns an exit code. */
int vh_cli_select_detectors(const struct vh_cli_opts *opts, const struct vh_plugins *ps,
			    const struct vh_detector **dets, size_t *ndets, const char *cmd);

/*
 * vh_cli_plugins() - load opts' --plugin files, give them their --plugin-opt
 * options and start them. On failure prints one line prefixed with @cmd and
 * returns VH_EXIT_USAGE (no such plugin, a bad option or detector id) or
 * VH_EXIT_FAILURE (a file that is no plugin, another ABI, a failed init),
 * with *ps NULL.
 */
int vh_cli_plugins(const struct vh_cli_opts *opts, const char *cmd, struct vh_plugins **ps);

#endif
