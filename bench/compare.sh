#!/usr/bin/env bash
# Two vmahunt binaries side by side (a change's before and after): for each
# dump and command, the CPU time (user + system) per run and the peak
# resident memory of each, measured interleaved in one run so that the
# machine's load falls on both alike, and their ratio.
#
#   bench/compare.sh OLD_VMAHUNT NEW_VMAHUNT [DUMP...]
#
#   DUMP    default: qemu.elf and vmcore.elf of every lab folder ($VMAHUNT_LAB_OUT,
#           tests/lab/out); the folder's vmlinux, when there, adds a --vmlinux row
#   VMAHUNT_BENCH_RUNS    samples per row (default 3; the fastest is kept)
#   VMAHUNT_BENCH_REPEAT  invocations per sample (default 10: one takes ~0.05 s)
#
# To compare with an older commit: git archive COMMIT | tar -x -C DIR, build
# its vmahunt (cmake -DVMAHUNT_TESTS=OFF), and give it as OLD_VMAHUNT.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
old=$1 new=$2
shift 2
runs=${VMAHUNT_BENCH_RUNS:-3}
repeat=${VMAHUNT_BENCH_REPEAT:-10}
dumps=("$@")
if [ ${#dumps[@]} = 0 ]; then
	for f in "${VMAHUNT_LAB_OUT:-tests/lab/out}"/*/{qemu,vmcore}.elf; do
		[ -f "$f" ] && dumps+=("$f")
	done
fi
[ ${#dumps[@]} -gt 0 ] || { echo "no dump: give one, or build the lab" >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# sample BIN ARGS...: prints "SECONDS_PER_RUN PEAK_KIB" for $repeat runs
sample() {
	local bin=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$tmp" bash -c \
		'for ((k = 0; k < $0; k++)); do "$@" >/dev/null 2>&1 || true; done' "$repeat" "$bin" "$@"
	awk -v n="$repeat" '{ printf "%.4f %d\n", ($1 + $2) / n, $3 }' "$tmp"
}

printf '%-22s %-16s %9s %8s %9s %8s %8s\n' dump command old-s old-MiB new-s new-MiB new/old
for d in "${dumps[@]}"; do
	cmds=("ps" "maps" "scan" "scan --json")
	[ -f "$(dirname "$d")/vmlinux" ] && cmds+=("maps --vmlinux $(dirname "$d")/vmlinux")
	for cmd in "${cmds[@]}"; do
		read -r -a args <<<"$cmd"
		best_o=999 best_n=999 mem_o=0 mem_n=0
		for ((i = 0; i < runs; i++)); do
			read -r t m < <(sample "$old" "${args[@]}" "$d")
			best_o=$(awk -v a="$t" -v b="$best_o" 'BEGIN { print (a < b ? a : b) }')
			((m > mem_o)) && mem_o=$m
			read -r t m < <(sample "$new" "${args[@]}" "$d")
			best_n=$(awk -v a="$t" -v b="$best_n" 'BEGIN { print (a < b ? a : b) }')
			((m > mem_n)) && mem_n=$m
		done
		label=${cmd%% /*}
		printf '%-22s %-16s %9.3f %8d %9.3f %8d %8.2f\n' \
			"$(basename "$(dirname "$d")")/$(basename "$d")" "$label" "$best_o" $((mem_o / 1024)) \
			"$best_n" $((mem_n / 1024)) "$(awk -v a="$best_n" -v b="$best_o" 'BEGIN { print (b > 0 ? a / b : 0) }')"
	done
done
