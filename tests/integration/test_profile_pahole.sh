#!/usr/bin/env bash
# The kernel profile of every lab kernel's vmlinux against pahole (struct
# layouts) and nm (symbols), and the fast load against the full scan: see
# profile_vs_pahole.py. Extra vmlinux files can be named in VMAHUNT_VMLINUX
# (colon-separated; their release is taken from the vmlinux-REL file name).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v pahole >/dev/null || {
	echo "FAIL: pahole not found: install the Debian package dwarves" >&2
	exit 1
}
status=0 n=0
declare -A seen
check() { # VMLINUX [ARGS]: each file once, however many lab folders link to it
	local real
	real=$(realpath "$1")
	[ -z "${seen[$real]:-}" ] || return 0
	seen[$real]=1
	n=$((n + 1))
	python3 "$here/profile_vs_pahole.py" "$VMAHUNT_TOOLS/vh-profile" "$@" || status=1
}
if [ -n "${VMAHUNT_VMLINUX:-}" ]; then
	IFS=: read -ra extra <<<"$VMAHUNT_VMLINUX"
	for v in "${extra[@]}"; do
		check "$v"
	done
fi
mapfile -t labs < <(lab_dirs)
[ ${#labs[@]} -gt 0 ] || status=1
for d in "${labs[@]}"; do
	[ -e "$d/vmlinux" ] || continue
	rel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("uname_r",""))' \
		"$d/manifest.json")
	check "$d/vmlinux" ${rel:+--release "$rel"}
done
if [ $n = 0 ]; then
	echo "FAIL: no vmlinux in the lab output" >&2
	exit 1
fi
exit $status
