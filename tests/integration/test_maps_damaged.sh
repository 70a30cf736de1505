#!/usr/bin/env bash
# `vmahunt maps` on copies of real dumps with damaged VMA trees (maple tree
# cycles, bad pivots, nodes nowhere, overlapping VMAs, unreadable files; before
# 6.1 broken vm_next lists and mm_rb cycles): bounded walks, partial results,
# warnings naming the bad address: tests/integration/maps_damage.py.
# Uses the 6.1 (maple tree) and 5.10 (list + rbtree) lab folders, or whichever
# of the lab's folders with a qemu.elf there are.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
picks=()
for want in 6.1 5.10; do
	for d in "${labs[@]}"; do
		if [ "$(basename "$d")" = "$want" ] && [ -f "$d/qemu.elf" ]; then
			picks+=("$d")
		fi
	done
done
if [ ${#picks[@]} = 0 ]; then
	for d in "${labs[@]}"; do
		[ -f "$d/qemu.elf" ] && picks+=("$d") && break
	done
fi
if [ ${#picks[@]} = 0 ]; then
	echo "FAIL: no lab folder with a qemu.elf in $VMAHUNT_LAB_OUT" >&2
	exit 1
fi
exec python3 "$SRC/tests/integration/maps_damage.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
