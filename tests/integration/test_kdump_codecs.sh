#!/usr/bin/env bash
# Real kdumps with every page codec, and vmahunt convert against makedumpfile.
#
# No Debian makedumpfile writes snappy pages, so kdump-recompress rewrites the
# lab's real makedumpfile kdumps with snappy (and zstd, zlib, raw) pages; each
# rewrite must hold exactly the pages of its source (vh-pages --list, which
# hashes every page and lists every page state). Then "vmahunt convert" of the
# lab's flattened makedumpfile -F output must equal, byte for byte, the plain
# kdump makedumpfile wrote from the same crash with the same options, and the
# flattened stream read directly must list the same pages.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmahunt-codecs-XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() { # name, command...
	local name=$1
	shift
	if "$@"; then
		echo "ok: $name"
		pass=$((pass + 1))
	else
		echo "FAIL: $name"
		fail=$((fail + 1))
	fi
}
same_pages() { # a b
	"$VMAHUNT_TOOLS/vh-pages" --list "$1" >"$work/a.txt" &&
		"$VMAHUNT_TOOLS/vh-pages" --list "$2" >"$work/b.txt" &&
		[ -s "$work/a.txt" ] && cmp -s "$work/a.txt" "$work/b.txt"
}
recompressed_same() { # src codec
	"$VMAHUNT_TOOLS/kdump-recompress" --codec "$2" "$1" "$work/re.kdump" >/dev/null &&
		"$VMAHUNT" info "$work/re.kdump" >"$work/info.txt" &&
		grep -q "^compression:.* $3 [0-9]" "$work/info.txt" &&
		same_pages "$1" "$work/re.kdump"
}
for lab in "${labs[@]}"; do
	src=$lab/kdump-lzo-d31.kdump
	[ -f "$src" ] || continue
	for codec in snappy zstd zlib; do
		check "$src recompressed with $codec" recompressed_same "$src" $codec $codec
	done
	check "$src recompressed raw" recompressed_same "$src" none none
	flat=$lab/flat-lzo-d31.flat
	if [ -f "$flat" ]; then
		check "$flat converted equals $src" \
			bash -c '"$1" convert "$2" "$3" && cmp -s "$3" "$4"' _ "$VMAHUNT" "$flat" "$work/conv.kdump" "$src"
		check "$flat read directly equals $src" same_pages "$flat" "$src"
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
