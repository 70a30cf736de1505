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
mapfile -t picks < <(damage_labs)
[ ${#picks[@]} -gt 0 ] || exit 1
exec python3 "$SRC/tests/integration/maps_damage.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
