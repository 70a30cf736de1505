#!/usr/bin/env bash
# Read throughput: MB/s reading every present page of each dump of a lab folder,
# through libvmahunt (vh-pages --bench: open, walk the ranges, read and
# decompress every page), printed next to gzip -d and zstd -d decompressing the
# same memory (the first unfiltered ELF dump of the folder) as a stream.
#
#   bench/read-throughput.sh [LAB_FOLDER] [BUILD_DIR]
#   defaults: tests/lab/out/6.1 and build
# Each figure is the best of 3 runs; the page cache of the OS is warm for all.
set -euo pipefail
cd "$(dirname "$0")/.."
lab=${1:-tests/lab/out/6.1}
build=${2:-build}
pages=$build/tools/vh-pages
[ -x "$pages" ] || { echo "build first: cmake -S . -B $build && cmake --build $build" >&2; exit 2; }
[ -f "$lab/manifest.json" ] || { echo "no lab output in $lab: run tests/lab/build-lab.sh" >&2; exit 2; }

best_of_3() { # prints the best MB/s of 3 runs of vh-pages --bench
	local best=0 r
	for _ in 1 2 3; do
		r=$("$pages" --bench "$1" | awk '{print $8}')
		best=$(python3 -c "print(max($best, $r))")
	done
	echo "$best"
}

stream_mbs() { # CMD FILE BYTES: MB/s of CMD decompressing FILE to BYTES of output
	local best=0 t0 t1 s
	for _ in 1 2 3; do
		t0=$(date +%s.%N)
		$1 "$2" >/dev/null
		t1=$(date +%s.%N)
		s=$(python3 -c "print($3 / ($t1 - $t0) / 1e6)")
		best=$(python3 -c "print(max($best, $s))")
	done
	printf '%.1f' "$best"
}

printf '%-28s %-16s %-8s %10s\n' dump format codec MB/s
mapfile -t rows < <(python3 -c '
import json, sys
for d in json.load(open(sys.argv[1]))["dumps"]:
    print(d["file"], d["format"], d.get("codec", "none"), d.get("dump_level") or 0)' "$lab/manifest.json")
ref=
for row in "${rows[@]}"; do
	read -r file format codec level <<<"$row"
	printf '%-28s %-16s %-8s %10.1f\n' "$file" "$format" "$codec" "$(best_of_3 "$lab/$file")"
	# The reference is unfiltered memory: an ELF dump with no dump level.
	if [ -z "$ref" ] && [ "$format" = elf ] && [ "$level" = 0 ]; then ref=$lab/$file; fi
done

if [ -n "$ref" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	bytes=$(stat -c %s "$ref")
	gzip -c "$ref" >"$tmp/mem.gz"
	zstd -q -c "$ref" >"$tmp/mem.zst"
	echo "reference: the same memory ($(basename "$ref"), $((bytes >> 20)) MiB) as one stream"
	printf '%-28s %-16s %-8s %10s\n' "gzip -dc" stream zlib "$(stream_mbs 'gzip -dc' "$tmp/mem.gz" "$bytes")"
	printf '%-28s %-16s %-8s %10s\n' "zstd -dc" stream zstd "$(stream_mbs 'zstd -q -dc' "$tmp/mem.zst" "$bytes")"
fi
