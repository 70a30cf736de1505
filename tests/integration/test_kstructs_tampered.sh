#!/usr/bin/env bash
# Rootkit-style tampering on copies of real dumps: a process unlinked from the
# task list (and from its parent's children list), a process detached from
# its struct pid, a VMA erased from the maple tree or unlinked from the
# vm_next list and mm_rb with map_count left: ps still lists the task,
# hidden-task and vma-tree report them, nothing else above info:
# tests/integration/kstructs_tamper.py.
# Uses the 6.1 (maple tree) and 5.10 (list + rbtree) lab folders, or whichever
# of the lab's folders with a qemu.elf there are.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t picks < <(damage_labs)
[ ${#picks[@]} -gt 0 ] || exit 1
exec python3 "$SRC/tests/integration/kstructs_tamper.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
