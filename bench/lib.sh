# Shared by bench/ps.sh and bench/maps.sh (sourced with the script's arguments):
#   [--make-chroot] [BUILD_DIR] [LAB_FOLDER...]
# Sets vmahunt, prof (vh-profile), labs, runs, dump_names, chroot_dir,
# have_chroot and drgn_script (a temporary file the caller fills with the
# script drgn runs); defines in_chroot, ratio and best.
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
	command -v debootstrap >/dev/null || { echo "install debootstrap first" >&2; exit 2; }
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || { echo "no Debian mirror in the apt sources" >&2; exit 2; }
	mkdir -p "$chroot_dir"
	debootstrap --variant=minbase --include=python3-drgn,crash sid "$chroot_dir" "$mirror"
fi
have_chroot=0
[ -x "$chroot_dir/usr/bin/drgn" ] && [ -x "$chroot_dir/usr/bin/crash" ] && have_chroot=1

drgn_script=$(mktemp --tmpdir vh-bench-drgn-XXXXXX.py)
trap 'rm -f "$drgn_script"' EXIT

# CMD inside the chroot, with the lab folder and the vmlinux's folder visible
# (bind mounts in a private mount namespace: nothing outlives the command);
# the drgn script is at /tmp/vh-bench-drgn.py there:
#   "${in_chroot[@]}" LAB VMLINUX_DIR CMD...
in_chroot=(unshare --mount bash -c '
	set -e
	c=$1 lab=$2 vdir=$3 script=$4; shift 4
	for p in "$lab" "$vdir"; do mkdir -p "$c$p"; mount --bind "$p" "$c$p"; done
	mkdir -p "$c/proc" "$c/tmp"; mount -t proc proc "$c/proc"
	cp "$script" "$c/tmp/vh-bench-drgn.py"
	exec chroot "$c" "$@"' _ "$chroot_dir")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

# best COUNTER CMD...: runs CMD $runs times; prints "count best_wall best_cpu peak_mib",
# where count is what COUNTER (a filter reading CMD's output) counts in the last
# run's output, or "failed(N)" when CMD exited N; peak_mib is the largest peak RSS.
best() {
	local count=$1 out tf rc wall=999999 cpu=999999 rss=0 n
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
	if [ "$rc" = 0 ]; then n=$($count <"$out"); else n="failed($rc)"; fi
	rm -f "$out" "$tf"
	echo "$n $wall $cpu $(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')"
}
