#!/usr/bin/env bash
# libvmahunt.so exports exactly the functions and objects include/vmahunt/
# declares: an internal function made visible, or a public one left without
# VH_EXPORT (or not defined at all), fails with its name. The list comes from
# the headers present (public_api.py), never from a list kept here.
set -euo pipefail
: "${VMAHUNT_SHARED_LIB:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
: "${VMAHUNT_BUILD_INCLUDE:?run through ctest}" "${CC:?run through ctest}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$VMAHUNT_SRC/tests/package/public_api.py" "$CC" "$VMAHUNT_SRC/include" \
	"$VMAHUNT_BUILD_INCLUDE" >"$tmp/declared"
# nm prints versioned names as name@@VMAHUNT_0 and the version node itself as
# an absolute symbol (type A), which is no function or object.
nm -D --defined-only "$VMAHUNT_SHARED_LIB" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"

status=0
while read -r name; do
	echo "FAIL $name is declared in include/vmahunt/ but libvmahunt.so does not export it (VH_EXPORT missing, or not defined)"
	status=1
done < <(comm -23 "$tmp/declared" "$tmp/exported")
while read -r name; do
	echo "FAIL $name is exported by libvmahunt.so but no public header declares it"
	status=1
done < <(comm -13 "$tmp/declared" "$tmp/exported")
# Every export carries the version node of the version script.
unversioned=$(nm -D --defined-only "$VMAHUNT_SHARED_LIB" | awk '$2 != "A" && $3 !~ /@@VMAHUNT_/ { print $3 }')
for name in $unversioned; do
	echo "FAIL $name is exported without the VMAHUNT_ version node (src/libvmahunt.map)"
	status=1
done
n=$(wc -l <"$tmp/declared")
[ "$n" -gt 0 ] || { echo "FAIL no public function found in the headers"; exit 1; }
[ $status = 0 ] && echo "ok   libvmahunt.so exports exactly the $n functions and objects the public headers declare"
exit $status
