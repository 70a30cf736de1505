#!/usr/bin/env bash
# Time `vmahunt scan` on lab dumps, per detector group, with peak memory:
#   maps         `vmahunt maps` (profile load, task walk, every VMA): the base
#                every scan pays
#   vma          the VMA-only detectors (anon-rwx ... kthread-mm)
#   content      elf-in-anon, shellcode (read memory)
#   pagetables   hidden-pages, pte-perm, code-modified (walk every process's
#                page tables, read struct pages)
#   libctx       writable-lib, static-loader, lib-twice, exe-unmapped (kernel file,
#                dentry and inode reads per file mapping)
#   rmap         pte-rmap (every process's page tables, the struct page of every
#                mapped anonymous page, the RSS counters, then the whole struct
#                page array)
#   ktamper      syscall-hook, task-flags (the system call tables, the modules
#                list when a hook is found, every task's flags)
#   unmapped     unmapped-payload (every process's file table, the IPC
#                namespaces' shm ids, the page cache of each shared-memory file)
#   slab         slab-xview (the struct page array for slab pages of the task,
#                mm and VMA caches, their objects and free lists, against the
#                lists, trees and pid table)
#   all          every detector
# once over the whole dump and once over the 20 000-VMA process alone (the
# lab's many_vmas plant, `--pid`). A group's own cost is its time minus maps'.
#
#   bench/scan.sh [BUILD_DIR] [LAB_FOLDER...]
#
#   BUILD_DIR     default build (needs vmahunt and tools/vh-profile)
#   LAB_FOLDER    default every folder of $VMAHUNT_LAB_OUT (tests/lab/out)
#   VMAHUNT_BENCH_RUNS    runs per row (default 3; the best is kept)
#   VMAHUNT_BENCH_DUMPS   dump files of each folder (default "qemu.elf vmcore.elf")
#
# Prints per dump, scope (all processes, or the pid of the many-VMA process)
# and group: the findings, the best wall time, the best CPU time (user +
# system) and the peak resident memory (MiB, the largest of the runs).
. "$(dirname "$0")/lib.sh" "$@"

groups=(
	"vma anon-rwx,anon-exec,heap-exec,stack-exec,deleted-exec,memfd-exec,kthread-mm"
	"content elf-in-anon,shellcode"
	"pagetables hidden-pages,pte-perm,code-modified"
	"libctx writable-lib,static-loader,lib-twice,exe-unmapped"
	"rmap pte-rmap"
	"ktamper syscall-hook,task-flags"
	"unmapped unmapped-payload"
	"slab slab-xview"
	"all -"
)

# what best (lib.sh) counts: the findings or VMAs of the JSON output
count_lines() { grep -c '"type":"\(finding\|vma\)"' || true; }

# The pid of the lab's many-VMA process, from truth.json; empty when none.
many_vmas_pid() {
	python3 -c 'import json, sys
for p in json.load(open(sys.argv[1]))["plants"]:
    if p["kind"] == "many_vmas":
        print(p["pid"]); break' "$1/truth.json" 2>/dev/null || true
}

printf '%-28s %-10s %-11s %8s %8s %8s %9s\n' dump scope group lines wall_s cpu_s peak_MiB
for lab in "${labs[@]}"; do
	lab=$(realpath "$lab")
	vml=$(realpath "$lab/vmlinux")
	many=$(many_vmas_pid "$lab")
	for name in $dump_names; do
		dump=$lab/$name
		[ -f "$dump" ] || continue
		label="$(basename "$lab")/$name"
		for scope in all ${many:+pid=$many}; do
			pidopt=()
			[ "$scope" = all ] || pidopt=(--pid "${scope#pid=}")
			read -r n w c m < <(best count_lines "$vmahunt" maps --json "${pidopt[@]}" --vmlinux "$vml" "$dump")
			printf '%-28s %-10s %-11s %8s %8s %8s %9s\n' "$label" "$scope" maps "$n" "$w" "$c" "$m"
			for g in "${groups[@]}"; do
				read -r gname dets <<<"$g"
				detopt=()
				[ "$dets" = - ] || detopt=(--detector "$dets")
				read -r n w c m < <(best count_lines "$vmahunt" scan --json "${detopt[@]}" "${pidopt[@]}" \
					--vmlinux "$vml" "$dump")
				printf '%-28s %-10s %-11s %8s %8s %8s %9s\n' "" "" "$gname" "$n" "$w" "$c" "$m"
			done
		done
	done
done
