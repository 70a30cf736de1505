#!/usr/bin/env bash
# Time listing every VMA of every process (`vmahunt maps`) on lab dumps, with
# peak memory; and, when the chroot exists, the same with the tools users have
# today, from Debian's newest suite in a debootstrap chroot (never installed on
# the host): drgn (`drgn -c DUMP -s VMLINUX` running a script with
# for_each_task / for_each_vma, printing each VMA's range, flags and path) and
# `crash -s` (`foreach vm`).
#
#   bench/maps.sh [--make-chroot] [BUILD_DIR] [LAB_FOLDER...]
#
#   BUILD_DIR     default build (needs vmahunt and tools/vh-profile)
#   LAB_FOLDER    default every folder of $VMAHUNT_LAB_OUT (tests/lab/out)
#   --make-chroot create the chroot first (root; debootstrap; the Debian mirror
#                 is read from this machine's apt sources at run time)
#   VMAHUNT_BENCH_CHROOT  the chroot (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-bench/sid,
#                 the one bench/ps.sh uses); without one, only vmahunt is timed
#   VMAHUNT_BENCH_RUNS    runs per tool and dump (default 3; the best is kept)
#   VMAHUNT_BENCH_DUMPS   dump files of each folder to time (default "qemu.elf vmcore.elf")
#
# Prints per dump and tool the VMAs listed ("failed(N)": the tool exited N, e.g.
# crash 9.0.2 on 7.x kernels, drgn on a dump without VMCOREINFO; crash's
# `foreach vm` repeats a process's VMAs for each of its threads, so it lists
# more rows),
# the best wall time, the best CPU time (user + system), the peak resident
# memory (MiB, the largest of the runs) and the ratios tool / vmahunt. For
# vmahunt it also prints the profile load alone (vh-profile): maps minus that
# is the task walk plus the VMA walk.
. "$(dirname "$0")/lib.sh" "$@"

# The VMA-listing script drgn runs: one line per VMA of every process, with
# what /proc/PID/maps shows (range, flags, file offset, path).
cat >"$drgn_script" <<'EOF'
from drgn.helpers.linux.fs import d_path
from drgn.helpers.linux.mm import for_each_vma
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    if t.pid != t.tgid or not t.mm:
        continue
    for v in for_each_vma(t.mm):
        path = d_path(v.vm_file.f_path).decode(errors="replace") if v.vm_file else ""
        print(t.pid.value_(), hex(v.vm_start), hex(v.vm_end), hex(v.vm_flags),
              hex(v.vm_pgoff), path)
EOF

count_vmahunt() { grep -vc '^#' || true; } # all but the '# pid' headers
count_drgn() { wc -l; }			      # one line per VMA
count_crash() { grep -cE '^ *[0-9a-f]{16} +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+' || true; } # vm rows
count_none() { echo -; }


printf '%-32s %-8s %7s %8s %8s %9s %8s %8s\n' dump tool vmas wall_s cpu_s peak_MiB \
	"wall/vh" "cpu/vh"
for lab in "${labs[@]}"; do
	lab=$(realpath "$lab")
	vml=$(realpath "$lab/vmlinux")
	for name in $dump_names; do
		dump=$lab/$name
		[ -f "$dump" ] || continue
		label="$(basename "$lab")/$name"
		read -r n w c m < <(best count_vmahunt "$vmahunt" maps --vmlinux "$vml" "$dump")
		printf '%-32s %-8s %7s %8s %8s %9s\n' "$label" vmahunt "$n" "$w" "$c" "$m"
		read -r _ pw pc pm < <(best count_none "$prof" "$vml")
		printf '%-32s %-8s %7s %8s %8s %9s   (profile load alone)\n' "" vh-prof - "$pw" "$pc" "$pm"
		[ $have_chroot = 1 ] || continue
		read -r dn dw dc dm < <(best count_drgn "${in_chroot[@]}" "$lab" "$(dirname "$vml")" \
			"$drgn_script" drgn -q -c "$dump" -s "$vml" --no-default-symbols /tmp/vh-bench-drgn.py)
		printf '%-32s %-8s %7s %8s %8s %9s %8s %8s\n' "" drgn "$dn" "$dw" "$dc" "$dm" \
			"$(ratio "$dw" "$w")" "$(ratio "$dc" "$c")"
		read -r cn cw cc cm < <(best count_crash "${in_chroot[@]}" "$lab" "$(dirname "$vml")" \
			"$drgn_script" sh -c 'printf "foreach vm\nexit\n" | crash -s "$0" "$1"' "$vml" "$dump")
		printf '%-32s %-8s %7s %8s %8s %9s %8s %8s\n' "" crash "$cn" "$cw" "$cc" "$cm" \
			"$(ratio "$cw" "$w")" "$(ratio "$cc" "$c")"
	done
done
[ $have_chroot = 1 ] || echo "no drgn/crash chroot at $chroot_dir: run bench/maps.sh --make-chroot (root) to compare"
