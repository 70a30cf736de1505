#!/usr/bin/env bash
# `vmahunt ps` against the tools users have today, on the same dump and vmlinux:
# drgn (`drgn -c DUMP -s VMLINUX` running a script that lists every task) and
# `crash -s` (`ps`), both from Debian's newest suite, run from a debootstrap
# chroot (never installed on the host: Debian 12's drgn 0.0.22 and crash 8.0.2
# predate the maple tree and list only swapper on 6.1).
#
#   bench/ps.sh [--make-chroot] [BUILD_DIR] [LAB_FOLDER...]
#
#   BUILD_DIR     default build (needs vmahunt and tools/vh-profile)
#   LAB_FOLDER    default every folder of $VMAHUNT_LAB_OUT (tests/lab/out)
#   --make-chroot create the chroot first (root; debootstrap; the Debian mirror
#                 is read from this machine's apt sources at run time)
#   VMAHUNT_BENCH_CHROOT  the chroot (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-bench/sid);
#                 without one, only vmahunt is timed
#   VMAHUNT_BENCH_RUNS    runs per tool and dump (default 3; the best is kept)
#   VMAHUNT_BENCH_DUMPS   dump files of each folder to time (default "qemu.elf vmcore.elf")
#
# Prints per dump and tool the tasks listed (vmahunt and drgn: every task, pid 0
# included for vmahunt; crash: its ps rows, which add the other CPUs' idle
# tasks; "failed(N)": the tool exited N, e.g. crash 9.0.2 on 7.x kernels), the
# best wall time and the best CPU time (user + system: on a busy machine wall
# time mostly measures the others),
# and the ratios tool / vmahunt. For vmahunt it also prints the profile load
# alone (vh-profile), the usual bulk of its time: ps minus that is the walk.
# The chroot tools run inside a private mount namespace (unshare) in which the
# lab folder and the vmlinux are bind-mounted at their own paths.
. "$(dirname "$0")/lib.sh" "$@"

# The task-listing script drgn runs: one line per task, as `ps --threads` lists them.
cat >"$drgn_script" <<'EOF'
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    print(t.pid.value_(), t.tgid.value_(), t.real_parent.tgid.value_(),
          t.comm.string_().decode(errors="replace"))
EOF

count_vmahunt() { tail -n +2 | wc -l; }		 # all but the header
count_drgn() { wc -l; }				 # one line per task
count_crash() { grep -cE '^[> ]+[0-9]+ +[0-9]+ +[0-9]+ +[0-9a-f]{16} '; } # ps rows
count_none() { echo -; }


printf '%-36s %-8s %6s %9s %9s %9s %9s\n' dump tool tasks wall_s cpu_s "wall/vh" "cpu/vh"
for lab in "${labs[@]}"; do
	lab=$(realpath "$lab")
	vml=$(realpath "$lab/vmlinux")
	for name in $dump_names; do
		dump=$lab/$name
		[ -f "$dump" ] || continue
		label="$(basename "$lab")/$name"
		read -r n w c _ < <(best count_vmahunt "$vmahunt" ps --threads --vmlinux "$vml" "$dump")
		printf '%-36s %-8s %6s %9s %9s\n' "$label" vmahunt "$n" "$w" "$c"
		read -r _ pw pc _ < <(best count_none "$prof" "$vml")
		printf '%-36s %-8s %6s %9s %9s   (profile load alone: the rest is the walk)\n' \
			"" vh-prof - "$pw" "$pc"
		[ $have_chroot = 1 ] || continue
		read -r dn dw dc _ < <(best count_drgn "${in_chroot[@]}" "$lab" "$(dirname "$vml")" "$drgn_script" \
			drgn -q -c "$dump" -s "$vml" --no-default-symbols /tmp/vh-bench-drgn.py)
		printf '%-36s %-8s %6s %9s %9s %9s %9s\n' "" drgn "$dn" "$dw" "$dc" \
			"$(ratio "$dw" "$w")" "$(ratio "$dc" "$c")"
		read -r cn cw cc _ < <(best count_crash "${in_chroot[@]}" "$lab" "$(dirname "$vml")" "$drgn_script" \
			sh -c 'printf "ps\nexit\n" | crash -s "$0" "$1"' "$vml" "$dump")
		printf '%-36s %-8s %6s %9s %9s %9s %9s\n' "" crash "$cn" "$cw" "$cc" \
			"$(ratio "$cw" "$w")" "$(ratio "$cc" "$c")"
	done
done
[ $have_chroot = 1 ] || echo "no drgn/crash chroot at $chroot_dir: run bench/ps.sh --make-chroot (root) to compare"
