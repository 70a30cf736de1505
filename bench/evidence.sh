#!/usr/bin/env bash
# bench/evidence.sh: what getting evidence out of a dump costs. For each lab
# folder's qemu.elf: `vmahunt dump --all` of the 20 000-VMA process (manyvmas),
# of every process, and (when the build has them) `vmahunt core` of the
# threads process and `vmahunt files` of every process: wall and CPU seconds,
# peak memory, files and bytes written, pages absent. Prints figures; asserts
# nothing. Writes into a temporary folder, removed at the end.
#
# Usage: bench/evidence.sh [BUILD_DIR] [LAB_FOLDER...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
vmahunt=$build/vmahunt
[ -x "$vmahunt" ] || { echo "build first: cmake -S . -B $build && cmake --build $build" >&2; exit 2; }
labs=("$@")
if [ ${#labs[@]} = 0 ]; then
	for d in "${VMAHUNT_LAB_OUT:-tests/lab/out}"/*/; do
		[ -f "$d/qemu.elf" ] && labs+=("${d%/}")
	done
fi
[ ${#labs[@]} -gt 0 ] || { echo "no lab folder with a qemu.elf (tests/lab/build-lab.sh)" >&2; exit 2; }
work=$(mktemp -d -t vmahunt-bench-evidence.XXXXXX)
trap 'rm -rf "$work"' EXIT

plant_pid() { # LAB KIND
	python3 -c 'import json,sys; print(next(p["pid"] for p in json.load(open(sys.argv[1]))["plants"] if p["kind"] == sys.argv[2]))' "$1/truth.json" "$2"
}

# measure LABEL OUT -- COMMAND...: runs COMMAND under GNU time, prints one line
measure() {
	local label=$1 out=$2
	shift 3
	rm -rf "$out"
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" > "$work/records" 2> "$work/err" || {
		echo "  $label: failed: $(tail -1 "$work/err")"
		return
	}
	read -r wall user sys rss < "$work/time"
	local files bytes
	files=$(wc -l < "$work/records")
	bytes=$(du -sb --apparent-size "$out" 2>/dev/null | cut -f1)
	python3 - "$label" "$wall" "$user" "$sys" "$rss" "$files" "$bytes" "$work/records" <<'PY'
import json, sys
label, wall, user, sys_, rss, files, size, recs = sys.argv[1:]
absent = 0
for line in open(recs):
    r = json.loads(line)
    absent += r.get("absent_pages", 0)
cpu = float(user) + float(sys_)
print("  %-34s %6.2f s wall %6.2f s CPU %6.1f MiB peak  %6s files %8.1f MiB  %7d pages absent  %7.0f files/s"
      % (label, float(wall), cpu, int(rss) / 1024, files, int(size or 0) / 2**20, absent,
         int(files) / max(float(wall), 0.001)))
PY
}

have() { "$vmahunt" "$1" --help > /dev/null 2>&1; }

for lab in "${labs[@]}"; do
	dump=$lab/qemu.elf
	echo "$lab ($(du -h --apparent-size "$dump" | cut -f1) qemu.elf):"
	many=$(plant_pid "$lab" many_vmas)
	measure "dump --all --pid $many (manyvmas)" "$work/o" -- "$vmahunt" dump "$dump" --out "$work/o" --all --pid "$many"
	measure "dump --all (every process)" "$work/o" -- "$vmahunt" dump "$dump" --out "$work/o" --all
	if have core; then
		thr=$(plant_pid "$lab" threads)
		measure "core --pid $thr (threads)" "$work/o" -- "$vmahunt" core "$dump" --pid "$thr" -o "$work/o"
	fi
	if have files; then
		measure "files (every process)" "$work/o" -- "$vmahunt" files "$dump" --out "$work/o"
	fi
done
