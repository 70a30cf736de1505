#!/usr/bin/env bash
# Kernel profile load time: vh_profile_load_vmlinux() on a distribution vmlinux
# (ELF symbols + banner + build id + every struct, member and enum the walkers
# need, from DWARF), cold (the vmlinux's pages dropped from the OS cache with
# posix_fadvise, for this file only) and warm (best and median of 10), next to
# the full scan of every unit and to pahole reading one struct from DWARF.
#
#   bench/profile-load.sh [BUILD_DIR] [VMLINUX...]
#   defaults: build, and the vmlinux of every lab folder (tests/lab/out/*/vmlinux)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
prof=$build/tools/vh-profile
[ -x "$prof" ] || { echo "build first: cmake -S . -B $build && cmake --build $build" >&2; exit 2; }
vmlinuxes=("$@")
if [ ${#vmlinuxes[@]} = 0 ]; then
	for v in tests/lab/out/*/vmlinux; do
		[ -e "$v" ] && vmlinuxes+=("$v")
	done
fi
[ ${#vmlinuxes[@]} -gt 0 ] || { echo "no vmlinux: give one, or build the lab (tests/lab/build-lab.sh)" >&2; exit 2; }

drop_cache() { # forget the file's pages (this file only; nothing else is touched)
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)' "$(realpath "$1")"
}

seconds() { # CMD...: wall seconds of one run
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	python3 -c "print(f'{$t1 - $t0:.3f}')"
}

printf '%-34s %9s %9s %9s %12s %14s %s\n' release size_MB cold_s warm_s warm_med_s full_scan_s "pahole 1 struct (dwarf)"
for v in "${vmlinuxes[@]}"; do
	rel=$("$prof" "$v" | awk '$1 == "osrelease" {print $2}')
	size=$(( $(stat -L -c %s "$v") / 1000000 ))
	drop_cache "$v"
	cold=$(seconds "$prof" "$v")
	read -r warm med < <("$prof" --bench 10 "$v" | awk '/^loads/ {print $7, $10}')
	full=$("$prof" --bench 1 --full "$v" | awk '/^loads/ {print $4}')
	pahole_s=-
	if command -v pahole >/dev/null; then
		pahole_s="$(seconds pahole -F dwarf -C maple_range_64 "$v") (maple_range_64)"
	fi
	printf '%-34s %9s %9s %9s %12s %14s %s\n' "$rel" "$size" "$cold" "$warm" "$med" "$full" "$pahole_s"
	"$prof" --bench 1 "$v" | sed -n 's/^/    fast path: /;1p'
done
