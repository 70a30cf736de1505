/* SPDX-License-Identifier: MIT */
/* vmahunt: command-line front end. */
#include "cli/cli.h"

#include <vmahunt/detect.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: vmahunt COMMAND [OPTIONS] DUMP|CORE\n"
    "\n"
    "Recover process memory maps from Linux crash dumps and flag hidden or\n"
    "anomalous memory.\n"
    "\n"
    "Commands:\n"
    "  info DUMP            format, architecture, page size, memory ranges, page\n"
    "                       counts, compression, VMCOREINFO, per-CPU registers\n"
    "  convert IN OUT       rewrite a flattened kdump (makedumpfile -F) as a\n"
    "                       plain kdump file, as makedumpfile -R would\n"
    "  ps DUMP              processes, one line per thread group (per thread with\n"
    "                       --threads): pid, tgid, ppid, state, uid, kernel\n"
    "                       thread, task_struct address, comm, command line;\n"
    "                       a task found only in the pid table (unlinked from\n"
    "                       the task list) or missing from it is marked\n"
    "  maps DUMP            every process's memory map, as /proc/PID/maps showed it\n"
    "  scan DUMP            flag anomalous memory: anonymous rwx or executable\n"
    "                       memory, executable heap or stack, deleted or memfd\n"
    "                       executables, ELF images in anonymous memory, shellcode,\n"
    "                       kernel threads with a user mm, pages mapped outside\n"
    "                       every VMA, page-table entries wider than their VMA,\n"
    "                       patched code pages, tasks hidden from the task list or\n"
    "                       the pid table, VMA trees inconsistent with map_count or\n"
    "                       each other, code mapped from world-writable folders, a\n"
    "                       libc in a static program, a library mapped twice, the\n"
    "                       program file unmapped, PTEs erased or pointed at\n"
    "                       other frames (against struct page's reverse map) and\n"
    "                       RSS counters above what the page tables map, code in\n"
    "                       memfd/shm/SysV shared memory no VMA maps, system call\n"
    "                       tables hooked, task flags the release does not\n"
    "                       define; by process, most severe first; plugins\n"
    "                       given with --plugin add their detectors.\n"
    "@DETECTORS@"
    "  report DUMP -o FILE  one self-contained HTML page (inline CSS and JS, no\n"
    "                       network access, opens from a USB stick): the dump's\n"
    "                       facts and warnings, the process tree, every process's\n"
    "                       address space drawn on a log axis and tabled, the\n"
    "                       findings of scan with their evidence, linked to their\n"
    "                       process and VMA\n"
    "  dump DUMP --out DIR (--all | --range START-END | --vma ADDR)\n"
    "                       write processes' memory to files, one per VMA, plus\n"
    "                       the pages mapped outside every VMA (hidden pages) as\n"
    "                       their own regions; pages the dump lacks are zeros and\n"
    "                       listed; DIR/manifest.json: pid, comm, range, perms,\n"
    "                       path, file offset, sha256, absent pages of each file\n"
    "  core DUMP --pid N -o FILE\n"
    "                       an ELF core of one process that gdb and eu-stack load:\n"
    "                       its VMAs, each thread's saved user registers, auxv,\n"
    "                       mapped files\n"
    "  files DUMP --out DIR the files processes map or hold open, read from the\n"
    "                       page cache (deleted files and memfds included), and\n"
    "                       ELF images in anonymous memory rebuilt as files;\n"
    "                       DIR/manifest.json as for dump\n"
    "  plugins              the plugins of the search path (VMAHUNT_PLUGIN_PATH,\n"
    "                       then the installed plugin folder, then the build\n"
    "                       tree's) with their ABI version, detectors and options\n"
    "  help                 this text\n"
    "  version              the version\n"
    "\n"
    "Options (every command):\n"
    "  --json               JSON Lines output (one object per line, schema 1)\n"
    "  --raw-base ADDR      DUMP is a raw physical image starting at ADDR\n"
    "  --vmlinux FILE       the dump kernel's vmlinux with DWARF (ps, maps, scan,\n"
    "                       info); when not given, looked for by the dump's release\n"
    "                       in /usr/lib/debug/boot/vmlinux-REL,\n"
    "                       /usr/lib/debug/lib/modules/REL/vmlinux, /boot/vmlinux-REL\n"
    "  --symbols SOURCE     where symbols and types come from (ps, maps, scan, info):\n"
    "                       auto (default): the vmlinux when given or found, else\n"
    "                       the kernel's own kallsyms and BTF in the dump; dwarf:\n"
    "                       a vmlinux only; btf: the dump only, no vmlinux needed\n"
    "  --threads            ps: one line per thread\n"
    "  --fail-on SEVERITY   scan, report: exit 1 when a finding of SEVERITY (info, low,\n"
    "                       medium, high) or above is found\n"
    "  --detector ID,...    scan, report: run only these detectors\n"
    "  --pid N              maps, scan, report, dump, files: only this process (a\n"
    "                       thread id names it too; report still draws the whole\n"
    "                       process tree); core: the process to write\n"
    "  -o, --output FILE    report: the HTML file to write; core: the core file;\n"
    "                       an existing file is left alone (exit 4) unless\n"
    "                       --force is given\n"
    "  --force              report, core, dump, files: overwrite existing files\n"
    "  --out DIR            dump, files: the folder to write (created if missing;\n"
    "                       one with a manifest.json is refused without --force)\n"
    "  --all                dump: every VMA of the processes (--pid: of one)\n"
    "  --range START-END    dump: the parts of --pid's VMAs and hidden pages in\n"
    "                       [START, END)\n"
    "  --vma ADDR           dump: the VMA of --pid holding ADDR\n"
    "  --no-hidden          dump: leave out pages mapped outside every VMA\n"
    "  --no-anon-elf        files: do not rebuild ELF images found in anonymous\n"
    "                       memory\n"
    "  --plugin NAME|FILE   scan, report: load a plugin (NAME.so from the plugin search path,\n"
    "                       or a file; repeatable): its detectors run with the\n"
    "                       built-in ones, and --detector selects them too\n"
    "  --plugin-opt NAME.KEY=VALUE\n"
    "                       scan, report: an option for plugin NAME (repeatable)\n"
    "  -h, --help           this text\n"
    "\n"
    "Formats (detected from content): ELF vmcore (kdump /proc/vmcore, QEMU\n"
    "dump-guest-memory, virsh dump, makedumpfile -E), makedumpfile compressed\n"
    "kdump (zlib, lzo, snappy, zstd), makedumpfile flattened (-F), LiME, raw;\n"
    "a split kdump (makedumpfile --split): give every part as DUMP, in any order\n"
    "(vmahunt ps PART1 PART2 PART3); a missing part is named in a warning;\n"
    "process core files (the kernel's, gdb gcore's, systemd-coredump's\n"
    "zstd-compressed core.*.zst): info, ps, maps, scan and report work on them\n"
    "with no vmlinux (scan runs the detectors that need no kernel).\n"
    "\n"
    "Exit status: 0 success; 1 findings at or above --fail-on (scan, report); 2\n"
    "usage error (also: no such plugin, an option or detector id it does not\n"
    "take); 3 the dump cannot be opened or is malformed; 4 other failure (also:\n"
    "a file that is no vmahunt plugin, another plugin ABI, a plugin's failed\n"
    "init; an output file exists without --force or cannot be written; no\n"
    "such process). dump, core and files print one JSON line per file written.\n";

