/* SPDX-License-Identifier: MIT */
#ifndef VH_CLI_H
#define VH_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <vmahunt/vmahunt.h>

/* Exit codes, documented in the README and in --help. */
enum vh_exit {
	VH_EXIT_OK = 0,
	VH_EXIT_FINDINGS = 1, /* scan: a finding at or above --fail-on */
	VH_EXIT_USAGE = 2,    /* bad command line */
	VH_EXIT_DUMP = 3,     /* the dump cannot be opened or is malformed */
	VH_EXIT_FAILURE = 4,  /* anything else: output error, out of memory */
};

/* Options shared by every command. */
struct vh_cli_opts {
	const char *dump_path;
	bool json;
	const char *vmlinux;   /* --vmlinux FILE: the kernel's DWARF vmlinux */
	int symbols;	       /* --symbols: enum vh_symbols_mode (VH_SYMBOLS_AUTO by default) */
	bool threads;	       /* --threads: one line per thread, not per process */
	bool have_pid;	       /* --pid N given */
	int32_t pid;	       /* maps: only this process */
	int fail_on;	       /* scan: --fail-on severity (enum vh_severity), -1 when not given */
	const char *detectors; /* scan: --detector ID,... (NULL: all) */
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
 * vh_cli_parse_dump() - parse a command that takes exactly one DUMP; @usage
 * is its usage line ("vmahunt ps DUMP [--threads] ..."). Returns -1 when the
 * command goes on (opts->dump_path set), else the exit code to return (help
 * printed, or a usage error printed).
 */
int vh_cli_parse_dump(int argc, char **argv, struct vh_cli_opts *opts, const char *usage);

/* What the kernel commands (ps, maps) work on: the dump, the kernel, its profile, its tasks. */
struct vh_cli_kernel {
	struct vh_dump *d;
	struct vh_kernel_map km;
	struct vh_profile *prof;
	struct vh_task_list *tl;
	struct vh_maps *maps; /* VMA reader, when asked for */
	bool core;	      /* a process core: no kernel, tl and core_vmas from its notes */
	struct vh_vma_list *core_vmas; /* a core's map, when maps were asked for */
};

/*
 * vh_cli_kernel_open() - open opts->dump_path; for a process core, read its
 * process and (with @want_maps) its map from the core alone; else locate the
 * kernel, load the profile (as opts->symbols says: opts->vmlinux or one found
 * by release, or the dump's BTF and kallsyms), check the vmlinux against
 * the dump's banner, walk the tasks with @task_flags (VH_TASKS_*), and with
 * @want_maps open the VMA reader. On failure prints one line prefixed with
 * @cmd and releases what was loaded.
 * Returns VH_EXIT_OK, VH_EXIT_DUMP or VH_EXIT_FAILURE.
 */
int vh_cli_kernel_open(const struct vh_cli_opts *opts, const char *cmd, unsigned task_flags,
		       bool want_maps, struct vh_cli_kernel *k);
struct vh_json;
/* Prints one warning: a JSON "warning" object on @j, or "vmahunt: warning: MSG" on stderr
 * when @j is NULL. */
void vh_cli_warning(struct vh_json *j, const char *msg);
/* What opening the view worked around: the dump's, the profile's (none for a process core)
 * and the task walk's warnings, in that order, through vh_cli_warning(). */
void vh_cli_kernel_warnings(const struct vh_cli_kernel *k, struct vh_json *j);
/* Frees what vh_cli_kernel_open() loaded (safe on a zeroed struct). */
void vh_cli_kernel_close(struct vh_cli_kernel *k);

/* Prints "vmahunt: MSG" on stderr. */
void vh_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens opts->dump_path; on failure prints the library's message and returns NULL. */
struct vh_dump *vh_cli_open_dump(const struct vh_cli_opts *opts);
/* Flushes stdout; returns VH_EXIT_FAILURE (with a message) when writing failed. */
int vh_cli_finish_output(int code);

struct vh_json;
/* "vmahunt info" on a process core: its process section, text or JSON ("process"). */
void vh_cli_core_info_text(struct vh_dump *d);
void vh_cli_core_info_json(struct vh_json *j, struct vh_dump *d);

int vh_cmd_info(int argc, char **argv);
int vh_cmd_convert(int argc, char **argv);
int vh_cmd_ps(int argc, char **argv);
int vh_cmd_maps(int argc, char **argv);
int vh_cmd_scan(int argc, char **argv);

#endif
