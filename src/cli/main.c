/* SPDX-License-Identifier: MIT */
/* vmahunt: command-line front end. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
    "                       each other; by process, most severe first; plugins\n"
    "                       given with --plugin add their detectors.\n"
    "                       Detectors: anon-rwx anon-exec heap-exec stack-exec\n"
    "                       deleted-exec memfd-exec kthread-mm elf-in-anon\n"
    "                       shellcode hidden-pages pte-perm code-modified\n"
    "                       hidden-task vma-tree\n"
    "  report DUMP -o FILE  one self-contained HTML page (inline CSS and JS, no\n"
    "                       network access, opens from a USB stick): the dump's\n"
    "                       facts and warnings, the process tree, every process's\n"
    "                       address space drawn on a log axis and tabled, the\n"
    "                       findings of scan with their evidence, linked to their\n"
    "                       process and VMA\n"
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
    "  --pid N              maps, scan, report: only this process (a thread id names\n"
    "                       it too; report still draws the whole process tree)\n"
    "  -o, --output FILE    report: the HTML file to write; an existing file is\n"
    "                       left alone (exit 4) unless --force is given\n"
    "  --force              report: overwrite FILE when it exists\n"
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
    "init; report's FILE exists without --force or cannot be written).\n";

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
		fputs(usage, stderr);
		return VH_EXIT_USAGE;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
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
	if (!strcmp(cmd, "plugins"))
		return vh_cmd_plugins(argc - 1, argv + 1);
	vh_cli_error("unknown command '%s' (try 'vmahunt help')", cmd);
	return VH_EXIT_USAGE;
}

const char *vh_cli_usage(void)
{
	return usage;
}