void vh_cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmahunt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vh_cli_finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vh_cli_error("writing output: %s", strerror(errno));
		return VH_EXIT_FAILURE;
	}
	return code;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(vh_cli_usage(), stderr);
		return VH_EXIT_USAGE;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(vh_cli_usage(), stdout);
		return vh_cli_finish_output(VH_EXIT_OK);
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("vmahunt %s\n", vh_version());
		return vh_cli_finish_output(VH_EXIT_OK);
	}
	if (!strcmp(cmd, "info"))
		return vh_cmd_info(argc - 1, argv + 1);
	if (!strcmp(cmd, "convert"))
		return vh_cmd_convert(argc - 1, argv + 1);
	if (!strcmp(cmd, "ps"))
		return vh_cmd_ps(argc - 1, argv + 1);
	if (!strcmp(cmd, "maps"))
		return vh_cmd_maps(argc - 1, argv + 1);
	if (!strcmp(cmd, "scan"))
		return vh_cmd_scan(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return vh_cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "dump"))
		return vh_cmd_dump(argc - 1, argv + 1);
	if (!strcmp(cmd, "core"))
		return vh_cmd_core(argc - 1, argv + 1);
	if (!strcmp(cmd, "files"))
		return vh_cmd_files(argc - 1, argv + 1);
	if (!strcmp(cmd, "plugins"))
		return vh_cmd_plugins(argc - 1, argv + 1);
	vh_cli_error("unknown command '%s' (try 'vmahunt help')", cmd);
	return VH_EXIT_USAGE;
}

/* The built-in detectors' ids after "Detectors:", wrapped as the usage text is. */
static void detector_list(FILE *f)
{
	size_t n, col = 0;
	const struct vh_detector *const *d = vh_detectors(&n);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(d[i]->id);

		if (col == 0) {
			col = (size_t)fprintf(f, "%23sDetectors: %s", "", d[i]->id);
		} else if (col + 1 + len > 76) {
			col = (size_t)fprintf(f, "\n%23s%s", "", d[i]->id) - 1;
		} else {
			col += (size_t)fprintf(f, " %s", d[i]->id);
		}
	}
	if (col)
		fputc('\n', f);
}

const char *vh_cli_usage(void)
{
	static char *text;
	const char *at = strstr(usage, "@DETECTORS@");
	size_t len = 0;
	FILE *f;

	if (text)
		return text;
	f = open_memstream(&text, &len);
	if (!f || !at)
		return usage; /* out of memory: the text without the list */
	fwrite(usage, 1, (size_t)(at - usage), f);
	detector_list(f);
	fputs(at + strlen("@DETECTORS@"), f);
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
		return usage;
	}
	return text;
}
