#!/usr/bin/env bash
# The profile of each lab dump with its vmlinux (vh_profile_open): it loads,
# reports the dump's release, and the dump's VMCOREINFO agrees with the
# vmlinux's DWARF and symbols once KERNELOFFSET is taken off (a disagreement
# is a "warning VMCOREINFO ..." line). A vmlinux of another lab kernel is
# refused with a message naming both releases. Dumps without VMCOREINFO load
# with the vmlinux's release and no KASLR offset.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
prof=$VMAHUNT_TOOLS/vh-profile
mapfile -t labs < <(lab_dirs)
[ ${#labs[@]} -gt 0 ] || exit 1
status=0 checked=0
# lines "DIR RELEASE": the lab folders that have a vmlinux
mapfile -t kernels < <(for d in "${labs[@]}"; do
	[ -e "$d/vmlinux" ] && python3 -c 'import json,sys; print(sys.argv[2], json.load(open(sys.argv[1]))["uname_r"])' \
		"$d/manifest.json" "$d"
done)
for k in "${kernels[@]}"; do
	read -r d rel <<<"$k"
	mapfile -t dumps < <(python3 - "$d/manifest.json" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
for e in m["dumps"]:
    if e.get("has_vmcoreinfo"):
        print(os.path.join(os.path.dirname(sys.argv[1]), e["file"]))
PY
	)
	# without VMCOREINFO nothing can be checked, but the vmlinux still loads
	mapfile -t bare < <(python3 - "$d/manifest.json" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
for e in m["dumps"]:
    if not e.get("has_vmcoreinfo"):
        print(os.path.join(os.path.dirname(sys.argv[1]), e["file"]))
PY
	)
	for dump in "${bare[@]}"; do
		checked=$((checked + 1))
		if ! out=$("$prof" --dump "$dump" "$d/vmlinux" 2>&1); then
			echo "FAIL $dump: $out"
			status=1
		elif [ "$(awk '$1 == "osrelease" {print $2}' <<<"$out")" != "$rel" ] ||
			grep -q '^kaslr_offset ' <<<"$out"; then
			echo "FAIL $dump (no VMCOREINFO): expected release $rel from the vmlinux, no KASLR offset"
			status=1
		fi
	done
	for dump in "${dumps[@]}"; do
		checked=$((checked + 1))
		if ! out=$("$prof" --dump "$dump" "$d/vmlinux" 2>&1); then
			echo "FAIL $dump: $out"
			status=1
			continue
		fi
		got=$(awk '$1 == "osrelease" {print $2}' <<<"$out")
		[ "$got" = "$rel" ] || { echo "FAIL $dump: release $got, expected $rel"; status=1; }
		grep -q '^kaslr_offset ' <<<"$out" || { echo "FAIL $dump: no KERNELOFFSET applied"; status=1; }
		if grep '^warning' <<<"$out"; then
			echo "FAIL $dump: VMCOREINFO disagrees with the vmlinux"
			status=1
		fi
		# every other kernel's vmlinux is refused, naming both releases
		for other in "${kernels[@]}"; do
			read -r od orel <<<"$other"
			[ "$orel" != "$rel" ] || continue
			if err=$("$prof" --dump "$dump" "$od/vmlinux" 2>&1 >/dev/null); then
				echo "FAIL $dump: accepted the vmlinux of $orel"
				status=1
			elif ! grep -q "$rel" <<<"$err" || ! grep -q "$orel" <<<"$err"; then
				echo "FAIL $dump: refusal does not name both releases: $err"
				status=1
			fi
		done
	done
done
if [ $checked = 0 ]; then
	echo "FAIL: no lab dump with VMCOREINFO and a vmlinux" >&2
	exit 1
fi
echo "$checked dumps: profile loaded; where the dump has VMCOREINFO it agrees with DWARF and symbols"
exit $status
