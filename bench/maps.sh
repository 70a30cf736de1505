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
set -euo pipefail
cd "$(dirname "$0")/.."

make_chroot=0
if [ "${1:-}" = --make-chroot ]; then
	make_chroot=1
	shift
fi
build=${1:-build}
shift || true
vmahunt=$build/vmahunt
prof=$build/tools/vh-profile
[ -x "$vmahunt" ] && [ -x "$prof" ] || {
	echo "build first: cmake -S . -B $build && cmake --build $build" >&2
	exit 2
}
chroot_dir=${VMAHUNT_BENCH_CHROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-bench/sid}
runs=${VMAHUNT_BENCH_RUNS:-3}
dump_names=${VMAHUNT_BENCH_DUMPS:-qemu.elf vmcore.elf}
labs=("$@")
if [ ${#labs[@]} = 0 ]; then
	for d in "${VMAHUNT_LAB_OUT:-tests/lab/out}"/*/; do
		[ -f "$d/manifest.json" ] && labs+=("${d%/}")
	done
fi
[ ${#labs[@]} -gt 0 ] || {
	echo "no lab folder: give one, or build the lab (tests/lab/build-lab.sh)" >&2
	exit 2
}

debian_mirror() { # the first Debian archive URI of this machine's apt sources
	grep -hoE '(URIs:|^deb)[[:space:]]+[^[:space:]]+' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{print $2}' | grep -E '/debian/?$' | head -1
}

if [ $make_chroot = 1 ] && [ ! -x "$chroot_dir/usr/bin/drgn" ]; then
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || { echo "no Debian mirror in the apt sources" >&2; exit 2; }
	mkdir -p "$chroot_dir"
	debootstrap --variant=minbase --include=python3-drgn,crash sid "$chroot_dir" "$mirror"
fi
have_chroot=0
[ -x "$chroot_dir/usr/bin/drgn" ] && [ -x "$chroot_dir/usr/bin/crash" ] && have_chroot=1

# The VMA-listing script drgn runs: one line per VMA of every process, with
# what /proc/PID/maps shows (range, flags, file offset, path).
drgn_script=$(mktemp /tmp/vh-bench-drgn-XXXXXX.py)
trap 'rm -f "$drgn_script"' EXIT
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

# best COUNTER CMD...: runs CMD $runs times; prints "vmas best_wall best_cpu peak_mib",
# where vmas is what COUNTER (a filter reading CMD's output) counts in the last
# run's output, or "failed(N)" when CMD exited N.
best() {
	local count=$1 out tf rc wall=999999 cpu=999999 rss=0 vmas
	shift
	out=$(mktemp)
	tf=$(mktemp)
	for _ in $(seq "$runs"); do
		rc=0
		/usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >"$out" 2>/dev/null || rc=$?
		read -r wall cpu rss < <(awk -v w="$wall" -v c="$cpu" -v r="$rss" '{ u = $2 + $3;
			printf "%.3f %.3f %d\n", ($1 < w ? $1 : w), (u < c ? u : c), ($4 > r ? $4 : r) }' \
			<(tail -1 "$tf"))
	done
	if [ "$rc" = 0 ]; then vmas=$($count <"$out"); else vmas="failed($rc)"; fi
	rm -f "$out" "$tf"
	echo "$vmas $wall $cpu $(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')"
}
count_vmahunt() { grep -vc '^#' || true; } # all but the '# pid' headers
count_drgn() { wc -l; }			      # one line per VMA
count_crash() { grep -cE '^ *[0-9a-f]{16} +[0-9a-f]+ +[0-9a-f]+ +[0-9a-f]+' || true; } # vm rows
count_none() { echo -; }

# CMD inside the chroot, with the lab folder and the vmlinux's folder visible
# (bind mounts in a private mount namespace: nothing outlives the command):
#   "${in_chroot[@]}" LAB VMLINUX_DIR CMD...
in_chroot=(unshare --mount bash -c '
	set -e
	c=$1 lab=$2 vdir=$3 script=$4; shift 4
	for p in "$lab" "$vdir"; do mkdir -p "$c$p"; mount --bind "$p" "$c$p"; done
	mkdir -p "$c/proc" "$c/tmp"; mount -t proc proc "$c/proc"
	cp "$script" "$c/tmp/vh-bench-vmas.py"
	exec chroot "$c" "$@"' _ "$chroot_dir")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

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
			"$drgn_script" drgn -q -c "$dump" -s "$vml" --no-default-symbols /tmp/vh-bench-vmas.py)
		printf '%-32s %-8s %7s %8s %8s %9s %8s %8s\n' "" drgn "$dn" "$dw" "$dc" "$dm" \
			"$(ratio "$dw" "$w")" "$(ratio "$dc" "$c")"
		read -r cn cw cc cm < <(best count_crash "${in_chroot[@]}" "$lab" "$(dirname "$vml")" \
			"$drgn_script" sh -c 'printf "foreach vm\nexit\n" | crash -s "$0" "$1"' "$vml" "$dump")
		printf '%-32s %-8s %7s %8s %8s %9s %8s %8s\n' "" crash "$cn" "$cw" "$cc" "$cm" \
			"$(ratio "$cw" "$w")" "$(ratio "$cc" "$c")"
	done
done
[ $have_chroot = 1 ] || echo "no drgn/crash chroot at $chroot_dir: run bench/maps.sh --make-chroot (root) to compare"
